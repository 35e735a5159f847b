//! What a tank on the map releases, for the incident form: its shape and inventory on record
//! ([`TankOnRecord`]), a hole at its bottom draining it ([`HoleLeak`], the rate falling as the
//! level falls) and its liquid spilled into a pool that evaporates ([`PoolSpill`]).

use parktwin_api::model::ChemicalTable;
use parktwin_consequence::ATMOSPHERE_PA;
use parktwin_consequence::source::Vessel;
use parktwin_consequence::source::drain::drain_curve;
use parktwin_consequence::source::pool::EvaporatingPool;
use parktwin_consequence::source::tank_liquid::SHARP_EDGED_ORIFICE;

use super::form::{IncidentForm, PROFILE_POINTS};

/// A tank's inventory spilled into a pool that evaporates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolSpill {
    /// The bund's diameter, m, where one holds the pool.
    pub bund_m: Option<f64>,
    /// The pool's radius, m.
    pub radius_m: f64,
    /// The rate it evaporates at, kg/s.
    pub rate_kg_s: f64,
    /// How long until it has gone, minutes.
    pub minutes: f64,
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
    /// liquefied gas flashes instead: give a hole for it.
    pub fn pool_spill(&self, bund_m: Option<f64>, table: &ChemicalTable) -> Result<PoolSpill, String> {
        let tank = self.tank.ok_or("no tank on record here: give the rate")?;
        let c = table.find(&self.chemical)?;
        let t = self.weather.temperature_c + 273.15;
        if c.boiling_point_k.is_some_and(|tb| tb < t) {
            return Err(format!(
                "{} boils below the air's temperature: it flashes, give a hole",
                c.name
            ));
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
        Ok(PoolSpill {
            bund_m,
            radius_m: pool.radius_m,
            rate_kg_s: pool.rate_kg_s,
            minutes: pool.seconds / 60.0,
        })
    }

    /// Takes the rate and the duration from the pool the tank's inventory makes.
    pub fn set_pool(&mut self, bund_m: Option<f64>, table: &ChemicalTable) -> Result<PoolSpill, String> {
        let spill = self.pool_spill(bund_m, table)?;
        self.pool = Some(spill);
        self.hole = None;
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
        self.hole_error = None;
        self.instantaneous = false;
        self.rate_kg_s = leak.rate_kg_s;
        self.duration_min = leak.minutes_to_empty;
        Ok(leak)
    }
}
