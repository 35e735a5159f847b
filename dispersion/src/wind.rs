//! Wind: direction conventions and the power-law profile.

use crate::stability::Stability;

/// Power-law exponents p of u(z) = u_ref · (z / z_ref)^p by class, rural and urban
/// (US EPA ISC3 User's Guide Vol. II, §1.1.5.1 — the same values AERMOD's predecessors used).
pub fn power_law_exponent(class: Stability, urban: bool) -> f64 {
    let rural = [0.07, 0.07, 0.10, 0.15, 0.35, 0.55];
    let urb = [0.15, 0.15, 0.20, 0.25, 0.30, 0.30];
    (if urban { urb } else { rural })[class.index()]
}

/// Wind speed at `height` from a speed measured at `ref_height`, by the power law. As in ISC3,
/// the profile is not extrapolated below 10 m (or below the measurement height, if lower): a
/// ground-level release uses the 10 m wind. When the heights are equal the speed is returned as is.
///
/// ```
/// use parktwin_dispersion::{wind::speed_at, stability::Stability};
/// assert_eq!(speed_at(3.0, 10.0, 10.0, Stability::D, false), 3.0);
/// assert_eq!(speed_at(3.0, 10.0, 2.0, Stability::F, false), 3.0);
/// assert!((speed_at(3.0, 10.0, 40.0, Stability::D, false) - 3.0 * 4f64.powf(0.15)).abs() < 1e-12);
/// ```
pub fn speed_at(speed: f64, ref_height: f64, height: f64, class: Stability, urban: bool) -> f64 {
    let floor = ref_height.min(10.0);
    let h = height.max(floor);
    if (h - ref_height).abs() < 1e-9 {
        return speed;
    }
    speed * (h / ref_height.max(0.1)).powf(power_law_exponent(class, urban))
}

/// The unit vector (east, north) the wind blows toward, for a wind coming FROM `from_deg`
/// (meteorological: 270 = from the west, blowing east).
pub fn downwind_unit(from_deg: f64) -> (f64, f64) {
    let r = from_deg.to_radians();
    (-r.sin(), -r.cos())
}

/// Downwind and crosswind (to the left of the wind) distances of a point east/north of the
/// source.
pub fn along_across(east: f64, north: f64, from_deg: f64) -> (f64, f64) {
    let (dx, dy) = downwind_unit(from_deg);
    (east * dx + north * dy, -east * dy + north * dx)
}
