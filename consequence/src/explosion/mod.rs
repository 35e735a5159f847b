//! Explosions: how hard the blast is, and how far it reaches.

pub mod multi_energy;
pub mod tnt;

pub use multi_energy::MultiEnergyBlast;
pub use tnt::TntBlast;

/// An overpressure level of concern: the peak side-on overpressure a zone on the map is drawn
/// at.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct OverpressureLevel {
    /// The overpressure, Pa.
    pub pa: f64,
    /// Its name as ALOHA gives it.
    pub name: &'static str,
    /// What it does, in English.
    pub effect: &'static str,
    /// What it does, in Chinese.
    pub effect_zh: &'static str,
}

/// ALOHA's default overpressure levels of concern, red to yellow: 8.0 psi (buildings
/// destroyed), 3.5 psi (serious injury likely), 1.0 psi (windows shattered) (NOAA & EPA,
/// *ALOHA Technical Documentation*, NOAA Technical Memorandum NOS OR&R 43, 2013), in Pa at
/// 6,894.76 Pa/psi.
pub const ALOHA_OVERPRESSURE_LEVELS: [OverpressureLevel; 3] = [
    OverpressureLevel {
        pa: 55_158.0,
        name: "8 psi",
        effect: "buildings destroyed",
        effect_zh: "建筑物摧毁",
    },
    OverpressureLevel {
        pa: 24_132.0,
        name: "3.5 psi",
        effect: "serious injury likely",
        effect_zh: "可能重伤",
    },
    OverpressureLevel {
        pa: 6_895.0,
        name: "1 psi",
        effect: "windows shattered",
        effect_zh: "玻璃破碎",
    },
];
