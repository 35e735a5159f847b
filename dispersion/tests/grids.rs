//! The fast grids agree with the reference, and the zones are exactly the cells above a level.

use parktwin_dispersion::grid::{GridSpec, plume_grid, plume_grid_reference, puff_grid, puff_grid_reference};
use parktwin_dispersion::model::{Atmosphere, Plume, PuffTrain, WindChange};
use parktwin_dispersion::sigma::SigmaSet;
use parktwin_dispersion::stability::Stability;
use parktwin_dispersion::zones::{contains, threat_zones, zone_of, zones_geojson};

fn atmosphere(from: f64) -> Atmosphere {
    Atmosphere {
        wind_speed: 3.0,
        wind_from_deg: from,
        wind_height: 10.0,
        stability: Stability::E,
        sigmas: SigmaSet::Isc3Rural,
        mixing_height: None,
    }
}

/// Agreement to 0.2 % of each value, and to a millionth of the grid's peak where the fast puff
/// grid leaves out the tails of puffs beyond 6σ (below 1.6e-8 of a puff's own peak).
fn assert_close(fast: &[f64], reference: &[f64], what: &str) {
    let peak = reference.iter().copied().fold(0.0, f64::max);
    for (k, (a, b)) in fast.iter().zip(reference).enumerate() {
        assert!(
            (a - b).abs() <= 2e-3 * b.abs() + 1e-6 * peak,
            "{what}: cell {k}: fast {a} vs reference {b}"
        );
    }
}

#[test]
fn fast_plume_grid_matches_the_reference() {
    let plume = Plume {
        rate_kg_s: 2.0,
        height: 5.0,
        atmosphere: atmosphere(235.0),
    };
    let spec = GridSpec::centred(121, 25.0);
    let reference = plume_grid_reference(&plume, spec, 0.0);
    assert_close(
        &plume_grid(&plume, spec, 0.0, false).values,
        &reference.values,
        "1 thread",
    );
    assert_close(&plume_grid(&plume, spec, 0.0, true).values, &reference.values, "rayon");
}

#[test]
fn fast_puff_grid_matches_the_reference() {
    let mut train = PuffTrain::continuous(1.0, 900.0, 90, 1.0, atmosphere(270.0));
    train.wind_changes.push(WindChange {
        at_s: 300.0,
        speed: 2.0,
        from_deg: 200.0,
    });
    let puffs = train.puffs_at(900.0);
    let spec = GridSpec::centred(101, 30.0);
    let a = atmosphere(270.0);
    let reference = puff_grid_reference(&puffs, a.sigmas, a.stability, None, spec, 0.0);
    let fast = puff_grid(&puffs, a.sigmas, a.stability, None, spec, 0.0, true);
    assert_close(&fast.values, &reference.values, "puffs");
}

#[test]
fn zones_hold_exactly_the_cells_at_or_above_each_level() {
    let plume = Plume {
        rate_kg_s: 1.0,
        height: 0.0,
        atmosphere: atmosphere(300.0),
    };
    let spec = GridSpec::centred(161, 20.0);
    let grid = plume_grid_reference(&plume, spec, 0.0);
    let levels = vec![
        ("AEGL-3".to_string(), 58.0),
        ("AEGL-2".to_string(), 5.8),
        ("AEGL-1".to_string(), 1.5),
    ];
    let zones = threat_zones(&grid, &levels, 300.0).expect("zones");
    for (z, (_, level)) in zones.iter().zip(&levels) {
        assert!(!z.area.0.is_empty(), "{} is empty", z.name);
        for j in 0..spec.ny {
            for i in 0..spec.nx {
                let (e, n) = spec.centre(i, j);
                let above = grid.at(i, j) >= *level;
                assert_eq!(
                    contains(&z.area, e, n),
                    above,
                    "{} at cell ({i},{j}) = {}",
                    z.name,
                    grid.at(i, j)
                );
            }
        }
    }
    // Nested: the worse zone is inside the milder, and reaches less far downwind.
    assert!(zones[0].farthest_downwind_m < zones[1].farthest_downwind_m);
    assert!(zones[1].farthest_downwind_m < zones[2].farthest_downwind_m);
    // A point on the centreline 100 m downwind is in the worst zone; one upwind is in none.
    let (dx, dy) = parktwin_dispersion::wind::downwind_unit(300.0);
    assert_eq!(zone_of(&zones, 100.0 * dx, 100.0 * dy), Some(0));
    assert_eq!(zone_of(&zones, -300.0 * dx, -300.0 * dy), None);

    let fc = zones_geojson(&zones, (118.45, 37.57), &serde_json::Map::new());
    let text = fc.to_string();
    let parsed = parktwin_api::validate::parse_layer_file("zones", &text).expect("RFC 7946 GeoJSON");
    assert_eq!(parsed.len(), 3);
}
