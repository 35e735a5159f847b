//! The local frame checked against PROJ itself (`cct` from Debian's proj-bin, PROJ 9):
//! within 20 km of the park origin, ParkTwin and PROJ agree to under 1 cm.

use std::io::Write;
use std::process::{Command, Stdio};

use parktwin_api::frame::LocalFrame;

const LON0: f64 = 118.45;
const LAT0: f64 = 37.57;

/// Runs PROJ's topocentric pipeline over `lon lat h` lines and returns `e n u` per line.
fn proj_topocentric(points: &[(f64, f64, f64)]) -> Vec<[f64; 3]> {
    let pipeline = format!(
        "+proj=pipeline +step +proj=cart +ellps=WGS84 +step +proj=topocentric +ellps=WGS84 +lon_0={LON0} +lat_0={LAT0}"
    );
    let mut child = Command::new("cct")
        .args(["-d", "6"])
        .args(pipeline.split(' '))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("PROJ's `cct` must be installed (Debian package proj-bin); scripts/test installs it");
    let mut input = String::new();
    for (lon, lat, h) in points {
        input.push_str(&format!("{lon:.12} {lat:.12} {h:.4} 0\n"));
    }
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write to cct");
    let out = child.wait_with_output().expect("cct runs");
    assert!(
        out.status.success(),
        "cct failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Vec<f64> = l
                .split_whitespace()
                .take(3)
                .map(|x| x.parse().expect("number from cct"))
                .collect();
            [v[0], v[1], v[2]]
        })
        .collect()
}

/// A ring of test points out to 20 km in every direction, with heights up to 150 m.
fn sample_points() -> Vec<(f64, f64, f64)> {
    let f = LocalFrame::new(LON0, LAT0);
    let mut pts = vec![(LON0, LAT0, 0.0)];
    for r in [50.0, 1_000.0, 5_000.0, 12_000.0, 20_000.0] {
        for k in 0..16 {
            let a = k as f64 / 16.0 * std::f64::consts::TAU;
            let (lon, lat) = f.to_wgs84(r * a.cos(), r * a.sin());
            pts.push((lon, lat, (k % 4) as f64 * 50.0));
        }
    }
    pts
}

#[test]
fn forward_matches_proj_to_a_centimetre_within_20_km() {
    let f = LocalFrame::new(LON0, LAT0);
    let pts = sample_points();
    let proj = proj_topocentric(&pts);
    assert_eq!(proj.len(), pts.len());
    let mut worst: f64 = 0.0;
    for ((lon, lat, h), p) in pts.iter().zip(&proj) {
        let ours = f.to_local(*lon, *lat, *h);
        let d = ((ours[0] - p[0]).powi(2) + (ours[1] - p[1]).powi(2) + (ours[2] - p[2]).powi(2)).sqrt();
        worst = worst.max(d);
        assert!(d < 0.01, "at {lon},{lat},{h}: ours {ours:?}, PROJ {p:?}, {d} m apart");
    }
    eprintln!("largest difference from PROJ: {:.2e} m", worst);
}

#[test]
fn inverse_lands_on_the_ground_where_proj_says() {
    // to_wgs84 gives the point on the ellipsoid (h = 0) under a map position; PROJ's forward
    // transform of that point must give back the same east/north.
    let f = LocalFrame::new(LON0, LAT0);
    let targets: Vec<(f64, f64)> = (0..24)
        .map(|k| {
            let a = k as f64 / 24.0 * std::f64::consts::TAU;
            let r = 800.0 * (k + 1) as f64;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let pts: Vec<(f64, f64, f64)> = targets
        .iter()
        .map(|(e, n)| {
            let (lon, lat) = f.to_wgs84(*e, *n);
            (lon, lat, 0.0)
        })
        .collect();
    for ((e, n), p) in targets.iter().zip(proj_topocentric(&pts)) {
        let d = ((e - p[0]).powi(2) + (n - p[1]).powi(2)).sqrt();
        assert!(d < 0.01, "map ({e}, {n}) -> PROJ ({}, {}): {d} m apart", p[0], p[1]);
    }
}
