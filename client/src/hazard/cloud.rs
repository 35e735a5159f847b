//! A cloud's own models on the command line: a dense gas, sheltering indoors.

use super::*;

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

pub(super) fn indoor(a: &IndoorArgs) -> anyhow::Result<Value> {
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

pub(super) fn dense_gas(a: &DenseGasArgs) -> anyhow::Result<Value> {
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
