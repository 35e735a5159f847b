//! The fence, the roads and the gates.

use serde_json::json;

use super::{CHAMFER, HALF_H, HALF_W, Pt, Writer, len, round1};

/// The fence; returns the area inside it, km².
pub(super) fn fence(w: &mut Writer) -> f64 {
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
    area_km2
}

/// The inner ring, the avenues, the highway and the gates' access roads; returns their
/// length, km.
pub(super) fn roads(w: &mut Writer) -> f64 {
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
    road_km
}

/// Gates on the fence, each with an inbound and an outbound camera.
pub(super) fn gates(w: &mut Writer, cameras: &mut Vec<(Pt, String, &'static str)>) {
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
}
