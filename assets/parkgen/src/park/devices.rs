//! Field devices: gas detectors (with their set points), cameras and weather stations.

use anyhow::Context;
use parktwin_api::model::{ChemicalTable, DetectorKind};
use serde_json::json;

use super::{Counts, Pt, Writer};

/// The cameras: those the enterprises and gates asked for, then one at each avenue crossing.
pub(super) fn cameras(w: &mut Writer, n: &mut Counts, mut cameras: Vec<(Pt, String, &'static str)>) {
    for x in [-800.0, 0.0, 800.0] {
        for y in [-400.0, 400.0] {
            cameras.push(((x + 12.0, y + 12.0), format!("Crossing {x:.0}/{y:.0}"), "road"));
        }
    }
    for (p, name, kind) in cameras {
        n.cameras += 1;
        let g = w.point3(p, 8.0);
        w.add(
            "cameras",
            format!("cam-{:03}", n.cameras),
            g,
            json!({"name": name, "kind": kind, "ptz": kind != "gate"}),
        );
    }
}

/// The weather stations.
pub(super) fn weather_stations(w: &mut Writer) {
    for (id, name, p) in [
        ("ws-1", "East weather station", (1250.0, -700.0)),
        ("ws-2", "North-west weather station", (-1300.0, 1000.0)),
    ] {
        let g = w.point3(p, 10.0);
        w.add(
            "weather_stations",
            id.into(),
            g,
            json!({"name": name, "kind": "meteorological", "mast_height_m": 10.0,
            "measures": ["wind_speed", "wind_direction", "temperature", "humidity", "pressure", "solar_radiation"]}),
        );
    }
}

pub(super) fn detector(
    w: &mut Writer,
    table: &ChemicalTable,
    no: usize,
    p: Pt,
    chem: &str,
    eid: &str,
    near: &str,
) -> anyhow::Result<()> {
    let c = table
        .get(chem)
        .with_context(|| format!("{chem} is not in the chemical table"))?;
    // Dense gases pool low; light ones rise (GB/T 50493-2019 §6.1).
    let height = if c.dense_gas { 0.5 } else { 2.5 };
    let (kind, unit, warn, alarm) = match c.detector {
        DetectorKind::ToxicGas => {
            let oel = c
                .oel_mg_m3
                .with_context(|| format!("{chem} has no OEL for a toxic gas detector"))?;
            let ppm = oel * 24.45 / c.molar_mass;
            ("toxic_gas", "ppm", sig2(ppm), sig2(2.0 * ppm))
        }
        DetectorKind::CombustibleGas => ("combustible_gas", "%LEL", 25.0, 50.0),
    };
    let g = w.point3(p, height);
    w.add(
        "detectors",
        format!("gd-{no:03}"),
        g,
        json!({
            "name": format!("GD-{no:03}"), "kind": kind, "gas": c.name, "unit": unit, "warn": warn, "alarm": alarm,
            "height_m": height, "enterprise": eid, "near": near,
        }),
    );
    Ok(())
}

/// Two significant figures, for detector set points.
fn sig2(v: f64) -> f64 {
    if v <= 0.0 {
        return v;
    }
    let mag = 10f64.powf(v.log10().floor() - 1.0);
    (v / mag).round() * mag
}
