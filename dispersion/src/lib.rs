//! ParkTwin's dispersion engine: the Gaussian models emergency planners know (ALOHA's Gaussian
//! model, ISC3), in plain Rust with no Bevy and no I/O, so it builds for the browser too.
//!
//! - [`britter_mcquaid`]: a dense gas's plume and puff (Britter & McQuaid's workbook).
//! - [`dense_zones`]: ALOHA's switch to the heavy-gas model, and the heavy cloud's footprint.
//! - [`stability`]: Pasquill–Gifford classes, derived from wind, insolation and cloud.
//! - [`sigma`]: σy, σz from Briggs (1973) rural and urban and ISC3 rural Pasquill–Gifford.
//! - [`wind`]: direction conventions and the power-law profile.
//! - [`model`]: the steady plume with ground (and mixing-lid) reflection, Gaussian puffs and
//!   puff trains carried by a changing wind, threat at a point over time.
//! - [`grid`]: ground-level grids, a reference and a fast evaluation.
//! - [`zones`]: threat-zone polygons, farthest reach, who is inside, GeoJSON.
//! - [`chem`]: ppm ↔ mg/m³ and levels of concern.
//! - [`incident`]: an incident's zones, its field at a moment and the threat at a point.
//!
//! ```
//! use parktwin_dispersion::model::{Atmosphere, Plume};
//! use parktwin_dispersion::{sigma::SigmaSet, stability::Stability};
//! let atmosphere = Atmosphere { wind_speed: 3.0, wind_from_deg: 270.0, wind_height: 10.0,
//!     stability: Stability::D, sigmas: SigmaSet::BriggsRural, mixing_height: None };
//! let plume = Plume { rate_kg_s: 1.0, height: 0.0, atmosphere };
//! // 1 kg/s at ground level, D, 3 m/s: Q/(π u σy σz) ≈ 37 mg/m³ on the centreline 1 km east.
//! let c = plume.concentration(1000.0, 0.0, 0.0);
//! assert!((c - 36.7).abs() < 0.1, "{c}");
//! ```

pub mod britter_mcquaid;
pub mod chem;
pub mod dense_zones;
pub mod grid;
pub mod incident;
pub mod model;
pub mod sigma;
pub mod stability;
pub mod wind;
pub mod zones;
