//! The incident card's exports open in GIS: QGIS reads vector files through GDAL/OGR, so the
//! zones GeoJSON, the who-is-inside GeoJSON and CSV are opened here with GDAL's `ogrinfo`
//! (Debian `gdal-bin`, which `scripts/setup-debian` installs), from a real server's incident.

use std::path::Path;
use std::process::Command;

use parktwin::incident::card::{inside_csv, inside_geojson};
use parktwin_api::client::{ApiClient, block_on};
use parktwin_api::incident::ZoneOccupants;
use parktwin_api::model::Role;

/// `ogrinfo`'s summary of every layer in a file, with open options; it must open the file.
fn ogrinfo(path: &Path, options: &[&str]) -> String {
    let mut cmd = Command::new("ogrinfo");
    cmd.args(["-ro", "-al", "-so"]);
    for o in options {
        cmd.args(["-oo", o]);
    }
    let out = cmd.arg(path).output().unwrap_or_else(|e| {
        panic!("ogrinfo (GDAL, Debian gdal-bin) must be installed: scripts/setup-debian installs it ({e})")
    });
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "GDAL cannot open {}: {}{text}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn the_zones_and_who_is_inside_open_in_gdal_as_qgis_reads_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = parktwin_e2e::start_server(dir.path(), None).expect("server");
    let token = parktwin_server::Store::open(&dir.path().join("parktwin.sqlite"))
        .expect("store")
        .create_token(Role::Operator, "exports test")
        .expect("token");
    let api = ApiClient::new(&server.url);
    let req = parktwin_api::incident::NewIncident::parse(
        br#"{"lon": 118.4542447, "lat": 37.5683106, "chemical": "chlorine", "rate_kg_s": 5.0,
             "weather": {"wind_speed_ms": 2.0, "wind_from_deg": 225.0, "stability": "E"}}"#,
        parktwin_layers::incident::chemicals(),
        time::OffsetDateTime::now_utc(),
    )
    .expect("a valid request");
    let inc = block_on(api.start_incident(&req, &token)).expect("started");

    // The zones, as the feed fetches them and the card saves them.
    let zones = block_on(api.incident_zones(&inc.id)).expect("zones");
    let path = dir.path().join(format!("{}-zones.geojson", inc.id));
    std::fs::write(&path, zones.to_string()).expect("write");
    let info = ogrinfo(&path, &[]);
    assert!(info.contains("Feature Count: 3"), "{info}");
    assert!(info.contains("Geometry: Multi Polygon"), "{info}");
    assert!(info.contains("WGS 84"), "GeoJSON is WGS84 (RFC 7946): {info}");
    for field in [
        "name",
        "threshold_mg_m3",
        "farthest_downwind_m",
        "incident",
        "chemical",
        "stability",
        "grid_step_m",
    ] {
        assert!(info.contains(&format!("{field}: ")), "no field {field}: {info}");
    }

    // Who is inside, as GeoJSON points and as CSV with coordinates.
    let inside: Vec<ZoneOccupants> =
        reqwest::blocking::get(format!("{}/api/v1/incidents/{}/inside", server.url, inc.id))
            .and_then(|r| r.json())
            .expect("who is inside");
    let n: usize = inside.iter().map(|z| z.occupants.len()).sum();
    assert!(
        n > 0,
        "something stands in the zones of a 5 kg/s chlorine release in the park"
    );
    let path = dir.path().join("inside.geojson");
    std::fs::write(&path, inside_geojson(&inside).to_string()).expect("write");
    let info = ogrinfo(&path, &[]);
    assert!(info.contains(&format!("Feature Count: {n}")), "{info}");
    assert!(info.contains("Geometry: Point"), "{info}");
    let path = dir.path().join("inside.csv");
    std::fs::write(&path, inside_csv(&inside)).expect("write");
    let info = ogrinfo(&path, &["X_POSSIBLE_NAMES=lon", "Y_POSSIBLE_NAMES=lat"]);
    assert!(info.contains(&format!("Feature Count: {n}")), "{info}");
    assert!(
        info.contains("Geometry: Point"),
        "the CSV's lon and lat are read as points: {info}"
    );
}
