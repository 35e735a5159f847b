//! How long each consequence model takes to give its zones, beside the toxic plume's zones as
//! an incident draws them today (the baseline, in the same run): #28 asks for an incident's
//! zones in under 100 ms. `cargo bench -p parktwin-consequence` prints the times; BENCHMARKS.md
//! holds the ratios of one run.

// criterion's macros generate functions without doc comments.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use parktwin_consequence::explosion::TntBlast;
use parktwin_consequence::explosion::tnt::ALOHA_OVERPRESSURE_LEVELS;
use parktwin_consequence::fire::pool_fire::Fuel;
use parktwin_consequence::fire::radiation::ALOHA_THERMAL_LEVELS;
use parktwin_consequence::fire::{Fireball, PoolFire};
use parktwin_dispersion::britter_mcquaid::{DensePlume, reduced_gravity};
use parktwin_dispersion::incident::{Footprint, ZONE_CELLS};
use parktwin_dispersion::model::{Atmosphere, Plume};
use parktwin_dispersion::sigma::SigmaSet;
use parktwin_dispersion::stability::Stability;

const WATER_PA: f64 = 1_170.0;

fn bench_zones(c: &mut Criterion) {
    let mut g = c.benchmark_group("an incident's zones");
    g.sample_size(10);
    // The baseline: 2 kg/s of chlorine as a Gaussian plume, its three AEGL zones contoured on
    // grids of 401×401 cells, as the server draws an incident's.
    let plume = Footprint::Steady(Plume {
        rate_kg_s: 2.0,
        height: 0.0,
        atmosphere: Atmosphere {
            wind_speed: 3.0,
            wind_from_deg: 270.0,
            wind_height: 10.0,
            stability: Stability::D,
            sigmas: SigmaSet::BriggsRural,
            mixing_height: None,
        },
    });
    // AEGL-3, -2, -1 of chlorine at 25 °C, mg/m³.
    let levels: Vec<(String, f64)> = [("AEGL-3", 58.0), ("AEGL-2", 5.8), ("AEGL-1", 1.45)]
        .iter()
        .map(|(n, v)| (n.to_string(), *v))
        .collect();
    g.bench_function("baseline: toxic plume, 3 contoured zones", |b| {
        b.iter(|| plume.zones(&levels, ZONE_CELLS, None).expect("zones"))
    });
    let ball = Fireball::of_mass(12_000.0).expect("a fireball");
    let e = ball.emissive_power_w_m2(46.34e6, 0.255);
    g.bench_function("fireball, 3 thermal reaches", |b| {
        b.iter(|| ALOHA_THERMAL_LEVELS.map(|l| ball.reach_m(l.flux_w_m2, e, WATER_PA)))
    });
    let benzene = Fuel {
        heat_of_combustion_j_kg: 40.58e6,
        heat_of_vaporisation_j_kg: 394_400.0,
        heat_capacity_j_kg_k: 1893.0,
        boiling_point_k: 353.23,
    };
    let pool = PoolFire::new(20.0, benzene, 293.15, 1.204).expect("a fire");
    g.bench_function("pool fire, 3 thermal reaches", |b| {
        b.iter(|| ALOHA_THERMAL_LEVELS.map(|l| pool.reach_m(l.flux_w_m2, WATER_PA)))
    });
    let blast = TntBlast::of_cloud(1000.0, 46.34e6, 0.03).expect("a blast");
    g.bench_function("explosion, 3 overpressure reaches", |b| {
        b.iter(|| ALOHA_OVERPRESSURE_LEVELS.map(|(pa, _, _)| blast.distance_to_pa(pa)))
    });
    // 5 kg/s of chlorine at its boiling point, dense, in a 3 m/s wind.
    let dense = DensePlume::new(5.0 / 3.61, reduced_gravity(3.61, 1.204), 3.0, 239.11 / 293.15);
    g.bench_function("dense gas plume, 3 reaches", |b| {
        b.iter(|| [20e-6, 2e-6, 0.5e-6].map(|r| dense.reach_m(r)))
    });
    g.finish();
}

criterion_group!(benches, bench_zones);
criterion_main!(benches);
