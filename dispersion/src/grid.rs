//! Ground-level concentration grids: the straightforward reference and the fast evaluation.
//!
//! The fast plume grid uses that σy and σz depend only on the downwind distance: they (and the
//! vertical term and the 1/(2π u σy σz) factor) are tabulated once along the wind, and the
//! crosswind exponential comes from a table too, so a cell costs a rotation and two lookups. The fast puff grid visits, for each
//! puff, only the cells within 4σ of its centre, and factors exp(−(dx² + dy²)/2σ²) into a row
//! factor times a column factor, so a cell costs one multiply–add; rows run in parallel with
//! rayon.

use std::f64::consts::PI;

use rayon::prelude::*;

use crate::model::{Plume, Puff, vertical_term};
use crate::sigma::SigmaSet;
use crate::sigma::sigmas;
use crate::stability::Stability;

/// A regular grid of cells: the centre of cell (i, j) is at (x0 + i·step, y0 + j·step), metres
/// east and north of the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// East of the first cell's centre, m.
    pub x0: f64,
    /// North of the first cell's centre, m.
    pub y0: f64,
    /// Cell size, m.
    pub step: f64,
    /// Cells east–west.
    pub nx: usize,
    /// Cells north–south.
    pub ny: usize,
}

impl GridSpec {
    /// A square grid of `n`×`n` cells of `step` metres centred on the source.
    pub fn centred(n: usize, step: f64) -> Self {
        let half = (n as f64 - 1.0) / 2.0 * step;
        Self {
            x0: -half,
            y0: -half,
            step,
            nx: n,
            ny: n,
        }
    }

    /// The centre of cell (i, j).
    pub fn centre(&self, i: usize, j: usize) -> (f64, f64) {
        (self.x0 + i as f64 * self.step, self.y0 + j as f64 * self.step)
    }
}

/// Concentrations on a grid, row-major: `values[j * nx + i]`, mg/m³.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The cells.
    pub spec: GridSpec,
    /// mg/m³ per cell.
    pub values: Vec<f64>,
}

impl Grid {
    /// The value at cell (i, j).
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.values[j * self.spec.nx + i]
    }
}

/// A grid with `f(east, north)` evaluated at every cell centre: the straightforward way.
fn each_cell(spec: GridSpec, f: impl Fn(f64, f64) -> f64) -> Grid {
    let values = (0..spec.ny)
        .flat_map(|j| (0..spec.nx).map(move |i| spec.centre(i, j)))
        .map(|(e, n)| f(e, n))
        .collect();
    Grid { spec, values }
}

/// The plume on a grid at receptor height `z`, one full evaluation per cell (the reference).
pub fn plume_grid_reference(plume: &Plume, spec: GridSpec, z: f64) -> Grid {
    each_cell(spec, |e, n| plume.concentration(e, n, z))
}

/// σ and factors tabulated along the wind every metre: for each metre the amplitude
/// Q/(2π u σy σz)·(vertical term) and 1/(2σy²), each with its slope to the next metre.
struct AlongWind {
    inv_step: f64,
    /// [amp, d amp, k, d k] per entry.
    rows: Vec<[f64; 4]>,
}

impl AlongWind {
    fn new(plume: &Plume, z: f64, max_x: f64) -> Self {
        let a = &plume.atmosphere;
        let u = a.speed_at(plume.height);
        let step = 1.0;
        let n = (max_x / step).ceil() as usize + 3;
        let raw: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let x = (k as f64 * step).max(crate::sigma::MIN_DISTANCE);
                let (sy, sz) = sigmas(a.sigmas, a.stability, x);
                let amp = plume.rate_kg_s * 1e6 / (2.0 * PI * u * sy * sz)
                    * vertical_term(z, plume.height, sz, a.mixing_height);
                (amp, 1.0 / (2.0 * sy * sy))
            })
            .collect();
        let rows = raw
            .windows(2)
            .map(|w| [w[0].0, w[1].0 - w[0].0, w[0].1, w[1].1 - w[0].1])
            .collect();
        Self {
            inv_step: 1.0 / step,
            rows,
        }
    }

    #[inline]
    fn at(&self, x: f64) -> (f64, f64) {
        let f = x * self.inv_step;
        let k = (f as usize).min(self.rows.len() - 1);
        let t = f - k as f64;
        let r = &self.rows[k];
        (r[0] + t * r[1], r[2] + t * r[3])
    }
}

/// exp(−a) for 0 ≤ a ≤ [`EXP_CUTOFF`], tabulated every 1/128 and interpolated linearly: the
/// relative error is below 1e-5 (h²/8), and cheaper than calling `exp` per cell.
struct NegExp {
    /// [value, slope to the next entry].
    values: Vec<[f64; 2]>,
}

/// Beyond exp(−50) ≈ 2e−22 of the centreline nothing any level of concern will see.
const EXP_CUTOFF: f64 = 50.0;
const EXP_STEPS_PER_UNIT: f64 = 128.0;

impl NegExp {
    fn new() -> Self {
        let n = (EXP_CUTOFF * EXP_STEPS_PER_UNIT) as usize + 2;
        let v: Vec<f64> = (0..=n).map(|k| (-(k as f64) / EXP_STEPS_PER_UNIT).exp()).collect();
        Self {
            values: v.windows(2).map(|w| [w[0], w[1] - w[0]]).collect(),
        }
    }

    #[inline]
    fn at(&self, a: f64) -> f64 {
        let f = a * EXP_STEPS_PER_UNIT;
        let k = (f as usize).min(self.values.len() - 1);
        let e = &self.values[k];
        e[0] + (f - k as f64) * e[1]
    }
}

/// One row of the plume grid. Downwind and crosswind distances change by a constant step
/// along a row, so they are carried forward; cells upwind of the source are skipped whole.
fn plume_row(table: &AlongWind, exp: &NegExp, spec: &GridSpec, from_deg: f64, j: usize, row: &mut [f64]) {
    let n = spec.y0 + j as f64 * spec.step;
    let (dx, dy) = crate::wind::downwind_unit(from_deg);
    // x(i) = x0 + i·sx and y(i) = y0 + i·sy for the cell i of this row.
    let (x0, sx) = (spec.x0 * dx + n * dy, spec.step * dx);
    let (y0, sy) = (-spec.x0 * dy + n * dx, -spec.step * dy);
    // The cells with x > 0.
    let (lo, hi) = if sx.abs() < 1e-12 {
        if x0 > 0.0 { (0, row.len()) } else { (0, 0) }
    } else {
        let i_zero = -x0 / sx;
        if sx > 0.0 {
            ((i_zero.floor() + 1.0).clamp(0.0, row.len() as f64) as usize, row.len())
        } else {
            (0, (i_zero.ceil()).clamp(0.0, row.len() as f64) as usize)
        }
    };
    for (i, out) in row.iter_mut().enumerate().take(hi).skip(lo) {
        let x = x0 + i as f64 * sx;
        if x <= 0.0 {
            continue;
        }
        let y = y0 + i as f64 * sy;
        let (amp, k) = table.at(x);
        let arg = y * y * k;
        *out = if arg >= EXP_CUTOFF { 0.0 } else { amp * exp.at(arg) };
    }
}

fn max_downwind(spec: &GridSpec) -> f64 {
    let corners = [(0, 0), (spec.nx - 1, 0), (0, spec.ny - 1), (spec.nx - 1, spec.ny - 1)];
    corners
        .iter()
        .map(|&(i, j)| {
            let (e, n) = spec.centre(i, j);
            (e * e + n * n).sqrt()
        })
        .fold(0.0, f64::max)
}

/// The plume on a grid at receptor height `z`, fast; `parallel` spreads rows over threads.
pub fn plume_grid(plume: &Plume, spec: GridSpec, z: f64, parallel: bool) -> Grid {
    let table = AlongWind::new(plume, z, max_downwind(&spec));
    static EXP: std::sync::OnceLock<NegExp> = std::sync::OnceLock::new();
    let exp = EXP.get_or_init(NegExp::new);
    let from = plume.atmosphere.wind_from_deg;
    fill_rows(spec, parallel, |j, row| plume_row(&table, exp, &spec, from, j, row))
}

/// A grid whose rows `row(j, cells)` fills, on this thread or spread over rayon's.
fn fill_rows(spec: GridSpec, parallel: bool, row: impl Fn(usize, &mut [f64]) + Sync) -> Grid {
    let mut values = vec![0.0; spec.nx * spec.ny];
    if parallel {
        values.par_chunks_mut(spec.nx).enumerate().for_each(|(j, r)| row(j, r));
    } else {
        values.chunks_mut(spec.nx).enumerate().for_each(|(j, r)| row(j, r));
    }
    Grid { spec, values }
}

/// Puffs on a grid at receptor height `z`, one full evaluation of every puff per cell (the
/// reference).
pub fn puff_grid_reference(
    puffs: &[Puff],
    set: SigmaSet,
    class: Stability,
    mixing: Option<f64>,
    spec: GridSpec,
    z: f64,
) -> Grid {
    each_cell(spec, |e, n| {
        puffs.iter().map(|p| p.concentration(set, class, mixing, e, n, z)).sum()
    })
}

/// A puff reduced to what a grid needs: its amplitude, 1/(2σ²), centre, reach, and the
/// column factors exp(−dx²/2σ²) of the cells it reaches.
struct PuffKernel {
    amp: f64,
    k: f64,
    n: f64,
    reach: f64,
    i0: usize,
    cols: Vec<f64>,
}

/// Puffs on a grid at receptor height `z`, fast; `parallel` spreads rows over threads.
pub fn puff_grid(
    puffs: &[Puff],
    set: SigmaSet,
    class: Stability,
    mixing: Option<f64>,
    spec: GridSpec,
    z: f64,
    parallel: bool,
) -> Grid {
    let kernels: Vec<PuffKernel> = puffs
        .iter()
        .filter_map(|p| {
            let (sy, sz) = sigmas(set, class, p.travelled);
            let k = 1.0 / (2.0 * sy * sy);
            // Beyond 6σ exp(−r²/2σ²) < 1.6e−8 of the puff's peak: left out.
            let reach = 6.0 * sy;
            let lo = ((p.east - reach - spec.x0) / spec.step).ceil().max(0.0) as usize;
            let hi = ((p.east + reach - spec.x0) / spec.step)
                .floor()
                .min(spec.nx as f64 - 1.0);
            if hi < lo as f64 {
                return None;
            }
            let cols = (lo..=hi as usize)
                .map(|i| {
                    let de = spec.x0 + i as f64 * spec.step - p.east;
                    (-de * de * k).exp()
                })
                .collect();
            Some(PuffKernel {
                amp: p.mass_kg * 1e6 / ((2.0 * PI).powf(1.5) * sy * sy * sz) * vertical_term(z, p.height, sz, mixing),
                k,
                n: p.north,
                reach,
                i0: lo,
                cols,
            })
        })
        .collect();
    fill_rows(spec, parallel, |j: usize, out: &mut [f64]| {
        let n = spec.y0 + j as f64 * spec.step;
        for p in &kernels {
            let dn = n - p.n;
            if dn.abs() > p.reach {
                continue;
            }
            let row_factor = p.amp * (-dn * dn * p.k).exp();
            for (v, c) in out[p.i0..p.i0 + p.cols.len()].iter_mut().zip(&p.cols) {
                *v += row_factor * c;
            }
        }
    })
}
