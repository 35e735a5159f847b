//! Grid benchmarks: the fast evaluations beside the straightforward per-receptor f64 one, in
//! the same run. `cargo bench -p parktwin-dispersion` prints the times; BENCHMARKS.md holds the
//! ratios of one run.

// criterion's macros generate functions without doc comments.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use parktwin_dispersion::grid::{GridSpec, plume_grid, plume_grid_reference, puff_grid, puff_grid_reference};
use parktwin_dispersion::model::{Atmosphere, Plume, PuffTrain, WindChange};
use parktwin_dispersion::sigma::SigmaSet;
use parktwin_dispersion::stability::Stability;

fn atmosphere() -> Atmosphere {
    Atmosphere {
        wind_speed: 3.0,
        wind_from_deg: 250.0,
        wind_height: 10.0,
        stability: Stability::D,
        sigmas: SigmaSet::BriggsRural,
        mixing_height: None,
    }
}

fn bench_plume(c: &mut Criterion) {
    let plume = Plume {
        rate_kg_s: 5.0,
        height: 2.0,
        atmosphere: atmosphere(),
    };
    let spec = GridSpec::centred(500, 10.0);
    let mut g = c.benchmark_group("plume grid 500x500");
    g.sample_size(10);
    g.bench_function("reference, per receptor", |b| {
        b.iter(|| plume_grid_reference(&plume, spec, 0.0))
    });
    g.bench_function("fast, 1 thread", |b| b.iter(|| plume_grid(&plume, spec, 0.0, false)));
    g.bench_function("fast, rayon", |b| b.iter(|| plume_grid(&plume, spec, 0.0, true)));
    g.finish();
}

fn bench_puffs(c: &mut Criterion) {
    // A 40-minute release cut into 600 puffs, with the wind swinging 60° after 10 minutes.
    let mut train = PuffTrain::continuous(5.0, 2400.0, 600, 2.0, atmosphere());
    train.wind_changes.push(WindChange {
        at_s: 600.0,
        speed: 2.5,
        from_deg: 310.0,
    });
    let puffs = train.puffs_at(2400.0);
    assert_eq!(puffs.len(), 600);
    let spec = GridSpec::centred(500, 20.0);
    let a = atmosphere();
    let mut g = c.benchmark_group("600 puffs on 500x500");
    g.sample_size(10);
    g.bench_function("reference, per receptor", |b| {
        b.iter(|| puff_grid_reference(&puffs, a.sigmas, a.stability, None, spec, 0.0))
    });
    g.bench_function("fast, 1 thread", |b| {
        b.iter(|| puff_grid(&puffs, a.sigmas, a.stability, None, spec, 0.0, false))
    });
    g.bench_function("fast, rayon", |b| {
        b.iter(|| puff_grid(&puffs, a.sigmas, a.stability, None, spec, 0.0, true))
    });
    g.finish();
}

criterion_group!(benches, bench_plume, bench_puffs);
criterion_main!(benches);
