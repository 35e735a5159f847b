//! GCJ-02 and BD-09: the offset coordinates of Chinese web maps (Amap, Tencent; Baidu), back to
//! WGS84.
//!
//! GCJ-02's forward transform is the widely published reconstruction (the "eviltransform"
//! polynomials on the Krasovsky 1940 ellipsoid, a = 6,378,245 m, e² = 0.00669342162296594323);
//! BD-09 adds Baidu's published rotation and shift to GCJ-02. Neither has a closed inverse: the
//! one-step inverse most libraries use is off by up to a few metres, so the inverses here solve
//! the forward transform by fixed-point iteration until it returns the input within 1e-9° (about
//! 0.1 mm). Written here rather than taken from a crate because the crates offer only the one-step
//! inverse.

use std::f64::consts::PI;

const KRASOVSKY_A: f64 = 6_378_245.0;
// As published (0.00669342162296594323); an f64 keeps the first 17 digits.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
const BD_X_PI: f64 = PI * 3000.0 / 180.0;

/// Whether a point lies outside China's bounding box, where GCJ-02 is WGS84 itself.
fn outside_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 → GCJ-02, degrees.
///
/// ```
/// // wandergis/coordtransform's published example (test/app.js).
/// let (lon, lat) = parktwin_import::crs::wgs84_to_gcj02(116.404, 39.915);
/// assert!((lon - 116.41024449916938).abs() < 1e-12 && (lat - 39.91640428150164).abs() < 1e-12);
/// ```
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    let dlat = shift_lat(lon - 105.0, lat - 35.0);
    let dlon = shift_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = dlat * 180.0 / (KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (magic * sqrt_magic) * PI);
    let dlon = dlon * 180.0 / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → BD-09, degrees.
///
/// ```
/// let (lon, lat) = parktwin_import::crs::gcj02_to_bd09(116.404, 39.915);
/// assert!((lon - 116.41036949371029).abs() < 1e-12 && (lat - 39.92133699351021).abs() < 1e-12);
/// ```
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * BD_X_PI).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * BD_X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// Solves `forward(x) = target` by fixed-point iteration from `target` itself: the offsets are
/// small and smooth, so each step removes most of the remaining error.
fn invert(target: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut lon, mut lat) = target;
    for _ in 0..30 {
        let (flon, flat) = forward(lon, lat);
        let (elon, elat) = (flon - target.0, flat - target.1);
        lon -= elon;
        lat -= elat;
        if elon.abs() < 1e-10 && elat.abs() < 1e-10 {
            break;
        }
    }
    (lon, lat)
}

/// GCJ-02 → WGS84, degrees (the forward transform inverted by iteration).
///
/// ```
/// let (lon, lat) = parktwin_import::crs::gcj02_to_wgs84(116.41024449916938, 39.91640428150164);
/// assert!((lon - 116.404).abs() < 1e-9 && (lat - 39.915).abs() < 1e-9);
/// ```
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    invert((lon, lat), wgs84_to_gcj02)
}

/// BD-09 → GCJ-02, degrees (Baidu's transform inverted by iteration).
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert((lon, lat), gcj02_to_bd09)
}

/// BD-09 → WGS84, degrees.
pub fn bd09_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (lon, lat) = bd09_to_gcj02(lon, lat);
    gcj02_to_wgs84(lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metres between two WGS84 points close together (an equirectangular approximation, well
    /// under a millimetre off at these distances).
    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        let r = 6_371_008.8;
        let dx = (a.0 - b.0).to_radians() * r * ((a.1 + b.1) / 2.0).to_radians().cos();
        let dy = (a.1 - b.1).to_radians() * r;
        dx.hypot(dy)
    }

    #[test]
    fn the_published_examples() {
        // wandergis/coordtransform, test/app.js: the four transforms of (116.404, 39.915).
        let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12;
        assert!(close(
            wgs84_to_gcj02(116.404, 39.915),
            (116.41024449916938, 39.91640428150164)
        ));
        assert!(close(
            gcj02_to_bd09(116.404, 39.915),
            (116.41036949371029, 39.92133699351021)
        ));
        // The library's own inverses are the one-step approximations; ours solve the forward
        // transforms, so they agree with them only to a few metres, and the forward transform
        // of ours returns the input exactly.
        let one_step_gcj_to_wgs = (116.39775550083061, 39.91359571849836);
        let ours = gcj02_to_wgs84(116.404, 39.915);
        assert!(metres(ours, one_step_gcj_to_wgs) < 3.0, "{ours:?}");
        let one_step_bd_to_gcj = (116.39762729119315, 39.90865673957631);
        let ours = bd09_to_gcj02(116.404, 39.915);
        assert!(metres(ours, one_step_bd_to_gcj) < 3.0, "{ours:?}");
    }

    #[test]
    fn the_inverses_round_trip_under_half_a_metre_across_china() {
        let mut worst: f64 = 0.0;
        for i in 0..=40 {
            for j in 0..=30 {
                let wgs = (74.0 + 63.0 * f64::from(i) / 40.0, 18.0 + 35.0 * f64::from(j) / 30.0);
                let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
                worst = worst.max(metres(gcj02_to_wgs84(gcj.0, gcj.1), wgs));
                let bd = gcj02_to_bd09(gcj.0, gcj.1);
                worst = worst.max(metres(bd09_to_wgs84(bd.0, bd.1), wgs));
                // The offsets are real: hundreds of metres, not nothing.
                assert!(metres(gcj, wgs) > 10.0, "{wgs:?}");
            }
        }
        assert!(worst < 0.5, "worst round trip {worst} m");
        assert!(worst < 0.001, "the iteration converges far below the goal: {worst} m");
    }

    #[test]
    fn outside_china_gcj02_is_wgs84() {
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
        assert_eq!(gcj02_to_wgs84(2.35, 48.85), (2.35, 48.85));
    }
}
