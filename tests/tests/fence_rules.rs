//! The vehicle rules hold inside the fence only, and a fence may be several polygons with holes:
//! a real store (SQLite in a temporary folder, or PostgreSQL under `scripts/test-postgres`)
//! seeded with the park's assets, its boundary a MultiPolygon with a hole.

use parktwin_api::clock::format_utc;
use parktwin_api::model::{AlarmTier, VehiclePosition};
use parktwin_server::{SeedData, default_assets_dir, load_assets};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// A square of the park, `x0`..`x1` east and `y0`..`y1` north (metres of the park's frame), as a
/// closed WGS84 ring.
fn square(seed: &SeedData, x0: f64, y0: f64, x1: f64, y1: f64) -> serde_json::Value {
    let frame = seed.park.frame();
    let at = |e: f64, n: f64| {
        let (lon, lat) = frame.to_wgs84(e, n);
        json!([lon, lat])
    };
    json!([at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)])
}

/// Replaces a layer's features with one feature of `geometry`.
fn only_feature(seed: &mut SeedData, layer: &str, geometry: serde_json::Value) {
    let feature: geojson::Feature = serde_json::from_value(json!({
        "type": "Feature", "id": format!("{layer}-1"), "properties": {"name": layer}, "geometry": geometry,
    }))
    .expect("a feature");
    let (_, features) = seed
        .layers
        .iter_mut()
        .find(|(entry, _)| entry.id == layer)
        .unwrap_or_else(|| panic!("the park has a {layer} layer"));
    *features = vec![feature];
}

#[test]
fn speeding_and_standing_still_count_inside_a_multipolygon_fence_and_not_in_its_hole() {
    let mut seed = load_assets(&default_assets_dir()).expect("the park's assets");
    // The fence: a square 3 km wide with a hole 600 m wide in its middle, and a second square
    // 2.5 km to the east; a parking lot in the first square's north-east corner.
    let fence = json!({"type": "MultiPolygon", "coordinates": [
        [square(&seed, -1500.0, -1500.0, 1500.0, 1500.0), square(&seed, -300.0, -300.0, 300.0, 300.0)],
        [square(&seed, 3000.0, -500.0, 4000.0, 500.0)],
    ]});
    only_feature(&mut seed, "boundary", fence);
    let lot = json!({"type": "Polygon", "coordinates": [square(&seed, 1000.0, 1000.0, 1400.0, 1400.0)]});
    only_feature(&mut seed, "parking", lot);

    let dir = tempfile::tempdir().expect("tempdir");
    let store = parktwin_e2e::open_store(dir.path());
    store.seed(&seed).expect("seeded");

    let frame = seed.park.frame();
    let now = OffsetDateTime::now_utc();
    let fix = |plate: &str, ago_s: i64, e: f64, n: f64, speed_kmh: f64| {
        let (lon, lat) = frame.to_wgs84(e, n);
        VehiclePosition {
            plate: plate.into(),
            time: format_utc(now - Duration::seconds(ago_s)),
            lon,
            lat,
            speed_kmh,
            heading_deg: 90.0,
        }
    };
    // 45 km/h is over the 30 km/h limit by more than the margin: a warning where the rule holds.
    let speeding = [
        fix("FENCE-IN", 30, 800.0, -800.0, 45.0),
        fix("FENCE-HOLE", 30, 0.0, 0.0, 45.0),
        fix("FENCE-EAST", 30, 3500.0, 0.0, 45.0),
        fix("FENCE-GAP", 30, 2200.0, 0.0, 45.0),
        fix("FENCE-FAR", 30, -5000.0, 0.0, 45.0),
    ];
    store.ingest_positions(&speeding).expect("stored");
    // Six minutes standing still: a reminder where the rule holds (not in the parking lot).
    let standing = [
        fix("STILL-IN", 400, -800.0, 800.0, 0.0),
        fix("STILL-HOLE", 400, 100.0, 100.0, 0.0),
        fix("STILL-LOT", 400, 1200.0, 1200.0, 0.0),
        fix("STILL-IN", 40, -800.0, 800.0, 0.0),
        fix("STILL-HOLE", 40, 100.0, 100.0, 0.0),
        fix("STILL-LOT", 40, 1200.0, 1200.0, 0.0),
    ];
    store.ingest_positions(&standing).expect("stored");

    let mut open: Vec<(String, String, AlarmTier)> = store
        .alarms(Some(true))
        .expect("alarms")
        .into_iter()
        .map(|a| (a.source, a.rule, a.tier))
        .collect();
    open.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        open,
        [
            (
                "FENCE-EAST".to_string(),
                "vehicle_speeding".to_string(),
                AlarmTier::Warning
            ),
            (
                "FENCE-IN".to_string(),
                "vehicle_speeding".to_string(),
                AlarmTier::Warning
            ),
            (
                "STILL-IN".to_string(),
                "vehicle_stopped".to_string(),
                AlarmTier::Reminder
            ),
        ],
        "inside either polygon the rules hold; in the hole, between the polygons, far outside \
         and in the parking lot they do not"
    );
}
