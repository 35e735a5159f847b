//! `parktwin hazard`: the consequence models on the command line, JSON out, for planners'
//! scripts and for checking against other tools: a liquid leaking from a tank, a gas leaking
//! through a hole, a BLEVE's fireball. Refusals name the flag and the reason.

use anyhow::anyhow;
use clap::{Args, Subcommand};
use parktwin_api::model::Chemical;
use parktwin_consequence::source::tank_liquid::SHARP_EDGED_ORIFICE;
use parktwin_consequence::source::{GasHole, TankHole, ideal_gas_density};
use parktwin_consequence::{ATMOSPHERE_PA, InputError, fire::Fireball};
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
    /// A BLEVE's fireball (CCPS): diameter, duration, centre height.
    Fireball(FireballArgs),
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
    /// The chemical, to refuse one that does not burn.
    #[arg(long)]
    pub chemical: Option<String>,
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

fn kelvin(c: f64) -> anyhow::Result<f64> {
    if !c.is_finite() || c <= -273.15 {
        return Err(anyhow!("--temperature-c: {c} °C is at or below absolute zero"));
    }
    Ok(c + 273.15)
}

/// Runs the command and returns what it prints.
pub fn run(model: &HazardModel) -> anyhow::Result<Value> {
    match model {
        HazardModel::Leak(a) => leak(a),
        HazardModel::GasLeak(a) => gas_leak(a),
        HazardModel::Fireball(a) => fireball(a),
    }
}

fn leak(a: &LeakArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin(a.temperature_c)?;
    let density = c
        .liquid_density
        .ok_or_else(|| anyhow!("--chemical {}: the table has no liquid density for it", c.name))?
        .kg_m3_at(t, c.molar_mass)
        .map_err(|e| anyhow!("--temperature-c: {} at {} °C: {e}", c.name, a.temperature_c))?;
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
    let t = kelvin(a.temperature_c)?;
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
    if let Some(name) = &a.chemical {
        let c = chemical(name)?;
        if c.lel_vol_pct.is_none() {
            return Err(anyhow!(
                "--chemical {}: it does not burn (no lower explosive limit): no fireball",
                c.name
            ));
        }
    }
    let ball = Fireball::of_mass(a.mass_kg).map_err(|e| flag_error(e, &[("mass_kg", "--mass-kg")]))?;
    let mut v = serde_json::to_value(ball)?;
    v["model"] = "fireball".into();
    v["source"] = "CCPS, Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. (2000), §2.2.4".into();
    Ok(v)
}
