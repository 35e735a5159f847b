//! An incident's fire or blast: the model its kind and its chemical make, and the zones that
//! model draws. The server, the map and the command line all go through [`Burning::of`], so
//! the zones each shows agree.
//!
//! A cloud's zones are the dispersion crate's; this module answers the other kinds.

use parktwin_api::incident::{Hazard, Incident};
use parktwin_api::model::Chemical;

use crate::air_density_kg_m3;
use crate::explosion::multi_energy::DEFAULT_STRENGTH;
use crate::explosion::{MultiEnergyBlast, TntBlast};
use crate::fire::fireball::radiative_fraction;
use crate::fire::jet_fire::JetFire;
use crate::fire::pool_fire::Fuel;
use crate::fire::radiation::water_partial_pressure_pa;
use crate::fire::tilted_flame::TiltedFlame;
use crate::fire::{Fireball, PoolFire};
use crate::zones::{LevelReach, overpressure, thermal};

/// The relative humidity an incident's fire is drawn with (0 to 1): the park's weather
/// stations report none. Water in the air absorbs a fire's radiation on its way; at 50 % the
/// zones are those of a middling day (drier air lets more through, and the zones grow a few
/// per cent).
pub const INCIDENT_HUMIDITY: f64 = 0.5;

/// The share of a cloud's combustion energy in the TNT charge an explosion is cross-checked
/// against: 3 %, the common choice for hydrocarbons in a congested plant (Crowl & Louvar,
/// *Chemical Process Safety*, 3rd ed., 2011, §6-13, which gives 1–10 %).
pub const INCIDENT_TNT_EFFICIENCY: f64 = 0.03;

/// The model of an incident's fire or blast, with what it was made from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Burning {
    /// A pool fire (solid flame, leaning in the wind now in force).
    PoolFire {
        /// The fire.
        fire: PoolFire,
        /// Its flame in the wind.
        flame: TiltedFlame,
        /// The wind's direction, degrees it blows from: the flame leans the other way.
        wind_from_deg: f64,
        /// Water in the air, Pa.
        water_pa: f64,
        /// How long the pool burns, s, where its liquid is known.
        burns_s: Option<f64>,
    },
    /// A jet fire at the hole.
    JetFire {
        /// The fire.
        fire: JetFire,
        /// Water in the air, Pa.
        water_pa: f64,
    },
    /// A BLEVE's fireball.
    Fireball {
        /// The ball.
        ball: Fireball,
        /// Its surface emissive power, W/m².
        emissive_power_w_m2: f64,
        /// Water in the air, Pa.
        water_pa: f64,
    },
    /// A vapour cloud explosion by the multi-energy method, with the TNT charge it is
    /// cross-checked against.
    Explosion {
        /// The blast.
        blast: MultiEnergyBlast,
        /// The TNT equivalent at [`INCIDENT_TNT_EFFICIENCY`], for comparison.
        tnt: TntBlast,
    },
}

impl Burning {
    /// The model of an incident that burns or blasts, from its chemical's properties at the
    /// air's temperature; an error naming the field where the incident or the table lacks what
    /// it needs, or where the incident is a cloud (whose zones the dispersion crate draws).
    pub fn of(inc: &Incident, chem: &Chemical) -> Result<Self, String> {
        let field = |f: &'static str| move |e: String| format!("field \"{f}\": {e}");
        let model = |f: &'static str| move |e: crate::InputError| format!("field \"{f}\": {}", e.reason);
        let air_k = inc.weather.temperature_c + 273.15;
        let water_pa = water_partial_pressure_pa(INCIDENT_HUMIDITY, air_k).map_err(model("weather.temperature_c"))?;
        let hc = chem.heat_of_combustion().map_err(field("chemical"))?;
        let mass = |kind: &str| {
            inc.mass_kg
                .ok_or_else(|| format!("field \"mass_kg\": a {kind} needs the mass that burns"))
        };
        Ok(match inc.hazard {
            Hazard::Cloud => {
                return Err("field \"hazard\": a cloud's zones are the dispersion model's, not a fire's".into());
            }
            Hazard::PoolFire => {
                let liquid = chem.boiling_liquid().map_err(field("chemical"))?;
                let fuel = Fuel {
                    heat_of_combustion_j_kg: hc,
                    heat_of_vaporisation_j_kg: liquid.heat_of_vaporisation_j_kg,
                    heat_capacity_j_kg_k: liquid.heat_capacity_j_kg_k,
                    boiling_point_k: liquid.boiling_point_k,
                };
                let d = inc
                    .pool_diameter_m
                    .ok_or_else(|| "field \"pool_diameter_m\": a pool fire needs the pool's diameter".to_string())?;
                let fire = PoolFire::new(d, fuel, air_k, air_density_kg_m3(air_k)).map_err(model("pool_diameter_m"))?;
                let area = std::f64::consts::PI * d * d / 4.0;
                let (wind, wind_from_deg, _) = inc.weather_now();
                Burning::PoolFire {
                    flame: fire
                        .in_wind(wind, air_density_kg_m3(air_k))
                        .map_err(model("weather.wind_speed_ms"))?,
                    wind_from_deg,
                    fire,
                    water_pa,
                    burns_s: inc.mass_kg.map(|m| m / (fire.burning_rate_kg_m2_s * area)),
                }
            }
            Hazard::JetFire => {
                let rate = inc
                    .rate_kg_s
                    .ok_or_else(|| "field \"rate_kg_s\": a jet fire needs the rate the gas leaks at".to_string())?;
                Burning::JetFire {
                    fire: JetFire::new(rate, hc, inc.height_m).map_err(model("rate_kg_s"))?,
                    water_pa,
                }
            }
            Hazard::Fireball => {
                let ball = Fireball::of_mass(mass("fireball")?).map_err(model("mass_kg"))?;
                // The vessel bursts at its contents' vapour pressure at the air's temperature
                // (a tank in the sun, not one heated by a fire: the smaller, the safer side
                // for the share radiated is not taken here; the larger ball is).
                let pressure = chem.vapour_pressure_pa(air_k).map_err(field("chemical"))?;
                Burning::Fireball {
                    emissive_power_w_m2: ball.emissive_power_w_m2(hc, radiative_fraction(pressure)),
                    ball,
                    water_pa,
                }
            }
            Hazard::Explosion => {
                let m = mass("explosion")?;
                let strength = inc.blast_strength.unwrap_or(DEFAULT_STRENGTH);
                Burning::Explosion {
                    blast: MultiEnergyBlast::of_cloud(m, hc, strength).map_err(model("blast_strength"))?,
                    tnt: TntBlast::of_cloud(m, hc, INCIDENT_TNT_EFFICIENCY).map_err(model("mass_kg"))?,
                }
            }
        })
    }

    /// Its zones, most severe first: ALOHA's thermal levels for a fire, its overpressure levels
    /// for a blast, each with its reach from the centre (a pool fire's downwind, where its
    /// flame leans and it reaches farthest).
    pub fn zones(&self) -> Vec<LevelReach> {
        match self {
            Burning::PoolFire {
                fire, flame, water_pa, ..
            } => thermal(|q| fire.reach_in_wind_m(flame, q, 0.0, *water_pa)),
            Burning::JetFire { fire, water_pa } => thermal(|q| fire.reach_m(q, *water_pa)),
            Burning::Fireball {
                ball,
                emissive_power_w_m2,
                water_pa,
            } => thermal(|q| ball.reach_m(q, *emissive_power_w_m2, *water_pa)),
            Burning::Explosion { blast, .. } => overpressure(|pa| blast.distance_to_pa(pa)),
        }
    }

    /// The wind its zones lean with, degrees it blows from: a pool fire's; the others reach as
    /// far every way.
    pub fn wind_from_deg(&self) -> Option<f64> {
        match self {
            Burning::PoolFire { wind_from_deg, .. } => Some(*wind_from_deg),
            _ => None,
        }
    }

    /// How far the zone of `level` (its [`LevelReach::level`]) reaches `angle_rad` from
    /// downwind, m: a pool fire's flame leaning in the wind; the others' reach every way.
    pub fn reach_toward_m(&self, level: f64, angle_rad: f64) -> Option<f64> {
        match self {
            Burning::PoolFire {
                fire, flame, water_pa, ..
            } => fire.reach_in_wind_m(flame, level, angle_rad, *water_pa),
            _ => self
                .zones()
                .into_iter()
                .find(|z| z.level == level)
                .and_then(|z| z.reach_m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::model::ChemicalTable;

    fn table() -> ChemicalTable {
        serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("table")
    }

    fn incident(hazard: Hazard, chemical: &str) -> Incident {
        serde_json::from_value(serde_json::json!({
            "id": "inc-1", "lon": 118.45, "lat": 37.57, "height_m": 0.0, "chemical": chemical,
            "hazard": hazard, "start": "2026-06-01T10:00:00.000Z", "levels": "thermal", "created_by": "op",
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 270.0, "temperature_c": 20.0, "stability": "D"},
        }))
        .expect("an incident")
    }

    fn reaches(b: &Burning) -> Vec<f64> {
        b.zones().iter().map(|z| z.reach_m.expect("reaches")).collect()
    }

    #[test]
    fn each_kind_draws_three_nested_zones_that_grow_with_the_fire() {
        let t = table();
        let mut pool = incident(Hazard::PoolFire, "benzene");
        pool.pool_diameter_m = Some(10.0);
        let mut ball = incident(Hazard::Fireball, "propane");
        ball.mass_kg = Some(10_000.0);
        let mut blast = incident(Hazard::Explosion, "propane");
        blast.mass_kg = Some(1_000.0);
        blast.levels = "overpressure".into();
        let mut strong = blast.clone();
        strong.blast_strength = Some(10);
        let propane = t.get("propane").expect("propane");
        let (r7, r10) = (
            reaches(&Burning::of(&blast, propane).expect("a blast")),
            reaches(&Burning::of(&strong, propane).expect("a blast")),
        );
        assert!(r10[0] > r7[0], "a detonation reaches 8 psi farther: {r7:?} {r10:?}");
        let mut jet = incident(Hazard::JetFire, "propane");
        jet.rate_kg_s = Some(5.0);
        for inc in [pool, ball, blast, jet] {
            let chem = t.get(&inc.chemical).expect("in the table");
            let small = Burning::of(&inc, chem).expect("a model");
            let r = reaches(&small);
            assert!(
                r[0] < r[1] && r[1] < r[2],
                "{:?}: the severe zone inside the milder: {r:?}",
                inc.hazard
            );
            let mut bigger = inc.clone();
            bigger.pool_diameter_m = inc.pool_diameter_m.map(|d| 2.0 * d);
            bigger.mass_kg = inc.mass_kg.map(|m| 2.0 * m);
            bigger.rate_kg_s = inc.rate_kg_s.map(|m| 2.0 * m);
            let r2 = reaches(&Burning::of(&bigger, chem).expect("a model"));
            assert!(
                r2.iter().zip(&r).all(|(b, a)| b > a),
                "{:?}: {r:?} → {r2:?}",
                inc.hazard
            );
        }
    }

    #[test]
    fn a_chemical_that_does_not_burn_or_a_missing_amount_is_refused_by_name() {
        let t = table();
        let mut ball = incident(Hazard::Fireball, "chlorine");
        ball.mass_kg = Some(1_000.0);
        let err = Burning::of(&ball, t.get("chlorine").expect("chlorine")).expect_err("chlorine does not burn");
        assert!(err.starts_with("field \"chemical\": chlorine does not burn"), "{err}");
        let pool = incident(Hazard::PoolFire, "benzene");
        let err = Burning::of(&pool, t.get("benzene").expect("benzene")).expect_err("no pool");
        assert!(err.starts_with("field \"pool_diameter_m\""), "{err}");
        let cloud = incident(Hazard::Cloud, "propane");
        assert!(Burning::of(&cloud, t.get("propane").expect("propane")).is_err());
    }

    #[test]
    fn a_pool_with_its_liquid_known_says_how_long_it_burns() {
        let t = table();
        let mut pool = incident(Hazard::PoolFire, "benzene");
        pool.pool_diameter_m = Some(10.0);
        pool.mass_kg = Some(10_000.0);
        let Ok(Burning::PoolFire { fire, burns_s, .. }) = Burning::of(&pool, t.get("benzene").expect("benzene")) else {
            panic!("a pool fire");
        };
        // 10 t over 78.5 m² at the burning rate.
        let expected = 10_000.0 / (fire.burning_rate_kg_m2_s * 78.539_816);
        assert!((burns_s.expect("a time") - expected).abs() < 0.01, "{burns_s:?}");
        assert!(expected > 60.0 && expected < 7_200.0, "{expected}");
    }
}
