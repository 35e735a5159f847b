//! `parktwin-server park import` as a user runs it: GeoJSON in CGCS2000 Gauss–Krüger (a legacy
//! `crs` member) and points picked on a Chinese web map (GCJ-02, `--crs`), checked, imported,
//! and the park folder served by `parktwin-server --assets`.

mod common;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn import(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .args(["park", "import"])
        .args(args)
        .output()
        .expect("runs")
}

/// PROJ's own `cs2cs`: WGS84 longitude/latitude to EPSG:4548's (northing, easting).
fn to_gauss_kruger(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut child = Command::new("cs2cs")
        .args(["-f", "%.4f", "OGC:CRS84", "EPSG:4548"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cs2cs (Debian's proj-bin)");
    let input: String = points.iter().map(|(lon, lat)| format!("{lon} {lat}\n")).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("cs2cs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .take(2)
                .map(|t| t.parse().expect("number"))
                .collect();
            (v[1], v[0]) // easting, northing: the order files store
        })
        .collect()
}

fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8;
    let dx = (a.0 - b.0).to_radians() * r * ((a.1 + b.1) / 2.0).to_radians().cos();
    dx.hypot((a.1 - b.1).to_radians() * r)
}

#[test]
fn imports_checks_and_serves_a_park_of_its_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let tanks_wgs = [(118.4512, 37.5731), (118.4519, 37.5733), (118.4526, 37.5729)];
    let gk = to_gauss_kruger(&tanks_wgs);
    let tanks = json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
        "features": gk.iter().enumerate().map(|(i, (x, y))| json!({
            "type": "Feature", "id": format!("T-{i}"),
            "properties": {"name": format!("{}号罐", i + 1), "chemical": "ammonia", "inventory_t": 20.0},
            "geometry": {"type": "Point", "coordinates": [x, y]}})).collect::<Vec<_>>()
    });
    std::fs::write(dir.path().join("tanks.geojson"), tanks.to_string()).expect("write");
    // A gate picked on Amap: GCJ-02.
    let gate_wgs = (118.4490, 37.5700);
    let gate_gcj = parktwin_import::crs::wgs84_to_gcj02(gate_wgs.0, gate_wgs.1);
    let gates = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "id": "gate-1",
        "properties": {"name": "一号门", "kind": "general"},
        "geometry": {"type": "Point", "coordinates": [gate_gcj.0, gate_gcj.1]}}]});
    std::fs::write(dir.path().join("gates.geojson"), gates.to_string()).expect("write");
    let out = dir.path().join("park");
    let src = |f: &str| dir.path().join(f).display().to_string();
    let out_s = out.display().to_string();

    // --check: the summary, nothing written.
    let checked = import(&[
        "--out",
        &out_s,
        "--name",
        "Test Park",
        "--crs",
        "GCJ-02",
        "--check",
        &src("tanks.geojson"),
        &src("gates.geojson"),
    ]);
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        text.contains("layer tanks: 3 features") && text.contains("EPSG:4548") && text.contains("GCJ-02"),
        "{text}"
    );
    assert!(text.contains("nothing written") && !out.exists(), "{text}");

    // A bad source: exit status 1, the file and the reason on stderr.
    std::fs::write(
        dir.path().join("roads.geojson"),
        "{\"type\": \"FeatureCollection\", \"features\": [",
    )
    .expect("write");
    let bad = import(&["--out", &out_s, &src("tanks.geojson"), &src("roads.geojson")]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        err.contains("roads.geojson") && err.contains("not valid JSON") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(!out.exists());

    let done = import(&[
        "--out",
        &out_s,
        "--name",
        "Test Park",
        "--crs",
        "GCJ-02",
        "--json",
        &src("tanks.geojson"),
        &src("gates.geojson"),
    ]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let summary: Value = serde_json::from_slice(&done.stdout).expect("JSON summary");
    assert_eq!(summary["written"], true);
    assert_eq!(summary["layers"]["gates"], 1);

    // Served: the park, its layers, every position where it was.
    let data = tempfile::tempdir().expect("tmp");
    let (mut server, url) = common::start(data.path(), &["--assets", &out_s]);
    let get = |path: &str| -> Value {
        reqwest::blocking::get(format!("{url}{path}"))
            .expect("answers")
            .json()
            .expect("json")
    };
    let park = get("/api/v1/park");
    assert_eq!(park["name"], "Test Park");
    assert_eq!(park["id"], "test-park");
    let served = get("/api/v1/layers/tanks");
    for (i, wgs) in tanks_wgs.iter().enumerate() {
        let f = served["features"]
            .as_array()
            .expect("features")
            .iter()
            .find(|f| f["id"] == format!("T-{i}"))
            .expect("tank");
        let c = &f["geometry"]["coordinates"];
        let got = (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat"));
        assert!(metres(got, *wgs) < 0.01, "T-{i}: {} m", metres(got, *wgs));
        assert_eq!(f["properties"]["name"], format!("{}号罐", i + 1));
    }
    let gate = &get("/api/v1/layers/gates")["features"][0]["geometry"]["coordinates"];
    let got = (gate[0].as_f64().expect("lon"), gate[1].as_f64().expect("lat"));
    assert!(
        metres(got, gate_wgs) < 0.5,
        "the gate {} m from where it is",
        metres(got, gate_wgs)
    );
    let _ = server.kill();
    let _ = server.wait();
}
