//! The demo simulator: the same seed plays the same story; trucks drive inside the park at
//! plausible speeds; every vehicle rule (speeding, off route, stopped, no waybill) breaks now
//! and then; a detector excursion runs the alarm path end to end.

use parktwin_api::client::block_on;
use parktwin_api::model::AlarmTier;
use parktwin_server::sim::Simulator;
use parktwin_server::{Store, default_assets_dir, load_assets};
use time::{Duration, OffsetDateTime};

fn store(dir: &std::path::Path) -> Store {
    let s = parktwin_e2e::open_store(dir);
    s.seed(&load_assets(&default_assets_dir()).expect("assets"))
        .expect("seed");
    s
}

#[test]
fn the_same_seed_plays_the_same_story() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = store(dir.path());
    let t0 = OffsetDateTime::now_utc() - Duration::hours(1);
    let (mut a, mut b) = (Simulator::new(&s, 7).expect("sim"), Simulator::new(&s, 7).expect("sim"));
    for i in 0..300 {
        let t = t0 + Duration::seconds(i);
        assert_eq!(a.step(t), b.step(t), "second {i}");
    }
}

#[test]
fn ten_minutes_of_demo_park() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = store(dir.path());
    let park = s.park().expect("park");
    let mut sim = Simulator::new(&s, 1).expect("sim");
    let t0 = OffsetDateTime::now_utc() - Duration::minutes(20);
    let mut plates = std::collections::HashSet::new();
    let mut passes_in = 0;
    for i in 0..900 {
        let (obs, fixes) = sim.step(t0 + Duration::seconds(i));
        let waybills = sim.take_waybills();
        if !waybills.is_empty() {
            s.ingest_waybills(&waybills, &parktwin_api::clock::format_utc(t0))
                .expect("waybills store");
        }
        for f in &fixes {
            assert!(f.speed_kmh <= 56.0, "{} at {} km/h", f.plate, f.speed_kmh);
            assert!(f.lon > park.bbox[0] && f.lon < park.bbox[2] && f.lat > park.bbox[1] && f.lat < park.bbox[3]);
            plates.insert(f.plate.clone());
        }
        if !obs.is_empty() {
            s.ingest_observations(&obs).expect("readings store");
        }
        if !fixes.is_empty() {
            s.ingest_positions(&fixes).expect("fixes store");
        }
        let passes = sim.take_passes();
        passes_in += passes
            .iter()
            .filter(|p| p.direction == parktwin_api::model::PassDirection::In)
            .count();
        if !passes.is_empty() {
            s.ingest_passes("gate-hazmat", &passes).expect("passes store");
        }
    }
    assert!(passes_in >= 2, "trucks came in by the hazmat gate: {passes_in}");
    assert!(plates.len() >= 2, "trucks came: {plates:?}");
    let alarms = s.alarms(None).expect("alarms");
    assert!(
        alarms.iter().any(|a| a.tier == AlarmTier::Alarm),
        "an excursion reached the alarm level: {alarms:?}"
    );
    assert!(alarms.iter().any(|a| a.closed.is_some()), "and cleared again");
}

#[test]
fn the_demo_reads_every_kind_of_device_every_minute_and_says_it_is_the_demo() {
    use parktwin_api::device::DeviceKind;
    let dir = tempfile::tempdir().expect("tempdir");
    let s = store(dir.path());
    let mut sim = Simulator::new(&s, 5).expect("sim");
    let t0 = OffsetDateTime::now_utc() - Duration::minutes(3);
    for i in 0..=120 {
        sim.feed(&s, t0 + Duration::seconds(i)).expect("fed");
    }
    let of = |id: &str| {
        let d = s.device(id).expect("read").expect("a seeded device");
        let r = s.device_report(d).expect("its report");
        r.latest.iter().map(|l| l.quantity.clone()).collect::<Vec<_>>()
    };
    assert_eq!(of("aq-01"), ["pm25", "so2", "no2"]);
    assert_eq!(of("of-01"), ["cod", "nh3n", "ph"]);
    let park = parktwin_api::scope::Access::Park;
    let layer = |kinds: &[DeviceKind]| {
        let fc = s.devices_geojson(kinds, None, &park).expect("a layer");
        fc["features"].as_array().expect("features").clone()
    };
    let stations = layer(&[DeviceKind::AirQuality]);
    assert_eq!(stations.len(), 6);
    for f in &stations {
        let p = &f["properties"];
        assert!(p["aqi"].as_u64().is_some_and(|a| a > 0), "{p}");
        assert_eq!(p["feed"], "demo simulator", "a demo value says it is one");
    }
    // Every kind that measures was read, each device in service at every minute.
    for kind in DeviceKind::ALL.into_iter().filter(|k| k.measures()) {
        let features = layer(&[kind]);
        assert!(!features.is_empty(), "{kind:?} has devices");
        for f in &features {
            assert_ne!(f["properties"]["limits"], "no_data", "{kind:?}: {f}");
        }
    }
    // A tank's gauges sit on it and say whose hazard source it is; a refrigerated tank is
    // read below zero.
    let levels = layer(&[DeviceKind::TankLevel]);
    assert_eq!(levels.len(), 67);
    let p = &levels[0]["properties"];
    assert_eq!(p["on_layer"], "tanks");
    assert!(p["hazard"].as_str().is_some_and(|h| h.starts_with("mhs-")), "{p}");
    assert!(p["level"].as_f64().is_some_and(|l| (5.0..95.0).contains(&l)), "{p}");
    assert_eq!(levels[0]["geometry"]["type"], "Point");
    let cold = layer(&[DeviceKind::TankTemperature])
        .into_iter()
        .filter_map(|f| f["properties"]["temperature"].as_f64())
        .fold(f64::INFINITY, f64::min);
    assert!(cold < -25.0, "the refrigerated ammonia: {cold}");
    // A pipe's gauges: along it from its start, the pressure falling.
    let gauges = layer(&[DeviceKind::PipePressure]);
    let pipe = gauges[0]["properties"]["on_feature"].clone();
    let mut along: Vec<(f64, f64)> = gauges
        .iter()
        .filter(|f| f["properties"]["on_feature"] == pipe)
        .map(|f| {
            let p = &f["properties"];
            (
                p["along_m"].as_f64().expect("along"),
                p["pressure_nominal"].as_f64().expect("nominal"),
            )
        })
        .collect();
    along.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(along.len(), 3, "{pipe}");
    assert!(
        along[0].0 < 1.0 && along[2].0 > 100.0 && along[0].1 > along[2].1,
        "{along:?}"
    );
    // A meter is drawn as its enterprise's parcel with the day's total so far.
    let meters = layer(&[DeviceKind::ElectricityMeter]);
    let m = &meters[0];
    assert_eq!(m["geometry"]["type"], "Polygon", "the parcel");
    let p = &m["properties"];
    let hours: f64 = p["energy_day_hours"]
        .as_array()
        .expect("24 hours")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .sum();
    let total = p["energy_day_total"].as_f64().expect("a total");
    assert!(total > 0.0 && (hours - total).abs() < 1e-6, "{p}");
    assert!(p["energy_budget"].as_f64().is_some_and(|b| b > total), "{p}");
}

#[test]
fn parktwin_server_demo_feeds_the_log_over_http() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = parktwin_e2e::start_demo_server(dir.path(), 3).expect("server");
    let api = parktwin_api::client::ApiClient::new(&s.url);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let live = block_on(api.live_snapshot()).expect("snapshot");
        let read = live.sensors.values().filter(|x| x.value.is_some()).count();
        if read > 150 && !live.vehicles.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "after 20 s: {read} sensors read, {} trucks",
            live.vehicles.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

#[test]
fn a_silent_detector_goes_offline_and_its_next_reading_brings_it_back() {
    use parktwin_api::model::{AlarmTier, Observation};
    let dir = tempfile::tempdir().expect("tempdir");
    let s = store(dir.path());
    let now = OffsetDateTime::now_utc();
    let at = |t: OffsetDateTime| parktwin_api::clock::format_utc(t);
    let read = |t: OffsetDateTime| Observation {
        sensor: "gd-010".into(),
        quantity: None,
        time: at(t),
        value: 0.01,
    };
    s.ingest_observations(&[read(now - Duration::seconds(200))])
        .expect("reading");
    // Silent for 200 s at `now`: offline; detectors that never reported are not.
    assert_eq!(s.check_offline(now).expect("check"), 1);
    assert_eq!(s.check_offline(now).expect("check"), 0, "raised once");
    let open = s.alarms(Some(true)).expect("alarms");
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].rule.as_str(), open[0].source.as_str(), open[0].tier),
        ("detector_offline", "gd-010", AlarmTier::Warning)
    );
    s.ingest_observations(&[read(now - Duration::seconds(1))])
        .expect("reading");
    assert!(s.alarms(Some(true)).expect("alarms").is_empty());
}

#[test]
fn every_vehicle_rule_breaks_now_and_then_in_the_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = store(dir.path());
    let mut sim = Simulator::new(&s, 1).expect("sim");
    let t0 = OffsetDateTime::now_utc() - Duration::minutes(59);
    let rules = [
        "vehicle_speeding",
        "vehicle_off_route",
        "vehicle_stopped",
        "hazmat_without_waybill",
    ];
    let mut seen = std::collections::HashSet::new();
    for i in 0..3600 {
        let t = t0 + Duration::seconds(i);
        let (_, fixes) = sim.step(t);
        let waybills = sim.take_waybills();
        if !waybills.is_empty() {
            s.ingest_waybills(&waybills, &parktwin_api::clock::format_utc(t))
                .expect("waybills store");
        }
        if !fixes.is_empty() {
            s.ingest_positions(&fixes).expect("fixes store");
        }
        let passes = sim.take_passes();
        if !passes.is_empty() {
            s.ingest_passes("gate-hazmat", &passes).expect("passes store");
        }
        if i % 60 == 0 {
            seen.extend(s.alarms(None).expect("alarms").into_iter().map(|a| a.rule));
            if rules.iter().all(|r| seen.contains(*r)) {
                break;
            }
        }
    }
    let missing: Vec<_> = rules.iter().filter(|r| !seen.contains(**r)).collect();
    assert!(missing.is_empty(), "in an hour of demo park, never seen: {missing:?}");
    // A truck that keeps its waybill's route and speed raises nothing of its own.
    let alarms = s.alarms(None).expect("alarms");
    let waybills = s.waybills(None, None).expect("waybills");
    assert!(
        waybills.iter().any(|w| !alarms.iter().any(|a| a.source == w.plate)),
        "some truck drove by the book"
    );
}
