//! How long an incident's zones take to draw, for each kind of incident, beside a toxic cloud's
//! (the baseline, in the same run): #28 asks for an incident's zones in under 100 ms.
//! `cargo bench -p parktwin-dispersion --bench incident_zones` prints the times;
//! BENCHMARKS.md holds the ratios of one run.

// criterion's macros generate functions without doc comments.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use parktwin_api::incident::{Hazard, Incident};
use parktwin_api::model::ChemicalTable;
use parktwin_consequence::source::boiling_pool::BoilingPool;
use parktwin_consequence::source::gas_pipeline::{GasPipeline, NORMAL_ROUGHNESS_M, Pipeline};
use parktwin_consequence::source::pool::Ground;
use parktwin_dispersion::britter_mcquaid::{DensePlume, reduced_gravity};
use parktwin_dispersion::incident::incident_zones;

fn incident(hazard: Hazard, chemical: &str) -> Incident {
    serde_json::from_value(serde_json::json!({
        "id": "inc-1", "lon": 118.45, "lat": 37.57, "height_m": 0.0, "chemical": chemical,
        "hazard": hazard, "start": "2026-06-01T10:00:00.000Z", "levels": "aegl", "created_by": "bench",
        "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 270.0, "temperature_c": 20.0, "stability": "D"},
    }))
    .expect("an incident")
}

fn bench_zones(c: &mut Criterion) {
    let table: ChemicalTable =
        serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("the chemical table");
    let mut g = c.benchmark_group("an incident's zones");
    g.sample_size(10);
    // The baseline: 2 kg/s of chlorine as a Gaussian plume, its three AEGL zones contoured on
    // grids of 401×401 cells, as the server draws a cloud's.
    let mut cloud = incident(Hazard::Cloud, "chlorine");
    cloud.rate_kg_s = Some(2.0);
    let mut pool = incident(Hazard::PoolFire, "benzene");
    pool.pool_diameter_m = Some(20.0);
    let mut jet = incident(Hazard::JetFire, "propane");
    jet.rate_kg_s = Some(10.0);
    let mut ball = incident(Hazard::Fireball, "propane");
    ball.mass_kg = Some(12_000.0);
    let mut blast = incident(Hazard::Explosion, "propane");
    blast.mass_kg = Some(1_000.0);
    for (name, inc) in [
        ("baseline: toxic cloud, 3 contoured zones", cloud),
        ("pool fire leaning in a 3 m/s wind, 3 outlines of 72 reaches", pool),
        ("jet fire, 3 thermal circles", jet),
        ("fireball, 3 thermal circles", ball),
        ("explosion, 3 overpressure circles", blast),
    ] {
        let chem = table.get(&inc.chemical).expect("in the table").clone();
        g.bench_function(name, |b| b.iter(|| incident_zones(&inc, &chem).expect("zones")));
    }
    // 5 kg/s of chlorine at its boiling point, dense, in a 3 m/s wind.
    let dense = DensePlume::new(5.0 / 3.61, reduced_gravity(3.61, 1.204), 3.0, 239.11 / 293.15);
    g.bench_function("dense gas plume, 3 reaches", |b| {
        b.iter(|| [20e-6, 2e-6, 0.5e-6].map(|r| dense.reach_m(r)))
    });
    // The sources the form turns into a rate over time: 50 t of propane's rain-out boiling in
    // a 30 m bund, and 800 m of 200 mm chlorine vapour line at 250 kPa gauge cut through.
    g.bench_function("boiling pool, 40-point rate curve", |b| {
        b.iter(|| {
            BoilingPool::new(50_000.0, 582.0, 231.04, 425_100.0, 293.15, Ground::CONCRETE, Some(15.0))
                .expect("a pool")
                .curve(40)
        })
    });
    let line = Pipeline {
        diameter_m: 0.2,
        length_m: 800.0,
        roughness_m: NORMAL_ROUGHNESS_M,
        pressure_pa: 351_325.0,
        temperature_k: 293.15,
        molar_mass_kg_mol: 0.070_906,
        heat_capacity_ratio: 1.33,
    };
    g.bench_function("gas pipeline fed from upstream, 40-point rate curve", |b| {
        b.iter(|| GasPipeline::new(line, None, true).expect("a rupture").curve(40, 3600.0))
    });
    g.finish();
}

criterion_group!(benches, bench_zones);
criterion_main!(benches);
