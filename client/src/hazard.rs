//! `parktwin hazard`: the consequence models on the command line, JSON out, for planners'
//! scripts and for checking against other tools: a liquid leaking from a tank, a gas leaking
//! through a hole, the flash of a liquefied gas, a BLEVE's fireball, a pool fire, a jet fire
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
use parktwin_consequence::source::tank_liquid::SHARP_EDGED_ORIFICE;
use parktwin_consequence::source::{Flash, GasHole, TankHole, ideal_gas_density};
use parktwin_consequence::zones::{LevelReach, overpressure, thermal};
use parktwin_consequence::{ATMOSPHERE_PA, InputError, air_density_kg_m3};

use crate::plume::positive;
use parktwin_dispersion::britter_mcquaid::{DensePlume, DensePuff, reduced_gravity};
use parktwin_dispersion::zones::{LevelUnit, circle_zone, zones_geojson};
use serde_json::{Value, json};

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

/// Flags of `parktwin hazard indoor`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct IndoorArgs {
    /// The chemical (name or CAS number), for its toxic probit.
    #[arg(long)]
    pub chemical: String,
    /// The concentration outside while the cloud stands there, ppm.
    #[arg(long, value_name = "PPM")]
    pub outdoor_ppm: f64,
    /// How long the cloud stands outside, minutes.
    #[arg(long, value_name = "MIN")]
    pub minutes: f64,
    /// How many times an hour the building's air is exchanged with the outside (a modern
    /// tight house about 0.2, an older one 1 or more, doors and windows shut).
    #[arg(long, value_name = "ACH")]
    pub air_changes_per_hour: f64,
    /// How long after the cloud has gone to follow the inside, minutes.
    #[arg(long, value_name = "MIN", default_value_t = 60.0)]
    pub after_minutes: f64,
}

/// Flags of `parktwin hazard dense-gas`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
#[command(group(clap::ArgGroup::new("release").required(true).args(["rate_kg_s", "mass_kg"])))]
pub struct DenseGasArgs {
    /// The chemical (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// A continuous release, kg/s.
    #[arg(long, value_name = "KG_S")]
    pub rate_kg_s: Option<f64>,
    /// An instantaneous release, kg.
    #[arg(long, value_name = "KG")]
    pub mass_kg: Option<f64>,
    /// The wind at 10 m, m/s.
    #[arg(long, value_name = "M_S")]
    pub wind_speed: f64,
    /// The released vapour's temperature, °C; by default its boiling point where that is below
    /// the air's (a liquefied gas flashing), else the air's.
    #[arg(long, value_name = "C")]
    pub release_temperature_c: Option<f64>,
    /// Levels of concern: aegl (60 min), erpg, or lel.
    #[arg(long, value_name = "aegl|erpg|lel", default_value = "aegl")]
    pub levels: String,
    /// The air the heat or the gas crosses.
    #[command(flatten)]
    pub air: AirArgs,
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

/// Flags of `parktwin hazard flash`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct FlashArgs {
    /// The chemical (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The liquid's temperature in storage, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
}

/// Flags of `parktwin hazard pool-fire`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct PoolFireArgs {
    /// The chemical that burns (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The pool's diameter (a bund's, or the spread pool's), m.
    #[arg(long, value_name = "M")]
    pub diameter_m: f64,
    /// How long people are exposed, s, for the burn probit at each zone's edge.
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub exposure_s: f64,
    /// The air the heat or the gas crosses.
    #[command(flatten)]
    pub air: AirArgs,
    /// Where it is, for the zones as GeoJSON.
    #[command(flatten)]
    pub place: PlaceArgs,
}

/// Flags of `parktwin hazard jet-fire`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct JetFireArgs {
    /// The gas that burns (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The rate the gas leaks and burns at, kg/s (`parktwin hazard gas-leak` gives it).
    #[arg(long, value_name = "KG_S")]
    pub rate_kg_s: f64,
    /// The hole's height above the ground, m.
    #[arg(long, value_name = "M", default_value_t = 0.0)]
    pub hole_height_m: f64,
    /// How long people are exposed, s, for the burn probit at each zone's edge.
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub exposure_s: f64,
    /// The air the heat or the gas crosses.
    #[command(flatten)]
    pub air: AirArgs,
    /// Where it is, for the zones as GeoJSON.
    #[command(flatten)]
    pub place: PlaceArgs,
}

/// Flags of `parktwin hazard explosion`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct ExplosionArgs {
    /// The flammable in the cloud (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The mass of flammable in the cloud, kg.
    #[arg(long, value_name = "KG")]
    pub mass_kg: f64,
    /// The blast's strength on the TNO multi-energy scale: 1 (a slow flame in the open) to 10
    /// (a detonation); 7 for a cloud in a congested plant.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub strength: u8,
    /// The share of the combustion energy in the TNT charge of the cross-check, 0 to 1 (CCPS:
    /// 0.01 to 0.10; 0.03 is the common choice for a hydrocarbon cloud in a plant).
    #[arg(long, value_name = "ETA", default_value_t = 0.03)]
    pub efficiency: f64,
    /// Where it is, for the zones as GeoJSON.
    #[command(flatten)]
    pub place: PlaceArgs,
}

/// Flags of `parktwin hazard leak`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct LeakArgs {
    /// The chemical (name or CAS number), for the liquid's density at --temperature-c.
    #[arg(long)]
    pub chemical: String,
    /// The hole's diameter, mm.
    #[arg(long, value_name = "MM")]
    pub hole_diameter_mm: f64,
    /// The liquid's height above the hole, m.
    #[arg(long, value_name = "M")]
    pub liquid_height_m: f64,
    /// The pressure above the liquid, kPa gauge (0 for a tank open to the air; negative for a
    /// partial vacuum).
    #[arg(long, value_name = "KPA")]
    pub gauge_pressure_kpa: f64,
    /// The discharge coefficient: 0.61 for a sharp-edged hole, 1 for the worst case.
    #[arg(long, value_name = "CD", default_value_t = SHARP_EDGED_ORIFICE)]
    pub discharge_coefficient: f64,
    /// The liquid's temperature, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
    /// The tank's inside diameter (a vertical cylinder), m: the level falls as it leaks.
    #[arg(long, value_name = "M")]
    pub tank_diameter_m: Option<f64>,
}

/// Flags of `parktwin hazard gas-leak`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct GasLeakArgs {
    /// The chemical (name or CAS number), for its molar mass.
    #[arg(long)]
    pub chemical: String,
    /// The hole's diameter, mm.
    #[arg(long, value_name = "MM")]
    pub hole_diameter_mm: f64,
    /// The pressure inside, kPa gauge.
    #[arg(long, value_name = "KPA")]
    pub gauge_pressure_kpa: f64,
    /// The gas's temperature inside, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
    /// The gas's heat capacity ratio cp/cv (1.4 for diatomic gases, about 1.3 for ammonia,
    /// 1.13 for propane).
    #[arg(long, value_name = "K")]
    pub heat_capacity_ratio: f64,
    /// The discharge coefficient: 0.61 for a sharp-edged hole, 1 for the worst case.
    #[arg(long, value_name = "CD", default_value_t = 1.0)]
    pub discharge_coefficient: f64,
}

/// Flags of `parktwin hazard fireball`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct FireballArgs {
    /// The mass of flammable in the fireball, kg.
    #[arg(long, value_name = "KG")]
    pub mass_kg: f64,
    /// The chemical, to refuse one that does not burn; with it, the ball's radiation and its
    /// thermal zones are computed.
    #[arg(long)]
    pub chemical: Option<String>,
    /// The vessel's pressure when it burst, kPa absolute (the share radiated rises with it);
    /// by default the chemical's vapour pressure at --temperature-c.
    #[arg(long, value_name = "KPA")]
    pub vessel_pressure_kpa: Option<f64>,
    /// The liquid's temperature in the vessel, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
    /// The air the heat or the gas crosses.
    #[command(flatten)]
    pub air: AirArgs,
    /// Where it is, for the zones as GeoJSON.
    #[command(flatten)]
    pub place: PlaceArgs,
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
        HazardModel::Leak(a) => leak(a),
        HazardModel::GasLeak(a) => gas_leak(a),
        HazardModel::Fireball(a) => fireball(a),
        HazardModel::Flash(a) => flash(a),
        HazardModel::PoolFire(a) => pool_fire(a),
        HazardModel::JetFire(a) => jet_fire(a),
        HazardModel::Explosion(a) => explosion(a),
        HazardModel::DenseGas(a) => dense_gas(a),
        HazardModel::Indoor(a) => indoor(a),
    }
}

fn leak(a: &LeakArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let density = at_temperature(c.liquid_density.is_some(), "--temperature-c", c.liquid_density_kg_m3(t))?;
    let hole = TankHole::new(
        density,
        a.hole_diameter_mm / 1000.0,
        a.liquid_height_m,
        a.gauge_pressure_kpa * 1000.0,
        a.discharge_coefficient,
        a.tank_diameter_m,
    )
    .map_err(|e| {
        flag_error(
            e,
            &[
                ("hole_diameter_m", "--hole-diameter-mm"),
                ("liquid_height_m", "--liquid-height-m"),
                ("gauge_pressure_pa", "--gauge-pressure-kpa"),
                ("discharge_coefficient", "--discharge-coefficient"),
                ("tank_diameter_m", "--tank-diameter-m"),
            ],
        )
    })?;
    Ok(json!({
        "model": "tank_liquid",
        "chemical": c.name,
        "density_kg_m3": density,
        "rate_kg_s": hole.rate_at_start(),
        "drain_time_s": hole.drain_time_s(),
        "released_kg": hole.released_kg(),
        "source": "Bernoulli through an orifice with the liquid's head and the pressure above it \
                   (Crowl & Louvar, Chemical Process Safety, §4-3; CCPS, Guidelines for Consequence \
                   Analysis of Chemical Releases, 1999, §2.1)",
    }))
}

fn gas_leak(a: &GasLeakArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let inside = ATMOSPHERE_PA + a.gauge_pressure_kpa * 1000.0;
    let hole = GasHole::new(
        inside,
        ideal_gas_density(inside, t, c.molar_mass / 1000.0),
        a.heat_capacity_ratio,
        a.discharge_coefficient,
        a.hole_diameter_mm / 1000.0,
        ATMOSPHERE_PA,
    )
    .map_err(|e| {
        flag_error(
            e,
            &[
                ("inside_pa", "--gauge-pressure-kpa"),
                ("outside_pa", "--gauge-pressure-kpa"),
                ("heat_capacity_ratio", "--heat-capacity-ratio"),
                ("discharge_coefficient", "--discharge-coefficient"),
                ("hole_diameter_m", "--hole-diameter-mm"),
            ],
        )
    })?;
    Ok(json!({
        "model": "gas_hole",
        "chemical": c.name,
        "rate_kg_s": hole.rate_kg_s(),
        "choked": hole.is_choked(),
        "choked_below_kpa_absolute": hole.choked_pressure_pa() / 1000.0,
        "source": "isentropic ideal-gas flow through an orifice (Crowl & Louvar, Chemical Process \
                   Safety, §4-5; CCPS, Guidelines for Consequence Analysis of Chemical Releases, 1999, §2.1.1)",
    }))
}

fn fireball(a: &FireballArgs) -> anyhow::Result<Value> {
    let burning = a.chemical.as_deref().map(burns).transpose()?;
    let ball = Fireball::of_mass(a.mass_kg).map_err(|e| flag_error(e, &[("mass_kg", "--mass-kg")]))?;
    let mut v = serde_json::to_value(ball)?;
    v["model"] = "fireball".into();
    v["source"] = "CCPS, Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. (2000), §2.2.4".into();
    let Some((c, hc)) = burning else {
        return Ok(v);
    };
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let pressure_pa = match a.vessel_pressure_kpa {
        Some(kpa) if kpa.is_finite() && kpa > 0.0 => kpa * 1000.0,
        Some(kpa) => return Err(anyhow!("--vessel-pressure-kpa: must be above 0 (absolute), not {kpa}")),
        None => at_temperature(c.vapour_pressure.is_some(), "--temperature-c", c.vapour_pressure_pa(t))?,
    };
    let fraction = radiative_fraction(pressure_pa);
    let e = ball.emissive_power_w_m2(hc, fraction);
    let water = water_pa(&a.air)?;
    let zones = thermal_zones(|q| ball.reach_m(q, e, water), ball.duration_s);
    v["chemical"] = c.name.as_str().into();
    v["vessel_pressure_kpa"] = (pressure_pa / 1000.0).into();
    v["radiative_fraction"] = fraction.into();
    v["emissive_power_w_m2"] = e.into();
    v["zones"] = zones;
    v["exposure_s"] = ball.duration_s.into();
    with_geojson(&mut v, &a.place);
    Ok(v)
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
    let Some((lon, lat)) = place.at else { return };
    let model = v["model"].as_str().unwrap_or("zone").to_string();
    let zones = v["zones"].as_array().cloned().unwrap_or_default();
    let reaching: Vec<&Value> = zones
        .iter()
        .filter(|z| z["reach_m"].as_f64().is_some_and(|r| r > 0.0))
        .collect();
    let circles: Vec<_> = reaching
        .iter()
        .map(|z| {
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
        })
        .collect();
    let mut fc = zones_geojson(&circles, (lon, lat), &serde_json::Map::new());
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

fn flash(a: &FlashArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let (tb, cp, hv) = boiling_liquid(c)?;
    let f = Flash::of_liquid(t, tb, cp, hv).map_err(|e| anyhow!("{e}"))?;
    let mut v = serde_json::to_value(f)?;
    v["model"] = "flash".into();
    v["chemical"] = c.name.as_str().into();
    v["boiling_point_c"] = (tb - 273.15).into();
    v["source"] = "Crowl & Louvar, Chemical Process Safety, 3rd ed., §4-7, eq. 4-93; aerosol as much again as the \
                   flash (CCPS, Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed., §2.1.2)"
        .into();
    Ok(v)
}

fn pool_fire(a: &PoolFireArgs) -> anyhow::Result<Value> {
    let (c, hc) = burns(&a.chemical)?;
    let (boiling_point_k, heat_capacity_j_kg_k, heat_of_vaporisation_j_kg) = boiling_liquid(c)?;
    let fuel = Fuel {
        heat_of_combustion_j_kg: hc,
        heat_of_vaporisation_j_kg,
        heat_capacity_j_kg_k,
        boiling_point_k,
    };
    let air_k = kelvin("--air-temperature-c", a.air.air_temperature_c)?;
    let water = water_pa(&a.air)?;
    let fire = PoolFire::new(a.diameter_m, fuel, air_k, air_density_kg_m3(air_k))
        .map_err(|e| flag_error(e, &[("diameter_m", "--diameter-m")]))?;
    let exposure_s = positive("--exposure-s", a.exposure_s, "a time in s")?;
    let zones = thermal_zones(|q| fire.reach_m(q, water), exposure_s);
    let mut v = serde_json::to_value(fire)?;
    v["model"] = "pool_fire".into();
    v["chemical"] = c.name.as_str().into();
    v["zones"] = zones;
    v["exposure_s"] = a.exposure_s.into();
    v["distances_from"] = "the pool's centre".into();
    v["limits"] = "still air: wind tilts and lengthens the flame, which this model does not".into();
    v["source"] = "solid flame: CCPS, Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. (2000), \
                   §2.2.6; Burgess burning rate, Thomas flame height, Mudan & Croce emissive power"
        .into();
    with_geojson(&mut v, &a.place);
    Ok(v)
}

fn jet_fire(a: &JetFireArgs) -> anyhow::Result<Value> {
    let (c, hc) = burns(&a.chemical)?;
    let fire = JetFire::new(a.rate_kg_s, hc, a.hole_height_m)
        .map_err(|e| flag_error(e, &[("rate_kg_s", "--rate-kg-s"), ("hole_height_m", "--hole-height-m")]))?;
    let water = water_pa(&a.air)?;
    let exposure_s = positive("--exposure-s", a.exposure_s, "a time in s")?;
    let mut v = serde_json::to_value(fire)?;
    v["model"] = "jet_fire".into();
    v["chemical"] = c.name.as_str().into();
    v["zones"] = thermal_zones(|q| fire.reach_m(q, water), exposure_s);
    v["exposure_s"] = a.exposure_s.into();
    v["distances_from"] = "the hole, every way (where the jet points is not known)".into();
    v["source"] = JetFire::SOURCE.into();
    with_geojson(&mut v, &a.place);
    Ok(v)
}

fn explosion(a: &ExplosionArgs) -> anyhow::Result<Value> {
    let (c, hc) = burns(&a.chemical)?;
    let blast = MultiEnergyBlast::of_cloud(a.mass_kg, hc, a.strength)
        .map_err(|e| flag_error(e, &[("mass_kg", "--mass-kg"), ("strength", "--strength")]))?;
    let tnt = TntBlast::of_cloud(a.mass_kg, hc, a.efficiency)
        .map_err(|e| flag_error(e, &[("mass_kg", "--mass-kg"), ("efficiency", "--efficiency")]))?;
    let zones = zones_with(overpressure(|pa| blast.distance_to_pa(pa)), |z| {
        json!({
            "at_edge": {
                "windows_broken": GLASS_BREAKAGE.share(z.level).ok(),
                "structures_damaged": STRUCTURAL_DAMAGE.share(z.level).ok(),
                "eardrums_ruptured": EARDRUM_RUPTURES.share(z.level).ok(),
                "lung_haemorrhage_deaths": LUNG_HAEMORRHAGE_DEATHS.share(z.level).ok(),
            },
            "tnt_reach_m": tnt.distance_to_pa(z.level).ok(),
        })
    });
    let mut v = json!({
        "model": "multi_energy",
        "chemical": c.name,
        "mass_kg": a.mass_kg,
        "strength": a.strength,
        "energy_j": blast.energy_j,
        "efficiency": a.efficiency,
        "tnt_kg": tnt.tnt_kg,
        "zones": zones,
        "limits": "the whole mass taken as in congestion (give the mass in the congested region); \
                   tnt_reach_m: TNT equivalence at --efficiency, a cross-check that ignores congestion",
        "source": "TNO multi-energy (van den Berg 1985), the blast curves as MSB B02-121 (2013) Table 5.2 fits them; \
                   TNT: Crowl & Louvar, Chemical Process Safety, 3rd ed., §6-13, Kinney & Graham (1985); \
                   probits: Crowl & Louvar Table 2-5",
    });
    with_geojson(&mut v, &a.place);
    Ok(v)
}

fn indoor(a: &IndoorArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let minute = |flag: &str, v: f64| -> anyhow::Result<usize> {
        if v.is_finite() && (0.0..=24.0 * 60.0).contains(&v) {
            Ok(v.round() as usize)
        } else {
            Err(anyhow!("{flag}: must be 0 to 1440 minutes, not {v}"))
        }
    };
    let (during, after) = (
        minute("--minutes", a.minutes)?,
        minute("--after-minutes", a.after_minutes)?,
    );
    if during == 0 {
        return Err(anyhow!("--minutes: the cloud must stand outside for a minute at least"));
    }
    let mut outside = vec![a.outdoor_ppm; during];
    outside.extend(std::iter::repeat_n(0.0, after));
    let inside = indoors(&outside, 60.0, a.air_changes_per_hour).map_err(|e| {
        flag_error(
            e,
            &[
                ("outside", "--outdoor-ppm"),
                ("air_changes_per_hour", "--air-changes-per-hour"),
            ],
        )
    })?;
    let peak = inside.iter().copied().fold(0.0, f64::max);
    let probit = toxic_deaths(&c.name);
    let share = |series: &[f64]| probit.map(|p| p.share_of_load(toxic_load(series, 60.0, p.n)));
    Ok(json!({
        "model": "indoor_infiltration",
        "chemical": c.name,
        "outdoor_ppm": a.outdoor_ppm,
        "indoor_peak_ppm": peak,
        "indoor_at_cloud_end_ppm": inside[during - 1],
        "indoor_ppm_by_minute": inside,
        "deaths_outside": share(&outside),
        "deaths_inside": share(&inside),
        "probit_source": probit.map(|p| p.source),
        "note": match probit {
            Some(_) => "shares killed by the toxic probit; air the shelter once the cloud has passed: its inside holds the gas longer than the outside",
            None => "no trusted toxic probit for this chemical in ParkTwin yet: compare the concentrations with its AEGLs",
        },
        "source": "single-compartment infiltration, dCi/dt = ACH (Co − Ci) (ALOHA's indoor model, NOAA TM NOS OR&R 43)",
    }))
}

fn dense_gas(a: &DenseGasArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let air_k = kelvin("--air-temperature-c", a.air.air_temperature_c)?;
    let release_k = match (a.release_temperature_c, c.boiling_point_k) {
        (Some(t), _) => kelvin("--release-temperature-c", t)?,
        (None, Some(tb)) if tb < air_k => tb,
        (None, _) => air_k,
    };
    if !(a.wind_speed.is_finite() && a.wind_speed >= 0.5) {
        return Err(anyhow!("--wind-speed: must be 0.5 m/s or more, not {}", a.wind_speed));
    }
    let set = LevelSet::parse(&a.levels).map_err(|e| anyhow!("--levels {e}"))?;
    let levels = set
        .required_ppm(c)
        .map_err(|e| anyhow!("--levels {}: {e}", set.as_str()))?;
    let air_density = air_density_kg_m3(air_k);
    let density = ideal_gas_density(ATMOSPHERE_PA, release_k, c.molar_mass / 1000.0);
    let g = reduced_gravity(density, air_density);
    if g <= 0.0 {
        return Err(anyhow!(
            "{} at {:.1} °C ({density:.3} kg/m³) is not heavier than the air ({air_density:.3} kg/m³): \
             it is not a dense gas; use `parktwin plume`",
            c.name,
            release_k - 273.15
        ));
    }
    let ratio = release_k / air_k;
    // The zones of a model's reach of a volume fraction.
    let zones_of = |reach: &dyn Fn(f64) -> Option<f64>| -> Vec<Value> {
        levels
            .iter()
            .map(|(name, ppm)| json!({"name": name, "ppm": ppm, "reach_m": reach(ppm / 1e6)}))
            .collect()
    };
    let (kind, criterion, dense, zones) = match (a.rate_kg_s, a.mass_kg) {
        (Some(rate), _) => {
            let q = positive("--rate-kg-s", rate, "a rate in kg/s")? / density;
            let plume = DensePlume::new(q, g, a.wind_speed, ratio);
            let zones = zones_of(&|r| plume.reach_m(r));
            ("continuous", plume.density_criterion(), plume.is_dense(), zones)
        }
        (None, Some(mass)) => {
            let v = positive("--mass-kg", mass, "a mass in kg")? / density;
            let puff = DensePuff::new(v, g, a.wind_speed, ratio);
            let zones = zones_of(&|r| puff.reach_m(r));
            ("instantaneous", puff.density_criterion(), puff.is_dense(), zones)
        }
        (None, None) => return Err(anyhow!("give --rate-kg-s or --mass-kg")),
    };
    Ok(json!({
        "model": "britter_mcquaid",
        "chemical": c.name,
        "release": kind,
        "release_temperature_c": release_k - 273.15,
        "release_density_kg_m3": density,
        "air_density_kg_m3": air_density,
        "reduced_gravity_m_s2": g,
        "density_criterion": criterion,
        "dense": dense,
        "note": if dense {
            "dense enough for the workbook's curves"
        } else {
            "not dense enough for the workbook (continuous: criterion below 0.15, instantaneous: 0.20): the wind mixes it first; the Gaussian plume describes it"
        },
        "zones": zones,
        "distances_from": "the source, along the wind, on the ground",
        "source": "Britter & McQuaid, Workbook on the Dispersion of Dense Gases, HSE CRR 17/1988; the curves as \
                   CCPS, Guidelines for Consequence Analysis of Chemical Releases (1999), p. 118, prints them",
    }))
}
