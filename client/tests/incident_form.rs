//! Starting an incident from the map, against a real server on loopback: the form for a tank
//! and for a pipe of the demo park, as the map loads them, prefilled and sent as the map sends
//! it; the server starts what the form says, with the station the form showed.

use parktwin::incident::form::{IncidentForm, form_for_feature, station_positions};
use parktwin::loader::load_park;
use parktwin_api::client::{ApiClient, block_on};
use parktwin_api::clock::format_utc;
use parktwin_api::model::Role;
use parktwin_e2e::start_server;
use parktwin_scene::ParkData;
use serde_json::json;

fn feature<'a>(
    d: &'a ParkData,
    layer: &str,
    pick: impl Fn(&geojson::Feature) -> bool,
) -> (String, &'a geojson::Feature) {
    let (_, fc) = d.layers.iter().find(|(l, _)| l.id == layer).expect("layer");
    let f = fc.features.iter().find(|f| pick(f)).expect("a feature");
    (parktwin_api::validate::feature_id(f).expect("id").to_string(), f)
}

#[test]
fn an_operator_starts_incidents_from_a_tank_and_from_a_pipe_as_the_form_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(dir.path(), None).expect("server");
    let store = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite")).expect("open");
    let op = store.create_token(Role::Operator, "Duty officer Li").expect("token");
    let api = ApiClient::new(&s.url);
    let park = block_on(load_park(&api, &|_, _, _| {})).expect("the park loads");
    let table = parktwin_layers::incident::chemicals();
    let stations = station_positions(&park.layers);
    assert!(stations.len() >= 2, "the demo park has weather stations: {stations:?}");
    // Each station reports a different wind, so that the test sees whose was taken.
    let now = format_utc(time::OffsetDateTime::now_utc());
    let reports: Vec<_> = stations
        .keys()
        .enumerate()
        .map(|(k, id)| json!({"station": id, "time": now, "wind_speed_ms": 2.0 + k as f64, "wind_from_deg": 200.0 + 30.0 * k as f64, "temperature_c": 9.0}))
        .collect();
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/weather", s.url))
        .bearer_auth(&s.ingest)
        .json(&reports)
        .send()
        .expect("weather posted");
    assert!(r.status().is_success(), "{:?}", r.text());
    let live = block_on(api.live_snapshot()).expect("snapshot");

    // A tank: its chemical and its inventory, released over ten minutes at ground level.
    let (tank_id, tank) = feature(&park, "tanks", |f| {
        f.property("chemical").and_then(|c| c.as_str()) == Some("chlorine")
    });
    let inventory_t = tank
        .property("inventory_t")
        .and_then(|v| v.as_f64())
        .expect("inventory");
    let form = form_for_feature(&tank_id, tank, None, table)
        .expect("a form for the tank")
        .with_nearest_weather(live.weather.values(), |s| stations.get(s).copied());
    let Some(geojson::Value::Point(at)) = tank.geometry.as_ref().map(|g| g.value.clone()) else {
        panic!("a tank is a point")
    };
    assert_eq!((form.lon, form.lat), (at[0], at[1]));
    let req = form.request(table, time::OffsetDateTime::now_utc()).expect("valid");
    let inc = block_on(api.start_incident(&req, &op)).expect("the server starts it");
    assert_eq!(inc.chemical, "chlorine");
    assert_eq!(inc.origin.as_deref(), Some(tank_id.as_str()));
    assert_eq!(inc.rate_kg_s, Some(inventory_t * 1000.0 / 600.0));
    assert_eq!(inc.duration_s, Some(600.0));
    assert_eq!(inc.created_by, "Duty officer Li");
    // The station the form showed is the one the server follows, with the wind it reported.
    assert!(form.station.is_some());
    assert_eq!(inc.station, form.station);
    assert_eq!(inc.weather.wind_from_deg, form.weather.wind_from_deg);
    let zones = block_on(api.incident_zones(&inc.id)).expect("zones");
    assert_eq!(zones["features"].as_array().map(Vec::len), Some(3), "{zones}");

    // A pipe carrying ammonia, clicked in the middle: the release is where the click was, at
    // the rack's height; a what-if wind replaces the station's.
    let (pipe_id, pipe) = feature(&park, "pipes", |f| {
        f.property("medium").and_then(|c| c.as_str()) == Some("ammonia")
    });
    let Some(geojson::Value::LineString(line)) = pipe.geometry.as_ref().map(|g| g.value.clone()) else {
        panic!("a pipe is a line")
    };
    let mid = &line[line.len() / 2];
    let mut form = form_for_feature(&pipe_id, pipe, Some([mid[0], mid[1]]), table)
        .expect("a form for the pipe")
        .with_nearest_weather(live.weather.values(), |s| stations.get(s).copied());
    assert_eq!((form.lon, form.lat), (mid[0], mid[1]));
    assert!(
        form.height_m > 4.0 && (form.height_m - mid[2]).abs() < 0.01,
        "{}",
        form.height_m
    );
    form.rate_kg_s = 0.8;
    form.what_if = true;
    form.weather.wind_from_deg = 45.0;
    form.weather.stability = Some("F".into());
    let req = form.request(table, time::OffsetDateTime::now_utc()).expect("valid");
    let inc2 = block_on(api.start_incident(&req, &op)).expect("the server starts it");
    assert_eq!((inc2.chemical.as_str(), inc2.rate_kg_s), ("ammonia", Some(0.8)));
    assert_eq!(inc2.station, None, "a what-if does not follow a station");
    assert_eq!(inc2.weather.wind_from_deg, 45.0);
    assert_eq!(inc2.weather.stability.as_deref(), Some("F"));
    assert!((inc2.height_m - mid[2]).abs() < 0.01);

    // Every client sees both.
    let live = block_on(api.live_snapshot()).expect("snapshot");
    assert!(live.incidents.contains_key(&inc.id) && live.incidents.contains_key(&inc2.id));

    // A bare point: the operator must choose the chemical before anything is sent.
    let bare = IncidentForm::at_point(mid[0], mid[1])
        .with_nearest_weather(live.weather.values(), |s| stations.get(s).copied());
    assert_eq!(
        bare.request(table, time::OffsetDateTime::now_utc()),
        Err(parktwin::incident::form::FormError::ChooseChemical)
    );
}
