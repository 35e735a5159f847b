//! A pipe rack drawn as its steel frame: along its centre line a bent (two columns and a beam
//! for each tier) every `bent_spacing` metres, and stringers along both sides at each tier,
//! merged into one mesh per rack (one draw, one thing to pick).
//!
//! What the data does not say is a drawing choice, stated here, not a code's: a bent every
//! 6 m, tiers 1.5 m apart (the demo lays its pipes so), columns 0.4 m and beams 0.3 m square.

use crate::mesh::{MeshData, Topology, beam};

/// The shape of a rack's frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RackFrame {
    /// Width between the column lines, metres.
    pub width: f64,
    /// Height of the lowest tier, metres.
    pub height: f64,
    /// Number of tiers.
    pub tiers: u32,
    /// Between tiers, metres.
    pub tier_spacing: f64,
    /// Between bents along the rack, metres.
    pub bent_spacing: f64,
}

impl Default for RackFrame {
    fn default() -> Self {
        Self {
            width: 6.0,
            height: 7.0,
            tiers: 2,
            tier_spacing: 1.5,
            bent_spacing: 6.0,
        }
    }
}

const COLUMN: f64 = 0.4;
const BEAM: f64 = 0.3;

impl RackFrame {
    /// Height of the top tier, metres.
    pub fn top(&self) -> f64 {
        self.height + f64::from(self.tiers.max(1) - 1) * self.tier_spacing
    }

    /// The frame along a centre line of `[east, north]` points.
    ///
    /// ```
    /// use parktwin_scene::rack::RackFrame;
    /// let frame = RackFrame::default().mesh(&[[0.0, 0.0], [60.0, 0.0]]);
    /// let (lo, hi) = frame.bounds();
    /// assert!((hi[1] - (8.5 + 0.15)).abs() < 1e-3); // the top tier's beam
    /// assert!((hi[2] - lo[2] - 6.4).abs() < 1e-3); // across the columns
    /// ```
    pub fn mesh(&self, line: &[[f64; 2]]) -> MeshData {
        let mut m = MeshData::new(Topology::Triangles);
        let half = self.width / 2.0;
        let top = self.top();
        let tier = |k: u32| self.height + f64::from(k) * self.tier_spacing;
        for w in line.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len = dx.hypot(dy);
            if len < 1e-6 {
                continue;
            }
            // Across the rack, to its left.
            let (nx, ny) = (-dy / len * half, dx / len * half);
            let bents = (len / self.bent_spacing.max(1.0)).ceil().max(1.0) as usize;
            for i in 0..=bents {
                let f = i as f64 / bents as f64;
                let c = [a[0] + dx * f, a[1] + dy * f];
                let (l, r) = ([c[0] + nx, c[1] + ny], [c[0] - nx, c[1] - ny]);
                for s in [l, r] {
                    m.append(&beam([s[0], s[1], 0.0], [s[0], s[1], top], COLUMN));
                }
                for k in 0..self.tiers.max(1) {
                    m.append(&beam([l[0], l[1], tier(k)], [r[0], r[1], tier(k)], BEAM));
                }
            }
            for k in 0..self.tiers.max(1) {
                for (sx, sy) in [(nx, ny), (-nx, -ny)] {
                    m.append(&beam(
                        [a[0] + sx, a[1] + sy, tier(k)],
                        [b[0] + sx, b[1] + sy, tier(k)],
                        BEAM,
                    ));
                }
            }
        }
        m
    }

    /// How many bents a straight run of `length` metres has (both ends included).
    pub fn bents(&self, length: f64) -> usize {
        (length / self.bent_spacing.max(1.0)).ceil().max(1.0) as usize + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bent_stands_every_six_metres_with_a_beam_at_each_tier() {
        let rack = RackFrame::default();
        let m = rack.mesh(&[[0.0, 0.0], [0.0, 60.0]]);
        assert_eq!(rack.bents(60.0), 11);
        // Columns: 2 a bent, each a box of 6 faces of 2 triangles; beams: 2 a bent; stringers: 4.
        let boxes = 11 * 2 + 11 * 2 + 4;
        assert_eq!(m.indices.len(), boxes * 12 * 3);
        // The columns' walls: 22 columns × 4 sides × 0.4 m × 8.5 m.
        let columns = 22.0 * 4.0 * 0.4 * 8.5;
        assert!(m.wall_area() > columns, "{} ≤ {columns}", m.wall_area());
        let (lo, hi) = m.bounds();
        assert_eq!(lo[1], 0.0);
        // A north-running rack is 6 m wide east–west, plus a column's width.
        assert!((hi[0] - lo[0] - 6.4).abs() < 1e-3, "{:?}", (lo, hi));
    }
}
