//! Fires and blasts on the command line: fireball, pool fire, jet fire, explosion.

use super::*;
use parktwin_consequence::incident::Burning;
use parktwin_dispersion::incident::burning_zones;

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
    /// The wind at 10 m, m/s: the flame leans downwind and its length follows the wind (as
    /// ALOHA); absent, still air and an upright flame.
    #[arg(long, value_name = "M_S")]
    pub wind_speed: Option<f64>,
    /// Where the wind comes from, degrees (270: from the west), for the zones' shapes with --at.
    #[arg(long, value_name = "DEG", default_value_t = 270.0)]
    pub wind_from_deg: f64,
    /// Who is exposed, through what air, and where.
    #[command(flatten)]
    pub heat: HeatArgs,
}

/// What a fire's heat reaches: the people exposed, the air it crosses, where the fire is.
#[derive(Args, Debug, Clone)]
pub struct HeatArgs {
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
    /// Who is exposed, through what air, and where.
    #[command(flatten)]
    pub heat: HeatArgs,
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

pub(super) fn fireball(a: &FireballArgs) -> anyhow::Result<Value> {
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

pub(super) fn pool_fire(a: &PoolFireArgs) -> anyhow::Result<Value> {
    let (c, hc) = burns(&a.chemical)?;
    let (boiling_point_k, heat_capacity_j_kg_k, heat_of_vaporisation_j_kg) = boiling_liquid(c)?;
    let fuel = Fuel {
        heat_of_combustion_j_kg: hc,
        heat_of_vaporisation_j_kg,
        heat_capacity_j_kg_k,
        boiling_point_k,
    };
    let air_k = kelvin("--air-temperature-c", a.heat.air.air_temperature_c)?;
    let water = water_pa(&a.heat.air)?;
    let fire = PoolFire::new(a.diameter_m, fuel, air_k, air_density_kg_m3(air_k))
        .map_err(|e| flag_error(e, &[("diameter_m", "--diameter-m")]))?;
    let exposure_s = positive("--exposure-s", a.heat.exposure_s, "a time in s")?;
    let mut v = serde_json::to_value(fire)?;
    v["model"] = "pool_fire".into();
    v["chemical"] = c.name.as_str().into();
    v["exposure_s"] = a.heat.exposure_s.into();
    v["source"] = "solid flame: CCPS, Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. (2000), \
                   §2.2.6; Burgess burning rate, Thomas flame height, Mudan & Croce emissive power; in wind, \
                   ALOHA's (TM NOS OR&R 43 §6.5.2): Thomas's length in wind, the AGA's tilt, a sheared cylinder's \
                   view factor"
        .into();
    let Some(wind) = a.wind_speed else {
        v["zones"] = thermal_zones(|q| fire.reach_m(q, water), exposure_s);
        v["distances_from"] = "the pool's centre".into();
        v["limits"] = "still air: give --wind-speed for the flame leaning in the wind".into();
        with_geojson(&mut v, &a.heat.place);
        return Ok(v);
    };
    let flame = fire
        .in_wind(wind, air_density_kg_m3(air_k))
        .map_err(|e| flag_error(e, &[("wind_10m", "--wind-speed")]))?;
    let mut zones = thermal_zones(|q| fire.reach_in_wind_m(&flame, q, 0.0, water), exposure_s);
    for z in zones.as_array_mut().into_iter().flatten() {
        let q = z["level"].as_f64().unwrap_or(0.0);
        z["crosswind_m"] = fire
            .reach_in_wind_m(&flame, q, std::f64::consts::FRAC_PI_2, water)
            .into();
        z["upwind_m"] = fire.reach_in_wind_m(&flame, q, std::f64::consts::PI, water).into();
    }
    v["zones"] = zones;
    v["flame"] = serde_json::to_value(flame)?;
    v["flame"]["tilt_deg"] = flame.tilt_rad.to_degrees().into();
    v["distances_from"] =
        "the pool's centre: reach_m downwind, crosswind_m across the wind, upwind_m against it".into();
    let outlines = burning_zones(&Burning::PoolFire {
        fire,
        flame,
        wind_from_deg: a.wind_from_deg,
        water_pa: water,
        burns_s: None,
    });
    with_shapes(&mut v, &a.heat.place, |z| {
        let name = z["name"].as_str().unwrap_or_default();
        outlines
            .iter()
            .find(|o| o.name == name)
            .cloned()
            .unwrap_or_else(|| circle_zone(name, 0.0, LevelUnit::WM2, 0.0))
    });
    Ok(v)
}

pub(super) fn jet_fire(a: &JetFireArgs) -> anyhow::Result<Value> {
    let (c, hc) = burns(&a.chemical)?;
    let fire = JetFire::new(a.rate_kg_s, hc, a.hole_height_m)
        .map_err(|e| flag_error(e, &[("rate_kg_s", "--rate-kg-s"), ("hole_height_m", "--hole-height-m")]))?;
    let water = water_pa(&a.heat.air)?;
    let exposure_s = positive("--exposure-s", a.heat.exposure_s, "a time in s")?;
    let mut v = serde_json::to_value(fire)?;
    v["model"] = "jet_fire".into();
    v["chemical"] = c.name.as_str().into();
    v["zones"] = thermal_zones(|q| fire.reach_m(q, water), exposure_s);
    v["exposure_s"] = a.heat.exposure_s.into();
    v["distances_from"] = "the hole, every way (where the jet points is not known)".into();
    v["source"] = JetFire::SOURCE.into();
    with_geojson(&mut v, &a.heat.place);
    Ok(v)
}

pub(super) fn explosion(a: &ExplosionArgs) -> anyhow::Result<Value> {
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
