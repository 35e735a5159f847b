//! The demo park's layout, in metres east (x) and north (y) of the park origin.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use parktwin_api::frame::LocalFrame;
use parktwin_api::grading::hazard_from_feature;
use parktwin_api::model::{
    ChemicalTable, DetectorKind, LayerGroup, LayerManifestEntry, Park, ParkManifest, RiskColour,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

/// Origin of the park (the middle of the fence), WGS84 degrees.
pub const ORIGIN: (f64, f64) = (118.45, 37.57);
const SEED: u64 = 20_260_423;

/// Half extents of the fence; its north-east corner is cut along x + y = CHAMFER.
const HALF_W: f64 = 1600.0;
const HALF_H: f64 = 1200.0;
const CHAMFER: f64 = 2650.0;
/// Parcels keep to x + y ≤ this (the ring road's chamfer, less a setback).
const PARCEL_CHAMFER: f64 = 2555.0;
/// Height of the pipe racks' top tier, metres.
const RACK_HEIGHT: f64 = 7.0;

type Pt = (f64, f64);

/// A tank farm: `n` tanks of one chemical.
struct Farm {
    chem: &'static str,
    n: usize,
    d: f64,
    h: f64,
    q_each: f64,
    roof: &'static str,
}

/// A process unit with the chemicals held in it.
struct Unit {
    name: &'static str,
    height: f64,
    chems: &'static [(&'static str, f64)],
}

struct Ent {
    name: &'static str,
    zh: &'static str,
    industry: &'static str,
    /// People within 500 m (site survey), which sets GB 18218's α.
    people_500m: u32,
    farms: &'static [Farm],
    units: &'static [Unit],
}

const fn farm(chem: &'static str, n: usize, d: f64, h: f64, q_each: f64, roof: &'static str) -> Farm {
    Farm {
        chem,
        n,
        d,
        h,
        q_each,
        roof,
    }
}
const fn unit(name: &'static str, height: f64, chems: &'static [(&'static str, f64)]) -> Unit {
    Unit { name, height, chems }
}

/// The enterprises. The first three take a whole block, the rest half a block each.
const ENTS: &[Ent] = &[
    Ent {
        name: "Binhai Chlor-Alkali Co.",
        zh: "滨海氯碱化工有限公司",
        industry: "chlor-alkali",
        people_500m: 150,
        farms: &[farm("chlorine", 6, 4.0, 6.0, 30.0, "horizontal bullet")],
        units: &[
            unit("Membrane electrolysis unit", 18.0, &[]),
            unit("HCl synthesis unit", 28.0, &[("hydrogen chloride", 30.0)]),
        ],
    },
    Ent {
        name: "Delta Petrochemical Co.",
        zh: "黄河三角洲石化有限公司",
        industry: "refining",
        people_500m: 220,
        farms: &[
            farm("propane", 4, 14.0, 14.0, 600.0, "sphere"),
            farm("benzene", 6, 16.0, 12.0, 1500.0, "internal floating"),
        ],
        units: &[
            unit("Crude distillation unit", 45.0, &[]),
            unit("Hydrodesulfurisation unit", 32.0, &[("hydrogen sulfide", 6.0)]),
            unit("Catalytic reformer", 38.0, &[("benzene", 30.0)]),
        ],
    },
    Ent {
        name: "Yellow River Ammonia & Fertilizer Co.",
        zh: "黄河合成氨化肥有限公司",
        industry: "fertilizer",
        people_500m: 150,
        farms: &[farm("ammonia", 2, 26.0, 22.0, 5000.0, "refrigerated double wall")],
        units: &[
            unit("Ammonia synthesis unit", 40.0, &[("ammonia", 40.0)]),
            unit("Urea granulation tower", 60.0, &[]),
        ],
    },
    Ent {
        name: "Lubei Fluorochemicals Co.",
        zh: "鲁北氟化工有限公司",
        industry: "fluorochemicals",
        people_500m: 60,
        farms: &[farm("hydrogen fluoride", 2, 3.0, 4.0, 4.0, "horizontal bullet")],
        units: &[unit("HF reaction unit", 24.0, &[("hydrogen fluoride", 0.6)])],
    },
    Ent {
        name: "Dongying Polyurethane Co.",
        zh: "东营聚氨酯有限公司",
        industry: "isocyanates",
        people_500m: 35,
        farms: &[farm("chlorine", 2, 3.0, 5.0, 10.0, "horizontal bullet")],
        units: &[unit("Phosgenation unit", 30.0, &[("phosgene", 0.9)])],
    },
    Ent {
        name: "Kenli Acrylic Fibre Co.",
        zh: "垦利腈纶有限公司",
        industry: "acrylic fibre",
        people_500m: 20,
        farms: &[farm("acrylonitrile", 4, 11.0, 10.0, 600.0, "internal floating")],
        units: &[unit("Polymerisation unit", 26.0, &[("acrylonitrile", 20.0)])],
    },
    Ent {
        name: "Hekou Ethylene Oxide Co.",
        zh: "河口环氧乙烷有限公司",
        industry: "ethylene oxide",
        people_500m: 35,
        farms: &[farm("ethylene oxide", 4, 5.0, 6.0, 40.0, "pressurised")],
        units: &[unit("EO reactor unit", 34.0, &[("ethylene oxide", 8.0)])],
    },
    Ent {
        name: "Binhai Methanol Co.",
        zh: "滨海甲醇有限公司",
        industry: "methanol",
        people_500m: 60,
        farms: &[farm("methanol", 6, 22.0, 16.0, 4000.0, "internal floating")],
        units: &[unit("Methanol synthesis unit", 36.0, &[("methanol", 100.0)])],
    },
    Ent {
        name: "Guangrao Sulphuric Acid Co.",
        zh: "广饶硫酸有限公司",
        industry: "sulphuric acid",
        people_500m: 20,
        farms: &[farm("sulfur dioxide", 3, 4.5, 6.0, 60.0, "horizontal bullet")],
        units: &[unit("Sulphur burner and converter", 30.0, &[("sulfur dioxide", 5.0)])],
    },
    Ent {
        name: "Haiyun Tank Terminal Co.",
        zh: "海运罐区储运有限公司",
        industry: "tank storage",
        people_500m: 60,
        farms: &[
            farm("methanol", 6, 20.0, 14.0, 3000.0, "internal floating"),
            farm("benzene", 4, 12.0, 10.0, 800.0, "internal floating"),
        ],
        units: &[unit("Truck loading rack", 10.0, &[])],
    },
    Ent {
        name: "Lijin Fine Chemicals Co.",
        zh: "利津精细化工有限公司",
        industry: "fine chemicals",
        people_500m: 25,
        farms: &[
            farm("benzene", 3, 6.0, 6.0, 100.0, "fixed cone"),
            farm("methanol", 3, 7.0, 8.0, 200.0, "fixed cone"),
        ],
        units: &[unit(
            "Batch reactor hall",
            22.0,
            &[("benzene", 10.0), ("methanol", 20.0)],
        )],
    },
    Ent {
        name: "Shengli Pesticides Co.",
        zh: "胜利农药有限公司",
        industry: "agrochemicals",
        people_500m: 20,
        farms: &[farm("chlorine", 2, 3.0, 4.0, 8.0, "horizontal bullet")],
        units: &[unit("Chlorination unit", 24.0, &[("chlorine", 3.0)])],
    },
    Ent {
        name: "Delta Hazmat Logistics Co.",
        zh: "三角洲危化品物流有限公司",
        industry: "logistics",
        people_500m: 40,
        farms: &[],
        units: &[],
    },
    Ent {
        name: "Huanghe Water Services Co.",
        zh: "黄河水务有限公司",
        industry: "wastewater treatment",
        people_500m: 10,
        farms: &[farm("chlorine", 1, 2.0, 2.5, 2.0, "horizontal bullet")],
        units: &[unit("Disinfection house", 8.0, &[("chlorine", 0.5)])],
    },
    Ent {
        name: "Bohai New Materials Co.",
        zh: "渤海新材料有限公司",
        industry: "propane dehydrogenation",
        people_500m: 35,
        farms: &[farm("propane", 4, 11.0, 11.0, 300.0, "sphere")],
        units: &[unit("PDH reactor unit", 42.0, &[("propane", 40.0)])],
    },
    Ent {
        name: "Yongan Coatings Co.",
        zh: "永安涂料有限公司",
        industry: "coatings",
        people_500m: 30,
        farms: &[farm("methanol", 2, 6.0, 7.0, 150.0, "fixed cone")],
        units: &[unit("Mixing workshop", 14.0, &[])],
    },
    Ent {
        name: "Sanhe Industrial Gases Co.",
        zh: "三和工业气体有限公司",
        industry: "industrial gases",
        people_500m: 20,
        farms: &[],
        units: &[unit("Air separation unit", 48.0, &[])],
    },
    Ent {
        name: "Jinhai Pharmaceutical Intermediates Co.",
        zh: "金海医药中间体有限公司",
        industry: "pharmaceutical intermediates",
        people_500m: 25,
        farms: &[farm("methanol", 3, 9.0, 9.0, 400.0, "fixed cone")],
        units: &[unit("Synthesis workshop", 20.0, &[("methanol", 30.0)])],
    },
    Ent {
        name: "Hongyuan Plastics Co.",
        zh: "宏远塑料有限公司",
        industry: "plastics",
        people_500m: 45,
        farms: &[],
        units: &[unit("Extrusion workshop", 16.0, &[])],
    },
];

/// Columns and rows of the blocks between the avenues (road centre lines).
const COLS: [(f64, f64); 4] = [(-1560.0, -800.0), (-800.0, 0.0), (0.0, 800.0), (800.0, 1560.0)];
const ROWS: [(f64, f64); 3] = [(-1160.0, -400.0), (-400.0, 400.0), (400.0, 1160.0)];
/// Blocks (col, row) given whole to the first three enterprises, then halved for the rest.
const WHOLE: [(usize, usize); 3] = [(2, 1), (1, 1), (0, 1)];
const HALVED: [(usize, usize); 8] = [(0, 0), (1, 0), (2, 0), (3, 1), (0, 2), (1, 2), (2, 2), (3, 2)];
/// The block of park services: hazmat parking, fire station, supply depot, command centre.
const SERVICES: (usize, usize) = (3, 0);

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

/// Two significant figures, for detector set points.
fn sig2(v: f64) -> f64 {
    if v <= 0.0 {
        return v;
    }
    let mag = 10f64.powf(v.log10().floor() - 1.0);
    (v / mag).round() * mag
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

    // Fence.
    let fence = vec![
        (-HALF_W, -HALF_H),
        (HALF_W, -HALF_H),
        (HALF_W, CHAMFER - HALF_W),
        (CHAMFER - HALF_H, HALF_H),
        (-HALF_W, HALF_H),
        (-HALF_W, -HALF_H),
    ];
    let area_km2 = {
        let a: f64 = fence.windows(2).map(|s| s[0].0 * s[1].1 - s[1].0 * s[0].1).sum::<f64>() / 2.0;
        a / 1e6
    };
    let fence_geom = w.polygon(&fence);
    w.add("boundary", "fence".into(), fence_geom, json!({"name": "Park fence", "name_zh": "园区围栏", "area_km2": round1(area_km2 * 100.0) / 100.0, "fence_height_m": 2.5}));

    // Roads: the inner ring, the avenues, the highway and the gates' access roads.
    let ring_road = vec![
        (-1560.0, -1160.0),
        (1560.0, -1160.0),
        (1560.0, 1033.4),
        (1433.4, 1160.0),
        (-1560.0, 1160.0),
        (-1560.0, -1160.0),
    ];
    let mut roads: Vec<(&str, &str, &str, f64, Vec<Pt>)> = vec![
        ("road-ring", "Ring Road", "环园路", 10.0, ring_road),
        (
            "road-ns-1",
            "Weiyi Road",
            "纬一路",
            16.0,
            vec![(-800.0, -1160.0), (-800.0, 1160.0)],
        ),
        (
            "road-ns-2",
            "Central Avenue",
            "中心大道",
            20.0,
            vec![(0.0, -1400.0), (0.0, 1160.0)],
        ),
        (
            "road-ns-3",
            "Weisan Road",
            "纬三路",
            16.0,
            vec![(800.0, -1400.0), (800.0, 1160.0)],
        ),
        (
            "road-ew-1",
            "Huanghe Road",
            "黄河路",
            16.0,
            vec![(-1560.0, -400.0), (2400.0, -400.0)],
        ),
        (
            "road-ew-2",
            "Binhai Road",
            "滨海路",
            16.0,
            vec![(-2400.0, 400.0), (1560.0, 400.0)],
        ),
        (
            "road-hwy",
            "S228 Provincial Road",
            "S228省道",
            24.0,
            vec![(-4800.0, -1400.0), (4800.0, -1400.0)],
        ),
        (
            "road-hazmat",
            "Hazmat Access Road",
            "危化品专用通道",
            14.0,
            vec![(2400.0, -400.0), (2400.0, -1400.0)],
        ),
        (
            "road-west",
            "West Access Road",
            "西进园路",
            12.0,
            vec![(-2400.0, 400.0), (-2400.0, -1400.0)],
        ),
        (
            "road-north",
            "Emergency Access Road",
            "北应急通道",
            12.0,
            vec![(-800.0, 1160.0), (-800.0, 1700.0), (-2400.0, 1700.0), (-2400.0, 400.0)],
        ),
    ];
    let mut road_km = 0.0;
    for (id, name, zh, width, pts) in roads.drain(..) {
        road_km += len(&pts) / 1000.0;
        let g = w.line(&pts);
        let kind = if id == "road-hwy" {
            "highway"
        } else if id.starts_with("road-ns") || id.starts_with("road-ew") {
            "avenue"
        } else {
            "access"
        };
        w.add(
            "roads",
            id.into(),
            g,
            json!({"name": name, "name_zh": zh, "width_m": width, "kind": kind, "length_m": round1(len(&pts))}),
        );
    }

    // Sensitive targets outside the fence (fictional, at believable distances).
    let targets: &[(&str, &str, &str, Pt, u32)] = &[
        ("Xiaowa Village", "小洼村", "village", (-3200.0, 800.0), 1200),
        ("Liujia Village", "刘家村", "village", (-2600.0, -2400.0), 860),
        ("Gudao Town", "孤岛镇", "town", (4200.0, -3600.0), 15000),
        ("Xinhu Village", "新户村", "village", (2900.0, 2100.0), 940),
        ("Luojiawuzi Village", "罗家屋子村", "village", (-500.0, 3300.0), 700),
        ("Wuhaozhuang Village", "五号桩村", "village", (3600.0, 300.0), 650),
        (
            "Gudao Central Primary School",
            "孤岛镇中心小学",
            "school",
            (4000.0, -3300.0),
            900,
        ),
        (
            "Hekou District People's Hospital",
            "河口区人民医院",
            "hospital",
            (-4600.0, -3800.0),
            600,
        ),
        (
            "Yellow River Estuary Nursing Home",
            "黄河口养老院",
            "nursing_home",
            (-2900.0, 1500.0),
            180,
        ),
        ("Xianhe Middle School", "仙河镇中学", "school", (2500.0, -2900.0), 1300),
        (
            "Yihezhuang Community",
            "义和庄社区",
            "residential",
            (-3800.0, -1200.0),
            3400,
        ),
        (
            "Nature Reserve Station",
            "黄河三角洲自然保护区管理站",
            "ecological",
            (1800.0, 4200.0),
            40,
        ),
    ];
    for (i, (name, zh, kind, p, pop)) in targets.iter().enumerate() {
        let g = w.point(*p);
        let dist = (p.0.powi(2) + p.1.powi(2)).sqrt();
        w.add(
            "sensitive_targets",
            format!("st-{:02}", i + 1),
            g,
            json!({"name": name, "name_zh": zh, "kind": kind, "population": pop, "distance_to_centre_m": dist.round()}),
        );
    }

    // Blocks and parcels.
    let block = |(c, r): (usize, usize)| Rect(COLS[c].0, ROWS[r].0, COLS[c].1, ROWS[r].1).inset(25.0);
    let mut parcels: Vec<Rect> = WHOLE.iter().map(|b| block(*b)).collect();
    for b in HALVED {
        let r = block(b);
        let mid = (r.0 + r.2) / 2.0;
        parcels.push(Rect(r.0, r.1, mid - 10.0, r.3));
        parcels.push(Rect(mid + 10.0, r.1, r.2, r.3));
    }
    if parcels.len() < ENTS.len() {
        bail!("{} parcels for {} enterprises", parcels.len(), ENTS.len());
    }

    let mut tank_no = 0;
    let mut det_no = 0;
    let mut bld_no = 0;
    let mut unit_no = 0;
    let mut hazard_no = 0;
    let mut cam_no = 0;
    let mut cameras: Vec<(Pt, String, &str)> = Vec::new();
    let mut enterprise_features = Vec::new();

    for (ei, (ent, parcel)) in ENTS.iter().zip(&parcels).enumerate() {
        let eid = format!("ent-{:02}", ei + 1);
        let p = *parcel;
        let mut levels: Vec<u8> = Vec::new();
        let mut hazard_ids = Vec::new();

        // Buildings along the north edge of the parcel: offices, control room, workshops.
        let band = Rect(p.0 + 10.0, p.3 - 0.24 * p.h(), p.2 - 10.0, p.3 - 10.0);
        let mut y = band.3;
        let uses = [
            "office",
            "control room",
            "workshop",
            "warehouse",
            "laboratory",
            "substation",
            "canteen",
            "maintenance",
        ];
        let mut k = 0;
        let mut rows = 0;
        while y - 16.0 > band.1 && rows < 2 {
            rows += 1;
            let bh = rng.random_range(16.0..30.0_f64).round();
            let mut x = band.0;
            while x < band.2 {
                let bw = rng.random_range(22.0..50.0_f64).round();
                if x + bw > band.2 || y - bh < band.1 {
                    break;
                }
                let r = Rect(x, y - bh, x + bw, y);
                if r.inside_fence() {
                    bld_no += 1;
                    let use_ = uses[k % uses.len()];
                    let height = match use_ {
                        "office" => rng.random_range(12.0..24.0_f64),
                        "control room" => 6.0,
                        "warehouse" | "workshop" => rng.random_range(8.0..14.0_f64),
                        _ => rng.random_range(5.0..10.0_f64),
                    };
                    let g = w.polygon(&r.ring());
                    w.add("buildings", format!("bld-{bld_no:03}"), g, json!({"enterprise": eid, "use": use_, "height_m": round1(height), "floors": (height / 4.0).ceil()}));
                    k += 1;
                }
                x += bw + 12.0;
            }
            y -= 30.0 + 12.0;
        }

        // Process units in the middle band.
        let ub = Rect(p.0 + 15.0, p.3 - 0.5 * p.h(), p.2 - 15.0, p.3 - 0.26 * p.h());
        let n_units = ent.units.len().max(1) as f64;
        let slot = ub.w() / n_units;
        for (ui, u) in ent.units.iter().enumerate() {
            unit_no += 1;
            let uid = format!("unit-{unit_no:02}");
            let uw = (slot - 20.0).min(140.0);
            let x0 = ub.0 + ui as f64 * slot + (slot - uw) / 2.0;
            let r = Rect(x0, ub.1 + 10.0, x0 + uw, ub.3 - 5.0);
            let chems: Vec<Value> = u.chems.iter().map(|(c, q)| json!({"name": c, "q_t": q})).collect();
            let g = w.polygon(&r.ring());
            w.add(
                "units",
                uid.clone(),
                g.clone(),
                json!({"name": u.name, "enterprise": eid, "height_m": u.height, "chemicals": chems}),
            );
            if let Some(hid) = hazard(
                &mut w,
                table,
                &mut hazard_no,
                g,
                u.name,
                &eid,
                "production",
                ent.people_500m,
                &chems,
                &mut levels,
            )? {
                hazard_ids.push(hid);
            }
            // Detectors at the unit's corners for its first chemical.
            if let Some((chem, _)) = u.chems.first() {
                for corner in [(r.0, r.1), (r.2, r.1), (r.2, r.3), (r.0, r.3)] {
                    det_no += 1;
                    detector(&mut w, table, det_no, corner, chem, &eid, &uid)?;
                }
            }
        }

        // Tank farms in the south part, side by side.
        let fz = Rect(p.0 + 15.0, p.1 + 15.0, p.2 - 15.0, p.3 - 0.52 * p.h());
        let n_farms = ent.farms.len().max(1) as f64;
        for (fi, f) in ent.farms.iter().enumerate() {
            let region = Rect(
                fz.0 + fi as f64 * fz.w() / n_farms,
                fz.1,
                fz.0 + (fi + 1) as f64 * fz.w() / n_farms,
                fz.3,
            );
            let spacing = f.d + (0.6 * f.d).max(6.0);
            let cols = (((region.w() - 20.0) / spacing).floor() as usize).clamp(1, f.n);
            let rows = f.n.div_ceil(cols);
            let (bw, bh) = (cols as f64 * spacing + 10.0, rows as f64 * spacing + 10.0);
            if bw > region.w() || bh > region.h() {
                bail!("tank farm of {} at {} does not fit its region", f.chem, ent.name);
            }
            let (cx, cy) = region.centre();
            let bund = Rect(cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0);
            let chems = vec![json!({"name": f.chem, "q_t": f.q_each * f.n as f64})];
            let farm_name = format!("{} tank farm", capitalise(f.chem));
            let g = w.polygon(&bund.ring());
            let hid = hazard(
                &mut w,
                table,
                &mut hazard_no,
                g,
                &farm_name,
                &eid,
                "storage",
                ent.people_500m,
                &chems,
                &mut levels,
            )?;
            hazard_ids.extend(hid.clone());
            let farm_id = hid.clone().unwrap_or_else(|| format!("{eid}-farm-{}", fi + 1));
            for t in 0..f.n {
                let (c, r) = (t % cols, t / cols);
                let centre = (
                    bund.0 + 5.0 + spacing * (c as f64 + 0.5),
                    bund.1 + 5.0 + spacing * (r as f64 + 0.5),
                );
                tank_no += 1;
                let tid = format!("tank-{tank_no:03}");
                let cap = std::f64::consts::PI * f.d * f.d / 4.0 * f.h;
                let g = w.point(centre);
                w.add("tanks", tid.clone(), g, json!({
                    "name": format!("{}-T{:02}", farm_name.split(' ').next().unwrap_or("T"), t + 1),
                    "enterprise": eid, "farm": farm_id, "hazard": hid, "chemical": f.chem,
                    "diameter_m": f.d, "height_m": f.h, "capacity_m3": cap.round(), "inventory_t": f.q_each, "roof": f.roof,
                }));
                for side in [-1.0, 1.0] {
                    det_no += 1;
                    detector(
                        &mut w,
                        table,
                        det_no,
                        (centre.0 + side * (f.d / 2.0 + 3.0), centre.1),
                        f.chem,
                        &eid,
                        &tid,
                    )?;
                }
            }
            cameras.push(((bund.2, bund.3), format!("{farm_name}, {}", ent.name), "tank farm"));
        }

        let worst = levels.iter().min().copied();
        let risk = RiskColour::from_hazard_level(worst);
        let ring = clip_chamfer(&p.ring(), PARCEL_CHAMFER);
        let g = w.polygon(&ring);
        enterprise_features.push((eid.clone(), g, json!({
            "name": ent.name, "name_zh": ent.zh, "industry": ent.industry, "risk": risk,
            "hazard_count": hazard_ids.len(), "worst_hazard_level": worst, "hazards": hazard_ids, "people_500m": ent.people_500m,
        })));
    }
    for (id, g, props) in enterprise_features {
        w.add("enterprises", id, g, props);
    }

    // Park services: hazmat parking, fire station, supply depot, command centre.
    let s = block(SERVICES);
    let lot = Rect(s.0 + 0.45 * s.w(), s.1 + 20.0, s.2 - 20.0, s.1 + 0.6 * s.h());
    let g = w.polygon(&lot.ring());
    w.add("parking", "parking-hazmat".into(), g, json!({"name": "Hazmat truck parking lot", "name_zh": "危化品车辆专用停车场", "capacity_trucks": 80, "area_m2": (lot.w() * lot.h()).round()}));
    let services: &[(&str, &str, &str, Rect, f64)] = &[
        (
            "fire-station",
            "Park Fire Station",
            "园区消防站",
            Rect(s.0 + 20.0, s.3 - 120.0, s.0 + 140.0, s.3 - 40.0),
            12.0,
        ),
        (
            "command-centre",
            "Park Command Centre",
            "园区应急指挥中心",
            Rect(s.0 + 170.0, s.3 - 110.0, s.0 + 260.0, s.3 - 40.0),
            30.0,
        ),
        (
            "supply-depot-1",
            "Emergency Supply Depot",
            "应急物资库",
            Rect(s.0 + 20.0, s.1 + 60.0, s.0 + 120.0, s.1 + 130.0),
            9.0,
        ),
        (
            "medical-station",
            "Park Medical Station",
            "园区医疗站",
            Rect(s.0 + 150.0, s.1 + 60.0, s.0 + 210.0, s.1 + 110.0),
            8.0,
        ),
    ];
    for (kind, name, zh, r, h) in services {
        bld_no += 1;
        let g = w.polygon(&r.ring());
        w.add(
            "buildings",
            format!("bld-{bld_no:03}"),
            g,
            json!({"enterprise": "park", "use": kind, "name": name, "height_m": h, "floors": (h / 4.0).ceil()}),
        );
        let _ = zh;
    }
    let resources: &[(&str, &str, &str, &str, Pt, Value)] = &[
        (
            "er-fire-station",
            "Park Fire Station",
            "园区消防站",
            "fire_station",
            (s.0 + 80.0, s.3 - 80.0),
            json!({"engines": 6, "foam_tenders": 2, "hazmat_units": 1, "firefighters": 45}),
        ),
        (
            "er-supply-1",
            "Emergency Supply Depot",
            "应急物资库",
            "supply_depot",
            (s.0 + 70.0, s.1 + 95.0),
            json!({"scba_sets": 120, "chemical_suits": 80, "absorbent_t": 20, "neutraliser_t": 15}),
        ),
        (
            "er-supply-2",
            "West Supply Depot",
            "西区应急物资库",
            "supply_depot",
            (-1500.0, -300.0),
            json!({"scba_sets": 40, "chemical_suits": 30, "absorbent_t": 8}),
        ),
        (
            "er-rescue-team",
            "Hazmat Rescue Team",
            "危化品救援队",
            "rescue_team",
            (s.0 + 215.0, s.3 - 75.0),
            json!({"members": 30, "vehicles": 4}),
        ),
        (
            "er-medical",
            "Park Medical Station",
            "园区医疗站",
            "medical",
            (s.0 + 180.0, s.1 + 85.0),
            json!({"beds": 12, "ambulances": 2}),
        ),
        (
            "er-shelter-1",
            "Xiaowa Emergency Shelter",
            "小洼村应急避难场所",
            "shelter",
            (-3400.0, 1100.0),
            json!({"capacity_people": 2000}),
        ),
        (
            "er-shelter-2",
            "Gudao Emergency Shelter",
            "孤岛镇应急避难场所",
            "shelter",
            (4500.0, -3900.0),
            json!({"capacity_people": 8000}),
        ),
    ];
    for (id, name, zh, kind, p, extra) in resources {
        let mut props = json!({"name": name, "name_zh": zh, "kind": kind});
        merge(&mut props, extra);
        let g = w.point(*p);
        w.add("emergency_resources", (*id).into(), g, props);
    }

    // Gates on the fence.
    let gates: &[(&str, &str, &str, &str, Pt, bool)] = &[
        ("gate-main", "Main Gate", "1号主卡口", "general", (0.0, -HALF_H), true),
        (
            "gate-hazmat",
            "Hazmat Gate",
            "危化品专用卡口",
            "hazmat",
            (HALF_W, -400.0),
            true,
        ),
        (
            "gate-emergency",
            "North Emergency Gate",
            "北应急卡口",
            "emergency",
            (-800.0, HALF_H),
            false,
        ),
        (
            "gate-west",
            "West Logistics Gate",
            "西物流卡口",
            "general",
            (-HALF_W, 400.0),
            true,
        ),
        (
            "gate-staff",
            "Staff Gate",
            "员工通道卡口",
            "general",
            (800.0, -HALF_H),
            true,
        ),
    ];
    for (id, name, zh, kind, p, open) in gates {
        let g = w.point(*p);
        w.add("gates", (*id).into(), g, json!({"name": name, "name_zh": zh, "kind": kind, "normally_open": open, "lanes": if *kind == "emergency" { 2 } else { 4 }}));
        cameras.push((*p, format!("{name} inbound"), "gate"));
        cameras.push(((p.0 + 8.0, p.1 + 8.0), format!("{name} outbound"), "gate"));
    }
    for x in [-800.0, 0.0, 800.0] {
        for y in [-400.0, 400.0] {
            cameras.push(((x + 12.0, y + 12.0), format!("Crossing {x:.0}/{y:.0}"), "road"));
        }
    }
    for (p, name, kind) in cameras {
        cam_no += 1;
        let g = w.point3(p, 8.0);
        w.add(
            "cameras",
            format!("cam-{cam_no:03}"),
            g,
            json!({"name": name, "kind": kind, "ptz": kind != "gate"}),
        );
    }

    // Weather stations.
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

    // Pipe racks along the avenues, split at their crossings, and the pipes they carry.
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
    let mut pipe_no = 0;
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
            pipe_no += 1;
            let tier = k % 2;
            let off = ((k / 2) as f64 - 1.5) * 0.9;
            let line: Vec<Pt> = pts.iter().map(|p| (p.0 + nx * off, p.1 + ny * off)).collect();
            let dn = [50, 80, 100, 150, 200, 250, 300, 400][rng.random_range(0..8usize)];
            let month = rng.random_range(1..=10u32);
            let day = rng.random_range(1..=28u32);
            let g = w.line3(&line, RACK_HEIGHT + 0.4 + tier as f64 * 1.5);
            w.add("pipes", format!("PS-{pipe_no:04}"), g, json!({
                "line_number": format!("{dn}-{code}-{:04}-{}", 1000 + pipe_no, if pressure > 2.0 { "B2A" } else { "A1A" }),
                "medium": medium, "fluid_code": code, "dn": dn, "design_pressure_mpa": pressure,
                "rack": rid, "owner": if *mi < 6 { "Park Utilities Co." } else { "Delta Petrochemical Co." },
                "status": statuses[rng.random_range(0..statuses.len())],
                "last_inspection": format!("2026-{month:02}-{day:02}"), "length_m": round1(len(&line)),
            }));
        }
    }

    // Park metadata and the catalog.
    let bbox = bbox_of(&w)?;
    let park = Park {
        id: "yrd-chem-park".into(),
        name: "Yellow River Delta Chemical Park (demo)".into(),
        name_zh: "黄河三角洲化工园区（演示）".into(),
        origin: [ORIGIN.0, ORIGIN.1],
        bbox,
        timezone: "Asia/Shanghai".into(),
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
        ENTS.len(),
        bld_no,
        tank_no,
        unit_no,
        hazard_no,
        det_no,
        pipe_no
    );
    Ok(files)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn merge(into: &mut Value, extra: &Value) {
    if let (Some(a), Some(b)) = (into.as_object_mut(), extra.as_object()) {
        for (k, v) in b {
            a.insert(k.clone(), v.clone());
        }
    }
}

/// Adds a hazard source when the unit meets GB 18218's thresholds; returns its id.
#[allow(clippy::too_many_arguments)]
fn hazard(
    w: &mut Writer,
    table: &ChemicalTable,
    counter: &mut usize,
    geometry: Value,
    name: &str,
    eid: &str,
    unit_type: &str,
    people: u32,
    chems: &[Value],
    levels: &mut Vec<u8>,
) -> anyhow::Result<Option<String>> {
    if chems.is_empty() {
        return Ok(None);
    }
    let props =
        json!({"name": name, "enterprise": eid, "unit_type": unit_type, "people_500m": people, "chemicals": chems});
    let map: Map<String, Value> = props.as_object().cloned().unwrap_or_default();
    match hazard_from_feature("probe", &map, table) {
        Ok(h) => {
            *counter += 1;
            let id = format!("mhs-{:02}", *counter);
            levels.push(h.level);
            w.add("hazards", id.clone(), geometry, props);
            Ok(Some(id))
        }
        Err(reason) if reason.contains("below 1") => Ok(None),
        Err(reason) => bail!("{name}: {reason}"),
    }
}

fn detector(
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
