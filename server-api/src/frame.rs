//! The park's local frame: WGS84 longitude/latitude ↔ metres east and north of the park origin.
//!
//! The frame is the topocentric east-north-up frame of the WGS84 ellipsoid at the park origin
//! (the same as PROJ's `+proj=topocentric`). The map is drawn on its east/north plane; a point's
//! own height above ground is kept as "up", so the ground of a park stays flat in the scene.
//! The conversion is closed-form (geodetic → ECEF → rotation), exact to well under a millimetre,
//! which the tests check against PROJ itself.

/// WGS84 semi-major axis, metres.
pub const WGS84_A: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
const E2: f64 = WGS84_F * (2.0 - WGS84_F);

/// A park's local east-north-up frame around an origin given in WGS84 degrees.
///
/// ```
/// use parktwin_api::frame::LocalFrame;
/// let f = LocalFrame::new(118.45, 37.57);
/// let [e, n, _] = f.to_local(118.46, 37.57, 0.0);
/// assert!((e - 883.43).abs() < 0.01 && (n - 0.047).abs() < 0.01); // as PROJ says
/// let (lon, lat) = f.to_wgs84(e, n);
/// assert!((lon - 118.46).abs() < 1e-9 && (lat - 37.57).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    /// Origin longitude, degrees east.
    pub lon0: f64,
    /// Origin latitude, degrees north.
    pub lat0: f64,
    origin_ecef: [f64; 3],
}

/// Geodetic (degrees, metres above the ellipsoid) to earth-centred earth-fixed metres.
fn geodetic_to_ecef(lon: f64, lat: f64, h: f64) -> [f64; 3] {
    let (sl, cl) = lat.to_radians().sin_cos();
    let (so, co) = lon.to_radians().sin_cos();
    let n = WGS84_A / (1.0 - E2 * sl * sl).sqrt();
    [(n + h) * cl * co, (n + h) * cl * so, (n * (1.0 - E2) + h) * sl]
}

/// Earth-centred earth-fixed metres to geodetic (degrees, metres), by Bowring's iteration
/// (converges to below 1e-12 rad in three steps anywhere near the surface).
fn ecef_to_geodetic(p: [f64; 3]) -> (f64, f64, f64) {
    let [x, y, z] = p;
    let lon = y.atan2(x);
    let r = (x * x + y * y).sqrt();
    let mut lat = z.atan2(r * (1.0 - E2));
    let mut h = 0.0;
    for _ in 0..5 {
        let sl = lat.sin();
        let n = WGS84_A / (1.0 - E2 * sl * sl).sqrt();
        h = r / lat.cos() - n;
        lat = z.atan2(r * (1.0 - E2 * n / (n + h)));
    }
    (lon.to_degrees(), lat.to_degrees(), h)
}

impl LocalFrame {
    /// The frame whose origin is at `lon0`, `lat0` (degrees) on the ellipsoid.
    pub fn new(lon0: f64, lat0: f64) -> Self {
        Self {
            lon0,
            lat0,
            origin_ecef: geodetic_to_ecef(lon0, lat0, 0.0),
        }
    }

    /// Topocentric east, north, up (metres) of a WGS84 point (degrees, height above ellipsoid).
    pub fn to_local(&self, lon: f64, lat: f64, h: f64) -> [f64; 3] {
        let p = geodetic_to_ecef(lon, lat, h);
        let o = self.origin_ecef;
        let d = [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
        let (sl, cl) = self.lat0.to_radians().sin_cos();
        let (so, co) = self.lon0.to_radians().sin_cos();
        let e = -so * d[0] + co * d[1];
        let n = -sl * co * d[0] - sl * so * d[1] + cl * d[2];
        let u = cl * co * d[0] + cl * so * d[1] + sl * d[2];
        [e, n, u]
    }

    /// Metres east and north on the map plane for a WGS84 point on the ground.
    pub fn to_map(&self, lon: f64, lat: f64) -> [f64; 2] {
        let [e, n, _] = self.to_local(lon, lat, 0.0);
        [e, n]
    }

    /// ECEF of a topocentric point.
    fn local_to_ecef(&self, e: f64, n: f64, u: f64) -> [f64; 3] {
        let (sl, cl) = self.lat0.to_radians().sin_cos();
        let (so, co) = self.lon0.to_radians().sin_cos();
        let o = self.origin_ecef;
        [
            o[0] - so * e - sl * co * n + cl * co * u,
            o[1] + co * e - sl * so * n + cl * so * u,
            o[2] + cl * n + sl * u,
        ]
    }

    /// The WGS84 point on the ground (height 0) whose map position is `e`, `n` metres.
    ///
    /// The inverse of [`LocalFrame::to_map`]: the point below the tangent plane is found by
    /// letting "up" fall with the earth's curvature until the height above the ellipsoid is zero.
    pub fn to_wgs84(&self, e: f64, n: f64) -> (f64, f64) {
        let mut u = -(e * e + n * n) / (2.0 * WGS84_A);
        let mut out = (self.lon0, self.lat0);
        for _ in 0..4 {
            let (lon, lat, h) = ecef_to_geodetic(self.local_to_ecef(e, n, u));
            out = (lon, lat);
            if h.abs() < 1e-6 {
                break;
            }
            u -= h;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_maps_to_zero() {
        let f = LocalFrame::new(118.45, 37.57);
        let p = f.to_local(118.45, 37.57, 0.0);
        assert!(p.iter().all(|c| c.abs() < 1e-6), "{p:?}");
    }

    #[test]
    fn round_trip_within_20_km_is_sub_millimetre() {
        let f = LocalFrame::new(118.45, 37.57);
        for &(e, n) in &[(20_000.0, 0.0), (0.0, -20_000.0), (-14_000.0, 14_000.0), (123.4, 5.6)] {
            let (lon, lat) = f.to_wgs84(e, n);
            let [e2, n2] = f.to_map(lon, lat);
            assert!((e - e2).abs() < 1e-3 && (n - n2).abs() < 1e-3, "{e},{n} -> {e2},{n2}");
        }
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let f = LocalFrame::new(118.45, 37.0);
        let [_, n] = f.to_map(118.45, 37.1);
        // Meridian arc of 0.1° at 37°N on WGS84 is 11 097 m (Vincenty).
        assert!((n - 11_097.0).abs() < 5.0, "{n}");
    }
}
