//! `parktwin hazard pipe-rupture`: a gas pipeline broken, its rate over time.

use super::*;
use parktwin_consequence::source::gas_pipeline::{
    ALOHA_HORIZON_S, GasPipeline, NORMAL_ROUGHNESS_M, Pipeline, ROUGH_ROUGHNESS_M,
};

/// Flags of `parktwin hazard pipe-rupture`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct PipeRuptureArgs {
    /// The gas in the pipe (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The pipe's bore, mm.
    #[arg(long, value_name = "MM")]
    pub diameter_mm: f64,
    /// The pipe's length from the break to the nearest closed valve (or the reservoir), m.
    #[arg(long, value_name = "M")]
    pub length_m: f64,
    /// The gas's pressure before the break, kPa gauge.
    #[arg(long, value_name = "KPA")]
    pub gauge_pressure_kpa: f64,
    /// The gas's temperature, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
    /// A hole in the wall, mm, rather than the pipe cut through (the default).
    #[arg(long, value_name = "MM")]
    pub hole_diameter_mm: Option<f64>,
    /// A rough pipe (ALOHA's 2 mm roughness rather than 0.1 mm).
    #[arg(long)]
    pub rough: bool,
    /// A reservoir keeps feeding the pipe: the flow settles on what the pipe lets through.
    #[arg(long)]
    pub fed: bool,
    /// The gas's heat capacity ratio cp/cv (the chemical table's at 25 °C where absent).
    #[arg(long, value_name = "K")]
    pub heat_capacity_ratio: Option<f64>,
}

pub(super) fn pipe_rupture(a: &PipeRuptureArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let pressure = ATMOSPHERE_PA + a.gauge_pressure_kpa * 1000.0;
    c.gas_at(pressure, t)
        .map_err(|e| anyhow!("--gauge-pressure-kpa: {e}: the model is for a gas; take `parktwin hazard two-phase`"))?;
    let ratio = heat_capacity_ratio(c, a.heat_capacity_ratio)?;
    let pipe = Pipeline {
        diameter_m: a.diameter_mm / 1000.0,
        length_m: a.length_m,
        roughness_m: if a.rough { ROUGH_ROUGHNESS_M } else { NORMAL_ROUGHNESS_M },
        pressure_pa: pressure,
        temperature_k: t,
        molar_mass_kg_mol: c.molar_mass / 1000.0,
        heat_capacity_ratio: ratio,
    };
    let r = GasPipeline::new(pipe, a.hole_diameter_mm.map(|d| d / 1000.0), a.fed).map_err(|e| {
        flag_error(
            e,
            &[
                ("diameter_m", "--diameter-mm"),
                ("length_m", "--length-m"),
                ("pressure_pa", "--gauge-pressure-kpa"),
                ("hole_diameter_m", "--hole-diameter-mm"),
                ("heat_capacity_ratio", "--heat-capacity-ratio"),
            ],
        )
    })?;
    let mut v = serde_json::to_value(r)?;
    v["model"] = "pipe_rupture".into();
    v["chemical"] = c.name.as_str().into();
    v["heat_capacity_ratio"] = ratio.into();
    v["released_kg_in_60_s"] = r.released_kg(60.0).into();
    v["rate_kg_s_at"] = json!({"10_s": r.rate_kg_s(10.0), "60_s": r.rate_kg_s(60.0), "600_s": r.rate_kg_s(600.0)});
    v["rate_over_time"] = serde_json::to_value(r.curve(20, ALOHA_HORIZON_S))?;
    v["source"] = "ALOHA's gas pipeline (NOAA TM NOS OR&R 43, §3.5: Wilson's double exponential, Blevins's \
                   friction factor); a reservoir's flow by isothermal flow choked at the break"
        .into();
    Ok(v)
}
