//! The demo park's layout, in metres east (x) and north (y) of the park origin.
//!
//! This file holds what the parts share (the fence's and blocks' dimensions, rectangles, the
//! writer) and the layer catalog; each part of the park has its own module, called in turn by
//! [`generate`].

mod devices;
mod enterprises;
mod pipes;
mod roads;
mod services;

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use parktwin_api::frame::LocalFrame;
use parktwin_api::model::{ChemicalTable, LayerGroup, LayerManifestEntry, Park, ParkManifest};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// Origin of the park (the middle of the fence), WGS84 degrees.
pub const ORIGIN: (f64, f64) = (118.45, 37.57);
const SEED: u64 = 20_260_423;

/// Half extents of the fence; its north-east corner is cut along x + y = CHAMFER.
const HALF_W: f64 = 1600.0;
const HALF_H: f64 = 1200.0;
const CHAMFER: f64 = 2650.0;
/// Parcels keep to x + y ≤ this (the ring road's chamfer, less a setback).
const PARCEL_CHAMFER: f64 = 2555.0;
/// Height of the pipe racks' lowest tier, metres (the pipes lie 0.4 m above it, a second tier
/// 1.5 m higher).
const RACK_HEIGHT: f64 = 7.0;

type Pt = (f64, f64);

/// Columns and rows of the blocks between the avenues (road centre lines).
const COLS: [(f64, f64); 4] = [(-1560.0, -800.0), (-800.0, 0.0), (0.0, 800.0), (800.0, 1560.0)];
const ROWS: [(f64, f64); 3] = [(-1160.0, -400.0), (-400.0, 400.0), (400.0, 1160.0)];
/// Blocks (col, row) given whole to the first three enterprises, then halved for the rest.
const WHOLE: [(usize, usize); 3] = [(2, 1), (1, 1), (0, 1)];
const HALVED: [(usize, usize); 8] = [(0, 0), (1, 0), (2, 0), (3, 1), (0, 2), (1, 2), (2, 2), (3, 2)];
/// The block of park services: hazmat parking, fire station, supply depot, command centre.
const SERVICES: (usize, usize) = (3, 0);

/// A block between the avenues, inset from their centre lines.
fn block((c, r): (usize, usize)) -> Rect {
    Rect(COLS[c].0, ROWS[r].0, COLS[c].1, ROWS[r].1).inset(25.0)
}

/// Running numbers of what the parts add: ids continue from one part to the next (the services'
/// buildings follow the enterprises'), and the totals make the closing summary.
#[derive(Default)]
struct Counts {
    enterprises: usize,
    tanks: usize,
    detectors: usize,
    buildings: usize,
    units: usize,
    hazards: usize,
    cameras: usize,
    pipes: usize,
}

/// A rectangle `[x0, y0, x1, y1]`.
#[derive(Clone, Copy, Debug)]
struct Rect(f64, f64, f64, f64);

impl Rect {
    fn w(&self) -> f64 {
        self.2 - self.0
    }
    fn h(&self) -> f64 {
        self.3 - self.1
    }
    fn centre(&self) -> Pt {
        ((self.0 + self.2) / 2.0, (self.1 + self.3) / 2.0)
    }
    fn inset(&self, m: f64) -> Rect {
        Rect(self.0 + m, self.1 + m, self.2 - m, self.3 - m)
    }
    /// Counter-clockwise ring, closed.
    fn ring(&self) -> Vec<Pt> {
        vec![
            (self.0, self.1),
            (self.2, self.1),
            (self.2, self.3),
            (self.0, self.3),
            (self.0, self.1),
        ]
    }
    fn inside_fence(&self) -> bool {
        self.2 + self.3 <= PARCEL_CHAMFER
    }
}

/// A ring clipped to x + y ≤ c (one pass of Sutherland–Hodgman), closed.
fn clip_chamfer(ring: &[Pt], c: f64) -> Vec<Pt> {
    let inside = |p: &Pt| p.0 + p.1 <= c;
    let mut out = Vec::new();
    let open = &ring[..ring.len() - 1];
    for i in 0..open.len() {
        let (a, b) = (open[i], open[(i + 1) % open.len()]);
        if inside(&a) {
            out.push(a);
        }
        if inside(&a) != inside(&b) {
            let t = (c - a.0 - a.1) / ((b.0 - a.0) + (b.1 - a.1));
            out.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
        }
    }
    out.push(out[0]);
    out
}

/// Builds features in local metres and writes them as WGS84.
struct Writer {
    frame: LocalFrame,
    layers: BTreeMap<&'static str, Vec<Value>>,
}

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

impl Writer {
    fn ll(&self, p: Pt) -> Value {
        let (lon, lat) = self.frame.to_wgs84(p.0, p.1);
        json!([round7(lon), round7(lat)])
    }
    fn ll3(&self, p: Pt, z: f64) -> Value {
        let (lon, lat) = self.frame.to_wgs84(p.0, p.1);
        json!([round7(lon), round7(lat), (z * 100.0).round() / 100.0])
    }
    fn point(&self, p: Pt) -> Value {
        json!({"type": "Point", "coordinates": self.ll(p)})
    }
    fn point3(&self, p: Pt, z: f64) -> Value {
        json!({"type": "Point", "coordinates": self.ll3(p, z)})
    }
    fn polygon(&self, ring: &[Pt]) -> Value {
        json!({"type": "Polygon", "coordinates": [ring.iter().map(|p| self.ll(*p)).collect::<Vec<_>>()]})
    }
    fn line(&self, pts: &[Pt]) -> Value {
        json!({"type": "LineString", "coordinates": pts.iter().map(|p| self.ll(*p)).collect::<Vec<_>>()})
    }
    fn line3(&self, pts: &[Pt], z: f64) -> Value {
        json!({"type": "LineString", "coordinates": pts.iter().map(|p| self.ll3(*p, z)).collect::<Vec<_>>()})
    }
    fn add(&mut self, layer: &'static str, id: String, geometry: Value, props: Value) {
        self.layers
            .entry(layer)
            .or_default()
            .push(json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props}));
    }
}

fn len(pts: &[Pt]) -> f64 {
    pts.windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum()
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The park's layer catalog: id, English and Chinese titles, group, shown at start, file.
const CATALOG: &[(&str, &str, &str, LayerGroup, bool)] = &[
    ("boundary", "Park boundary (fence)", "园区边界", LayerGroup::Base, true),
    ("roads", "Roads", "道路", LayerGroup::Base, true),
    (
        "enterprises",
        "Enterprises by risk colour",
        "企业四色风险",
        LayerGroup::Safety,
        true,
    ),
    ("buildings", "Buildings", "建筑", LayerGroup::Base, true),
    ("units", "Process units", "生产装置", LayerGroup::Safety, true),
    ("tanks", "Storage tanks", "储罐", LayerGroup::Safety, true),
    (
        "hazards",
        "Major hazard sources (GB 18218)",
        "重大危险源",
        LayerGroup::Safety,
        true,
    ),
    ("pipe_racks", "Pipe racks", "管廊", LayerGroup::PipeGallery, true),
    ("pipes", "Pipes by medium", "管道", LayerGroup::PipeGallery, true),
    ("gates", "Gates", "卡口", LayerGroup::ClosedManagement, true),
    (
        "parking",
        "Hazmat truck parking",
        "危化品车辆停车场",
        LayerGroup::ClosedManagement,
        true,
    ),
    ("cameras", "Cameras", "视频监控", LayerGroup::ClosedManagement, false),
    ("detectors", "Gas detectors", "气体探测器", LayerGroup::Safety, true),
    (
        "weather_stations",
        "Weather stations",
        "气象站",
        LayerGroup::Environment,
        true,
    ),
    (
        "emergency_resources",
        "Emergency resources",
        "应急资源",
        LayerGroup::Emergency,
        true,
    ),
    (
        "sensitive_targets",
        "Sensitive targets",
        "环境敏感目标",
        LayerGroup::Emergency,
        true,
    ),
];

/// Generates every file of the demo park: `park.json` and `layers/*.geojson`.
pub fn generate(table: &ChemicalTable) -> anyhow::Result<Vec<(String, String)>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut w = Writer {
        frame: LocalFrame::new(ORIGIN.0, ORIGIN.1),
        layers: BTreeMap::new(),
    };
    let mut n = Counts::default();

    // Keep this order: the random stream (buildings, then racks), the running ids and the order
    // of features within a layer follow it, and the committed files must not change.
    let area_km2 = roads::fence(&mut w);
    let road_km = roads::roads(&mut w);
    services::sensitive_targets(&mut w);
    let mut cameras = enterprises::enterprises(&mut w, &mut rng, table, &mut n)?;
    services::services(&mut w, &mut n);
    roads::gates(&mut w, &mut cameras);
    devices::cameras(&mut w, &mut n, cameras);
    devices::weather_stations(&mut w);
    let rack_m = pipes::pipes(&mut w, &mut rng, &mut n);

    // Park metadata and the catalog.
    let bbox = bbox_of(&w)?;
    let park = Park {
        id: "yrd-chem-park".into(),
        name: "Yellow River Delta Chemical Park (demo)".into(),
        name_zh: "黄河三角洲化工园区（演示）".into(),
        origin: [ORIGIN.0, ORIGIN.1],
        bbox,
        timezone: "Asia/Shanghai".into(),
        attribution: None,
    };
    let manifest = ParkManifest {
        park,
        layers: CATALOG
            .iter()
            .map(|(id, title, zh, group, visible)| LayerManifestEntry {
                id: (*id).into(),
                title: (*title).into(),
                title_zh: (*zh).into(),
                group: *group,
                default_visible: *visible,
                file: format!("layers/{id}.geojson"),
            })
            .collect(),
    };
    let mut files = vec![("park.json".to_string(), serde_json::to_string_pretty(&manifest)? + "\n")];
    for (id, ..) in CATALOG {
        let features = w
            .layers
            .get(id)
            .with_context(|| format!("layer {id} has no features"))?;
        let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (i, f) in features.iter().enumerate() {
            text.push_str(&serde_json::to_string(f)?);
            text.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
        }
        text.push_str("]}\n");
        files.push((format!("layers/{id}.geojson"), text));
    }
    files.extend(crate::scenarios::generate(&w.frame, &w.layers)?);
    eprintln!(
        "park: {:.2} km², roads {:.1} km, racks {:.1} km, {} enterprises, {} buildings, {} tanks, {} units, {} hazard sources, {} detectors, {} pipes",
        area_km2,
        road_km,
        rack_m / 1000.0,
        n.enterprises,
        n.buildings,
        n.tanks,
        n.units,
        n.hazards,
        n.detectors,
        n.pipes
    );
    Ok(files)
}

fn bbox_of(w: &Writer) -> anyhow::Result<[f64; 4]> {
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    fn walk(v: &Value, b: &mut [f64; 4]) {
        match v {
            Value::Array(a) if a.len() >= 2 && a.iter().all(Value::is_number) => {
                let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
                b[0] = b[0].min(x);
                b[1] = b[1].min(y);
                b[2] = b[2].max(x);
                b[3] = b[3].max(y);
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, b)),
            _ => {}
        }
    }
    for features in w.layers.values() {
        for f in features {
            walk(&f["geometry"]["coordinates"], &mut b);
        }
    }
    if b[0] > b[2] {
        bail!("the park has no coordinates");
    }
    Ok(b.map(round7))
}
