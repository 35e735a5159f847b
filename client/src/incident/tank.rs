//! What a tank on the map releases, for the incident form: its shape and inventory on record
//! ([`TankOnRecord`]), a hole at its bottom draining it ([`HoleLeak`], the rate falling as the
//! level falls) and its liquid spilled into a pool that evaporates or, for a liquefied gas,
//! flashes and boils off the ground ([`PoolSpill`]).

use parktwin_api::model::ChemicalTable;
use parktwin_consequence::ATMOSPHERE_PA;
use parktwin_consequence::source::Flash;
use parktwin_consequence::source::Vessel;
use parktwin_consequence::source::boiling_pool::BoilingPool;
use parktwin_consequence::source::drain::drain_curve;
use parktwin_consequence::source::pool::{EvaporatingPool, Ground};
use parktwin_consequence::source::tank_liquid::SHARP_EDGED_ORIFICE;

use super::form::{IncidentForm, PROFILE_POINTS};

/// A tank's inventory spilled into a pool that evaporates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolSpill {
    /// The bund's diameter, m, where one holds the pool.
    pub bund_m: Option<f64>,
    /// The pool's radius, m.
    pub radius_m: f64,
    /// The rate it evaporates at, kg/s: for a liquefied gas, the largest over time.
    pub rate_kg_s: f64,
    /// How long until it has gone, minutes.
    pub minutes: f64,
    /// A liquefied gas's share that flies at once, flashed vapour and its spray, t (0 for a
    /// liquid that lies in its pool and evaporates).
    pub airborne_t: f64,
}

/// A release rate over time, `[seconds since the start, kg/s]`, as the request sends it.
pub type RateCurve = Vec<[f64; 2]>;

/// How long ALOHA takes a release to last at the least, s: a sudden one (a liquefied gas's
/// flash) is spread over a minute (ALOHA User's Manual, NOAA & EPA 2007, "release duration":
/// from 1 minute to 1 hour).
pub const SHORTEST_RELEASE_S: f64 = 60.0;

/// `curve` (`[s, kg/s]`, the rate between points drawn straight as the incident reads it) with
/// `airborne_kg` added over its first [`SHORTEST_RELEASE_S`], ending over a second.
fn with_first_minute(curve: &[[f64; 2]], airborne_kg: f64) -> Vec<[f64; 2]> {
    let at = |t: f64| {
        curve.windows(2).find(|w| t <= w[1][0]).map_or(0.0, |w| {
            let span = w[1][0] - w[0][0];
            let f = if span > 0.0 { (t - w[0][0]) / span } else { 1.0 };
            w[0][1] + f * (w[1][1] - w[0][1])
        })
    };
    let mut times: Vec<f64> = curve.iter().map(|p| p[0]).collect();
    times.extend([0.0, SHORTEST_RELEASE_S, SHORTEST_RELEASE_S + 1.0]);
    times.sort_by(f64::total_cmp);
    times.dedup();
    let flash = airborne_kg / SHORTEST_RELEASE_S;
    times
        .into_iter()
        .map(|t| [t, at(t) + if t <= SHORTEST_RELEASE_S { flash } else { 0.0 }])
        .collect()
}

/// A vessel on the map as the hole model needs it: its shape and what it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TankOnRecord {
    /// Its shape.
    pub vessel: Vessel,
    /// An upright tank's height, m (0 for the others).
    pub height_m: f64,
    /// What it holds, t.
    pub inventory_t: f64,
}

impl TankOnRecord {
    /// The vessel of a tank feature's properties: `diameter_m`, `height_m`, `capacity_m3` and
    /// `inventory_t`, its `roof` telling a bullet (`horizontal bullet`) and a sphere from an
    /// upright tank; `None` where any is missing.
    pub fn of(props: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        let num = |k: &str| props.get(k).and_then(|v| v.as_f64()).filter(|x| *x > 0.0);
        let (d, inventory_t) = (num("diameter_m")?, num("inventory_t")?);
        let roof = props.get("roof").and_then(|v| v.as_str()).unwrap_or("");
        Some(match roof {
            "horizontal bullet" => Self {
                // The bullet's length from its capacity and its bore.
                vessel: Vessel::Horizontal {
                    diameter_m: d,
                    length_m: num("capacity_m3")? / (std::f64::consts::PI * d * d / 4.0),
                },
                height_m: 0.0,
                inventory_t,
            },
            "sphere" => Self {
                vessel: Vessel::Sphere { diameter_m: d },
                height_m: 0.0,
                inventory_t,
            },
            _ => Self {
                vessel: Vessel::Upright { diameter_m: d },
                height_m: num("height_m")?,
                inventory_t,
            },
        })
    }
}

/// A leak from a hole at the bottom of a tank on record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoleLeak {
    /// The hole's diameter, mm.
    pub hole_mm: f64,
    /// The rate at the start, kg/s.
    pub rate_kg_s: f64,
    /// The liquid's level above the hole, m.
    pub level_m: f64,
    /// The pressure above the liquid, kPa gauge (its vapour pressure over the atmosphere's
    /// for a liquefied gas; 0 for a tank open to the air).
    pub gauge_kpa: f64,
    /// How long until the tank is empty, minutes, the rate falling as the level falls.
    pub minutes_to_empty: f64,
}

impl IncidentForm {
    /// The pool the tank on record's whole inventory makes when it spills (held by a bund of
    /// `bund_m` where there is one), evaporating in the wind shown: Mackay & Matsugu. A
    /// liquefied gas flashes first, then boils off the ground
    /// ([`IncidentForm::boiling_spill`]).
    pub fn pool_spill(&self, bund_m: Option<f64>, table: &ChemicalTable) -> Result<PoolSpill, String> {
        self.pool_release(bund_m, table).map(|(p, _)| p)
    }

    /// [`IncidentForm::pool_spill`] and, for a liquefied gas, its rate over time as the
    /// request sends it.
    pub(super) fn pool_release(
        &self,
        bund_m: Option<f64>,
        table: &ChemicalTable,
    ) -> Result<(PoolSpill, Option<RateCurve>), String> {
        let tank = self.tank.ok_or("no tank on record here: give the rate")?;
        let c = table.find(&self.chemical)?;
        let t = self.weather.temperature_c + 273.15;
        if c.boiling_point_k.is_some_and(|tb| tb < t) {
            return self
                .boiling_spill(tank.inventory_t * 1000.0, bund_m, table)
                .map(|(p, curve)| (p, Some(curve)));
        }
        let pool = EvaporatingPool::of_spill(
            tank.inventory_t * 1000.0,
            c.liquid_density_kg_m3(t)?,
            c.vapour_pressure_pa(t)?,
            t,
            c.molar_mass,
            self.weather.wind_speed_ms,
            bund_m.map(|d| d / 2.0),
        )
        .map_err(|e| format!("pool: {e}"))?;
        Ok((
            PoolSpill {
                bund_m,
                radius_m: pool.radius_m,
                rate_kg_s: pool.rate_kg_s,
                minutes: pool.seconds / 60.0,
                airborne_t: 0.0,
            },
            None,
        ))
    }

    /// A liquefied gas's `inventory_kg` spilled at the air's temperature: what flashes and its
    /// spray (CCPS: as much again as the flash) fly in the first minute, the rest rains out
    /// into a pool that boils with the heat of the concrete under it as it spreads
    /// ([`BoilingPool`]); the rate over time, both together.
    fn boiling_spill(
        &self,
        inventory_kg: f64,
        bund_m: Option<f64>,
        table: &ChemicalTable,
    ) -> Result<(PoolSpill, Vec<[f64; 2]>), String> {
        let c = table.find(&self.chemical)?;
        let t = self.weather.temperature_c + 273.15;
        let b = c.boiling_liquid()?;
        let (tb, hv) = (b.boiling_point_k, b.heat_of_vaporisation_j_kg);
        let flash = Flash::of_liquid(t, tb, b.heat_capacity_j_kg_k, hv).map_err(|e| format!("flash: {e}"))?;
        let airborne = inventory_kg * flash.airborne_fraction;
        let rain = inventory_kg - airborne;
        let (radius_m, pool_curve, seconds) = if rain > 0.0 {
            let pool = BoilingPool::new(
                rain,
                c.liquid_density_kg_m3(tb)?,
                tb,
                hv,
                t,
                Ground::CONCRETE,
                bund_m.map(|d| d / 2.0),
            )
            .map_err(|e| format!("pool: {e}"))?;
            (pool.radius_m, pool.curve(PROFILE_POINTS), pool.seconds)
        } else {
            (0.0, vec![[0.0, 0.0], [SHORTEST_RELEASE_S, 0.0]], 0.0)
        };
        let curve = with_first_minute(&pool_curve, airborne);
        let spill = PoolSpill {
            bund_m,
            radius_m,
            rate_kg_s: curve.iter().map(|p| p[1]).fold(0.0, f64::max),
            minutes: seconds.max(SHORTEST_RELEASE_S) / 60.0,
            airborne_t: airborne / 1000.0,
        };
        Ok((spill, curve))
    }

    /// Takes the rate and the duration from the pool the tank's inventory makes.
    pub fn set_pool(&mut self, bund_m: Option<f64>, table: &ChemicalTable) -> Result<PoolSpill, String> {
        let spill = self.pool_spill(bund_m, table)?;
        self.pool = Some(spill);
        self.hole = None;
        self.rupture = None;
        self.instantaneous = false;
        self.rate_kg_s = spill.rate_kg_s;
        // Longer than the form's day: until the incident is closed.
        self.duration_min = if spill.minutes > 24.0 * 60.0 {
            0.0
        } else {
            spill.minutes
        };
        Ok(spill)
    }

    /// The leak from a hole of `hole_mm` at the bottom of the tank on record: the chemical's
    /// liquid density at the air's temperature gives the level, its vapour pressure the
    /// pressure above the liquid, and Bernoulli through a sharp-edged hole the rate, falling
    /// as the level falls until the tank is empty.
    pub fn hole_leak(&self, hole_mm: f64, table: &ChemicalTable) -> Result<HoleLeak, String> {
        let (leak, _) = self.hole_drain(hole_mm, table)?;
        Ok(leak)
    }

    /// [`IncidentForm::hole_leak`] and the rate over time, `[s, kg/s]`, as the request sends it.
    pub(super) fn hole_drain(&self, hole_mm: f64, table: &ChemicalTable) -> Result<(HoleLeak, Vec<[f64; 2]>), String> {
        let tank = self.tank.ok_or("no tank on record here: give the rate")?;
        let c = table.find(&self.chemical)?;
        let t = self.weather.temperature_c + 273.15;
        let density = c.liquid_density_kg_m3(t)?;
        let inventory_kg = tank.inventory_t * 1000.0;
        let level = tank
            .vessel
            .level_m(inventory_kg / density, tank.height_m)
            .map_err(|e| format!("inventory_t: {}", e.reason))?;
        let gauge = match c.vapour_pressure {
            Some(_) => (c.vapour_pressure_pa(t)? - ATMOSPHERE_PA).max(0.0),
            None => 0.0,
        };
        let curve = drain_curve(
            tank.vessel,
            tank.height_m,
            density,
            hole_mm / 1000.0,
            gauge,
            SHARP_EDGED_ORIFICE,
            inventory_kg,
            PROFILE_POINTS,
        )
        .map_err(|e| format!("hole: {}", e.reason))?;
        let leak = HoleLeak {
            hole_mm,
            rate_kg_s: curve[0][1],
            level_m: level,
            gauge_kpa: gauge / 1000.0,
            minutes_to_empty: curve.last().map_or(0.0, |p| p[0]) / 60.0,
        };
        Ok((leak, curve))
    }

    /// Takes the rate and the duration from a hole of `hole_mm` in the tank on record.
    pub fn set_hole(&mut self, hole_mm: f64, table: &ChemicalTable) -> Result<HoleLeak, String> {
        let leak = self.hole_leak(hole_mm, table)?;
        self.hole = Some(leak);
        self.pool = None;
        self.rupture = None;
        self.hole_error = None;
        self.instantaneous = false;
        self.rate_kg_s = leak.rate_kg_s;
        self.duration_min = leak.minutes_to_empty;
        Ok(leak)
    }
}
