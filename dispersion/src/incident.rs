//! An incident's physics: its threat zones (the footprint under the weather now in force), the
//! ground-level field at a moment (what the map draws), and the threat at a point over time.
//!
//! The server, the CLI and the client all go through these functions, so the zones a client
//! shows, the zones the server serves and the zones `parktwin plume --zones` prints agree.
//!
//! - A **continuous** release's zones are the steady plume's (ALOHA's threat zone for a
//!   continuous source); on the map, while the wind holds, the field is that plume between the
//!   cloud's tail and its front (`u·(t − duration)` and `u·t` downwind); once the wind shifts it
//!   is a train of puffs, each carried by the wind of each moment.
//! - A rate that **changes over time** (a tank draining through a hole) is a train of puffs
//!   from the start, each carrying what left in its interval; its zones are the steady plume's
//!   at the largest rate, as ALOHA draws a time-varying release's threat zone at its largest
//!   sustained rate.
//! - An **instantaneous** release's zones are the puff's envelope: the highest concentration
//!   each place sees while the puff passes. On the map it is the puff itself.

use geo::Coord;
use parktwin_api::incident::Incident;
use parktwin_api::model::Chemical;
use rayon::prelude::*;

use crate::britter_mcquaid::{DensePlume, DensePuff, reduced_gravity};
use crate::chem::{LevelOfConcern, LevelSet, levels_of_concern};
use crate::dense_zones::{DenseSwitch, continuous_switch, instantaneous_switch, plume_zone, puff_zone};
use crate::grid::{Grid, GridSpec, plume_grid};
use crate::model::{Atmosphere, Plume, Puff, PuffTrain, WindChange};
use crate::sigma::{SigmaSet, sigmas};
use crate::stability::{Insolation, Sky, Stability, pasquill_class};
use crate::wind::{along_across, downwind_unit};
use crate::zones::{
    CIRCLE_VERTICES, LevelUnit, Zone, ZoneError, circle_zone, outline_zone, threat_zones, zones_geojson,
};
use parktwin_api::incident::CloudModel;
use parktwin_consequence::incident::Burning;
use parktwin_consequence::source::ideal_gas_density;
use parktwin_consequence::{ATMOSPHERE_PA, air_density_kg_m3};

/// The σ curves incidents use: Briggs (1973) open country, as the CLI's default.
pub const INCIDENT_SIGMAS: SigmaSet = SigmaSet::BriggsRural;

/// Cells each way of the grid zones are contoured on (the CLI's default too).
pub const ZONE_CELLS: usize = 401;

/// How far zones are drawn, m. ALOHA does not report threat zones beyond 10 km either: the
/// Gaussian model's assumptions (a steady, uniform wind over flat ground) do not hold that far,
/// and a grid wide enough for 50 km would be too coarse to show the red zone near the source.
pub const MAX_ZONE_M: f64 = 10_000.0;

/// Time between the puffs of a continuous release on the map, s (coarsened so that no more
/// than the cap given to [`field_at`] are in the air).
pub const PUFF_INTERVAL_S: f64 = 5.0;

/// The sun's elevation above the horizon, degrees, at a place and a Unix time (NOAA's
/// low-precision solar position, good to about 0.5°; enough to pick an insolation class).
///
/// ```
/// // Noon at the equator at an equinox: the sun is nearly overhead.
/// let e = parktwin_dispersion::incident::solar_elevation_deg(0.0, 0.0, 1_679_313_600.0);
/// assert!(e > 85.0, "{e}");
/// ```
pub fn solar_elevation_deg(lon: f64, lat: f64, unix_s: f64) -> f64 {
    let d = unix_s / 86_400.0 - 10_957.5; // days since J2000.0 (2000-01-01 12:00 UTC)
    let g = (357.529 + 0.985_600_28 * d).to_radians();
    let q = 280.459 + 0.985_647_36 * d;
    let l = (q + 1.915 * g.sin() + 0.020 * (2.0 * g).sin()).to_radians();
    let e = (23.439 - 0.000_000_36 * d).to_radians();
    let ra = (e.cos() * l.sin()).atan2(l.cos());
    let dec = (e.sin() * l.sin()).asin();
    let gmst = (18.697_374_558 + 24.065_709_824_419_08 * d).rem_euclid(24.0) * 15.0;
    let hour_angle = (gmst + lon).to_radians() - ra;
    let lat = lat.to_radians();
    (lat.sin() * dec.sin() + lat.cos() * dec.cos() * hour_angle.cos())
        .asin()
        .to_degrees()
}

/// The Pasquill–Gifford class for a 10 m wind, the sun's elevation and the cloud cover.
///
/// Insolation from the sun's elevation as Turner (1964) grades it: above 60° strong, 35–60°
/// moderate, below 35° slight; 5 oktas of cloud or more lowers it one step. The sun at or below
/// the horizon is night. Where the cloud is not reported the side that gives the longer zones
/// is taken: 5 oktas by day (less mixing), a clear sky by night (class F in light wind).
pub fn class_for(wind_10m: f64, cloud_oktas: Option<u8>, sun_elevation_deg: f64) -> Stability {
    if sun_elevation_deg <= 0.0 {
        return pasquill_class(
            wind_10m,
            Sky::Night {
                cloud_oktas: cloud_oktas.unwrap_or(0),
            },
        );
    }
    let cloud = cloud_oktas.unwrap_or(5);
    let mut step = if sun_elevation_deg > 60.0 {
        2
    } else if sun_elevation_deg > 35.0 {
        1
    } else {
        0
    };
    if cloud >= 5 && step > 0 {
        step -= 1;
    }
    let insolation = [Insolation::Slight, Insolation::Moderate, Insolation::Strong][step];
    pasquill_class(
        wind_10m,
        Sky::Day {
            insolation,
            cloud_oktas: cloud,
        },
    )
}

/// Why an incident cannot be modelled.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// A stored stability class that is not A–F.
    #[error("stability class: {0}")]
    Stability(String),
    /// The chemical has none of the levels asked for.
    #[error("{0} has no published levels of concern of that set")]
    NoLevels(String),
    /// Contouring failed.
    #[error(transparent)]
    Zones(#[from] ZoneError),
    /// A fire's or a blast's model cannot be made (the field named).
    #[error("{0}")]
    Burning(String),
    /// The incident is a fire or a blast, not a cloud: it has no concentrations.
    #[error("a {0} has no cloud: its zones are a fire's or a blast's")]
    NotACloud(&'static str),
}

/// How an incident's cloud is drawn now, and why.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct CloudChoice {
    /// The switch's reading of the release (ALOHA's Richardson number for a continuous one,
    /// Britter & McQuaid's criterion for a puff).
    pub switch: DenseSwitch,
    /// Drawn by the heavy-gas workbook (the switch's answer, or the incident's own choice).
    pub dense: bool,
    /// The released vapour's temperature, K: its boiling point where that is below the air's
    /// (a liquefied gas flashing), else the air's.
    pub release_k: f64,
    /// The released vapour's density, kg/m³, and the air's.
    pub density_kg_m3: f64,
    /// The air's density, kg/m³.
    pub air_kg_m3: f64,
}

/// The dense model of a cloud: a plume or a puff.
enum DenseCloud {
    Plume(DensePlume),
    Puff(DensePuff),
}

/// How a cloud incident's zones are drawn under the weather now in force; `None` for a fire or
/// a blast, or a cloud with no amount.
pub fn cloud_choice(inc: &Incident, chem: &Chemical) -> Option<CloudChoice> {
    Some(dense_cloud(inc, chem)?.0)
}

fn dense_cloud(inc: &Incident, chem: &Chemical) -> Option<(CloudChoice, DenseCloud)> {
    if !inc.hazard.is_cloud() {
        return None;
    }
    let air_k = inc.weather.temperature_c + 273.15;
    let release_k = chem.boiling_point_k.filter(|tb| *tb < air_k).unwrap_or(air_k);
    let density = ideal_gas_density(ATMOSPHERE_PA, release_k, chem.molar_mass / 1000.0);
    let air = air_density_kg_m3(air_k);
    let (speed, _, _) = inc.weather_now();
    let g = reduced_gravity(density, air);
    let ratio = release_k / air_k;
    let (switch, model) = match (inc.rate_kg_s, inc.mass_kg) {
        (_, Some(mass)) => {
            let puff = DensePuff::new(mass / density, g, speed, ratio);
            (instantaneous_switch(&puff), DenseCloud::Puff(puff))
        }
        (Some(rate), None) => (
            continuous_switch(rate, density, air, speed),
            DenseCloud::Plume(DensePlume::new(rate / density, g, speed, ratio)),
        ),
        (None, None) => return None,
    };
    // The workbook holds for a cloud heavier than the air only.
    let dense = g > 0.0
        && match inc.cloud_model {
            CloudModel::Auto => switch.dense,
            CloudModel::Gaussian => false,
            CloudModel::Dense => true,
        };
    let choice = CloudChoice {
        switch,
        dense,
        release_k,
        density_kg_m3: density,
        air_kg_m3: air,
    };
    Some((choice, model))
}

/// The atmosphere for a wind (10 m), direction and class.
pub fn atmosphere(wind_speed: f64, wind_from_deg: f64, class: Stability) -> Atmosphere {
    Atmosphere {
        wind_speed,
        wind_from_deg,
        wind_height: 10.0,
        stability: class,
        sigmas: INCIDENT_SIGMAS,
        mixing_height: None,
    }
}

fn class_of(s: &str) -> Result<Stability, IncidentError> {
    s.parse().map_err(IncidentError::Stability)
}

/// The incident's levels of concern, most severe first.
pub fn incident_levels(inc: &Incident, chem: &Chemical) -> Result<Vec<LevelOfConcern>, IncidentError> {
    if !inc.hazard.is_cloud() {
        return Err(IncidentError::NotACloud(inc.hazard.as_str()));
    }
    // The server stored a checked name; an unknown one (an older row) reads as the default.
    let set = LevelSet::parse(&inc.levels).unwrap_or(LevelSet::Aegl60);
    let l = levels_of_concern(chem, set, inc.weather.temperature_c);
    if l.is_empty() {
        return Err(IncidentError::NoLevels(chem.name.clone()));
    }
    Ok(l)
}

/// What a threat zone is the footprint of.
#[derive(Debug, Clone, PartialEq)]
pub enum Footprint {
    /// A continuous release: the steady plume.
    Steady(Plume),
    /// An instantaneous release: the envelope of one puff as it passes.
    Puff {
        /// Mass released, kg.
        mass_kg: f64,
        /// Release height, m.
        height: f64,
        /// The atmosphere.
        atmosphere: Atmosphere,
    },
}

impl Footprint {
    /// The footprint of an incident under the weather now in force.
    pub fn of(inc: &Incident) -> Result<Self, IncidentError> {
        let (speed, from, class) = inc.weather_now();
        let atmosphere = atmosphere(speed, from, class_of(&class)?);
        Ok(match (inc.rate_kg_s, inc.mass_kg) {
            (_, Some(mass_kg)) => Footprint::Puff {
                mass_kg,
                height: inc.height_m,
                atmosphere,
            },
            (rate, None) => Footprint::Steady(Plume {
                rate_kg_s: rate.unwrap_or(0.0),
                height: inc.height_m,
                atmosphere,
            }),
        })
    }

    fn atmosphere(&self) -> &Atmosphere {
        match self {
            Footprint::Steady(p) => &p.atmosphere,
            Footprint::Puff { atmosphere, .. } => atmosphere,
        }
    }

    /// Ground-level concentration (mg/m³) at a point: the plume's, or the most the puff brings.
    pub fn concentration(&self, east: f64, north: f64) -> f64 {
        match self {
            Footprint::Steady(p) => p.concentration(east, north, 0.0),
            Footprint::Puff {
                mass_kg,
                height,
                atmosphere,
            } => puff_envelope(*mass_kg, *height, atmosphere, east, north),
        }
    }

    /// How far downwind the ground-level centreline stays at or above `level` (mg/m³),
    /// searched out to [`MAX_ZONE_M`].
    pub fn reach(&self, level: f64) -> f64 {
        let (dx, dy) = downwind_unit(self.atmosphere().wind_from_deg);
        let mut reach: f64 = 0.0;
        let mut x = 5.0;
        while x < MAX_ZONE_M {
            if self.concentration(x * dx, x * dy) >= level {
                reach = x;
            }
            x *= 1.03;
        }
        reach
    }

    /// The ground-level grid of `cells`×`cells` cells of `step` m around the source.
    pub fn grid(&self, cells: usize, step: f64) -> Grid {
        let spec = GridSpec::centred(cells, step);
        match self {
            Footprint::Steady(p) => plume_grid(p, spec, 0.0, true),
            Footprint::Puff { .. } => {
                let mut values = vec![0.0; spec.nx * spec.ny];
                values.par_chunks_mut(spec.nx).enumerate().for_each(|(j, row)| {
                    for (i, v) in row.iter_mut().enumerate() {
                        let (e, n) = spec.centre(i, j);
                        *v = self.concentration(e, n);
                    }
                });
                Grid { spec, values }
            }
        }
    }

    /// The cell size that holds the zones of `levels` (mg/m³) on a grid of `cells` cells: the
    /// reach of the mildest level (of 1 mg/m³ without levels), 15 % to spare, at least 200 m.
    pub fn zone_step(&self, levels: &[(String, f64)], cells: usize) -> f64 {
        let mildest = levels.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
        let floor = if mildest.is_finite() { mildest.max(1e-3) } else { 1.0 };
        (2.0 * 1.15 * self.reach(floor).max(200.0) / (cells - 1) as f64).max(0.5)
    }

    /// The threat zones for `levels` (name, mg/m³), most severe first, each with the cell size
    /// it was contoured at. Without `step`, each level gets a grid of `cells` cells sized to
    /// its own reach ([`Footprint::zone_step`]): the red zone of a release whose mildest zone
    /// runs 20 km is a few hundred metres long, and one grid for both would lose it between
    /// cells. With `step`, one grid of that cell size serves all levels.
    pub fn zones(
        &self,
        levels: &[(String, f64)],
        cells: usize,
        step: Option<f64>,
    ) -> Result<Vec<(Zone, f64)>, ZoneError> {
        let from = self.atmosphere().wind_from_deg;
        if let Some(step) = step {
            let grid = self.grid(cells, step);
            return Ok(threat_zones(&grid, levels, from)?
                .into_iter()
                .map(|z| (z, step))
                .collect());
        }
        levels
            .iter()
            .map(|level| {
                let one = std::slice::from_ref(level);
                let step = self.zone_step(one, cells);
                let grid = self.grid(cells, step);
                let zone = threat_zones(&grid, one, from)?.remove(0);
                Ok((zone, step))
            })
            .collect()
    }
}

/// The most a puff of `mass_kg` released at `height` brings to a ground point while it
/// passes: its concentration maximised over the distance it has travelled, searched around the
/// point's downwind distance (where the peak is: a little before it, as σ grows) and, near the
/// source, over the first metres.
pub fn puff_envelope(mass_kg: f64, height: f64, atm: &Atmosphere, east: f64, north: f64) -> f64 {
    let (a, c) = along_across(east, north, atm.wind_from_deg);
    let at = |s: f64| {
        Puff {
            mass_kg,
            east: s,
            north: 0.0,
            height,
            travelled: s,
        }
        .concentration(atm.sigmas, atm.stability, atm.mixing_height, a, c, 0.0)
    };
    let mut best: f64 = 0.0;
    let mut s = 1.0;
    while s < 64.0_f64.min(a.max(1.0)) {
        best = best.max(at(s));
        s *= 1.5;
    }
    if a > 1.0 {
        let mut best_s = a;
        for k in 0..=40 {
            let s = a * (0.5 + 0.02 * k as f64);
            let v = at(s);
            if v > best {
                best = v;
                best_s = s;
            }
        }
        // Refine around the best sample.
        let (mut lo, mut hi) = (best_s - 0.02 * a, best_s + 0.02 * a);
        for _ in 0..12 {
            let m1 = lo + (hi - lo) / 3.0;
            let m2 = hi - (hi - lo) / 3.0;
            if at(m1) < at(m2) {
                lo = m1;
            } else {
                hi = m2;
            }
        }
        best = best.max(at((lo + hi) / 2.0));
    }
    best
}

/// The threat zones of an incident under the weather now in force, at its levels of concern,
/// each with the cell size it was contoured at.
///
/// A fire's or a blast's zones are circles around the release ([`burning_zones`]), each with
/// the spacing of its circle's vertices as its cell size.
pub fn incident_zones(inc: &Incident, chem: &Chemical) -> Result<Vec<(Zone, f64)>, IncidentError> {
    if let Some((choice, model)) = dense_cloud(inc, chem)
        && choice.dense
    {
        let from = inc.weather_now().1;
        return Ok(incident_levels(inc, chem)?
            .into_iter()
            .map(|l| {
                let ratio = l.ppm * 1e-6;
                let z = match &model {
                    DenseCloud::Plume(p) => plume_zone(p, &l.name, l.mg_m3, ratio, from),
                    DenseCloud::Puff(p) => puff_zone(p, &l.name, l.mg_m3, ratio, from),
                };
                let spacing = z.farthest_downwind_m / 48.0;
                (z, spacing)
            })
            .collect());
    }
    if !inc.hazard.is_cloud() {
        let burning = Burning::of(inc, chem).map_err(IncidentError::Burning)?;
        return Ok(burning_zones(&burning)
            .into_iter()
            .map(|z| {
                let vertices = if burning.wind_from_deg().is_some() {
                    OUTLINE_VERTICES
                } else {
                    CIRCLE_VERTICES
                };
                let spacing = std::f64::consts::TAU * z.farthest_downwind_m / vertices as f64;
                (z, spacing)
            })
            .collect());
    }
    let levels: Vec<(String, f64)> = incident_levels(inc, chem)?
        .into_iter()
        .map(|l| (l.name, l.mg_m3))
        .collect();
    Ok(Footprint::of(inc)?.zones(&levels, ZONE_CELLS, None)?)
}

/// Vertices of a zone that leans with the wind (a pool fire's): one every 5°.
pub const OUTLINE_VERTICES: usize = 72;

/// A fire's or a blast's zones around its centre, most severe first: circles, or for a pool
/// fire leaning in the wind its reach found every 5° round it (the two sides of the wind
/// mirror each other); a level it reaches nowhere is an empty zone.
pub fn burning_zones(burning: &Burning) -> Vec<Zone> {
    burning
        .zones()
        .into_iter()
        .map(|l| {
            let unit = if l.unit == "Pa" { LevelUnit::Pa } else { LevelUnit::WM2 };
            let far = l.reach_m.unwrap_or(0.0);
            match burning.wind_from_deg() {
                Some(from) if far > 0.0 => {
                    let (dx, dy) = downwind_unit(from);
                    let half = OUTLINE_VERTICES / 2;
                    let reach: Vec<f64> = (0..=half)
                        .map(|k| {
                            let a = std::f64::consts::TAU * k as f64 / OUTLINE_VERTICES as f64;
                            burning.reach_toward_m(l.level, a).unwrap_or(0.0)
                        })
                        .collect();
                    let ring = (0..OUTLINE_VERTICES)
                        .map(|k| {
                            let a = std::f64::consts::TAU * k as f64 / OUTLINE_VERTICES as f64;
                            let r = reach[if k <= half { k } else { OUTLINE_VERTICES - k }];
                            // Along the wind and across it (to its left), in east and north.
                            let (along, across) = (r * a.cos(), r * a.sin());
                            Coord {
                                x: along * dx - across * dy,
                                y: along * dy + across * dx,
                            }
                        })
                        .collect();
                    outline_zone(&l.name, l.level, unit, ring, reach.iter().copied().fold(far, f64::max))
                }
                _ => circle_zone(&l.name, l.level, unit, far),
            }
        })
        .collect()
}

/// Zones as an RFC 7946 FeatureCollection ([`zones_geojson`]) with each feature's cell size
/// (`grid_step_m`) and the `extra` properties.
pub fn zones_collection(
    zones: &[(Zone, f64)],
    source_lon_lat: (f64, f64),
    extra: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let plain: Vec<Zone> = zones.iter().map(|(z, _)| z.clone()).collect();
    let mut fc = zones_geojson(&plain, source_lon_lat, extra);
    if let Some(features) = fc["features"].as_array_mut() {
        for (f, (_, step)) in features.iter_mut().zip(zones) {
            f["properties"]["grid_step_m"] = serde_json::json!(step);
        }
    }
    fc
}

/// An incident's zones now: the FeatureCollection the server serves (with the incident's id,
/// chemical and stability on each feature) and the zones in metres.
pub fn incident_zones_geojson(
    inc: &Incident,
    chem: &Chemical,
) -> Result<(serde_json::Value, Vec<Zone>), IncidentError> {
    let zones = incident_zones(inc, chem)?;
    let mut extra = serde_json::Map::new();
    extra.insert("incident".into(), inc.id.clone().into());
    extra.insert("chemical".into(), chem.name.clone().into());
    extra.insert("hazard".into(), inc.hazard.as_str().into());
    if inc.hazard.is_cloud() {
        extra.insert("stability".into(), inc.weather_now().2.into());
    }
    if let Some(c) = cloud_choice(inc, chem) {
        let model = if c.dense { "britter_mcquaid" } else { "gaussian" };
        extra.insert("cloud_model".into(), model.into());
        extra.insert("dense_criterion".into(), serde_json::json!(c.switch.criterion));
    }
    let fc = zones_collection(&zones, (inc.lon, inc.lat), &extra);
    Ok((fc, zones.into_iter().map(|(z, _)| z).collect()))
}

/// A steady plume cut to the stretch of wind the released gas has reached: from `tail_m` to
/// `front_m` downwind of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Slug {
    /// The plume.
    pub plume: Plume,
    /// Where the cloud's tail is, m downwind (0 while the release goes on).
    pub tail_m: f64,
    /// Where the cloud's front is, m downwind.
    pub front_m: f64,
}

/// The ground-level field of an incident at a moment: a plume slug while the wind holds, or
/// puffs; what the GPU draws and what it is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// σ curves.
    pub sigmas: SigmaSet,
    /// Stability class for the σ.
    pub stability: Stability,
    /// The slug, for a continuous release in a steady wind.
    pub slug: Option<Slug>,
    /// The puffs in the air (instantaneous releases and any release after a wind shift).
    pub puffs: Vec<Puff>,
}

impl Field {
    /// Ground-level concentration, mg/m³, metres east/north of the source.
    pub fn concentration(&self, east: f64, north: f64) -> f64 {
        let slug = self.slug.as_ref().map_or(0.0, |s| {
            let (x, _) = along_across(east, north, s.plume.atmosphere.wind_from_deg);
            if x >= s.tail_m && x <= s.front_m {
                s.plume.concentration(east, north, 0.0)
            } else {
                0.0
            }
        });
        slug + self
            .puffs
            .iter()
            .map(|p| p.concentration(self.sigmas, self.stability, None, east, north, 0.0))
            .sum::<f64>()
    }

    /// How far from the source the field reaches: the slug's front, or each puff's centre
    /// plus 4 σy.
    pub fn extent_m(&self) -> f64 {
        let puffs = self
            .puffs
            .iter()
            .map(|p| p.east.hypot(p.north) + 4.0 * sigmas(self.sigmas, self.stability, p.travelled).0)
            .fold(0.0, f64::max);
        let slug = self.slug.as_ref().map_or(0.0, |s| {
            s.front_m + 4.0 * sigmas(self.sigmas, self.stability, s.front_m.max(1.0)).0
        });
        puffs.max(slug)
    }
}

/// The field of an incident `t_s` seconds after its start, with at most `max_puffs` puffs
/// (a continuous release after a wind shift is cut into puffs every [`PUFF_INTERVAL_S`],
/// coarsened to stay under the cap).
///
/// A fire or a blast has no cloud: [`IncidentError::NotACloud`].
///
/// This is the Gaussian cloud's field: a cloud that [`cloud_choice`] draws as a heavy gas has
/// none (the workbook gives its footprint, not its concentration over time), and its callers
/// ask that first.
pub fn field_at(inc: &Incident, t_s: f64, max_puffs: usize) -> Result<Field, IncidentError> {
    if !inc.hazard.is_cloud() {
        return Err(IncidentError::NotACloud(inc.hazard.as_str()));
    }
    let (speed0, from0, class0) = inc.weather_at(0.0);
    let (_, _, class_now) = inc.weather_at(t_s);
    let class = class_of(&class_now)?;
    let atm0 = atmosphere(speed0, from0, class_of(&class0)?);
    let t = t_s.max(0.0);
    let shifts: Vec<WindChange> = inc
        .shifts
        .iter()
        .filter(|s| s.at_s <= t)
        .map(|s| WindChange {
            at_s: s.at_s,
            speed: s.wind_speed_ms,
            from_deg: s.wind_from_deg,
        })
        .collect();
    let mut field = Field {
        sigmas: INCIDENT_SIGMAS,
        stability: class,
        slug: None,
        puffs: Vec::new(),
    };
    let train = |releases: Vec<(f64, f64)>| PuffTrain {
        height: inc.height_m,
        atmosphere: Atmosphere {
            stability: class,
            ..atm0.clone()
        },
        wind_changes: shifts.clone(),
        releases,
    };
    match (inc.rate_kg_s, inc.mass_kg) {
        (_, Some(mass)) => field.puffs = train(vec![(0.0, mass)]).puffs_at(t),
        (Some(rate), None) if shifts.is_empty() && inc.rate_profile.is_none() => {
            let plume = Plume {
                rate_kg_s: rate,
                height: inc.height_m,
                atmosphere: Atmosphere {
                    stability: class,
                    ..atm0.clone()
                },
            };
            let u = plume.atmosphere.speed_at(inc.height_m.max(10.0));
            let tail = inc.duration_s.map_or(0.0, |d| u * (t - d).max(0.0));
            field.slug = Some(Slug {
                tail_m: tail,
                front_m: u * t,
                plume,
            });
        }
        (Some(_), None) => {
            let released = inc.duration_s.map_or(t, |d| d.min(t));
            let cap = max_puffs.max(1) as f64;
            let dt = if released / PUFF_INTERVAL_S > cap {
                (released / cap / PUFF_INTERVAL_S).ceil() * PUFF_INTERVAL_S
            } else {
                PUFF_INTERVAL_S
            };
            let releases: Vec<(f64, f64)> = (0..)
                .map(|k| (k as f64 + 0.5) * dt)
                .take_while(|t0| *t0 <= released)
                // Each puff carries what left in its interval (the rate at its middle: a
                // draining tank's falls as it goes).
                .map(|t0| (t0, inc.rate_at(t0) * dt))
                .collect();
            field.puffs = train(releases).puffs_at(t);
        }
        (None, None) => {}
    }
    Ok(field)
}

/// One sample of the threat at a point: concentration and dose so far.
pub use crate::model::ThreatSample;

/// Concentration and cumulative dose (mg·min/m³) at a ground point, metres east/north of the
/// source, every `step_s` from the start to `until_s`: the field the map draws, sampled there.
pub fn threat_at_point(
    inc: &Incident,
    east: f64,
    north: f64,
    until_s: f64,
    step_s: f64,
    max_puffs: usize,
) -> Result<Vec<ThreatSample>, IncidentError> {
    crate::model::threat_series(until_s, step_s, |t| {
        Ok(field_at(inc, t, max_puffs)?.concentration(east, north))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::incident::{IncidentWeather, WindShift};

    fn incident(rate: Option<f64>, mass: Option<f64>) -> Incident {
        Incident {
            id: "inc-1".into(),
            lon: 118.45,
            lat: 37.57,
            height_m: 0.0,
            chemical: "Chlorine".into(),
            hazard: parktwin_api::incident::Hazard::Cloud,
            pool_diameter_m: None,
            cloud_model: parktwin_api::incident::CloudModel::Gaussian,
            blast_strength: None,
            rate_kg_s: rate,
            mass_kg: mass,
            duration_s: None,
            rate_profile: None,
            start: "2026-06-01T10:00:00.000Z".into(),
            weather: IncidentWeather {
                wind_speed_ms: 3.0,
                wind_from_deg: 270.0,
                temperature_c: 20.0,
                cloud_oktas: Some(4),
                stability: Some("D".into()),
            },
            station: None,
            shifts: vec![],
            levels: "aegl".into(),
            origin: None,
            note: None,
            created_by: "op".into(),
            closed: None,
        }
    }

    #[test]
    fn the_sun_sets_the_class() {
        // Noon in June at the park (37.6°N): the sun is high, strong insolation.
        let noon = 1_780_272_000.0 + 4.0 * 3600.0; // 2026-06-01 04:00 UTC is about noon at 118°E
        let e = solar_elevation_deg(118.45, 37.57, noon);
        assert!(e > 60.0 && e < 80.0, "{e}");
        assert_eq!(class_for(2.5, Some(2), e), Stability::B);
        // Midnight there: the sun is down; a clear night in light wind is F.
        let e = solar_elevation_deg(118.45, 37.57, noon + 12.0 * 3600.0);
        assert!(e < -20.0, "{e}");
        assert_eq!(class_for(2.5, None, e), Stability::F);
        // Cloud lowers the insolation one step.
        assert_eq!(class_for(2.5, Some(6), 70.0), Stability::B);
        assert_eq!(class_for(2.5, Some(6), 50.0), Stability::C);
    }

    #[test]
    fn the_slug_is_the_plume_between_tail_and_front() {
        let mut inc = incident(Some(1.0), None);
        inc.duration_s = Some(300.0);
        let f = field_at(&inc, 400.0, 600).expect("field");
        let slug = f.slug.as_ref().expect("a steady wind gives a slug");
        let u = 3.0; // 10 m wind at a ground release: the power law keeps 10 m
        assert!((slug.front_m - u * 400.0).abs() < 1e-9 && (slug.tail_m - u * 100.0).abs() < 1e-9);
        let plume = &slug.plume;
        assert_eq!(f.concentration(600.0, 0.0), plume.concentration(600.0, 0.0, 0.0));
        assert_eq!(f.concentration(200.0, 0.0), 0.0, "behind the tail");
        assert_eq!(f.concentration(1300.0, 0.0), 0.0, "beyond the front");
    }

    #[test]
    fn a_wind_shift_turns_the_release_into_puffs_that_turn_with_it() {
        let mut inc = incident(Some(1.0), None);
        inc.shifts.push(WindShift {
            at_s: 600.0,
            wind_speed_ms: 3.0,
            wind_from_deg: 180.0,
            stability: "D".into(),
        });
        let before = field_at(&inc, 599.0, 600).expect("field");
        assert!(before.slug.is_some());
        let after = field_at(&inc, 900.0, 600).expect("field");
        assert!(after.slug.is_none());
        assert_eq!(after.puffs.len(), 180, "one every 5 s for 900 s");
        // The first puff went east for 600 s, then north for 300 s.
        let first = after.puffs[0];
        assert!((first.east - 3.0 * 597.5).abs() < 1e-6 && (first.north - 900.0).abs() < 1e-6);
        // Capped: at 1 h, 600 puffs at most.
        assert!(field_at(&inc, 3600.0, 600).expect("field").puffs.len() <= 600);
    }

    #[test]
    fn a_draining_tanks_falling_rate_is_puffs_that_carry_less_as_it_goes() {
        let mut inc = incident(Some(10.0), None);
        inc.rate_profile = Some(vec![[0.0, 10.0], [600.0, 2.0]]);
        inc.duration_s = Some(600.0);
        let f = field_at(&inc, 900.0, 600).expect("field");
        assert!(f.slug.is_none(), "a changing rate is puffs from the start");
        let (first, last) = (f.puffs[0], f.puffs[f.puffs.len() - 1]);
        assert!(
            first.mass_kg > 4.0 * last.mass_kg,
            "{} then {}",
            first.mass_kg,
            last.mass_kg
        );
        // All that left, and no more: the profile's area, 3,600 kg.
        let released: f64 = f.puffs.iter().map(|p| p.mass_kg).sum();
        assert!((released - 3_600.0).abs() < 1.0, "{released}");
    }

    #[test]
    fn chlorine_slumps_as_alohas_switch_says_and_ammonia_stays_gaussian() {
        let table: parktwin_api::model::ChemicalTable =
            serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table");
        let mut inc = incident(Some(2.0), None);
        inc.cloud_model = CloudModel::Auto;
        let chlorine = table.get("chlorine").expect("chlorine");
        let choice = cloud_choice(&inc, chlorine).expect("a cloud");
        // Flashing at its boiling point (239 K): 3.6 kg/m³, three times the air.
        assert!(choice.dense && choice.switch.criterion > 1.0, "{choice:?}");
        assert!((choice.density_kg_m3 - 3.61).abs() < 0.02, "{choice:?}");
        let (fc, dense) = incident_zones_geojson(&inc, chlorine).expect("zones");
        assert_eq!(fc["features"][0]["properties"]["cloud_model"], "britter_mcquaid");
        assert!(dense[0].farthest_downwind_m < dense[1].farthest_downwind_m);
        // The same release forced Gaussian is another footprint.
        inc.cloud_model = CloudModel::Gaussian;
        let (fc, gaussian) = incident_zones_geojson(&inc, chlorine).expect("zones");
        assert_eq!(fc["features"][0]["properties"]["cloud_model"], "gaussian");
        assert_ne!(dense[1].farthest_downwind_m, gaussian[1].farthest_downwind_m);
        // Ammonia boils at 240 K too, but its vapour is lighter than the air: never dense.
        inc.cloud_model = CloudModel::Auto;
        inc.chemical = "ammonia".into();
        assert!(
            !cloud_choice(&inc, table.get("ammonia").expect("ammonia"))
                .expect("a cloud")
                .dense
        );
    }

    #[test]
    fn the_envelope_is_the_most_a_passing_puff_brings() {
        let inc = incident(None, Some(500.0));
        let fp = Footprint::of(&inc).expect("footprint");
        let e = fp.concentration(800.0, 20.0);
        // Brute force over the passage, every 0.5 s for 20 min.
        let peak = (1..2400)
            .map(|k| {
                field_at(&inc, k as f64 * 0.5, 600)
                    .expect("field")
                    .concentration(800.0, 20.0)
            })
            .fold(0.0, f64::max);
        assert!((e - peak).abs() / peak < 0.01, "envelope {e} vs brute force {peak}");
    }

    #[test]
    fn zones_nest_and_hold_the_centreline() {
        let chem: parktwin_api::model::ChemicalTable =
            serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table");
        let chem = chem.get("Chlorine").expect("chlorine");
        let zones: Vec<Zone> = incident_zones(&incident(Some(2.0), None), chem)
            .expect("zones")
            .into_iter()
            .map(|(z, step)| {
                assert!(step >= 0.5);
                z
            })
            .collect();
        assert_eq!(zones.len(), 3);
        assert!(zones[0].farthest_downwind_m < zones[1].farthest_downwind_m);
        assert!(zones[1].farthest_downwind_m < zones[2].farthest_downwind_m);
        assert!(crate::zones::contains(
            &zones[0].area,
            zones[0].farthest_downwind_m * 0.5,
            0.0
        ));
    }

    #[test]
    fn a_pool_fires_zones_lean_downwind_and_turn_with_the_wind() {
        let chem: parktwin_api::model::ChemicalTable =
            serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table");
        let benzene = chem.get("benzene").expect("benzene");
        let mut inc = incident(None, None);
        inc.chemical = "benzene".into();
        inc.hazard = parktwin_api::incident::Hazard::PoolFire;
        inc.pool_diameter_m = Some(20.0);
        inc.weather.wind_speed_ms = 5.0;
        let zones = incident_zones(&inc, benzene).expect("zones");
        let (yellow, _) = &zones[2];
        let far = yellow.farthest_downwind_m;
        // From the west, blowing east: farther east than west, the same north and south.
        assert!(crate::zones::contains(&yellow.area, 0.95 * far, 0.0), "{far}");
        assert!(!crate::zones::contains(&yellow.area, -0.95 * far, 0.0), "{far}");
        let (n, s) = (
            crate::zones::contains(&yellow.area, 0.0, 0.9 * far),
            crate::zones::contains(&yellow.area, 0.0, -0.9 * far),
        );
        assert_eq!(n, s, "the two sides of the wind mirror each other");
        // The wind turns to come from the north: the zone leans south.
        inc.shifts.push(WindShift {
            at_s: 300.0,
            wind_speed_ms: 5.0,
            wind_from_deg: 0.0,
            stability: "D".into(),
        });
        let turned = incident_zones(&inc, benzene).expect("zones");
        assert!(crate::zones::contains(&turned[2].0.area, 0.0, -0.95 * far));
        assert!(!crate::zones::contains(&turned[2].0.area, 0.0, 0.95 * far));
        // In still air the flame stands upright: as far every way, and not as far as the
        // leaning flame reaches downwind.
        inc.shifts.clear();
        inc.weather.wind_speed_ms = 0.0;
        let calm = incident_zones(&inc, benzene).expect("zones");
        let r = calm[2].0.farthest_downwind_m;
        assert!(r < far, "{r} {far}");
        for (e, n) in [(0.98 * r, 0.0), (-0.98 * r, 0.0), (0.0, 0.98 * r), (0.0, -0.98 * r)] {
            assert!(crate::zones::contains(&calm[2].0.area, e, n), "{e} {n} of {r}");
        }
    }

    #[test]
    fn a_zone_past_the_models_limit_says_so() {
        // A chlorine release of 1 kg/s at night (class F): the AEGL-1 level (0.5 ppm) holds far
        // past 10 km, where the model stops drawing; the AEGL-3 zone ends well inside it.
        let chem: parktwin_api::model::ChemicalTable =
            serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table");
        let chem = chem.get("Chlorine").expect("chlorine");
        let mut inc = incident(Some(1.0), None);
        inc.weather.wind_speed_ms = 2.0;
        inc.weather.stability = Some("F".into());
        let zones: Vec<Zone> = incident_zones(&inc, chem)
            .expect("zones")
            .into_iter()
            .map(|(z, _)| z)
            .collect();
        let (red, yellow) = (&zones[0], &zones[2]);
        assert!(
            !red.beyond_edge && red.farthest_downwind_m < MAX_ZONE_M,
            "{}",
            red.reach_label()
        );
        assert!(yellow.beyond_edge, "{}", yellow.reach_label());
        assert!(yellow.farthest_downwind_m >= MAX_ZONE_M && yellow.reach_label().starts_with("> "));
        assert!(!red.reach_label().starts_with('>'));
        // The flag travels with the zones as the server serves them.
        let fc = crate::zones::zones_geojson(&zones, (inc.lon, inc.lat), &serde_json::Map::new());
        let back = crate::zones::zones_from_geojson(&fc, (inc.lon, inc.lat));
        assert_eq!(
            back.iter().map(|z| z.beyond_edge).collect::<Vec<_>>(),
            vec![false, zones[1].beyond_edge, true]
        );
    }
}
