//! `parktwin hazard`: the consequence models on the command line, JSON out, for planners'
//! scripts and for checking against other tools: a liquid leaking from a tank, a gas leaking
//! through a hole, a gas pipeline broken, the flash of a liquefied gas, a BLEVE's fireball, a pool fire, a jet fire
//! and a vapour cloud explosion, with how far each of ALOHA's levels of concern reaches and what the
//! probits say happens there. Refusals name the flag and the reason.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use parktwin_api::model::{Chemical, LevelSet};
use parktwin_consequence::effects::indoor::{indoors, toxic_load};
use parktwin_consequence::effects::probit::{
    BURN_DEATHS, EARDRUM_RUPTURES, GLASS_BREAKAGE, LUNG_HAEMORRHAGE_DEATHS, STRUCTURAL_DAMAGE, thermal_dose,
    toxic_deaths,
};
use parktwin_consequence::explosion::{MultiEnergyBlast, TntBlast};
use parktwin_consequence::fire::fireball::radiative_fraction;
use parktwin_consequence::fire::pool_fire::Fuel;
use parktwin_consequence::fire::radiation::water_partial_pressure_pa;
use parktwin_consequence::fire::{Fireball, JetFire, PoolFire};
use parktwin_consequence::source::boiling_pool::BoilingPool;
use parktwin_consequence::source::pool::{
    EvaporatingPool, Ground, crowl_louvar_m_s, evaporation_kg_s, schmidt_in_air, settled_radius_m,
};
use parktwin_consequence::source::tank_liquid::SHARP_EDGED_ORIFICE;
use parktwin_consequence::source::two_phase::{SaturatedLiquid, TwoPhaseLeak, watson_heat_of_vaporisation};
use parktwin_consequence::source::{Flash, GasHole, TankHole, ideal_gas_density};
use parktwin_consequence::zones::{LevelReach, overpressure, thermal};
use parktwin_consequence::{ATMOSPHERE_PA, InputError, air_density_kg_m3};

use crate::plume::positive;
use parktwin_dispersion::britter_mcquaid::{DensePlume, DensePuff, reduced_gravity};
use parktwin_dispersion::zones::{LevelUnit, Zone, circle_zone, zones_geojson};
use serde_json::{Value, json};

mod cloud;
mod fire;
mod pipe;
mod source;

pub use cloud::{DenseGasArgs, IndoorArgs};
pub use fire::{ExplosionArgs, FireballArgs, JetFireArgs, PoolFireArgs};
pub use pipe::PipeRuptureArgs;
pub use source::{FlashArgs, GasLeakArgs, LeakArgs, PoolArgs, TwoPhaseArgs};

/// The models of `parktwin hazard`.
#[derive(Subcommand, Debug, Clone)]
pub enum HazardModel {
    /// Liquid leaking through a hole in a tank's wall, below the liquid's surface (Bernoulli,
    /// with the head and the pressure above the liquid): the rate at the start, and with
    /// --tank-diameter-m the time to drain down to the hole and what leaks.
    Leak(LeakArgs),
    /// Gas leaking through a hole (choked or subsonic, isentropic ideal gas).
    GasLeak(GasLeakArgs),
    /// A BLEVE's fireball (CCPS): diameter, duration, centre height; with --chemical, its
    /// radiation and how far each thermal level of concern reaches.
    Fireball(FireballArgs),
    /// What flashes to vapour when a liquid stored above its boiling point is released.
    Flash(FlashArgs),
    /// A liquefied gas leaking as it flashes, through a hole or a pipe stub (Fauske's
    /// non-equilibrium model, as ALOHA takes it).
    TwoPhase(TwoPhaseArgs),
    /// A gas pipeline broken (ALOHA's: Wilson's double exponential), cut through or holed,
    /// closed off or fed by a reservoir: the rate over time.
    PipeRupture(PipeRuptureArgs),
    /// A spill spreading into a pool and going into the air: its size, and how fast it
    /// evaporates (or boils off the ground, for a liquefied gas).
    Pool(PoolArgs),
    /// A pool fire in still air (solid flame): burning rate, flame height, emissive power and
    /// how far each thermal level of concern reaches.
    PoolFire(PoolFireArgs),
    /// A jet fire at a hole (API 521's point source): heat released, flame length and how far
    /// each thermal level of concern reaches.
    JetFire(JetFireArgs),
    /// A vapour cloud explosion by the TNO multi-energy method, with its TNT equivalent as a
    /// cross-check: how far each overpressure level of concern reaches.
    Explosion(ExplosionArgs),
    /// A dense gas slumping along the ground (Britter & McQuaid's workbook): whether the
    /// release is dense, and how far each level of concern reaches.
    DenseGas(DenseGasArgs),
    /// Sheltering in place: the concentration inside a building while a cloud stands outside
    /// and after it has gone, and the share it would kill outside and inside.
    Indoor(IndoorArgs),
}

/// Where the fire or the blast is, for its zones as GeoJSON.
#[derive(Args, Debug, Clone)]
pub struct PlaceArgs {
    /// The source's position, WGS84: with it, the answer carries its zones as an RFC 7946
    /// FeatureCollection of circles (`zones_geojson`), for a GIS or the map.
    #[arg(long, value_name = "LON,LAT", value_parser = crate::plume::parse_lon_lat, allow_hyphen_values = true)]
    pub at: Option<(f64, f64)>,
}

/// The air a fire's heat crosses.
#[derive(Args, Debug, Clone)]
pub struct AirArgs {
    /// The air's temperature, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub air_temperature_c: f64,
    /// The air's relative humidity, % (water absorbs radiation).
    #[arg(long, value_name = "PCT", default_value_t = 50.0)]
    pub humidity_pct: f64,
}

/// The model's refusal in the command's words: the flag that carried the field.
fn flag_error(e: InputError, flags: &[(&str, &str)]) -> anyhow::Error {
    match flags.iter().find(|(field, _)| *field == e.field) {
        Some((_, flag)) => anyhow!("{flag}: {}", e.reason),
        None => anyhow!("{e}"),
    }
}

fn chemical(name: &str) -> anyhow::Result<&'static Chemical> {
    parktwin_layers::incident::chemicals()
        .find(name)
        .map_err(|e| anyhow!("--chemical {e}"))
}

/// `c` °C in kelvin, or the refusal naming `flag`.
fn kelvin(flag: &str, c: f64) -> anyhow::Result<f64> {
    if !c.is_finite() || c <= -273.15 {
        return Err(anyhow!("{flag}: {c} °C is at or below absolute zero"));
    }
    Ok(c + 273.15)
}

/// Runs the command and returns what it prints.
pub fn run(model: &HazardModel) -> anyhow::Result<Value> {
    match model {
        HazardModel::Leak(a) => source::leak(a),
        HazardModel::GasLeak(a) => source::gas_leak(a),
        HazardModel::Fireball(a) => fire::fireball(a),
        HazardModel::Flash(a) => source::flash(a),
        HazardModel::TwoPhase(a) => source::two_phase(a),
        HazardModel::PipeRupture(a) => pipe::pipe_rupture(a),
        HazardModel::Pool(a) => source::pool(a),
        HazardModel::PoolFire(a) => fire::pool_fire(a),
        HazardModel::JetFire(a) => fire::jet_fire(a),
        HazardModel::Explosion(a) => fire::explosion(a),
        HazardModel::DenseGas(a) => cloud::dense_gas(a),
        HazardModel::Indoor(a) => cloud::indoor(a),
    }
}

/// ALOHA's thermal levels with how far each reaches (`reach` of a flux, W/m², in metres) and
/// Eisenberg's burn lethality at its edge for `exposure_s` seconds.
fn thermal_zones(reach: impl Fn(f64) -> Option<f64>, exposure_s: f64) -> Value {
    zones_with(
        thermal(reach),
        |z| json!({"burn_deaths_at_edge": BURN_DEATHS.share(thermal_dose(z.level, exposure_s)).ok()}),
    )
}

/// Zones as JSON, each with the fields `more` adds.
fn zones_with(zones: Vec<LevelReach>, more: impl Fn(&LevelReach) -> Value) -> Value {
    zones
        .iter()
        .map(|z| {
            let mut v = serde_json::to_value(z).unwrap_or_default();
            if let (Some(o), Value::Object(m)) = (v.as_object_mut(), more(z)) {
                o.extend(m);
            }
            // The flux's or the overpressure's own name, as the answers have carried it.
            let key = if z.unit == "Pa" { "overpressure_pa" } else { "flux_w_m2" };
            v[key] = z.level.into();
            v
        })
        .collect()
}

/// With a place, the answer's zones as circles around it: an RFC 7946 FeatureCollection, one
/// Polygon per zone that reaches anywhere (its id the model and the zone's rank, red first),
/// with the zone's fields as its properties.
fn with_geojson(v: &mut Value, place: &PlaceArgs) {
    with_shapes(v, place, |z| {
        let unit = if z["unit"] == "Pa" {
            LevelUnit::Pa
        } else {
            LevelUnit::WM2
        };
        let name = z["name"].as_str().unwrap_or_default();
        circle_zone(
            name,
            z["level"].as_f64().unwrap_or(0.0),
            unit,
            z["reach_m"].as_f64().unwrap_or(0.0),
        )
    });
}

/// [`with_geojson`] with each zone's shape made by `shape` from its JSON.
fn with_shapes(v: &mut Value, place: &PlaceArgs, shape: impl Fn(&Value) -> Zone) {
    let Some((lon, lat)) = place.at else { return };
    let model = v["model"].as_str().unwrap_or("zone").to_string();
    let zones = v["zones"].as_array().cloned().unwrap_or_default();
    let reaching: Vec<&Value> = zones
        .iter()
        .filter(|z| z["reach_m"].as_f64().is_some_and(|r| r > 0.0))
        .collect();
    let shapes: Vec<_> = reaching.iter().map(|z| shape(z)).collect();
    let mut fc = zones_geojson(&shapes, (lon, lat), &serde_json::Map::new());
    for (k, (f, z)) in fc["features"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .zip(reaching)
        .enumerate()
    {
        // One Polygon per zone, its id the model and the zone's rank, red first.
        f["id"] = format!("{model}-{}", k + 1).into();
        f["geometry"] = json!({"type": "Polygon", "coordinates": f["geometry"]["coordinates"][0]});
        f["properties"] = z.clone();
    }
    v["zones_geojson"] = fc;
}

/// The chemical named, with its heat of combustion, or the refusal for one that does not burn.
fn burns(name: &str) -> anyhow::Result<(&'static Chemical, f64)> {
    let c = chemical(name)?;
    Ok((c, c.heat_of_combustion().map_err(|e| anyhow!("--chemical {e}"))?))
}

/// A property of the chemical at a temperature, refused naming `--chemical` where the table
/// has none (`present` false) and `flag` where the temperature is outside its range.
fn at_temperature(present: bool, flag: &str, value: Result<f64, String>) -> anyhow::Result<f64> {
    value.map_err(|e| anyhow!("{}: {e}", if present { flag } else { "--chemical" }))
}

/// The gas's cp/cv: `given` on the command line, else the chemical table's at 25 °C.
fn heat_capacity_ratio(c: &Chemical, given: Option<f64>) -> anyhow::Result<f64> {
    match given {
        Some(k) => Ok(k),
        None => c
            .heat_capacity_ratio()
            .map_err(|e| anyhow!("--heat-capacity-ratio: {e}; give it")),
    }
}

/// The boiling point (K), the liquid's heat capacity (J/(kg·K)) and heat of vaporisation
/// (J/kg) of the chemical, or the refusal naming what the table lacks.
fn boiling_liquid(c: &Chemical) -> anyhow::Result<(f64, f64, f64)> {
    let b = c.boiling_liquid().map_err(|e| anyhow!("--chemical {e}"))?;
    Ok((b.boiling_point_k, b.heat_capacity_j_kg_k, b.heat_of_vaporisation_j_kg))
}

fn water_pa(air: &AirArgs) -> anyhow::Result<f64> {
    let t = kelvin("--air-temperature-c", air.air_temperature_c)?;
    water_partial_pressure_pa(air.humidity_pct / 100.0, t).map_err(|e| match e.field {
        "relative_humidity" => anyhow!("--humidity-pct: must be 0 to 100, not {}", air.humidity_pct),
        _ => anyhow!("--air-temperature-c: {}", e.reason),
    })
}
