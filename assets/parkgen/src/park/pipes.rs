//! Pipe racks along the avenues and the pipes they carry.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::{Counts, Pt, RACK_HEIGHT, Writer, len, round1};

/// Pipe racks along the avenues, split at their crossings, and the pipes they carry; returns
/// the racks' length, m.
pub(super) fn pipes(w: &mut Writer, rng: &mut ChaCha8Rng, n: &mut Counts) -> f64 {
    let ns_x = [-780.0, 20.0, 820.0];
    let ew_y = [-380.0, 420.0];
    let mut racks: Vec<Vec<Pt>> = Vec::new();
    for x in ns_x {
        let ys = [-1135.0, ew_y[0], ew_y[1], 1135.0];
        racks.extend(ys.windows(2).map(|s| vec![(x, s[0]), (x, s[1])]));
    }
    for y in ew_y {
        let xs = [-1535.0, ns_x[0], ns_x[1], ns_x[2], 1535.0];
        racks.extend(xs.windows(2).map(|s| vec![(s[0], y), (s[1], y)]));
    }
    let media: &[(&str, &str, f64)] = &[
        ("steam", "LS", 1.0),
        ("nitrogen", "N", 0.8),
        ("fire water", "FW", 1.2),
        ("cooling water", "CWS", 0.6),
        ("instrument air", "IA", 0.8),
        ("natural gas", "NG", 1.6),
        ("chlorine", "CL", 1.6),
        ("ammonia", "AM", 2.5),
        ("methanol", "ME", 1.0),
        ("benzene", "BZ", 1.0),
        ("propane", "PR", 2.5),
        ("hydrogen", "H", 4.0),
    ];
    let statuses = [
        "in_service",
        "in_service",
        "in_service",
        "in_service",
        "standby",
        "out_of_service",
    ];
    let mut rack_m = 0.0;
    for (ri, pts) in racks.iter().enumerate() {
        let rid = format!("PR-{:02}", ri + 1);
        rack_m += len(pts);
        let g = w.line3(pts, RACK_HEIGHT);
        let n_pipes = rng.random_range(4..=7usize);
        w.add("pipe_racks", rid.clone(), g, json!({"name": format!("Pipe rack {}", ri + 1), "height_m": RACK_HEIGHT, "width_m": 6.0, "tiers": 2, "length_m": round1(len(pts)), "pipes": n_pipes}));
        let (dx, dy) = (pts[1].0 - pts[0].0, pts[1].1 - pts[0].1);
        let l = (dx * dx + dy * dy).sqrt();
        let (nx, ny) = (-dy / l, dx / l);
        // Utilities first, then process media, no medium twice on one rack.
        let mut picks: Vec<usize> = (0..media.len()).collect();
        for i in (1..picks.len()).rev() {
            let j = rng.random_range(0..=i);
            picks.swap(i, j);
        }
        picks.truncate(n_pipes);
        for (k, mi) in picks.iter().enumerate() {
            let (medium, code, pressure) = media[*mi];
            n.pipes += 1;
            let tier = k % 2;
            let off = ((k / 2) as f64 - 1.5) * 0.9;
            let line: Vec<Pt> = pts.iter().map(|p| (p.0 + nx * off, p.1 + ny * off)).collect();
            let dn = [50, 80, 100, 150, 200, 250, 300, 400][rng.random_range(0..8usize)];
            let month = rng.random_range(1..=10u32);
            let day = rng.random_range(1..=28u32);
            let g = w.line3(&line, RACK_HEIGHT + 0.4 + tier as f64 * 1.5);
            w.add("pipes", format!("PS-{:04}", n.pipes), g, json!({
                "line_number": format!("{dn}-{code}-{:04}-{}", 1000 + n.pipes, if pressure > 2.0 { "B2A" } else { "A1A" }),
                "medium": medium, "fluid_code": code, "dn": dn, "design_pressure_mpa": pressure,
                "rack": rid, "owner": if *mi < 6 { "Park Utilities Co." } else { "Delta Petrochemical Co." },
                "status": statuses[rng.random_range(0..statuses.len())],
                "last_inspection": format!("2026-{month:02}-{day:02}"), "length_m": round1(len(&line)),
            }));
        }
    }
    rack_m
}
