//! The park platform's scenarios beyond the core, as the data of descriptor layers
//! (`park/descriptors/*.geojson`; the `.toml` descriptors beside them are written by hand):
//! environment, energy, pipe gallery, closed management, emergency resources and the
//! industry chain. Everything is placed against the generated park (its parcels, racks,
//! fence and cameras), so that it lines up on the map.
//!
//! Limits and thresholds quoted: HJ 633-2012 (AQI categories, in the descriptor), GB
//! 31571-2015 direct-discharge limits for petrochemical effluent (COD 60 mg/L, NH₃-N 8 mg/L).

use std::collections::BTreeMap;

use anyhow::Context;
use parktwin_api::frame::LocalFrame;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

type Pt = (f64, f64);

/// GB 31571-2015 Table 1, direct discharge: COD and ammonia nitrogen, mg/L.
const COD_LIMIT: f64 = 60.0;
const NH3N_LIMIT: f64 = 8.0;

struct Out<'a> {
    frame: &'a LocalFrame,
    layers: BTreeMap<&'static str, Vec<Value>>,
}

fn r7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Out<'_> {
    fn ll(&self, p: Pt) -> Value {
        let (lon, lat) = self.frame.to_wgs84(p.0, p.1);
        json!([r7(lon), r7(lat)])
    }
    fn ll3(&self, p: Pt, z: f64) -> Value {
        let (lon, lat) = self.frame.to_wgs84(p.0, p.1);
        json!([r7(lon), r7(lat), z])
    }
    fn point(&self, p: Pt) -> Value {
        json!({"type": "Point", "coordinates": self.ll(p)})
    }
    fn add(&mut self, layer: &'static str, id: String, geometry: Value, props: Value) {
        self.layers
            .entry(layer)
            .or_default()
            .push(json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props}));
    }
    fn local(&self, c: &Value) -> Pt {
        let lon = c[0].as_f64().unwrap_or_default();
        let lat = c[1].as_f64().unwrap_or_default();
        let [e, n] = self.frame.to_map(lon, lat);
        (e, n)
    }
}

fn prop<'a>(f: &'a Value, k: &str) -> &'a Value {
    &f["properties"][k]
}

fn text(f: &Value, k: &str) -> String {
    prop(f, k).as_str().unwrap_or_default().to_string()
}

/// The middle of a polygon feature's outer ring, local metres.
fn centre(o: &Out, f: &Value) -> Pt {
    let ring = f["geometry"]["coordinates"][0].as_array().cloned().unwrap_or_default();
    let pts: Vec<Pt> = ring
        .iter()
        .take(ring.len().saturating_sub(1))
        .map(|c| o.local(c))
        .collect();
    let n = pts.len().max(1) as f64;
    (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    )
}

fn date(days_before: i64) -> String {
    // The demo's "today" is fixed so that the files do not change from day to day.
    let today = time::macros::date!(2026 - 11 - 20);
    (today - time::Duration::days(days_before)).to_string()
}

/// Writes the scenario layers' GeoJSON from the park's generated layers.
pub fn generate(
    frame: &LocalFrame,
    park: &BTreeMap<&'static str, Vec<Value>>,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut rng = ChaCha8Rng::seed_from_u64(20_261_126);
    let mut o = Out {
        frame,
        layers: BTreeMap::new(),
    };
    let layer = |id: &str| park.get(id).with_context(|| format!("the park has no {id} layer"));
    let ents = layer("enterprises")?;

    // Environment: ambient air-quality stations (inside, at the fence, and in the villages).
    let stations: &[(&str, &str, Pt, f64)] = &[
        ("Park centre", "园区中心站", (40.0, 60.0), 1.0),
        ("South gate", "南门站", (-300.0, -1260.0), 0.9),
        ("East fence", "东界站", (1680.0, 200.0), 1.2),
        ("North-west fence", "西北界站", (-1680.0, 1100.0), 0.8),
        ("Xiaowa village", "小洼村站", (-3300.0, 1300.0), 0.6),
        ("Gudao town", "孤岛镇站", (4300.0, -3700.0), 0.7),
    ];
    for (i, (name, zh, p, f)) in stations.iter().enumerate() {
        let pm25: f64 = (rng.random_range(22.0..70.0) * f).round();
        let so2: f64 = (rng.random_range(6.0..40.0) * f).round();
        let no2: f64 = (rng.random_range(15.0..60.0) * f).round();
        // HJ 633-2012's hourly AQI (parktwin_api::aqi): a primary pollutant only over 50.
        let report = parktwin_api::aqi::hourly(&parktwin_api::aqi::Hourly {
            pm25: Some(pm25),
            so2: Some(so2),
            no2: Some(no2),
            ..Default::default()
        })
        .context("an AQI of measured pollutants")?;
        let aqi = report.aqi;
        let primary = (!report.primary_pollutants.is_empty()).then(|| {
            report
                .primary_pollutants
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        });
        let g = o.point(*p);
        o.add(
            "air_quality",
            format!("aq-{:02}", i + 1),
            g,
            json!({"name": name, "name_zh": zh, "aqi": aqi, "pm25_ug_m3": pm25, "so2_ug_m3": so2,
                   "no2_ug_m3": no2, "primary_pollutant": primary, "time": "2026-11-20T08:00:00+08:00"}),
        );
    }

    // Environment: wastewater outfalls — the treatment plant's effluent and storm-water outlets.
    let plant = ents
        .iter()
        .find(|e| text(e, "industry") == "wastewater treatment")
        .map(|e| centre(&o, e))
        .unwrap_or((1200.0, -800.0));
    let outfalls: &[(&str, &str, &str, Pt, &str)] = &[
        (
            "Treated effluent outfall",
            "污水处理厂总排口",
            "treated effluent",
            (plant.0, -1230.0),
            "normal",
        ),
        (
            "Storm-water outfall S1",
            "雨水排口S1",
            "storm water",
            (-900.0, -1230.0),
            "normal",
        ),
        (
            "Storm-water outfall S2",
            "雨水排口S2",
            "storm water",
            (-1630.0, -200.0),
            "exceedance",
        ),
        (
            "Storm-water outfall S3",
            "雨水排口S3",
            "storm water",
            (1630.0, 600.0),
            "normal",
        ),
        (
            "Storm-water outfall S4",
            "雨水排口S4",
            "storm water",
            (-300.0, 1230.0),
            "offline",
        ),
    ];
    for (i, (name, zh, kind, p, state)) in outfalls.iter().enumerate() {
        let (cod, nh3n): (f64, f64) = match *state {
            "exceedance" => (rng.random_range(75.0..110.0), rng.random_range(9.0..14.0)),
            _ => (rng.random_range(18.0..48.0), rng.random_range(0.8..5.0)),
        };
        let mut props = json!({"name": name, "name_zh": zh, "kind": kind, "state": state,
            "cod_limit_mg_l": COD_LIMIT, "nh3n_limit_mg_l": NH3N_LIMIT, "online_monitor": true});
        if *state != "offline" {
            props["cod_mg_l"] = json!(r1(cod));
            props["nh3n_mg_l"] = json!(r1(nh3n));
            props["ph"] = json!(r1(rng.random_range(6.6..8.4)));
        }
        let g = o.point(*p);
        o.add("outfalls", format!("of-{:02}", i + 1), g, props);
    }

    // Energy: each enterprise's metered electricity last month, on its parcel.
    for e in ents {
        let heavy = match text(e, "industry").as_str() {
            "chlor-alkali" => 9.0, // electrolysis
            "refining" | "propane dehydrogenation" | "fertilizer" => 4.0,
            "industrial gases" => 5.0, // air separation
            "logistics" | "tank storage" => 0.15,
            _ => 1.0,
        };
        let mwh: f64 = (rng.random_range(1800.0_f64..4200.0) * heavy / 10.0).round() * 10.0;
        let props = json!({"name": text(e, "name"), "name_zh": text(e, "name_zh"), "enterprise": e["id"],
            "electricity_mwh": mwh, "steam_t": (mwh * rng.random_range(0.3..1.2)).round(),
            "month": "2026-10"});
        o.add(
            "energy_use",
            format!("energy-{}", e["id"].as_str().unwrap_or_default()),
            e["geometry"].clone(),
            props,
        );
    }
    // Energy: the utility substations.
    let subs: &[(&str, &str, Pt, f64, f64, f64)] = &[
        (
            "Park 110 kV substation",
            "园区110kV变电站",
            (1450.0, 1000.0),
            110.0,
            2.0 * 63.0,
            0.72,
        ),
        (
            "West 35 kV substation",
            "西区35kV变电站",
            (-1450.0, -1050.0),
            35.0,
            2.0 * 20.0,
            0.91,
        ),
        (
            "Central 35 kV substation",
            "中区35kV变电站",
            (-420.0, 40.0),
            35.0,
            2.0 * 20.0,
            0.55,
        ),
    ];
    for (i, (name, zh, p, kv, mva, load)) in subs.iter().enumerate() {
        let g = o.point(*p);
        o.add(
            "substations",
            format!("sub-{}", i + 1),
            g,
            json!({"name": name, "name_zh": zh, "voltage_kv": kv, "capacity_mva": mva,
                   "load_mva": r1(mva * load), "load_pct": (load * 100.0_f64).round()}),
        );
    }

    // Pipe gallery: each rack segment's inspection (every 90 days), and the isolation valves
    // at the segments' ends.
    for (i, rack) in layer("pipe_racks")?.iter().enumerate() {
        let id = rack["id"].as_str().unwrap_or_default().to_string();
        let days: i64 = match i % 7 {
            3 => rng.random_range(95..140), // overdue
            5 => rng.random_range(80..90),  // due within ten days
            _ => rng.random_range(5..78),
        };
        let defects = if i == 9 { 2 } else { 0 };
        let status = match (defects, days) {
            (d, _) if d > 0 => "defect",
            (_, d) if d > 90 => "overdue",
            (_, d) if d >= 80 => "due",
            _ => "ok",
        };
        let inspector = ["Park Utilities Co.", "Shandong Pipeline Inspection Ltd."][i % 2];
        let props = json!({"rack": id, "name": text(rack, "name"), "last_inspection": date(days),
            "days_since": days, "interval_days": 90, "status": status, "defects": defects,
            "inspector": inspector});
        o.add(
            "rack_inspections",
            format!("insp-{id}"),
            rack["geometry"].clone(),
            props,
        );
        let coords = rack["geometry"]["coordinates"].as_array().cloned().unwrap_or_default();
        if let Some(first) = coords.first() {
            let p = o.local(first);
            let dir = coords.get(1).map(|c| o.local(c)).unwrap_or(p);
            let len = ((dir.0 - p.0).powi(2) + (dir.1 - p.1).powi(2)).sqrt().max(1.0);
            // 15 m into the segment, where a block valve station stands.
            let at = (p.0 + (dir.0 - p.0) / len * 15.0, p.1 + (dir.1 - p.1) / len * 15.0);
            let g = json!({"type": "Point", "coordinates": o.ll3(at, 7.0)});
            let closed = i % 6 == 4;
            let dn = [150, 200, 250, 300][i % 4];
            o.add(
                "isolation_valves",
                format!("XV-{:03}", i + 1),
                g,
                json!({"tag": format!("XV-{:03}", i + 1), "rack": id, "state": if closed { "closed" } else { "open" },
                       "actuator": if i % 3 == 0 { "motorised" } else { "manual" }, "dn": dn,
                       "last_tested": date(rng.random_range(10..170))}),
            );
        }
    }

    // Closed management: the fence in segments of about 300 m, and what each camera covers.
    let fence = layer("boundary")?
        .first()
        .and_then(|f| f["geometry"]["coordinates"][0].as_array().cloned())
        .unwrap_or_default();
    let ring: Vec<Pt> = fence.iter().map(|c| o.local(c)).collect();
    let mut seg_no = 0;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let n = (len / 300.0).ceil().max(1.0) as usize;
        for k in 0..n {
            let t0 = k as f64 / n as f64;
            let t1 = (k + 1) as f64 / n as f64;
            let p0 = (a.0 + (b.0 - a.0) * t0, a.1 + (b.1 - a.1) * t0);
            let p1 = (a.0 + (b.0 - a.0) * t1, a.1 + (b.1 - a.1) * t1);
            seg_no += 1;
            let status = match seg_no {
                7 => "damaged",
                19 => "under repair",
                _ => "intact",
            };
            let g = json!({"type": "LineString", "coordinates": [o.ll3(p0, 2.5), o.ll3(p1, 2.5)]});
            o.add(
                "fence_segments",
                format!("fence-{seg_no:02}"),
                g,
                json!({"segment": seg_no, "length_m": r1(len / n as f64), "status": status,
                       "intrusion_detection": if seg_no % 4 == 0 { "none" } else { "vibration cable" },
                       "last_patrol": date(rng.random_range(0..3))}),
            );
        }
    }
    for (i, cam) in layer("cameras")?.iter().enumerate() {
        let p = o.local(&cam["geometry"]["coordinates"]);
        let ptz = prop(cam, "ptz").as_bool().unwrap_or(false);
        let (range, half, heading) = if ptz {
            (150.0, std::f64::consts::PI, 0.0)
        } else {
            // Gate cameras look along the access road, into the park.
            (80.0, 30f64.to_radians(), rng.random_range(0.0..std::f64::consts::TAU))
        };
        let steps = if ptz { 24 } else { 6 };
        let mut pts: Vec<Value> = Vec::new();
        if !ptz {
            pts.push(o.ll(p));
        }
        for s in 0..=steps {
            let a = heading - half + 2.0 * half * s as f64 / steps as f64;
            pts.push(o.ll((p.0 + range * a.sin(), p.1 + range * a.cos())));
        }
        if ptz {
            pts.pop();
        }
        pts.push(pts[0].clone());
        let online = i % 11 != 7;
        o.add(
            "camera_coverage",
            format!("cov-{}", cam["id"].as_str().unwrap_or_default()),
            json!({"type": "Polygon", "coordinates": [pts]}),
            json!({"camera": cam["id"], "name": text(cam, "name"), "ptz": ptz, "range_m": range, "online": online}),
        );
    }

    // Emergency: supply caches with what they hold, and the response vehicles.
    let caches: &[(&str, &str, Pt, [u32; 5])] = &[
        (
            "Central supply depot",
            "中心应急物资库",
            (-1500.0, -300.0),
            [12, 8, 40, 30, 20],
        ),
        (
            "Tank farm cache North",
            "北罐区物资点",
            (420.0, 760.0),
            [6, 3, 12, 10, 5],
        ),
        (
            "Tank farm cache West",
            "西罐区物资点",
            (-1180.0, 700.0),
            [4, 2, 10, 8, 5],
        ),
        (
            "Chlorine response cache",
            "氯气应急物资点",
            (560.0, 170.0),
            [0, 1, 16, 12, 15],
        ),
        (
            "Hazmat gate cache",
            "危化品卡口物资点",
            (1500.0, -470.0),
            [3, 2, 8, 6, 4],
        ),
        ("Terminal cache", "罐区码头物资点", (-420.0, -820.0), [8, 4, 10, 8, 3]),
    ];
    for (i, (name, zh, p, q)) in caches.iter().enumerate() {
        let g = o.point(*p);
        o.add(
            "emergency_supplies",
            format!("sup-{:02}", i + 1),
            g,
            json!({"name": name, "name_zh": zh, "foam_t": q[0], "absorbent_t": q[1], "scba_sets": q[2],
                   "chemical_suits": q[3], "lime_t": q[4], "checked": date(rng.random_range(3..60))}),
        );
    }
    let stations = layer("emergency_resources")?;
    let base = |id: &str| {
        stations
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| o.local(&s["geometry"]["coordinates"]))
            .unwrap_or((0.0, 0.0))
    };
    let fire = base("er-fire-station");
    let rescue = base("er-rescue-team");
    let medical = base("er-medical");
    let vehicles: &[(&str, &str, &str, Pt, u32, &str)] = &[
        (
            "Engine 1",
            "水罐消防车1",
            "water tender",
            (fire.0 - 20.0, fire.1),
            6,
            "available",
        ),
        ("Foam 1", "泡沫消防车1", "foam tender", (fire.0, fire.1), 6, "available"),
        (
            "Foam 2",
            "泡沫消防车2",
            "foam tender",
            (fire.0 + 20.0, fire.1),
            6,
            "maintenance",
        ),
        (
            "Aerial 1",
            "举高喷射消防车",
            "aerial platform",
            (fire.0 + 40.0, fire.1),
            4,
            "available",
        ),
        (
            "Hazmat 1",
            "危化品抢险救援车",
            "hazmat rescue",
            (rescue.0, rescue.1 - 20.0),
            5,
            "available",
        ),
        (
            "Decon 1",
            "洗消车",
            "decontamination",
            (rescue.0 + 20.0, rescue.1 - 20.0),
            4,
            "available",
        ),
        (
            "Ambulance 1",
            "救护车1",
            "ambulance",
            (medical.0, medical.1 - 20.0),
            3,
            "available",
        ),
        ("Ambulance 2", "救护车2", "ambulance", (620.0, 180.0), 3, "deployed"),
    ];
    for (i, (call, zh, kind, p, crew, status)) in vehicles.iter().enumerate() {
        let g = o.point(*p);
        o.add(
            "emergency_vehicles",
            format!("ev-{:02}", i + 1),
            g,
            // The plate by which its tracker's positions come in (a fire and rescue vehicle's
            // plate ends in 应急).
            json!({"name": call, "name_zh": zh, "kind": kind, "crew": crew, "status": status,
                   "plate": format!("鲁E·9{:03}应急", i + 1)}),
        );
    }

    // Industry chain: what flows between the enterprises (by pipe or truck), kt a year.
    let flows: &[(&str, &str, &str, &str, &str, f64, &str)] = &[
        ("ent-01", "ent-05", "chlorine", "氯气", "chlor-alkali", 120.0, "pipe"),
        ("ent-01", "ent-04", "chlorine", "氯气", "chlor-alkali", 45.0, "pipe"),
        ("ent-01", "ent-12", "chlorine", "氯气", "chlor-alkali", 18.0, "pipe"),
        ("ent-01", "ent-02", "hydrogen", "氢气", "chlor-alkali", 8.0, "pipe"),
        (
            "ent-01",
            "ent-14",
            "caustic soda",
            "烧碱",
            "chlor-alkali",
            12.0,
            "truck",
        ),
        ("ent-02", "ent-05", "benzene", "苯", "aromatics", 180.0, "pipe"),
        ("ent-02", "ent-10", "benzene", "苯", "aromatics", 90.0, "pipe"),
        ("ent-02", "ent-07", "ethylene", "乙烯", "olefins", 200.0, "pipe"),
        ("ent-02", "ent-06", "propylene", "丙烯", "olefins", 150.0, "pipe"),
        ("ent-02", "ent-15", "propane", "丙烷", "olefins", 350.0, "pipe"),
        ("ent-15", "ent-19", "propylene", "丙烯", "olefins", 300.0, "pipe"),
        ("ent-02", "ent-09", "sulphur", "硫磺", "sulphur", 60.0, "truck"),
        ("ent-09", "ent-03", "sulphuric acid", "硫酸", "sulphur", 110.0, "pipe"),
        ("ent-03", "ent-06", "ammonia", "液氨", "nitrogen", 55.0, "pipe"),
        ("ent-17", "ent-07", "oxygen", "氧气", "industrial gases", 80.0, "pipe"),
        ("ent-17", "ent-05", "nitrogen", "氮气", "industrial gases", 20.0, "pipe"),
        ("ent-08", "ent-10", "methanol", "甲醇", "methanol", 150.0, "pipe"),
        ("ent-08", "ent-11", "methanol", "甲醇", "methanol", 40.0, "pipe"),
        ("ent-08", "ent-12", "methanol", "甲醇", "methanol", 25.0, "truck"),
        ("ent-05", "ent-16", "MDI", "MDI", "derivatives", 30.0, "truck"),
        (
            "ent-07",
            "ent-16",
            "ethylene glycol",
            "乙二醇",
            "derivatives",
            15.0,
            "truck",
        ),
        (
            "ent-11",
            "ent-18",
            "intermediates",
            "医药中间体",
            "derivatives",
            6.0,
            "truck",
        ),
    ];
    let find = |id: &str| ents.iter().find(|e| e["id"] == id);
    for (i, (from, to, product, zh, category, kt, mode)) in flows.iter().enumerate() {
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            anyhow::bail!("material flow {i}: no enterprise {from} or {to}");
        };
        let g = json!({"type": "LineString", "coordinates": [o.ll(centre(&o, a)), o.ll(centre(&o, b))]});
        o.add(
            "material_flows",
            format!("flow-{:02}", i + 1),
            g,
            json!({"product": product, "product_zh": zh, "category": category, "kt_per_year": kt,
                   "mode": mode, "from": text(a, "name"), "from_zh": text(a, "name_zh"),
                   "to": text(b, "name"), "to_zh": text(b, "name_zh")}),
        );
    }

    let mut files = Vec::new();
    for (id, features) in &o.layers {
        let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (i, f) in features.iter().enumerate() {
            text.push_str(&serde_json::to_string(f)?);
            text.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
        }
        text.push_str("]}\n");
        files.push((format!("descriptors/{id}.geojson"), text));
    }
    Ok(files)
}
