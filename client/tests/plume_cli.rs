//! `parktwin plume` as a planner's script uses it: JSON out, clear refusals with a non-zero exit.

use std::process::{Command, Output};

fn plume(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .arg("plume")
        .args(args)
        .output()
        .expect("parktwin runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

const BASE: &[&str] = &["--wind-speed", "3", "--wind-from", "270", "--stability", "D"];

#[test]
fn points_downwind_carry_mg_and_ppm() {
    let mut args = vec![
        "--rate",
        "1",
        "--chemical",
        "chlorine",
        "--point",
        "1000,0",
        "--point",
        "1000,100,1.5",
        "--point",
        "-500,0",
    ];
    args.extend_from_slice(BASE);
    let v = json(&plume(&args));
    let pts = v["points"].as_array().expect("points");
    assert_eq!(pts.len(), 3);
    // Ground release, 1 kg/s, D, 3 m/s, Briggs rural: Q/(π u σy σz) at 1 km.
    let (sy, sz) = (0.08 * 1000.0 / 1.1f64.sqrt(), 0.06 * 1000.0 / 2.5f64.sqrt());
    let expected = 1e6 / (std::f64::consts::PI * 3.0 * sy * sz);
    let c = pts[0]["mg_m3"].as_f64().expect("mg_m3");
    assert!((c - expected).abs() < 1e-6 * expected, "{c} vs {expected}");
    let ppm = pts[0]["ppm"].as_f64().expect("ppm");
    assert!((ppm - c * 24.465 / 70.906).abs() < 0.01 * ppm, "chlorine at 25 °C");
    assert!(pts[1]["mg_m3"].as_f64().expect("off axis") < c);
    assert_eq!(pts[2]["mg_m3"].as_f64(), Some(0.0), "nothing upwind");
}

#[test]
fn zones_are_geojson_with_names_thresholds_and_reach() {
    let mut args = vec!["--rate", "2", "--chemical", "chlorine", "--zones"];
    args.extend_from_slice(BASE);
    let v = json(&plume(&args));
    assert_eq!(v["type"], "FeatureCollection");
    let f = v["features"].as_array().expect("features");
    let names: Vec<&str> = f.iter().filter_map(|x| x["properties"]["name"].as_str()).collect();
    assert_eq!(names, ["AEGL-3", "AEGL-2", "AEGL-1"]);
    let reach: Vec<f64> = f
        .iter()
        .filter_map(|x| x["properties"]["farthest_downwind_m"].as_f64())
        .collect();
    assert!(
        reach[0] > 0.0 && reach[0] < reach[1] && reach[1] < reach[2],
        "{reach:?}"
    );
    parktwin_api::validate::parse_layer_file("zones", &v.to_string()).expect("RFC 7946");
}

#[test]
fn a_zone_past_the_ten_km_the_model_draws_says_so() {
    // A class F chlorine release: AEGL-1 (0.5 ppm) reaches far past 10 km, where the model
    // stops drawing, as ALOHA stops; its zone says so instead of passing its cut edge off as
    // its reach, and the red zone, well inside, does not.
    let v = json(&plume(&[
        "--rate",
        "1",
        "--chemical",
        "chlorine",
        "--zones",
        "--wind-speed",
        "2",
        "--wind-from",
        "270",
        "--stability",
        "F",
    ]));
    let beyond: Vec<Option<bool>> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["beyond_model_limit"].as_bool())
        .collect();
    assert_eq!((beyond[0], beyond[2]), (Some(false), Some(true)), "{beyond:?}");
}

#[test]
fn a_puff_moves_with_time_and_the_class_can_be_derived() {
    let v = json(&plume(&[
        "--mass",
        "500",
        "--time",
        "300",
        "--wind-speed",
        "2",
        "--wind-from",
        "0",
        "--night",
        "--cloud",
        "2",
        "--point",
        "0,-600",
        "--point",
        "0,600",
    ]));
    assert_eq!(v["model"]["stability"], "F", "2 m/s on a clear night is F");
    let p = v["points"].as_array().expect("points");
    // Wind from the north carries the puff 600 m south in 300 s.
    assert!(p[0]["mg_m3"].as_f64().expect("c") > 1.0);
    assert!(p[1]["mg_m3"].as_f64().expect("c") < 1e-9);
}

#[test]
fn bad_input_is_refused_naming_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--rate", "-1", "--point", "1,1"],
            "--rate must be a release rate in kg/s greater than 0",
        ),
        (
            &["--rate", "1", "--point", "1,1", "--chemical", "kryptonite"],
            "--chemical \"kryptonite\" is not in the chemical table",
        ),
        (&["--mass", "10", "--point", "1,1"], "needs --time"),
        (&["--rate", "1", "--zones"], "--zones needs --chemical"),
    ];
    for (extra, msg) in cases {
        let mut args = extra.to_vec();
        args.extend_from_slice(BASE);
        let out = plume(&args);
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    let out = plume(&[
        "--rate",
        "1",
        "--point",
        "1,1",
        "--wind-speed",
        "3",
        "--wind-from",
        "270",
        "--stability",
        "G",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--stability") && err.contains("A, B, C, D, E, F"), "{err}");
}

/// The server's zones for an incident and the CLI's for the same inputs are the same polygons.
#[test]
fn the_servers_zones_equal_the_clis_for_the_same_inputs() {
    use parktwin_api::model::Role;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let token = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite"))
        .expect("open")
        .create_token(Role::Operator, "planner")
        .expect("token");
    let at = "118.4542447,37.5683106";
    let cases: [(serde_json::Value, Vec<&str>); 2] = [
        (
            serde_json::json!({"rate_kg_s": 2.5, "height_m": 3.0}),
            vec!["--rate", "2.5", "--height", "3"],
        ),
        (
            serde_json::json!({"mass_kg": 800.0, "height_m": 0.0}),
            vec!["--mass", "800"],
        ),
    ];
    for (i, (source, flags)) in cases.into_iter().enumerate() {
        let mut req = serde_json::json!({
            "lon": 118.4542447, "lat": 37.5683106, "chemical": "ammonia",
            "weather": {"wind_speed_ms": 2.5, "wind_from_deg": 200.0, "stability": "E", "temperature_c": 15.0},
        });
        for (k, v) in source.as_object().expect("object") {
            req[k] = v.clone();
        }
        let r = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/incidents", s.url))
            .bearer_auth(&token)
            .json(&req)
            .send()
            .expect("server answers");
        assert_eq!(r.status().as_u16(), 201);
        let served: serde_json::Value =
            reqwest::blocking::get(format!("{}/api/v1/incidents/inc-{}/zones", s.url, i + 1))
                .expect("zones")
                .json()
                .expect("GeoJSON");
        let mut args = flags.clone();
        args.extend_from_slice(&[
            "--wind-speed",
            "2.5",
            "--wind-from",
            "200",
            "--stability",
            "E",
            "--temperature",
            "15",
            "--chemical",
            "ammonia",
            "--zones",
            "--at",
            at,
        ]);
        let cli = json(&plume(&args));
        let (a, b) = (
            served["features"].as_array().expect("features"),
            cli["features"].as_array().expect("features"),
        );
        assert_eq!(a.len(), 3);
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x["properties"]["name"], y["properties"]["name"]);
            assert_eq!(x["properties"]["threshold_mg_m3"], y["properties"]["threshold_mg_m3"]);
            assert_eq!(x["geometry"], y["geometry"], "case {i}: {}", x["properties"]["name"]);
        }
    }
}

#[test]
fn a_flammable_cloud_is_drawn_at_its_lower_explosive_limit_and_half_of_it() {
    // Propane burns from 2.1 % by volume (21,000 ppm): a flash fire's zone, and half of it
    // for the pockets a time-averaged plume hides.
    let mut args = vec!["--rate", "20", "--chemical", "propane", "--zones", "--levels", "lel"];
    args.extend_from_slice(BASE);
    let v = json(&plume(&args));
    let props: Vec<&serde_json::Value> = v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| &f["properties"])
        .collect();
    let names: Vec<&str> = props.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["LEL", "½ LEL"]);
    let reach: Vec<f64> = props.iter().filter_map(|p| p["farthest_downwind_m"].as_f64()).collect();
    assert!(reach[0] > 0.0 && reach[0] < reach[1], "{reach:?}");
    let mut chlorine = vec!["--rate", "1", "--chemical", "chlorine", "--zones", "--levels", "lel"];
    chlorine.extend_from_slice(BASE);
    let out = plume(&chlorine);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not burn"));
}
