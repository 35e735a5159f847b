//! Source strength on the command line: a liquid or a gas through a hole, a flash, a flashing
//! two-phase leak, a spreading and evaporating pool.

use super::*;

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
    /// 1.13 for propane); the chemical table's at 25 °C where absent.
    #[arg(long, value_name = "K")]
    pub heat_capacity_ratio: Option<f64>,
    /// The discharge coefficient: 0.61 for a sharp-edged hole, 1 for the worst case.
    #[arg(long, value_name = "CD", default_value_t = 1.0)]
    pub discharge_coefficient: f64,
}

pub(super) fn leak(a: &LeakArgs) -> anyhow::Result<Value> {
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

pub(super) fn gas_leak(a: &GasLeakArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let inside = ATMOSPHERE_PA + a.gauge_pressure_kpa * 1000.0;
    let ratio = heat_capacity_ratio(c, a.heat_capacity_ratio)?;
    let hole = GasHole::new(
        inside,
        ideal_gas_density(inside, t, c.molar_mass / 1000.0),
        ratio,
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
        "heat_capacity_ratio": ratio,
        "rate_kg_s": hole.rate_kg_s(),
        "choked": hole.is_choked(),
        "choked_below_kpa_absolute": hole.choked_pressure_pa() / 1000.0,
        "source": "isentropic ideal-gas flow through an orifice (Crowl & Louvar, Chemical Process \
                   Safety, §4-5; CCPS, Guidelines for Consequence Analysis of Chemical Releases, 1999, §2.1.1)",
    }))
}

pub(super) fn flash(a: &FlashArgs) -> anyhow::Result<Value> {
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

/// Flags of `parktwin hazard two-phase`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct TwoPhaseArgs {
    /// The liquefied gas (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The hole's diameter, mm.
    #[arg(long, value_name = "MM")]
    pub hole_diameter_mm: f64,
    /// The length of pipe between the tank and the break, m (0 for a hole in the tank's wall;
    /// 0.1 or more and the flow flashes to equilibrium on the way).
    #[arg(long, value_name = "M", default_value_t = 0.0)]
    pub pipe_length_m: f64,
    /// The liquid's temperature in the tank, °C (it is held at its vapour pressure there).
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
}

/// Flags of `parktwin hazard pool`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
pub struct PoolArgs {
    /// The liquid spilled (name or CAS number).
    #[arg(long)]
    pub chemical: String,
    /// The mass spilled all at once, kg.
    #[arg(long, value_name = "KG")]
    pub mass_kg: f64,
    /// The wind at 10 m, m/s.
    #[arg(long, value_name = "M_S")]
    pub wind_speed: f64,
    /// A bund's diameter (a round one, or one of the same area), m: the pool spreads no wider.
    #[arg(long, value_name = "M")]
    pub bund_diameter_m: Option<f64>,
    /// The liquid's and the ground's temperature, °C.
    #[arg(long, value_name = "C", default_value_t = 20.0)]
    pub temperature_c: f64,
}

pub(super) fn two_phase(a: &TwoPhaseArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let (tb, cp, hv_b) = boiling_liquid(c)?;
    let vp = c
        .vapour_pressure
        .ok_or_else(|| anyhow!("--chemical {}: the table has no vapour pressure for it", c.name))?;
    let pressure = at_temperature(true, "--temperature-c", c.vapour_pressure_pa(t))?;
    let density = at_temperature(c.liquid_density.is_some(), "--temperature-c", c.liquid_density_kg_m3(t))?;
    let hv = watson_heat_of_vaporisation(hv_b, tb, vp.critical_k(), t);
    let liquid = SaturatedLiquid {
        temperature_k: t,
        pressure_pa: pressure,
        liquid_density_kg_m3: density,
        heat_of_vaporisation_j_kg: hv,
        heat_capacity_j_kg_k: cp,
        molar_mass_kg_mol: c.molar_mass / 1000.0,
    };
    let leak = TwoPhaseLeak::new(liquid, a.hole_diameter_mm / 1000.0, a.pipe_length_m).map_err(|e| {
        flag_error(
            e,
            &[
                ("hole_diameter_m", "--hole-diameter-mm"),
                ("pipe_length_m", "--pipe-length-m"),
                ("pressure_pa", "--temperature-c"),
            ],
        )
    })?;
    let mut v = serde_json::to_value(leak)?;
    v["model"] = "two_phase".into();
    v["chemical"] = c.name.as_str().into();
    v["tank_pressure_kpa"] = (pressure / 1000.0).into();
    v["heat_of_vaporisation_j_kg"] = hv.into();
    v["flash_fraction"] = (cp * (t - tb) / hv).max(0.0).into();
    v["source"] = "Fauske's homogeneous non-equilibrium model as ALOHA takes it (NOAA TM NOS OR&R 43, §3.4.5); \
                   the heat of vaporisation carried from the boiling point by Watson's correlation"
        .into();
    Ok(v)
}

pub(super) fn pool(a: &PoolArgs) -> anyhow::Result<Value> {
    let c = chemical(&a.chemical)?;
    let t = kelvin("--temperature-c", a.temperature_c)?;
    let (tb, _, hv) = boiling_liquid(c)?;
    // A liquid that boils below the ground's temperature spills at its boiling point.
    let liquid_k = t.min(tb);
    let density = at_temperature(
        c.liquid_density.is_some(),
        "--temperature-c",
        c.liquid_density_kg_m3(liquid_k),
    )?;
    let volume = positive("--mass-kg", a.mass_kg, "a mass in kg")? / density;
    let bund = a
        .bund_diameter_m
        .map(|d| positive("--bund-diameter-m", d, "a diameter in m").map(|d| d / 2.0))
        .transpose()?;
    let radius = settled_radius_m(volume, bund).map_err(|e| anyhow!("{e}"))?;
    let area = std::f64::consts::PI * radius * radius;
    let wind = positive("--wind-speed", a.wind_speed, "a wind speed in m/s")?;
    let m = c.molar_mass / 1000.0;
    let mut v = json!({
        "model": "pool",
        "chemical": c.name,
        "volume_m3": volume,
        "radius_m": radius,
        "area_m2": area,
        "depth_m": volume / area,
        "spreading": if bund.is_some_and(|b| b <= radius) { "held by the bund" } else { "spread until 5 mm deep" },
    });
    if tb < t {
        // Boiling on the ground: the heat the ground gives each patch as the pool spreads over
        // it, falling as it cools.
        let pool = BoilingPool::new(a.mass_kg, density, tb, hv, t, Ground::CONCRETE, bund)
            .map_err(|e| flag_error(e, &[("ground_k", "--temperature-c"), ("mass_kg", "--mass-kg")]))?;
        let peak = pool.rate_kg_s(pool.spread_s.min(pool.seconds));
        v["boiling"] = true.into();
        v["rate_kg_s"] = peak.into();
        v["spreading_s"] = pool.spread_s.into();
        v["minutes_to_evaporate"] = (pool.seconds / 60.0).into();
        v["rate_kg_s_at"] = json!({
            "10_s": pool.rate_kg_s(10.0), "60_s": pool.rate_kg_s(60.0), "600_s": pool.rate_kg_s(600.0)
        });
        v["rate_over_time"] = serde_json::to_value(pool.curve(20))?;
        v["source"] = "spreading: Briscoe & Shaw as ALOHA (TM NOS OR&R 43 §3.4.4.2); boiling on concrete: CCPS 1999 \
                       eqs. 2.38-2.39 summed over the ground as the pool spreads over it, ALOHA's ground properties"
            .into();
    } else {
        let pv = at_temperature(c.vapour_pressure.is_some(), "--temperature-c", c.vapour_pressure_pa(t))?;
        let pool = EvaporatingPool::of_spill(a.mass_kg, density, pv, t, c.molar_mass, wind, bund)
            .map_err(|e| anyhow!("{e}"))?;
        let rate = pool.rate_kg_s;
        let screening = evaporation_kg_s(
            crowl_louvar_m_s(c.molar_mass).map_err(|e| anyhow!("{e}"))?,
            area,
            pv,
            t,
            m,
        )
        .map_err(|e| anyhow!("{e}"))?;
        let schmidt = schmidt_in_air(c.molar_mass).map_err(|e| anyhow!("{e}"))?;
        v["boiling"] = false.into();
        v["vapour_pressure_kpa"] = (pv / 1000.0).into();
        v["schmidt"] = schmidt.into();
        v["rate_kg_s"] = rate.into();
        v["minutes_to_evaporate"] = (a.mass_kg / rate / 60.0).into();
        v["crowl_louvar_rate_kg_s"] = screening.into();
        v["source"] = "spreading: Briscoe & Shaw as ALOHA (TM NOS OR&R 43 §3.4.4.2); evaporation: Mackay & Matsugu \
                       (1973), and Crowl & Louvar's screening form beside it"
            .into();
    }
    Ok(v)
}
