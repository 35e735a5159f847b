//! A database made by an earlier ParkTwin opens in this one with nothing lost: positions were
//! indexed by plate, and are now indexed by second with each vehicle's latest fix kept apart.

use parktwin_api::model::VehiclePosition;
use parktwin_server::Store;

/// A fix as the positions table stored it: plate, time, lon, seq.
type Old = (&'static str, &'static str, f64, i64);

const OLD: [Old; 5] = [
    ("鲁E·A1", "2026-11-20T08:00:00.000Z", 118.40, 1),
    ("鲁E·B2", "2026-11-20T08:00:00.500Z", 118.50, 2),
    ("鲁E·A1", "2026-11-20T08:00:02.000Z", 118.42, 3),
    // A late fix, stored after the newer one: the latest stays the one of 08:00:02.
    ("鲁E·A1", "2026-11-20T08:00:01.000Z", 118.41, 4),
    ("鲁E·B2", "2026-11-20T09:30:00.000Z", 118.51, 5),
];

fn old_database(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).expect("open");
    c.execute_batch(
        "CREATE TABLE positions (
             plate TEXT NOT NULL, time TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
             speed_kmh REAL NOT NULL, heading_deg REAL NOT NULL, seq INTEGER NOT NULL);
         CREATE INDEX positions_by_plate ON positions (plate, time);",
    )
    .expect("the old schema");
    for (plate, time, lon, seq) in OLD {
        c.execute(
            "INSERT INTO positions VALUES (?1, ?2, ?3, 37.56, 20.0, 90.0, ?4)",
            rusqlite::params![plate, time, lon, seq],
        )
        .expect("an old fix");
    }
}

fn summary(fixes: &[VehiclePosition]) -> Vec<(&str, &str, f64)> {
    fixes
        .iter()
        .map(|p| (p.plate.as_str(), p.time.as_str(), p.lon))
        .collect()
}

#[test]
fn positions_indexed_by_plate_open_with_every_vehicles_latest_fix_and_track() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("parktwin.sqlite");
    old_database(&path);
    // Opened twice: the second opening finds the upgrade done and changes nothing.
    for _ in 0..2 {
        let store = Store::open(&path).expect("the old database opens");
        assert_eq!(
            summary(&store.vehicles().expect("vehicles")),
            [
                ("鲁E·A1", "2026-11-20T08:00:02.000Z", 118.42),
                ("鲁E·B2", "2026-11-20T09:30:00.000Z", 118.51)
            ]
        );
        assert_eq!(
            summary(
                &store
                    .track("鲁E·A1", "2026-11-20T07:00:00.000Z", "2026-11-20T10:00:00.000Z")
                    .expect("track")
            ),
            [
                ("鲁E·A1", "2026-11-20T08:00:00.000Z", 118.40),
                ("鲁E·A1", "2026-11-20T08:00:01.000Z", 118.41),
                ("鲁E·A1", "2026-11-20T08:00:02.000Z", 118.42)
            ]
        );
        // A window's ends hold to the millisecond, inside their seconds.
        assert_eq!(
            summary(
                &store
                    .track("鲁E·B2", "2026-11-20T08:00:00.400Z", "2026-11-20T09:30:00.000Z")
                    .expect("track")
            ),
            [
                ("鲁E·B2", "2026-11-20T08:00:00.500Z", 118.50),
                ("鲁E·B2", "2026-11-20T09:30:00.000Z", 118.51)
            ]
        );
        assert!(
            store
                .track("鲁E·B2", "2026-11-20T08:00:00.600Z", "2026-11-20T09:29:59.999Z")
                .expect("track")
                .is_empty()
        );
        // A window of more than a day is read as a range of the index: the same fixes.
        assert_eq!(
            summary(
                &store
                    .track("鲁E·A1", "2026-11-01T00:00:00.000Z", "2026-11-20T08:00:01.000Z")
                    .expect("track")
            ),
            [
                ("鲁E·A1", "2026-11-20T08:00:00.000Z", 118.40),
                ("鲁E·A1", "2026-11-20T08:00:01.000Z", 118.41)
            ]
        );
        assert!(store.vehicle_seen("鲁E·B2").expect("seen"));
        assert!(!store.vehicle_seen("鲁E·C3").expect("seen"));
    }
    let c = rusqlite::Connection::open(&path).expect("open");
    let indexes: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'positions' ORDER BY name")
        .and_then(|mut q| q.query_map([], |r| r.get(0))?.collect())
        .expect("indexes");
    assert_eq!(indexes, ["positions_by_second"]);
}
