//! `parktwin hazard` as a planner's script uses it: JSON out, the published worked examples,
//! and refusals that name the flag, with a non-zero exit.

use std::process::{Command, Output};

fn hazard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parktwin"))
        .arg("hazard")
        .args(args)
        .output()
        .expect("parktwin runs")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn refusal(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "not refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_benzene_tank_leaks_as_crowl_and_louvar_example_4_2() {
    // Crowl & Louvar, Chemical Process Safety, Example 4-2: a 1-in hole 12 ft below the
    // surface of benzene in a tank 8 ft across, padded at 1 atm gauge: 10.4 lbm/s (4.72 kg/s)
    // at first, drained down to the hole in 56.6 min. The book takes a specific gravity of
    // 0.8794; the table's density at 20 °C is 878 kg/m³.
    let v = json(&hazard(&[
        "leak",
        "--chemical",
        "benzene",
        "--hole-diameter-mm",
        "25.4",
        "--liquid-height-m",
        "3.6576",
        "--gauge-pressure-kpa",
        "101.325",
        "--tank-diameter-m",
        "2.4384",
    ]));
    let density = v["density_kg_m3"].as_f64().expect("a density");
    assert!((density - 878.0).abs() < 1.0, "{density}");
    let rate = v["rate_kg_s"].as_f64().expect("a rate");
    assert!((rate - 4.72).abs() / 4.72 < 0.01, "{rate} kg/s");
    let minutes = v["drain_time_s"].as_f64().expect("a drain time") / 60.0;
    assert!((minutes - 56.6).abs() / 56.6 < 0.01, "{minutes} min");
    // Without the tank's size, the level is held: no drain time.
    let held = json(&hazard(&[
        "leak",
        "--chemical",
        "benzene",
        "--hole-diameter-mm",
        "25.4",
        "--liquid-height-m",
        "3.6576",
        "--gauge-pressure-kpa",
        "101.325",
    ]));
    assert_eq!(held["rate_kg_s"], v["rate_kg_s"]);
    assert!(held["drain_time_s"].is_null());
}

#[test]
fn liquefied_chlorine_is_denser_cold_and_a_bigger_hole_leaks_faster() {
    let rate = |hole: &str, t: &str| {
        json(&hazard(&[
            "leak",
            "--chemical",
            "chlorine",
            "--hole-diameter-mm",
            hole,
            "--liquid-height-m",
            "2",
            "--gauge-pressure-kpa",
            "580",
            "--temperature-c",
            t,
        ]))
    };
    let warm = rate("20", "20");
    // Chlorine's saturated liquid at 20 °C: 1,409 kg/m³ (Euro Chlor gives 1,410).
    assert!((warm["density_kg_m3"].as_f64().expect("density") - 1409.0).abs() < 2.0);
    assert!(rate("20", "-20")["density_kg_m3"].as_f64() > warm["density_kg_m3"].as_f64());
    assert!(rate("40", "20")["rate_kg_s"].as_f64() > warm["rate_kg_s"].as_f64());
}

#[test]
fn a_choked_nitrogen_leak_and_a_propane_fireball() {
    // Crowl & Louvar, Example 4-4: nitrogen at 200 psig (1,379 kPa) and 80 °F (26.7 °C)
    // through a 0.1-in hole, C₀ = 1: choked, 0.0380 lbm/s (0.0172 kg/s). Nitrogen is not in
    // the park's table; chlorine's molar mass would change the answer, so the test checks the
    // choking and the scaling with √M instead, against the gas the table has.
    let gas = |name: &str| {
        json(&hazard(&[
            "gas-leak",
            "--chemical",
            name,
            "--hole-diameter-mm",
            "2.54",
            "--gauge-pressure-kpa",
            "1379",
            "--temperature-c",
            "26.7",
            "--heat-capacity-ratio",
            "1.4",
        ]))
    };
    let cl2 = gas("chlorine");
    assert_eq!(cl2["choked"], true);
    let n2_rate = 0.0380 * 0.453_592_37;
    let expected = n2_rate * (70.906f64 / 28.013).sqrt();
    let got = cl2["rate_kg_s"].as_f64().expect("a rate");
    assert!((got - expected).abs() / expected < 0.01, "{got} against {expected}");

    // A propane road tanker, 22.7 m³ 90 % full (11,958 kg): 132.6 m across for 10.3 s (the
    // CCPS method as worked by A. Srivastava).
    let ball = json(&hazard(&["fireball", "--mass-kg", "11957.7", "--chemical", "propane"]));
    assert!((ball["diameter_m"].as_f64().expect("diameter") - 132.6).abs() < 0.1);
    assert!((ball["duration_s"].as_f64().expect("duration") - 10.3).abs() < 0.1);
}

#[test]
fn nonsense_is_refused_naming_the_flag() {
    let leak = |extra: &[&str]| {
        let mut a = vec![
            "leak",
            "--chemical",
            "benzene",
            "--liquid-height-m",
            "3",
            "--gauge-pressure-kpa",
            "0",
        ];
        a.extend_from_slice(extra);
        refusal(&hazard(&a))
    };
    assert!(leak(&["--hole-diameter-mm", "-5"]).contains("--hole-diameter-mm"));
    let bigger = leak(&["--hole-diameter-mm", "3000", "--tank-diameter-m", "2"]);
    assert!(
        bigger.contains("--hole-diameter-mm") && bigger.contains("not smaller than the tank"),
        "{bigger}"
    );
    // Benzene freezes at 5.5 °C: its liquid's density is not known below.
    assert!(leak(&["--hole-diameter-mm", "10", "--temperature-c", "-10"]).contains("--temperature-c"));
    let unknown = refusal(&hazard(&[
        "leak",
        "--chemical",
        "unobtainium",
        "--hole-diameter-mm",
        "10",
        "--liquid-height-m",
        "3",
        "--gauge-pressure-kpa",
        "0",
    ]));
    assert!(
        unknown.contains("not in the chemical table") && unknown.contains("benzene"),
        "{unknown}"
    );
    let cl2 = refusal(&hazard(&["fireball", "--mass-kg", "1000", "--chemical", "chlorine"]));
    assert!(cl2.contains("does not burn"), "{cl2}");
    assert!(refusal(&hazard(&["fireball", "--mass-kg", "0"])).contains("--mass-kg"));
}

/// `parktwin hazard` with the arguments of `line`, split at spaces.
fn hazard_line(line: &str) -> Output {
    hazard(&line.split_whitespace().collect::<Vec<_>>())
}

/// The zones' reaches, red to yellow.
fn reaches(v: &serde_json::Value) -> Vec<f64> {
    v["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .map(|z| z["reach_m"].as_f64().expect("a reach"))
        .collect()
}

#[test]
fn liquefied_propane_flashes_and_benzene_does_not() {
    // Propane boils at −42 °C: at 20 °C 28 % flashes (Crowl & Louvar eq. 4-93 with the
    // table's heat capacity and heat of vaporisation), twice that goes into the cloud.
    let propane = json(&hazard_line("flash --chemical propane --temperature-c 20"));
    let f = propane["vapour_fraction"].as_f64().expect("a fraction");
    assert!((f - 0.280).abs() < 0.002, "{f}");
    assert!((propane["airborne_fraction"].as_f64().expect("airborne") - 2.0 * f).abs() < 1e-9);
    let benzene = json(&hazard_line("flash --chemical benzene --temperature-c 20"));
    assert_eq!(benzene["vapour_fraction"].as_f64(), Some(0.0));
    assert_eq!(benzene["rainout_fraction"].as_f64(), Some(1.0));
}

#[test]
fn fires_and_a_blast_draw_nested_zones_with_what_happens_at_their_edges() {
    // The propane tanker's fireball: Roberts' share radiated at propane's vapour pressure at
    // 20 °C (8.4 bar) is a quarter, and the surface emits within CCPS's 200–350 kW/m².
    let ball = json(&hazard_line("fireball --mass-kg 11957.7 --chemical propane"));
    let share = ball["radiative_fraction"].as_f64().expect("a share");
    assert!((share - 0.255).abs() < 0.002, "{share}");
    let e = ball["emissive_power_w_m2"].as_f64().expect("an emissive power");
    assert!((200e3..350e3).contains(&e), "{e}");
    let r = reaches(&ball);
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    // A propane jet of 30.5 kg/s (1,830 kg/min): 1.41 GW, a flame 76 m long (API 521's
    // curve); its zones nested, a little beyond ALOHA's 45, 64 and 98 m for that jet.
    let jet = json(&hazard_line("jet-fire --chemical propane --rate-kg-s 30.5"));
    assert!(
        (jet["flame_length_m"].as_f64().expect("a flame") - 76.5).abs() < 1.0,
        "{jet}"
    );
    let r = reaches(&jet);
    assert!(r[0] > 45.0 && r[0] < r[1] && r[1] < r[2] && r[2] < 1.5 * 98.0, "{r:?}");
    // A 20 m bund of burning benzene: the zones reach beyond the bund, nested.
    let pool = json(&hazard_line("pool-fire --chemical benzene --diameter-m 20"));
    let rate = pool["burning_rate_kg_m2_s"].as_f64().expect("a burning rate");
    assert!((rate / 0.085 - 1.0).abs() < 0.1, "{rate}");
    let r = reaches(&pool);
    assert!(10.0 < r[0] && r[0] < r[1] && r[1] < r[2], "{r:?}");
    // Drier air lets more heat through: the yellow zone reaches further.
    let dry = json(&hazard_line(
        "pool-fire --chemical benzene --diameter-m 20 --humidity-pct 10",
    ));
    assert!(reaches(&dry)[2] > r[2]);
    // A tonne of propane in a congested plant, multi-energy strength 7: 8 psi where the
    // scaled overpressure 0.545 falls on the fit's second piece (0.48 / r'), r' = 0.881 of
    // (46.3 GJ / 101.3 kPa)^(1/3) = 77.0 m: 68 m. Its TNT cross-check at 3 % is 297 kg.
    let blast = json(&hazard_line("explosion --chemical propane --mass-kg 1000"));
    assert_eq!(blast["model"], "multi_energy");
    assert!((blast["tnt_kg"].as_f64().expect("TNT") - 296.7).abs() < 0.5);
    let r = reaches(&blast);
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    assert!((r[0] - 67.9).abs() < 0.5, "{r:?}");
    let weak = json(&hazard_line("explosion --chemical propane --mass-kg 1000 --strength 3"));
    assert!(
        weak["zones"][0]["reach_m"].is_null(),
        "a weak blast (5 kPa at most) destroys no building"
    );
    // Windows break at the yellow edge more often than structures fail there.
    let edge = &blast["zones"][2]["at_edge"];
    assert!(
        edge["windows_broken"].as_f64() > edge["structures_damaged"].as_f64(),
        "{edge}"
    );
}

#[test]
fn fire_and_blast_refusals_name_the_flag() {
    let pool = |extra: &str| {
        refusal(&hazard_line(&format!(
            "pool-fire --chemical benzene --diameter-m 20 {extra}"
        )))
    };
    assert!(pool("--humidity-pct 150").contains("--humidity-pct"));
    assert!(pool("--air-temperature-c -300").contains("--air-temperature-c"));
    assert!(pool("--exposure-s 0").contains("--exposure-s"));
    assert!(refusal(&hazard_line("pool-fire --chemical benzene --diameter-m 0")).contains("--diameter-m"));
    let cl2 = refusal(&hazard_line("explosion --chemical chlorine --mass-kg 100"));
    assert!(cl2.contains("does not burn"), "{cl2}");
    let eta = refusal(&hazard_line(
        "explosion --chemical propane --mass-kg 100 --efficiency 2",
    ));
    assert!(eta.contains("--efficiency"), "{eta}");
    let strength = refusal(&hazard_line("explosion --chemical propane --mass-kg 100 --strength 11"));
    assert!(strength.contains("--strength"), "{strength}");
    let jet = refusal(&hazard_line("jet-fire --chemical chlorine --rate-kg-s 5"));
    assert!(jet.contains("does not burn"), "{jet}");
    let jet = refusal(&hazard_line("jet-fire --chemical propane --rate-kg-s -5"));
    assert!(jet.contains("--rate-kg-s"), "{jet}");
    let hot = refusal(&hazard_line(
        "fireball --mass-kg 1000 --chemical propane --temperature-c 120",
    ));
    assert!(hot.contains("--temperature-c") && hot.contains("369.83"), "{hot}");
}

#[test]
fn chlorine_slumps_as_a_dense_gas_and_ammonia_vapour_does_not() {
    // 5 kg/s of chlorine flashing at its boiling point (−34 °C, 3.6 kg/m³) into a 3 m/s wind:
    // dense by Britter & McQuaid's criterion; its AEGL zones nest.
    let v = json(&hazard_line(
        "dense-gas --chemical chlorine --rate-kg-s 5 --wind-speed 3",
    ));
    assert_eq!(v["dense"].as_bool(), Some(true), "{v}");
    let t = v["release_temperature_c"].as_f64().expect("a temperature");
    assert!((t + 34.04).abs() < 0.1, "{t}");
    let r = reaches(&v);
    assert!(r[0] < r[1] && r[1] < r[2], "{r:?}");
    // A tonne of propane at once, drawn at its explosive limits.
    let puff = json(&hazard_line(
        "dense-gas --chemical propane --mass-kg 1000 --wind-speed 2 --levels lel",
    ));
    assert_eq!(puff["release"].as_str(), Some("instantaneous"));
    let r = reaches(&puff);
    assert!(r[0] > 0.0 && r[0] < r[1], "{r:?}");
    // Ammonia vapour, even as cold as its boiling point, is lighter than air.
    let nh3 = refusal(&hazard_line(
        "dense-gas --chemical ammonia --rate-kg-s 5 --wind-speed 3",
    ));
    assert!(nh3.contains("not heavier than the air"), "{nh3}");
    let calm = refusal(&hazard_line(
        "dense-gas --chemical chlorine --rate-kg-s 5 --wind-speed 0",
    ));
    assert!(calm.contains("--wind-speed"), "{calm}");
}

#[test]
fn sheltering_from_chlorine_indoors_spares_most() {
    // 300 ppm of chlorine for 30 minutes outside kills more than half (Withers & Lees); in a
    // house of 0.5 air changes an hour, what comes in stays below a quarter of it, and aired
    // as the cloud goes, the house loses almost nobody. Kept shut an hour longer, the gas
    // held inside goes on dosing: more die inside, still far fewer than outside.
    let aired = json(&hazard_line(
        "indoor --chemical chlorine --outdoor-ppm 300 --minutes 30 --air-changes-per-hour 0.5 --after-minutes 0",
    ));
    assert!(aired["deaths_outside"].as_f64().expect("outside") > 0.5, "{aired}");
    assert!(aired["deaths_inside"].as_f64().expect("inside") < 0.01, "{aired}");
    let peak = aired["indoor_peak_ppm"].as_f64().expect("a peak");
    assert!((peak - 300.0 * (1.0 - (-0.25f64).exp())).abs() < 0.5, "{peak}");
    let v = json(&hazard_line(
        "indoor --chemical chlorine --outdoor-ppm 300 --minutes 30 --air-changes-per-hour 0.5",
    ));
    let series = v["indoor_ppm_by_minute"].as_array().expect("a series");
    assert_eq!(series.len(), 90);
    assert!(series[89].as_f64().expect("a value") > 0.0);
    let shut = v["deaths_inside"].as_f64().expect("inside");
    assert!(
        shut > aired["deaths_inside"].as_f64().expect("inside") && shut < 0.1,
        "{shut}"
    );
    // Methanol has no trusted probit here: said so, not guessed.
    let methanol = json(&hazard_line(
        "indoor --chemical methanol --outdoor-ppm 300 --minutes 30 --air-changes-per-hour 0.5",
    ));
    assert!(methanol["deaths_inside"].is_null() && methanol["note"].as_str().expect("a note").contains("no trusted"));
    let tight = refusal(&hazard_line(
        "indoor --chemical chlorine --outdoor-ppm 300 --minutes 30 --air-changes-per-hour 0",
    ));
    assert!(tight.contains("--air-changes-per-hour"), "{tight}");
}

#[test]
fn with_a_place_the_zones_come_as_geojson_circles_a_gis_reads() {
    let v = json(&hazard_line(
        "pool-fire --chemical benzene --diameter-m 20 --at 118.45,37.57",
    ));
    let fc = &v["zones_geojson"];
    parktwin_api::validate::parse_layer_file("zones", &fc.to_string()).expect("RFC 7946");
    let features = fc["features"].as_array().expect("features");
    assert_eq!(features.len(), 3);
    // Each circle's vertices lie at the zone's reach from the pool, in metres on the ground.
    let frame = parktwin_api::frame::LocalFrame::new(118.45, 37.57);
    for f in features {
        let reach = f["properties"]["reach_m"].as_f64().expect("a reach");
        for p in f["geometry"]["coordinates"][0].as_array().expect("a ring") {
            let [e, n] = frame.to_map(p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat"));
            assert!((e.hypot(n) - reach).abs() < 0.05, "{} vs {reach}", e.hypot(n));
        }
    }
    // Without a place, no GeoJSON.
    assert!(
        json(&hazard_line("pool-fire --chemical benzene --diameter-m 20"))
            .get("zones_geojson")
            .is_none()
    );
    assert!(refusal(&hazard_line("explosion --chemical propane --mass-kg 10 --at 200,95")).contains("--at"));
}

#[test]
fn liquefied_propane_flashes_as_it_leaks_and_a_spill_spreads_and_goes_into_the_air() {
    // Propane at 20 °C through a 25 mm hole at the end of 10 cm of pipe: the flow boils to
    // equilibrium on the way; through a hole in the wall it has no time to, and leaks faster.
    let stub = json(&hazard_line(
        "two-phase --chemical propane --hole-diameter-mm 25 --pipe-length-m 0.1",
    ));
    let wall = json(&hazard_line("two-phase --chemical propane --hole-diameter-mm 25"));
    let (stub_rate, wall_rate) = (
        stub["rate_kg_s"].as_f64().expect("a rate"),
        wall["rate_kg_s"].as_f64().expect("a rate"),
    );
    assert!(stub_rate > 1.0 && wall_rate > stub_rate, "{stub_rate} {wall_rate}");
    assert!(
        (stub["tank_pressure_kpa"].as_f64().expect("kPa") - 836.0).abs() < 15.0,
        "{stub}"
    );
    // Benzene does not flash at 20 °C: refused, naming the flag.
    assert!(refusal(&hazard_line("two-phase --chemical benzene --hole-diameter-mm 25")).contains("--temperature-c"));
    // 10 t of benzene: an open spill spreads until it is 5 mm deep and evaporates over hours; a
    // bund holds it smaller, and it lasts longer.
    let open = json(&hazard_line("pool --chemical benzene --mass-kg 10000 --wind-speed 3"));
    let depth = open["depth_m"].as_f64().expect("a depth");
    assert!((depth - 0.005).abs() < 1e-9, "{open}");
    let bunded = json(&hazard_line(
        "pool --chemical benzene --mass-kg 10000 --wind-speed 3 --bund-diameter-m 20",
    ));
    assert_eq!(bunded["spreading"], "held by the bund");
    let minutes = |v: &serde_json::Value| v["minutes_to_evaporate"].as_f64().expect("minutes");
    assert!(
        minutes(&bunded) > minutes(&open) && minutes(&open) > 10.0,
        "{open} {bunded}"
    );
    // Liquid chlorine boils off the ground: fast at first, slower as the ground cools.
    let cl2 = json(&hazard_line("pool --chemical chlorine --mass-kg 5000 --wind-speed 3"));
    assert_eq!(cl2["boiling"], true);
    let r = &cl2["rate_kg_s_at"];
    assert!(r["10_s"].as_f64() > r["600_s"].as_f64(), "{cl2}");
    // Its rate over time carries the five tonnes, and a bund makes it last longer.
    let curve: Vec<[f64; 2]> = serde_json::from_value(cl2["rate_over_time"].clone()).expect("a curve");
    let carried: f64 = curve
        .windows(2)
        .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
        .sum();
    assert!((carried / 5000.0 - 1.0).abs() < 0.05, "{carried} kg: {cl2}");
    let held = json(&hazard_line(
        "pool --chemical chlorine --mass-kg 5000 --wind-speed 3 --bund-diameter-m 10",
    ));
    assert!(minutes(&held) > minutes(&cl2), "{held} {cl2}");
}

#[test]
fn a_chlorine_vapour_line_cut_through_empties_in_a_minute_unless_fed() {
    let line = "pipe-rupture --chemical chlorine --diameter-mm 200 --length-m 800 --gauge-pressure-kpa 250";
    let closed = json(&hazard_line(line));
    let inventory = closed["inventory_kg"].as_f64().expect("an inventory");
    // cp/cv from the chemical table's ideal-gas Cp at 25 °C (TRC: 33.956 J/(mol·K)).
    assert!(
        (closed["heat_capacity_ratio"].as_f64().expect("cp/cv") - 1.3243).abs() < 1e-3,
        "{closed}"
    );
    // 800 m of 200 mm pipe at 3.5 bar absolute and 20 °C: 25 m³ of chlorine at 10.2 kg/m³.
    assert!((inventory / 256.0 - 1.0).abs() < 0.02, "{closed}");
    let curve: Vec<[f64; 2]> = serde_json::from_value(closed["rate_over_time"].clone()).expect("a curve");
    assert_eq!(curve[0][1], closed["initial_rate_kg_s"].as_f64().expect("a rate"));
    assert!(
        curve.windows(2).all(|w| w[1][1] <= w[0][1]),
        "the rate only falls: {closed}"
    );
    assert!(closed["released_kg_in_60_s"].as_f64().expect("kg") > 0.5 * inventory);
    // Fed from upstream: after the pipe's own gas, the flow the pipe lets through goes on.
    let fed = json(&hazard_line(&format!("{line} --fed")));
    let steady = fed["fed_rate_kg_s"].as_f64().expect("a steady flow");
    assert_eq!(fed["rate_kg_s_at"]["600_s"].as_f64(), Some(steady));
    assert!(steady > 0.0 && steady < closed["initial_rate_kg_s"].as_f64().expect("a rate"));
    // A longer line takes longer to empty.
    let long = json(&hazard_line(&line.replace("800", "8000")));
    assert!(long["time_constant_s"].as_f64() > closed["time_constant_s"].as_f64());
    // Liquid in the pipe at 1.6 MPa, a hole wider than the pipe: refused by flag.
    let liquid = refusal(&hazard_line(&line.replace("250", "1600")));
    assert!(
        liquid.contains("--gauge-pressure-kpa") && liquid.contains("a liquid"),
        "{liquid}"
    );
    let wide = refusal(&hazard_line(&format!("{line} --hole-diameter-mm 300")));
    assert!(wide.contains("--hole-diameter-mm"), "{wide}");
}

#[test]
fn in_the_wind_a_pool_fire_leans_and_reaches_farther_downwind_than_upwind() {
    let calm = json(&hazard_line("pool-fire --chemical benzene --diameter-m 20"));
    let windy = json(&hazard_line(
        "pool-fire --chemical benzene --diameter-m 20 --wind-speed 5",
    ));
    let tilt = windy["flame"]["tilt_deg"].as_f64().expect("a tilt");
    assert!(tilt > 30.0 && tilt < 60.0, "{windy}");
    let (still, down) = (reaches(&calm), reaches(&windy));
    for (k, z) in windy["zones"].as_array().expect("zones").iter().enumerate() {
        let (up, across) = (
            z["upwind_m"].as_f64().expect("up"),
            z["crosswind_m"].as_f64().expect("across"),
        );
        assert!(down[k] > across && across > up, "{z}");
        assert!(down[k] > still[k], "the leaning flame reaches farther downwind: {z}");
    }
    // With a place, the zones' shapes lean too: the wind from the west, farther east.
    let placed = json(&hazard_line(
        "pool-fire --chemical benzene --diameter-m 20 --wind-speed 5 --wind-from-deg 270 --at 118.45,37.57",
    ));
    let ring = placed["zones_geojson"]["features"][2]["geometry"]["coordinates"][0]
        .as_array()
        .expect("a ring")
        .clone();
    let lons: Vec<f64> = ring.iter().map(|p| p[0].as_f64().expect("lon")).collect();
    let (west, east) = (
        118.45 - lons.iter().copied().fold(f64::MAX, f64::min),
        lons.iter().copied().fold(f64::MIN, f64::max) - 118.45,
    );
    assert!(east > 1.5 * west, "east {east} west {west}");
}
