//! Drill scenario files: the two shipped with the demo park are valid (by ParkTwin's check and
//! by an independent JSON Schema validator against the published schema), the published schema
//! is the one the code generates, and every kind of bad file is refused with its file, event
//! index and field named.

use std::path::{Path, PathBuf};
use std::process::Command;

use parktwin_api::scenario::{EventKind, ParkRefs, Scenario};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn refs() -> ParkRefs {
    let seed = parktwin_server::load_assets(&root().join("assets")).expect("the demo park loads");
    parktwin_server::park_refs(&seed)
}

fn shipped(name: &str) -> (String, String) {
    let path = root().join("assets/scenarios").join(name);
    (
        name.to_string(),
        std::fs::read_to_string(path).expect("the scenario is shipped"),
    )
}

#[test]
fn the_shipped_scenarios_are_valid_and_come_in_time_order() {
    let refs = refs();
    let (file, text) = shipped("chlorine-tank-leak.json");
    let s = Scenario::parse(&file, &text, &refs).unwrap_or_else(|e| panic!("{e:#?}"));
    let t: Vec<f64> = s.timeline().iter().map(|(t, _)| *t).collect();
    assert!(t.windows(2).all(|w| w[0] <= w[1]), "{t:?}");
    let start = s.timeline().into_iter().find_map(|(t, e)| match &e.what {
        EventKind::ReleaseStart { chemical, origin, .. } => Some((t, chemical.clone(), origin.clone())),
        _ => None,
    });
    assert_eq!(start, Some((0.0, "chlorine".into(), Some("tank-001".into()))));
    let shift = s.timeline().into_iter().find_map(|(t, e)| match &e.what {
        EventKind::Weather { wind_from_deg, .. } => Some((t, *wind_from_deg)),
        _ => None,
    });
    assert_eq!(shift, Some((600.0, 270.0)), "the wind shifts at +10 min");

    let (file, text) = shipped("ammonia-truck-rollover.json");
    let s = Scenario::parse(&file, &text, &refs).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(s.events.iter().any(|e| matches!(&e.what,
        EventKind::ReleaseStart { chemical, mass_kg: Some(_), .. } if chemical == "ammonia")));
    assert!(s.events.iter().any(|e| matches!(&e.what,
        EventKind::Alarm { source, .. } if source == "gate-hazmat")));
}

#[test]
fn the_published_schema_is_the_generated_one_and_the_shipped_files_meet_it() {
    let published = std::fs::read_to_string(root().join("docs/scenario.schema.json")).expect("published");
    assert_eq!(
        published,
        parktwin_server::scenario_schema(),
        "docs/scenario.schema.json is out of date: `parktwin-server scenario schema > docs/scenario.schema.json`"
    );
    // An independent validator: Python's jsonschema (Debian python3-jsonschema, which
    // scripts/setup-debian installs). A Rust one would change the features of crates Bevy
    // shares and make the tests build a second Bevy.
    let dir = tempfile::tempdir().expect("tempdir");
    let schema_path = root().join("docs/scenario.schema.json");
    let check = |doc: &serde_json::Value| -> Vec<String> {
        let file = dir.path().join("doc.json");
        std::fs::write(&file, doc.to_string()).expect("write");
        let out = Command::new("python3")
            .arg("-c")
            .arg(
                "import json, sys\n\
                 from jsonschema import Draft202012Validator as V\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 V.check_schema(schema)\n\
                 for e in V(schema).iter_errors(json.load(open(sys.argv[2]))):\n    print(e.message)\n",
            )
            .arg(&schema_path)
            .arg(&file)
            .output()
            .expect("python3 with jsonschema (Debian python3-jsonschema) must be installed");
        assert!(
            out.status.success(),
            "the validator failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    for name in ["chlorine-tank-leak.json", "ammonia-truck-rollover.json"] {
        let (_, text) = shipped(name);
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let errors = check(&doc);
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    // And the schema refuses what the check refuses: a wrong offset, a wrong version.
    let (_, text) = shipped("chlorine-tank-leak.json");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    doc["events"][2]["at"] = "ten minutes".into();
    let errors = check(&doc);
    assert!(errors.iter().any(|e| e.contains("ten minutes")), "{errors:?}");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    doc["format"] = "parktwin-scenario/0".into();
    assert!(!check(&doc).is_empty());
}

/// The shipped chlorine scenario with one change made to its JSON.
fn broken(change: impl FnOnce(&mut serde_json::Value)) -> Vec<String> {
    let (_, text) = shipped("chlorine-tank-leak.json");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    change(&mut doc);
    match Scenario::parse("drill.json", &doc.to_string(), &refs()) {
        Ok(_) => panic!("the broken file was accepted"),
        Err(e) => e,
    }
}

fn says(errors: &[String], parts: &[&str]) {
    assert!(
        errors.iter().any(|e| parts.iter().all(|p| e.contains(p))),
        "no error with {parts:?} in {errors:#?}"
    );
    assert!(errors.iter().all(|e| e.starts_with("drill.json: ")), "{errors:?}");
}

#[test]
fn each_kind_of_bad_file_is_refused_naming_file_event_and_field() {
    let refs = refs();
    let e = Scenario::parse("drill.json", "{\"format\": ", &refs).expect_err("not JSON");
    says(&e, &["not JSON"]);
    says(
        &broken(|d| d["format"] = "parktwin-scenario/9".into()),
        &["field \"format\"", "parktwin-scenario/1"],
    );
    says(
        &broken(|d| d["park"] = "other-park".into()),
        &["field \"park\"", "other-park"],
    );
    says(
        &broken(|d| d["weather"]["wind_from_deg"] = 400.into()),
        &["field \"weather.wind_from_deg\"", "400"],
    );
    says(
        &broken(|d| d["events"][3]["at"] = "10 min".into()),
        &["event 3 (reading)", "field \"at\"", "10 min"],
    );
    says(
        &broken(|d| {
            d["events"][10]["wind_from_degs"] = 270.into();
        }),
        &["event 10 (weather)", "wind_from_degs"],
    );
    says(
        &broken(|d| d["events"][1]["type"] = "explosion".into()),
        &["event 1 (explosion)", "explosion"],
    );
    says(
        &broken(|d| d["events"][1]["value"] = "high".into()),
        &["event 1 (reading)", "field \"value\""],
    );
    says(
        &broken(|d| d["events"][1]["sensor"] = "gd-999".into()),
        &["event 1 (reading)", "field \"sensor\"", "gd-999"],
    );
    // A device's reading names a quantity it measures.
    says(
        &broken(|d| d["events"][13]["quantity"] = "colour".into()),
        &["event 13 (reading)", "field \"quantity\"", "colour", "level"],
    );
    says(
        &broken(|d| d["events"][13]["sensor"] = "LT-none".into()),
        &["event 13 (reading)", "field \"sensor\"", "LT-none"],
    );
    says(
        &broken(|d| d["events"][10]["station"] = "ws-9".into()),
        &["event 10 (weather)", "field \"station\"", "ws-9"],
    );
    says(
        &broken(|d| d["events"][0]["chemical"] = "unobtainium".into()),
        &["event 0 (release_start)", "field \"chemical\""],
    );
    says(
        &broken(|d| d["events"][0]["mass_kg"] = 500.into()),
        &["event 0 (release_start)", "not both"],
    );
    says(
        &broken(|d| d["events"][0]["lon"] = 10.0.into()),
        &["event 0 (release_start)", "field \"lon/lat\""],
    );
    says(
        &broken(|d| d["events"][16]["release"] = "T02".into()),
        &["event 16 (release_stop)", "\"T02\" has not started"],
    );
    says(
        &broken(|d| d["events"][16]["at"] = "+00:00".into()),
        &["event 16 (release_stop)", "not after the release's start"],
    );
    // Every error at once, not only the first.
    let many = broken(|d| {
        d["events"][1]["sensor"] = "gd-999".into();
        d["events"][7]["speed_kmh"] = (-5).into();
        d["park"] = "other-park".into();
    });
    assert_eq!(many.len(), 3, "{many:#?}");
}

#[test]
fn scenario_check_says_each_error_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    let (_, text) = shipped("chlorine-tank-leak.json");
    std::fs::write(&bad, text.replace("\"gd-005\"", "\"gd-999\"")).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_parktwin-server"))
        .args(["scenario", "check"])
        .arg(root().join("assets/scenarios/ammonia-truck-rollover.json"))
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("ammonia-truck-rollover.json: ok"), "{stdout}");
    // gd-005 is read three times: three errors, each with its event.
    assert_eq!(stderr.matches("no sensor \"gd-999\"").count(), 3, "{stderr}");
    assert!(stderr.contains("event 1 (reading): field \"sensor\""), "{stderr}");
    assert!(stderr.contains("1 of 2 scenario file(s) have errors"), "{stderr}");
}
