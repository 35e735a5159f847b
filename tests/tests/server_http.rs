//! The REST backend over real HTTP on loopback, against a real SQLite file.

use std::path::Path;

use parktwin_api::client::{ApiClient, ClientError, block_on};
use parktwin_api::grading;
use parktwin_e2e::start_server;

fn get(url: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::blocking::get(url).expect("server answers");
    let status = resp.status().as_u16();
    let body = resp.json().expect("JSON body");
    (status, body)
}

#[test]
fn serves_the_demo_park_from_a_seeded_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(dir.path(), None).expect("server starts");
    let api = ApiClient::new(&server.url);

    let park = block_on(api.park()).expect("GET /park");
    assert_eq!(park.origin, [118.45, 37.57]);
    assert!(park.bbox[0] < 118.45 && park.bbox[2] > 118.45 && park.bbox[1] < 37.57 && park.bbox[3] > 37.57);
    assert_eq!(park.timezone, "Asia/Shanghai");

    let layers = block_on(api.layers()).expect("GET /layers");
    let count = |id: &str| layers.iter().find(|l| l.id == id).map(|l| l.feature_count).unwrap_or(0);
    assert!(count("tanks") >= 60, "tanks: {}", count("tanks"));
    assert!(count("buildings") >= 150);
    assert!(count("detectors") >= 150);
    assert!((15..=25).contains(&count("enterprises")));
    assert!((4..=6).contains(&count("gates")));

    // Every layer of the catalog is served, with as many features as the catalog says.
    for l in &layers {
        let fc = block_on(api.layer(&l.id)).unwrap_or_else(|e| panic!("GET /layers/{}: {e}", l.id));
        assert_eq!(fc.features.len(), l.feature_count, "layer {}", l.id);
    }

    // The hazard sources are graded by GB 18218-2018 from their inventories.
    let hazards = block_on(api.hazards()).expect("GET /hazards");
    assert!(hazards.len() >= 10);
    for h in &hazards {
        let r = grading::alpha(h.people_500m) * h.chemicals.iter().map(|c| c.beta * c.q_t / c.threshold_t).sum::<f64>();
        assert!((h.r - r).abs() < 1e-9 * r.max(1.0), "{}: R {} vs {}", h.id, h.r, r);
        assert_eq!(h.level, grading::level(r));
        assert!(h.sum_q_over_q >= 1.0);
    }
    let mut levels: Vec<u8> = hazards.iter().map(|h| h.level).collect();
    levels.sort();
    levels.dedup();
    assert_eq!(levels, [1, 2, 3, 4], "the demo park has sources of every level");
    let one = &hazards[0];
    let (status, body) = get(&format!("{}/api/v1/hazards/{}", server.url, one.id));
    assert_eq!((status, body["id"].as_str()), (200, Some(one.id.as_str())));

    // The embedded database is a real SQLite file in WAL mode.
    if let parktwin_server::Database::Sqlite(db) = parktwin_e2e::database(dir.path()) {
        let conn = rusqlite::Connection::open(&db).expect("open the server's database");
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
        assert_eq!(mode, "wal");
    }
    let n = parktwin_e2e::count(dir.path(), "SELECT count(*) FROM features WHERE layer_id = 'tanks'");
    assert_eq!(n as usize, count("tanks"));
}

#[test]
fn unknown_ids_and_endpoints_get_a_json_404_that_says_what_is_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(dir.path(), None).expect("server starts");
    let (status, body) = get(&format!("{}/api/v1/layers/no-such-layer", server.url));
    assert_eq!(status, 404);
    let msg = body["error"].as_str().expect("error message");
    assert!(msg.contains("no-such-layer") && msg.contains("tanks"), "{msg}");
    let (status, body) = get(&format!("{}/api/v1/hazards/mhs-999", server.url));
    assert_eq!(status, 404);
    assert!(body["error"].as_str().is_some_and(|m| m.contains("mhs-999")));
    let (status, body) = get(&format!("{}/api/v1/nothing-here", server.url));
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.contains("/api/v1/nothing-here"))
    );
    match block_on(ApiClient::new(&server.url).layer("nope")) {
        Err(ClientError::Status {
            status: 404, message, ..
        }) => assert!(message.contains("nope")),
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[test]
fn a_restart_keeps_the_database_and_does_not_seed_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = start_server(dir.path(), None).expect("first start");
    let before = block_on(ApiClient::new(&first.url).layer("tanks")).expect("tanks");
    // A second server over the same folder, as after a restart.
    let second = start_server(dir.path(), None).expect("second start");
    let after = block_on(ApiClient::new(&second.url).layer("tanks")).expect("tanks");
    assert_eq!(before, after);
    let parks = parktwin_e2e::count(dir.path(), "SELECT count(*) FROM meta WHERE key = 'park'");
    assert_eq!(parks, 1);
}

#[test]
fn an_unreachable_server_is_named_in_the_error() {
    // Port 9 (discard) on loopback has no ParkTwin server.
    let err = block_on(ApiClient::new("http://127.0.0.1:9").park()).expect_err("nothing listens");
    let text = err.to_string();
    assert!(text.contains("http://127.0.0.1:9/api/v1/park"), "{text}");
    assert!(matches!(err, ClientError::Unreachable { .. }));
}

fn copy_assets(to: &Path) {
    let from = parktwin_server::default_assets_dir();
    std::fs::create_dir_all(to.join("park/layers")).expect("mkdir");
    std::fs::copy(from.join("chemicals.json"), to.join("chemicals.json")).expect("copy");
    std::fs::copy(from.join("park/park.json"), to.join("park/park.json")).expect("copy");
    for e in std::fs::read_dir(from.join("park/layers")).expect("layers") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, to.join("park/layers").join(p.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn a_bad_layer_file_refuses_the_seed_naming_file_feature_and_reason() {
    let assets = tempfile::tempdir().expect("tempdir");
    copy_assets(assets.path());
    // Open the exterior ring of the third building.
    let path = assets.path().join("park/layers/buildings.geojson");
    let mut fc: geojson::FeatureCollection = std::fs::read_to_string(&path)
        .expect("read")
        .parse()
        .expect("valid to start with");
    let id = match &fc.features[2].id {
        Some(geojson::feature::Id::String(s)) => s.clone(),
        _ => panic!("string ids"),
    };
    if let Some(geojson::Geometry {
        value: geojson::Value::Polygon(rings),
        ..
    }) = &mut fc.features[2].geometry
    {
        rings[0].pop();
    }
    std::fs::write(&path, fc.to_string()).expect("write");

    let data = tempfile::tempdir().expect("tempdir");
    let err = start_server(data.path(), Some(assets.path().to_path_buf()))
        .err()
        .expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains("buildings.geojson"), "{text}");
    assert!(text.contains(&format!("id \"{id}\"")), "{text}");
    assert!(text.contains("not closed"), "{text}");
    // Nothing half-seeded: the database, if created, holds no park and no features.
    let rows = parktwin_e2e::count(
        data.path(),
        "SELECT (SELECT count(*) FROM meta) + (SELECT count(*) FROM features)",
    );
    assert_eq!(rows, 0);

    // Mended, the same folder seeds and serves.
    copy_assets(assets.path());
    let server = start_server(data.path(), Some(assets.path().to_path_buf())).expect("seeds now");
    assert!(
        block_on(ApiClient::new(&server.url).layer("buildings"))
            .expect("served")
            .features
            .len()
            >= 150
    );
}

#[test]
fn a_hazard_below_the_thresholds_is_refused_at_seed() {
    let assets = tempfile::tempdir().expect("tempdir");
    copy_assets(assets.path());
    let path = assets.path().join("park/layers/hazards.geojson");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut fc: geojson::FeatureCollection = text.parse().expect("valid");
    let props = fc.features[0].properties.as_mut().expect("props");
    props.insert(
        "chemicals".into(),
        serde_json::json!([{"name": "chlorine", "q_t": 1.0}]),
    );
    std::fs::write(&path, fc.to_string()).expect("write");
    let data = tempfile::tempdir().expect("tempdir");
    let err = start_server(data.path(), Some(assets.path().to_path_buf()))
        .err()
        .expect("refused");
    let text = format!("{err:#}");
    assert!(text.contains("hazards.geojson") && text.contains("GB 18218"), "{text}");
}

/// The server's layer catalog offers the park's descriptor layers, their features served at
/// their own endpoint; a broken descriptor among them is refused, reported at
/// `/layer-problems`, and every other layer is still served.
#[test]
fn the_catalog_serves_descriptor_layers_and_reports_a_broken_one() {
    let assets = tempfile::tempdir().expect("tempdir");
    copy_assets(assets.path());
    let from = parktwin_server::default_assets_dir().join("park/descriptors");
    let to = assets.path().join("park/descriptors");
    std::fs::create_dir_all(&to).expect("mkdir");
    for e in std::fs::read_dir(&from).expect("descriptors") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
    }
    std::fs::write(
        to.join("zz_broken.toml"),
        "id = \"broken\"\ntitle = \"Broken\"\ngroup = \"energy\"\nopacity = 2\n[source]\nfile = \"outfalls.geojson\"\n",
    )
    .expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(dir.path(), Some(assets.path().to_path_buf())).expect("server starts");
    let api = ApiClient::new(&server.url);
    let layers = block_on(api.layers()).expect("GET /layers");
    let valves = layers
        .iter()
        .find(|l| l.id == "isolation_valves")
        .expect("the valves' layer");
    let d = valves.descriptor.as_ref().expect("a descriptor layer");
    assert_eq!(d.source.endpoint.as_deref(), Some("/api/v1/layers/isolation_valves"));
    assert_eq!(d.source.file, None, "the server's file path is not handed out");
    assert_eq!(
        d.source.refresh_s, None,
        "a file read once at the start does not claim to refresh"
    );
    assert!(!d.follows_time, "nor to follow the time");
    assert_eq!(valves.title_zh, "紧急切断阀");
    assert_eq!(valves.feature_count, 17);
    assert_eq!(
        block_on(api.layer("isolation_valves"))
            .expect("GET /layers/isolation_valves")
            .features
            .len(),
        17
    );
    // The outfalls are devices: their layer is the server's, read again every minute.
    let outfalls = layers.iter().find(|l| l.id == "outfalls").expect("the outfalls layer");
    let d = outfalls.descriptor.as_ref().expect("a descriptor layer");
    assert_eq!(
        d.source.endpoint.as_deref(),
        Some("/api/v1/devices/geojson?kind=outfall")
    );
    assert_eq!(d.source.refresh_s, Some(60.0));
    // The map takes the devices' layers as they are before any reading: every property their
    // descriptors bind to is there, if empty.
    let device_layers: Vec<_> = layers
        .iter()
        .filter_map(|l| Some((l.id.as_str(), l.descriptor.as_ref()?)))
        .filter(|(_, d)| {
            d.source
                .endpoint
                .as_deref()
                .is_some_and(|e| e.starts_with("/api/v1/devices/geojson"))
        })
        .collect();
    assert_eq!(
        device_layers.len(),
        9,
        "{:?}",
        device_layers.iter().map(|l| l.0).collect::<Vec<_>>()
    );
    for (id, d) in device_layers {
        let source = d.source.endpoint.as_deref().expect("an endpoint");
        let text = block_on(api.get_text(source)).expect("its features");
        if let Err(e) = parktwin_api::descriptor::features_from_text(id, d, source, &text) {
            panic!("{id}: {e:?}");
        }
    }
    let fc: serde_json::Value = serde_json::from_str(
        &block_on(api.get_text("/api/v1/devices/geojson?kind=outfall")).expect("the devices' layer"),
    )
    .expect("JSON");
    let limits: Vec<&str> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["limits"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(limits, ["no_data"; 5], "no reading yet, and none made up");
    assert_eq!(layers.iter().filter(|l| l.descriptor.is_some()).count(), 16);
    assert!(!layers.iter().any(|l| l.id == "broken"));
    let (status, problems) = get(&format!("{}/api/v1/layer-problems", server.url));
    assert_eq!(status, 200);
    let text = problems.to_string();
    assert!(
        text.contains("zz_broken.toml") && text.contains("\"line\":4") && text.contains("\"field\":\"opacity\""),
        "{text}"
    );
    assert!(
        block_on(api.layer("tanks")).is_ok(),
        "the park's own layers are untouched"
    );
}

#[test]
fn a_session_names_the_tokens_role_and_refuses_unknown_and_revoked_ones() {
    use parktwin_api::model::Role;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let api = ApiClient::new(&server.url);
    let store = parktwin_e2e::open_store(dir.path());
    let viewer = store.create_token(Role::Viewer, "control room screen").expect("token");

    let op = block_on(api.session(&server.operator)).expect("the operator's session");
    assert_eq!((op.role, op.name.as_str()), (Role::Operator, "test operator"));
    assert_eq!(block_on(api.session(&viewer)).expect("a viewer's").role, Role::Viewer);
    match block_on(api.session("pt_not-a-token")) {
        Err(ClientError::Status {
            status: 401, message, ..
        }) => assert!(message.contains("unknown or revoked"), "{message}"),
        other => panic!("an unknown token: {other:?}"),
    }
    let id = store
        .tokens()
        .expect("tokens")
        .into_iter()
        .find(|t| t.name == "control room screen")
        .expect("listed")
        .id;
    store.revoke_token(&id).expect("revoke");
    assert!(matches!(
        block_on(api.session(&viewer)),
        Err(ClientError::Status { status: 401, .. })
    ));
}

/// What the fuzz run found at the edges of the query: a `since` at the largest sequence number
/// reads an empty page (it once overflowed into a 500), one past it and a parameter given
/// twice are refused with 400 naming it, and a channel that is neither live nor a drill too.
#[test]
fn the_edges_of_a_query_are_answered_not_overflowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(dir.path(), None).expect("server");
    let api = format!("{}/api/v1", server.url);
    let (status, page) = get(&format!("{api}/events?since={}&limit=1000", i64::MAX - 1));
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["events"], serde_json::json!([]));
    let (status, e) = get(&format!("{api}/events?since=18446744073709551616"));
    assert_eq!(status, 400);
    assert!(e["error"].as_str().unwrap_or_default().contains("since"), "{e}");
    let (status, e) = get(&format!("{api}/events?channel=live&channel=live"));
    assert_eq!(status, 400);
    assert!(
        e["error"].as_str().unwrap_or_default().contains("more than once"),
        "{e}"
    );
    let (status, e) = get(&format!("{api}/events?channel=null"));
    assert_eq!(status, 400);
    assert!(
        e["error"].as_str().unwrap_or_default().contains("live or drill:"),
        "{e}"
    );
    // Alone, "to" ends the default window: an hour before it, not an error.
    let (status, readings) = get(&format!(
        "{api}/sensors/{}/observations?to=2000-01-01T00:00:00Z",
        serde_json::from_value::<Vec<serde_json::Value>>(get(&format!("{api}/sensors")).1).expect("sensors")[0]["id"]
            .as_str()
            .expect("an id")
    ));
    assert_eq!((status, readings), (200, serde_json::json!([])));
}
