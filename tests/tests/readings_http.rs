//! Devices' readings over real HTTP (SQLite here, PostgreSQL in `scripts/test-postgres`): a
//! device registered at runtime reads, alarms by its thresholds (with their deadband) and its
//! rate of change, is silenced in maintenance, and charts, with no restart; its rollups agree
//! with the raw readings the test sent; a station's AQI is HJ 633-2012's, worked here from the
//! standard's Table 1; a meter's day over its budget and an outfall's day over its permit; a
//! quantity gone silent.

use std::collections::BTreeMap;

use parktwin_api::model::{EventPage, Role};
use parktwin_e2e::{open_store, send, start_server};
use serde_json::{Value, json};
use time::OffsetDateTime;

fn ok(method: &str, url: &str, token: &str, body: Option<&Value>) -> Value {
    let (code, v) = send(method, url, Some(token), body);
    assert!((200..300).contains(&code), "{method} {url}: {code} {v}");
    v
}

fn at(t: OffsetDateTime) -> String {
    parktwin_api::clock::format_utc(t)
}

/// The open alarms of a rule on a source: their tiers.
fn open_tiers(api: &str, token: &str, rule: &str, source: &str) -> Vec<String> {
    ok("GET", &format!("{api}/alarms?state=open"), token, None)
        .as_array()
        .expect("alarms")
        .iter()
        .filter(|a| a["rule"] == rule && a["source"] == source)
        .map(|a| a["tier"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Registers the devices of a CSV as an admin.
fn import_csv(api: &str, admin: &str, csv: &str) {
    let r = reqwest::blocking::Client::new()
        .post(format!("{api}/devices/import"))
        .bearer_auth(admin)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .expect("answers");
    assert_eq!(r.status().as_u16(), 200);
}

/// Sends one reading of a device's quantity.
fn read(api: &str, feed: &str, device: &str, quantity: &str, t: OffsetDateTime, value: f64) {
    let body = json!([{"sensor": device, "quantity": quantity, "time": at(t), "value": value}]);
    ok("POST", &format!("{api}/observations"), feed, Some(&body));
}

#[test]
fn a_device_added_at_runtime_reads_alarms_and_charts_without_a_restart() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "registrar").expect("as set up");
    let gauge = json!({"id": "pt-301", "kind": "pipe_pressure", "name": "Chlorine line P3", "enterprise": "ent-01",
        "location": {"lon": 118.4561, "lat": 37.5690},
        "quantities": [
            {"name": "pressure", "unit": "MPa",
             "thresholds": {"low_low": 0.2, "low": 0.4, "high": 1.2, "high_high": 1.4},
             "rules": {"deadband": 0.05, "max_rate_per_min": 0.2}},
            {"name": "temperature", "unit": "°C"}]});
    ok("POST", &format!("{api}/devices"), &admin, Some(&gauge));

    // A reading of a quantity it does not measure is refused whole, naming record and field.
    let start = OffsetDateTime::now_utc() - time::Duration::hours(2);
    let bad = json!([{"sensor": "pt-301", "time": at(start), "value": 1.0},
                     {"sensor": "pt-301", "quantity": "flow", "time": at(start), "value": 3.0}]);
    let (code, why) = send("POST", &format!("{api}/observations"), Some(&s.ingest), Some(&bad));
    assert_eq!(code, 422, "{why}");
    assert!(
        why["error"].as_str().unwrap_or_default().contains(
            "record 1 (sensor \"pt-301\"): field \"quantity\": \"flow\" is not measured by pt-301 (it measures pressure, temperature)"
        ),
        "{why}"
    );

    // One reading a minute; each line: pressure, then the open threshold and rate alarms.
    let src = "pt-301/pressure";
    let way: [(f64, &[&str], &[&str]); 7] = [
        (1.00, &[], &[]),
        (1.10, &[], &[]),
        (1.21, &["warning"], &[]),
        (1.17, &["warning"], &[]), // back under 1.2, but within the deadband
        (1.14, &[], &[]),
        (0.80, &[], &["warning"]), // −0.34 MPa in a minute: faster than 0.2
        (0.78, &[], &[]),
    ];
    let mut sent: Vec<(OffsetDateTime, f64)> = Vec::new();
    for (i, (p, threshold, rate)) in way.iter().enumerate() {
        let t = start + time::Duration::minutes(i as i64);
        read(&api, &s.ingest, "pt-301", "pressure", t, *p);
        sent.push((t, *p));
        assert_eq!(
            open_tiers(&api, &admin, "device_threshold", src),
            *threshold,
            "at {p} MPa"
        );
        assert_eq!(open_tiers(&api, &admin, "device_rate", src), *rate, "at {p} MPa");
    }

    // In maintenance it raises nothing; back in service, the same reading raises its alarm.
    let mut resting = gauge.clone();
    resting["state"] = json!("maintenance");
    ok("PUT", &format!("{api}/devices/pt-301"), &admin, Some(&resting));
    let t = start + time::Duration::minutes(30);
    read(&api, &s.ingest, "pt-301", "pressure", t, 1.5);
    sent.push((t, 1.5));
    assert!(open_tiers(&api, &admin, "device_threshold", src).is_empty(), "silenced");
    ok("PUT", &format!("{api}/devices/pt-301"), &admin, Some(&gauge));
    let t = start + time::Duration::minutes(31);
    read(&api, &s.ingest, "pt-301", "pressure", t, 1.5);
    sent.push((t, 1.5));
    assert_eq!(open_tiers(&api, &admin, "device_threshold", src), ["alarm"]);

    // Its latest reading, with its band; the temperature never read is left out.
    let report = ok("GET", &format!("{api}/devices/pt-301"), &s.operator, None);
    assert_eq!(report["device"]["id"], "pt-301");
    assert_eq!(
        report["latest"],
        json!([{"quantity": "pressure", "unit": "MPa", "time": at(t), "value": 1.5, "band": "high_high"}])
    );
    assert!(report.get("derived").is_none(), "a gauge has nothing derived");
    // Drawn on its kind's layer (a descriptor's endpoint) at its place, with what it reads.
    let layer = ok(
        "GET",
        &format!("{api}/devices/geojson?kind=pipe_pressure"),
        &s.operator,
        None,
    );
    let f = layer["features"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == "pt-301"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["geometry"]["coordinates"], json!([118.4561, 37.5690]));
    let p = &f["properties"];
    assert_eq!(
        (&p["pressure"], &p["pressure_band"], &p["limits"]),
        (&json!(1.5), &json!("high_high"), &json!("exceedance"))
    );
    assert_eq!(
        p["feed"], "the park's feeds",
        "a real feed's readings are not called the demo's"
    );
    assert_eq!(p["temperature"], serde_json::Value::Null, "not read yet");

    // The raw series is what was sent; each hour's minimum, mean, maximum and count are the
    // raw readings' of that hour, worked out here.
    let (from, to) = (at(start - time::Duration::hours(1)), at(OffsetDateTime::now_utc()));
    let series = |step: &str| {
        ok(
            "GET",
            &format!("{api}/devices/pt-301/series?quantity=pressure&step={step}&from={from}&to={to}"),
            &s.operator,
            None,
        )
    };
    let raw = series("raw");
    assert_eq!(raw["unit"], "MPa");
    assert_eq!(raw["thresholds"]["high_high"], 1.4);
    let got: Vec<(String, f64)> = raw["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| {
            (
                p["time"].as_str().unwrap_or_default().to_string(),
                p["mean"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    let want: Vec<(String, f64)> = sent.iter().map(|(t, v)| (at(*t), *v)).collect();
    assert_eq!(got, want);
    let mut by_hour: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (t, v) in &sent {
        let hour = t
            .replace_minute(0)
            .and_then(|h| h.replace_second(0))
            .and_then(|h| h.replace_nanosecond(0));
        by_hour.entry(at(hour.expect("an hour"))).or_default().push(*v);
    }
    let hours = series("hour");
    let points = hours["points"].as_array().expect("points");
    assert_eq!(points.len(), by_hour.len(), "{hours}");
    for (p, (hour, values)) in points.iter().zip(&by_hour) {
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert_eq!(p["time"].as_str(), Some(hour.as_str()));
        assert_eq!(p["n"].as_u64(), Some(values.len() as u64));
        assert!(
            (p["mean"].as_f64().unwrap_or_default() - mean).abs() < 1e-9,
            "{p} vs {mean}"
        );
        assert_eq!(p["min"].as_f64(), values.iter().copied().reduce(f64::min));
        assert_eq!(p["max"].as_f64(), values.iter().copied().reduce(f64::max));
    }
    let minutes = series("minute");
    assert_eq!(
        minutes["points"].as_array().map(Vec::len),
        Some(sent.len()),
        "one reading a minute"
    );

    // Bad questions are named; another enterprise's viewer is refused.
    let (code, why) = send(
        "GET",
        &format!("{api}/devices/pt-301/series?step=week"),
        Some(&s.operator),
        None,
    );
    assert_eq!(code, 400, "{why}");
    let (code, why) = send(
        "GET",
        &format!("{api}/devices/pt-301/series?quantity=flow"),
        Some(&s.operator),
        None,
    );
    assert_eq!(code, 422, "{why}");
    let theirs = store
        .create_enterprise_viewer("ent-02 viewer", "ent-02")
        .expect("as set up")
        .expect("as set up");
    assert_eq!(
        send("GET", &format!("{api}/devices/pt-301/series"), Some(&theirs), None).0,
        403
    );
    let alarms = ok("GET", &format!("{api}/alarms?state=open"), &theirs, None);
    assert!(
        !alarms.as_array().expect("alarms").iter().any(|a| a["source"] == src),
        "another enterprise's device's alarms are not theirs to see: {alarms}"
    );
}

/// HJ 633-2012 formula (1): the IAQI between two breakpoints, rounded up.
fn iaqi(c: f64, (c_lo, c_hi): (f64, f64), (i_lo, i_hi): (f64, f64)) -> u64 {
    ((i_hi - i_lo) / (c_hi - c_lo) * (c - c_lo) + i_lo - 1e-9).ceil() as u64
}

#[test]
fn a_stations_aqi_is_the_standards_hourly_and_daily() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let admin = open_store(dir.path())
        .create_token(Role::Admin, "registrar")
        .expect("as set up");
    let names = ["so2", "no2", "co", "o3", "pm10", "pm25"];
    let station = |id: &str| {
        json!({"id": id, "kind": "air_quality", "name": id, "location": {"lon": 118.45, "lat": 37.56},
            "quantities": names.iter().map(|q| json!({"name": q, "unit": if *q == "co" { "mg/m³" } else { "μg/m³" }})).collect::<Vec<_>>()})
    };
    ok("POST", &format!("{api}/devices"), &admin, Some(&station("aq-91")));
    ok("POST", &format!("{api}/devices"), &admin, Some(&station("aq-92")));

    // Two readings of each pollutant in the last hour; their means are (so2 150, no2 120,
    // co 6, o3 180, pm10 160, pm25 100) at aq-91 (PM2.5's IAQI of 132 the highest), and a clean
    // hour at aq-92.
    let now = OffsetDateTime::now_utc();
    let hour = (now - time::Duration::hours(1))
        .replace_minute(0)
        .and_then(|h| h.replace_second(0))
        .and_then(|h| h.replace_nanosecond(0))
        .expect("an hour");
    let pairs = [
        (140.0, 160.0),
        (100.0, 140.0),
        (5.0, 7.0),
        (170.0, 190.0),
        (150.0, 170.0),
        (90.0, 110.0),
    ];
    let clean = [
        (10.0, 10.0),
        (20.0, 20.0),
        (0.5, 0.5),
        (60.0, 60.0),
        (30.0, 30.0),
        (20.0, 20.0),
    ];
    let mut batch = Vec::new();
    for (station, values) in [("aq-91", pairs), ("aq-92", clean)] {
        for (q, (a, b)) in names.iter().zip(values) {
            for (m, v) in [(5, a), (35, b)] {
                batch.push(json!({"sensor": station, "quantity": q, "time": at(hour + time::Duration::minutes(m)), "value": v}));
            }
        }
    }
    ok("POST", &format!("{api}/observations"), &s.ingest, Some(&json!(batch)));

    let report = ok("GET", &format!("{api}/devices/aq-91"), &s.operator, None);
    let d = &report["derived"];
    assert_eq!(d["hour"], at(hour));
    // Table 1: SO₂, NO₂, CO, O₃ by their 1-hour rows; PM10 and PM2.5 by their 24-hour rows.
    let hourly_want = BTreeMap::from([
        ("SO2", iaqi(150.0, (0.0, 150.0), (0.0, 50.0))),
        ("NO2", iaqi(120.0, (100.0, 200.0), (50.0, 100.0))),
        ("CO", iaqi(6.0, (5.0, 10.0), (50.0, 100.0))),
        ("O3", iaqi(180.0, (160.0, 200.0), (50.0, 100.0))),
        ("PM10", iaqi(160.0, (150.0, 250.0), (100.0, 150.0))),
        ("PM2.5", iaqi(100.0, (75.0, 115.0), (100.0, 150.0))),
    ]);
    let got = |report: &Value| -> BTreeMap<String, u64> {
        report["iaqi"]
            .as_array()
            .expect("iaqi")
            .iter()
            .map(|i| {
                (
                    i["pollutant"].as_str().unwrap_or_default().to_string(),
                    i["iaqi"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    let hourly_got = got(&d["hourly"]);
    assert_eq!(
        hourly_got,
        hourly_want
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<BTreeMap<_, _>>()
    );
    assert_eq!(d["hourly"]["aqi"], 132, "PM2.5's");
    assert_eq!(d["hourly"]["level"], "lightly_polluted");
    assert_eq!(d["hourly"]["primary_pollutants"], json!(["PM2.5"]));
    assert_eq!(d["hourly"]["over_limit"], json!(["PM10", "PM2.5"]));
    // The day's: the 24-hour rows, O₃ by its highest hour and highest 8 hours.
    let daily_want = BTreeMap::from([
        ("SO2", iaqi(150.0, (50.0, 150.0), (50.0, 100.0))),
        ("NO2", iaqi(120.0, (80.0, 180.0), (100.0, 150.0))),
        ("CO", iaqi(6.0, (4.0, 14.0), (100.0, 150.0))),
        ("O3", iaqi(180.0, (160.0, 215.0), (100.0, 150.0))),
        ("PM10", iaqi(160.0, (150.0, 250.0), (100.0, 150.0))),
        ("PM2.5", iaqi(100.0, (75.0, 115.0), (100.0, 150.0))),
    ]);
    assert_eq!(
        got(&d["daily"]),
        daily_want
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect::<BTreeMap<_, _>>()
    );
    assert_eq!(d["daily"]["primary_pollutants"], json!(["PM2.5"]));

    // A clean hour: excellent, and no primary pollutant at 50 or less.
    // The stations' layer binds its colour to the same hourly AQI.
    let layer = ok(
        "GET",
        &format!("{api}/devices/geojson?kind=air_quality"),
        &s.operator,
        None,
    );
    let p = layer["features"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == "aq-91"))
        .map(|f| f["properties"].clone())
        .unwrap_or_default();
    assert_eq!(
        (&p["aqi"], &p["level_name_zh"], &p["primary_pollutant"]),
        (&json!(132), &json!("轻度污染"), &json!("PM2.5"))
    );
    let clean = ok("GET", &format!("{api}/devices/aq-92"), &s.operator, None);
    assert_eq!(clean["derived"]["hourly"]["level"], "excellent");
    assert_eq!(clean["derived"]["hourly"]["primary_pollutants"], json!([]));
}

#[test]
fn a_meters_day_over_its_budget_an_outfalls_over_its_permit_and_a_quantity_gone_silent() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "registrar").expect("as set up");
    let csv = "id,kind,name,lon,lat,quantity,unit,high,daily_budget,permit_daily_mean,stale_after_s\n\
               em-11,electricity_meter,Ent-01 meter,118.4501,37.5650,energy,kWh,,100,,\n\
               of-9,outfall,Outfall 9,118.4601,37.5610,cod,mg/L,80,,50,\n\
               lt-9,tank_level,T09 level,118.4602,37.5611,level,%,,,,30\n";
    import_csv(&api, &admin, csv);

    // Readings a second apart, all in one of the park's days.
    let mut t0 = OffsetDateTime::now_utc() - time::Duration::seconds(30);
    let day = |t: OffsetDateTime| (t + time::Duration::hours(8)).date(); // the park is in Asia/Shanghai
    if day(t0) != day(t0 + time::Duration::seconds(10)) {
        t0 -= time::Duration::seconds(60);
    }
    let t = |i: i64| t0 + time::Duration::seconds(i);
    // The meter: 40 + 40 kWh is within its 100; 30 more is over.
    read(&api, &s.ingest, "em-11", "energy", t(0), 40.0);
    read(&api, &s.ingest, "em-11", "energy", t(1), 40.0);
    assert!(open_tiers(&api, &admin, "device_budget", "em-11/energy").is_empty());
    read(&api, &s.ingest, "em-11", "energy", t(2), 30.0);
    assert_eq!(open_tiers(&api, &admin, "device_budget", "em-11/energy"), ["warning"]);
    // The outfall: 45 then 60 mg/L is a mean of 52.5, over the permit's 50 (and no reading
    // past its high of 80); 40 more brings the mean to 48.3.
    read(&api, &s.ingest, "of-9", "cod", t(0), 45.0);
    read(&api, &s.ingest, "of-9", "cod", t(1), 60.0);
    assert_eq!(open_tiers(&api, &admin, "device_permit", "of-9/cod"), ["alarm"]);
    assert!(open_tiers(&api, &admin, "device_threshold", "of-9/cod").is_empty());
    read(&api, &s.ingest, "of-9", "cod", t(2), 40.0);
    assert!(open_tiers(&api, &admin, "device_permit", "of-9/cod").is_empty());

    // The level gauge read once, then silent for more than its 30 s: stale; a reading ends it.
    read(&api, &s.ingest, "lt-9", "level", t(0), 55.0);
    let sweep = store.check_offline(t(0) + time::Duration::seconds(20)).expect("swept");
    assert_eq!(sweep, 0, "not yet");
    let sweep = store.check_offline(t(0) + time::Duration::seconds(31)).expect("swept");
    assert_eq!(sweep, 1);
    assert_eq!(open_tiers(&api, &admin, "device_stale", "lt-9/level"), ["warning"]);
    read(&api, &s.ingest, "lt-9", "level", t(3), 55.5);
    assert!(open_tiers(&api, &admin, "device_stale", "lt-9/level").is_empty());

    // The meter's day in one request: its total.
    let series = ok(
        "GET",
        &format!(
            "{api}/devices/em-11/series?step=day&from={}",
            at(t0 - time::Duration::days(1))
        ),
        &s.operator,
        None,
    );
    let points = series["points"].as_array().expect("points");
    assert_eq!(points.len(), 1, "{series}");
    assert_eq!(points[0]["sum"], 110.0);
}

#[test]
fn readings_are_kept_as_long_as_the_retention_says_and_the_rollups_longer() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let now = OffsetDateTime::now_utc();
    let ages = [
        time::Duration::days(40),
        time::Duration::days(10),
        time::Duration::hours(1),
    ];
    for age in ages {
        read(&api, &s.ingest, "of-01", "cod", now - age, 30.0);
    }
    let points = |step: &str| {
        let from = at(now - time::Duration::days(50));
        ok(
            "GET",
            &format!("{api}/devices/of-01/series?quantity=cod&step={step}&from={from}"),
            &s.operator,
            None,
        )["points"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(
        (points("raw"), points("minute"), points("hour"), points("day")),
        (3, 3, 3, 3)
    );
    // By default: raw readings 30 days, minute rollups 90, hours and days for ever.
    let pruned = store
        .prune_readings(now, &parktwin_server::Retention::default())
        .expect("pruned");
    assert_eq!((pruned.raw, pruned.rollups), (1, 0));
    assert_eq!(
        (points("raw"), points("minute"), points("hour"), points("day")),
        (2, 3, 3, 3)
    );
    // A park that keeps less.
    let short = parktwin_server::Retention {
        raw_days: 1,
        minute_days: 5,
        hour_days: Some(20),
    };
    store.prune_readings(now, &short).expect("pruned");
    assert_eq!(
        (points("raw"), points("minute"), points("hour"), points("day")),
        (1, 1, 2, 2)
    );
}

#[test]
fn a_device_layer_reads_as_of_a_moment_and_a_meters_day_hour_by_hour() {
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "registrar").expect("as set up");
    let csv = "id,kind,name,lon,lat,layer,feature,quantity,unit,high,high_high,daily_budget\n\
               lt-7,tank_level,T07 level,,,tanks,tank-001,level,%,85,95,\n\
               em-7,electricity_meter,Ent-02 meter,,,enterprises,ent-02,energy,kWh,,,100\n";
    import_csv(&api, &admin, csv);
    // This test's devices (the demo park's are in the layers too).
    let layer = |query: &str| -> Vec<Value> {
        let fc = ok("GET", &format!("{api}/devices/geojson?{query}"), &s.operator, None);
        let mut fs = fc["features"].as_array().expect("features").clone();
        fs.retain(|f| ["lt-7", "em-7"].contains(&f["id"].as_str().unwrap_or_default()));
        fs
    };

    // The level: normal, then high, then high-high, an hour apart; the layer as of each moment.
    let now = OffsetDateTime::now_utc();
    let hours_ago = |h: i64| now - time::Duration::hours(h);
    for (h, v) in [(3, 50.0), (2, 90.0), (1, 97.0)] {
        read(&api, &s.ingest, "lt-7", "level", hours_ago(h), v);
    }
    let level_at = |query: &str| {
        let fs = layer(query);
        let p = &fs[0]["properties"];
        (p["level"].as_f64(), p["level_band"].as_str().map(str::to_string))
    };
    let half_past = |h: i64| at(hours_ago(h) + time::Duration::minutes(30));
    assert_eq!(
        level_at(&format!("kind=tank_level&at={}", half_past(3))),
        (Some(50.0), Some("normal".into()))
    );
    assert_eq!(
        level_at(&format!("kind=tank_level&at={}", half_past(2))),
        (Some(90.0), Some("high".into()))
    );
    assert_eq!(
        level_at("kind=tank_level"),
        (Some(97.0), Some("high_high".into())),
        "now"
    );
    assert_eq!(
        level_at(&format!("kind=tank_level&at={}", at(hours_ago(4)))),
        (None, None),
        "before its first reading"
    );
    let fs = layer("kind=tank_level");
    assert_eq!(fs[0]["geometry"]["type"], "Point", "at its tank");
    assert_eq!(fs[0]["properties"]["on_name"], "Chlorine-T01");
    let (code, body) = send(
        "GET",
        &format!("{api}/devices/geojson?kind=tank_level&at=yesterday"),
        None,
        None,
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.to_string().contains("\\\"at\\\""), "{body}");

    // The meter: yesterday (the park's), 10 + 5 kWh in its second hour and 7 in its fourth; 20
    // the day before. Drawn as its enterprise's parcel.
    let offset = time::UtcOffset::from_hms(8, 0, 0).expect("as set up");
    let midnight = (now.to_offset(offset).replace_time(time::Time::MIDNIGHT) - time::Duration::days(1))
        .to_offset(time::UtcOffset::UTC);
    let m = |minutes: i64| midnight + time::Duration::minutes(minutes);
    for (t, v) in [(m(-720), 20.0), (m(70), 10.0), (m(80), 5.0), (m(185), 7.0)] {
        read(&api, &s.ingest, "em-7", "energy", t, v);
    }
    let meter = |query: &str| layer(query)[0].clone();
    let f = meter("kind=electricity_meter");
    assert_eq!(f["geometry"]["type"], "Polygon", "the parcel");
    let p = &f["properties"];
    assert_eq!(p["energy_day"], at(midnight));
    assert_eq!(p["energy_day_total"], 22.0);
    let hours = p["energy_day_hours"].as_array().expect("24 hours");
    assert_eq!(hours.len(), 24);
    assert_eq!(
        (hours[0].clone(), hours[1].clone(), hours[3].clone()),
        (Value::Null, json!(15.0), json!(7.0))
    );
    assert_eq!(p["energy_previous_day_total"], 20.0);
    assert_eq!(p["energy_budget"], 100.0);
    // At 02:30 of that day: the hours complete by then.
    let p = meter(&format!("kind=electricity_meter&at={}", at(m(150))))["properties"].clone();
    assert_eq!(p["energy_day_total"], 15.0, "{p}");
    assert_eq!(p["energy_day_hours"][3], Value::Null);
    assert_eq!(p["energy"], 5.0, "its last reading by then");
}

#[test]
fn a_large_batch_keeps_each_alarm_after_the_reading_that_moved_it() {
    // More readings than one statement of the store writes (256), so that the batch's held-back
    // events, rows and alarms go in several statements each.
    let dir = tempfile::tempdir().expect("as set up");
    let s = start_server(dir.path(), None).expect("as set up");
    let api = format!("{}/api/v1", s.url);
    let store = open_store(dir.path());
    let admin = store.create_token(Role::Admin, "registrar").expect("as set up");
    let gauges = 300;
    let mut csv = String::from("id,kind,name,lon,lat,quantity,unit,high\n");
    for i in 0..gauges {
        csv.push_str(&format!(
            "pg-{i:03},pipe_pressure,Gauge {i},118.45,37.56,pressure,MPa,1.2\n"
        ));
    }
    import_csv(&api, &admin, &csv);

    // Each gauge over its high limit, then back under it a second later, in one batch.
    let t0 = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let mut batch = Vec::new();
    for (k, value) in [1.5, 0.5].into_iter().enumerate() {
        for i in 0..gauges {
            let t = t0 + time::Duration::seconds(k as i64);
            batch.push(json!({"sensor": format!("pg-{i:03}"), "quantity": "pressure", "time": at(t), "value": value}));
        }
    }
    let receipt = ok("POST", &format!("{api}/observations"), &s.ingest, Some(&json!(batch)));
    assert_eq!(receipt["accepted"], 2 * gauges);

    // The log after the batch, in order: each gauge's reading over, its alarm raised, its
    // reading under, its alarm ended (closed, or cleared where the policy latches).
    let mut events = Vec::new();
    let mut next = 0;
    loop {
        let page: EventPage =
            serde_json::from_value(ok("GET", &format!("{api}/events?since={next}&limit=500"), &admin, None))
                .expect("a page");
        if page.events.is_empty() {
            break;
        }
        next = page.next;
        events.extend(page.events);
    }
    assert_eq!(
        events.last().map(|e| e.seq),
        receipt["last_seq"].as_i64(),
        "the receipt names the log's last"
    );
    let mut by_gauge: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for e in &events {
        let device = match e.kind.as_str() {
            "observation" => e.payload["sensor"].as_str(),
            k if k.starts_with("alarm_") => e.payload["source"].as_str().and_then(|s| s.split('/').next()),
            _ => None,
        };
        if let Some(d) = device {
            by_gauge.entry(d.to_string()).or_default().push((e.kind.clone(), e.seq));
        }
    }
    assert_eq!(by_gauge.len(), gauges);
    for (gauge, seen) in &by_gauge {
        let kinds: Vec<&str> = seen.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds.len(), 4, "{gauge}: {kinds:?}");
        assert_eq!(&kinds[..3], ["observation", "alarm_raised", "observation"], "{gauge}");
        assert!(
            ["alarm_closed", "alarm_cleared"].contains(&kinds[3]),
            "{gauge}: {kinds:?}"
        );
        // The alarm's own history names the same events.
        let raised = events.iter().find(|e| e.seq == seen[1].1).expect("the raise");
        let id = raised.payload["id"].as_i64().expect("the alarm's id");
        assert!(id > 0, "{gauge}: a stored id, {id}");
        let history = ok("GET", &format!("{api}/alarms/{id}"), &admin, None);
        assert_eq!(history["source"], format!("{gauge}/pressure"));
        let steps: Vec<i64> = history["history"]
            .as_array()
            .expect("history")
            .iter()
            .filter_map(|h| h["seq"].as_i64())
            .collect();
        assert_eq!(steps, [seen[1].1, seen[3].1], "{gauge}");
    }
}
