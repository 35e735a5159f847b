//! What protects and what is protected: the services block (hazmat parking, fire station,
//! command centre, supply depot, medical station), the emergency resources and the sensitive
//! targets around the park.

use serde_json::{Value, json};

use super::{Counts, Pt, Rect, SERVICES, Writer, block};

/// Sensitive targets outside the fence (fictional, at believable distances).
pub(super) fn sensitive_targets(w: &mut Writer) {
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
}

/// Park services: hazmat parking, fire station, supply depot, command centre; and the
/// emergency resources.
pub(super) fn services(w: &mut Writer, n: &mut Counts) {
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
        n.buildings += 1;
        let g = w.polygon(&r.ring());
        w.add(
            "buildings",
            format!("bld-{:03}", n.buildings),
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
}

fn merge(into: &mut Value, extra: &Value) {
    if let (Some(a), Some(b)) = (into.as_object_mut(), extra.as_object()) {
        for (k, v) in b {
            a.insert(k.clone(), v.clone());
        }
    }
}
