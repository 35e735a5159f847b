//! Source strength: the rate at which a chemical leaves its containment, which the plume and
//! puff models take as their release.

pub mod boiling_pool;
pub mod drain;
pub mod flash;
pub mod gas_hole;
pub mod gas_pipeline;
pub mod pool;
pub mod tank_liquid;
pub mod two_phase;
pub mod vessel;

pub use flash::Flash;
pub use gas_hole::{GasHole, ideal_gas_density};
pub use tank_liquid::TankHole;
pub use vessel::Vessel;

/// The area of a round hole of diameter `d`, m².
pub(crate) fn hole_area(d: f64) -> f64 {
    std::f64::consts::PI * d * d / 4.0
}
