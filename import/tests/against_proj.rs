//! The conversions to WGS84 against PROJ's own `cs2cs` (Debian's `proj-bin`): every
//! coordinate system the import names, points across its zone, under 1 cm apart.

use std::io::Write as _;
use std::process::{Command, Stdio};

use parktwin_import::crs::Crs;

/// Metres between two WGS84 points a few centimetres apart at most.
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8;
    let dx = (a.0 - b.0).to_radians() * r * ((a.1 + b.1) / 2.0).to_radians().cos();
    let dy = (a.1 - b.1).to_radians() * r;
    dx.hypot(dy)
}

/// `cs2cs` from OGC:CRS84 (lon, lat) to `target`, in the target's own axis order.
fn cs2cs_forward(target: &str, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut child = Command::new("cs2cs")
        .args(["-f", "%.6f", "OGC:CRS84", target])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cs2cs runs (Debian's proj-bin; scripts/setup-debian installs it)");
    let input: String = points
        .iter()
        .map(|(lon, lat)| format!("{lon:.12} {lat:.12}\n"))
        .collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("cs2cs finishes");
    assert!(
        out.status.success(),
        "cs2cs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .take(2)
                .map(|t| t.parse().expect("a number"))
                .collect();
            (v[0], v[1])
        })
        .collect()
}

/// Points on a 5 × 5 grid over a longitude and latitude range.
fn grid(lon: (f64, f64), lat: (f64, f64)) -> Vec<(f64, f64)> {
    let mut v = Vec::new();
    for i in 0..5 {
        for j in 0..5 {
            v.push((
                lon.0 + (lon.1 - lon.0) * f64::from(i) / 4.0,
                lat.0 + (lat.1 - lat.0) * f64::from(j) / 4.0,
            ));
        }
    }
    v
}

/// Converts PROJ's projected points back with ParkTwin's conversion: `northing_first` where
/// the EPSG definition orders its axes north, east (the CGCS2000 Gauss–Krüger systems).
fn worst_error(code: &str, ours: &Crs, points: &[(f64, f64)], northing_first: bool, geographic: bool) -> f64 {
    let projected = cs2cs_forward(code, points);
    assert_eq!(projected.len(), points.len(), "{code}: one line per point");
    let mut worst: f64 = 0.0;
    for (p, q) in points.iter().zip(&projected) {
        let (x, y) = if northing_first || geographic { (q.1, q.0) } else { *q };
        let back = ours.to_wgs84(x, y).unwrap_or_else(|e| panic!("{code}: {e}"));
        worst = worst.max(metres(back, *p));
    }
    worst
}

#[test]
fn cgcs2000_gauss_kruger_zones_within_a_centimetre_of_proj() {
    // EPSG:4491–4501: 6° zones 13–23 with the zone number before the easting; 4502–4512 the
    // same zones without it (central meridians 75°E … 135°E); 4513–4533: 3° zones 25–45 with the
    // zone number; 4534–4554 without (central meridians 75°E … 135°E).
    let mut checked = 0;
    for code in 4491..=4554u16 {
        let cm = match code {
            4491..=4501 => 75.0 + 6.0 * f64::from(code - 4491),
            4502..=4512 => 75.0 + 6.0 * f64::from(code - 4502),
            4513..=4533 => 75.0 + 3.0 * f64::from(code - 4513),
            _ => 75.0 + 3.0 * f64::from(code - 4534),
        };
        let half = if code <= 4512 { 2.9 } else { 1.45 };
        let name = format!("EPSG:{code}");
        let crs = Crs::parse(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let worst = worst_error(&name, &crs, &grid((cm - half, cm + half), (18.0, 53.0)), true, false);
        assert!(worst < 0.01, "{name}: {worst} m from PROJ");
        checked += 1;
    }
    assert_eq!(checked, 64);
}

#[test]
fn geographic_utm_and_web_mercator_within_a_centimetre_of_proj() {
    // (code, longitudes, latitudes, whether PROJ orders its axes latitude first)
    type Range = (f64, f64);
    let cases: [(&str, Range, Range, bool); 6] = [
        ("EPSG:4490", (73.0, 135.0), (18.0, 53.0), true),
        ("EPSG:32650", (114.0, 120.0), (0.0, 60.0), false),
        ("EPSG:32649", (108.0, 114.0), (20.0, 45.0), false),
        ("EPSG:32751", (120.0, 126.0), (-40.0, -1.0), false),
        ("EPSG:3857", (73.0, 135.0), (18.0, 53.0), false),
        ("EPSG:4326", (73.0, 135.0), (18.0, 53.0), true),
    ];
    for (code, lon, lat, geographic) in cases {
        let crs = Crs::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        let worst = worst_error(code, &crs, &grid(lon, lat), false, geographic);
        assert!(worst < 0.01, "{code}: {worst} m from PROJ");
    }
}

#[test]
fn a_proj_string_and_a_prj_without_an_authority_within_a_centimetre_of_proj() {
    // What ogr2ogr writes into a Shapefile's .prj for EPSG:4548: ESRI's WKT, no EPSG authority.
    let esri = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    let crs = Crs::parse(esri).expect("ESRI WKT");
    assert_eq!(crs.name(), "CGCS2000_3_Degree_GK_CM_117E");
    let worst = worst_error("EPSG:4548", &crs, &grid((115.6, 118.4), (30.0, 45.0)), true, false);
    assert!(worst < 0.01, "ESRI WKT: {worst} m from PROJ");
    let proj = "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=39500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";
    let crs = Crs::parse(proj).expect("PROJ string");
    let worst = worst_error("EPSG:4527", &crs, &grid((115.6, 118.4), (30.0, 45.0)), true, false);
    assert!(worst < 0.01, "PROJ string: {worst} m from PROJ");
}

#[test]
fn names_it_cannot_read_are_refused_with_the_name() {
    let e = Crs::parse("EPSG:123456").expect_err("not a code");
    assert!(e.contains("EPSG:123456"), "{e}");
    let e = Crs::parse("Beijing local grid").expect_err("not a CRS");
    assert!(e.contains("Beijing local grid"), "{e}");
    // A projected coordinate read as if it were degrees lands off the globe: named, not drawn.
    let e = Crs::wgs84()
        .to_wgs84(628_100.0, 4_160_759.0)
        .expect_err("off the globe");
    assert!(e.contains("off the globe"), "{e}");
}
