//! The demo park's devices, as its seed registers them: one of each kind the park runs on, made
//! from the park's own layers and descriptors so that each sits where the map draws its thing.
//!
//! Every number here that is not a standard's (each says which) is the demo's: a plausible
//! operating point for a coastal chemical park, never a measurement. The simulator
//! (`crate::sim::devices`) reads each quantity around its `nominal`.

use geojson::Feature;
use parktwin_api::device::{Device, DeviceKind, Quantity, QuantityRules, Thresholds};
use parktwin_api::frame::LocalFrame;
use serde_json::{Map, Value};

/// Where the demo's devices come from: the park's layers and descriptor files by id (an
/// absent one is empty).
pub struct DemoSources<'a> {
    /// A park layer's features by its id (`detectors`, `tanks`, `pipes`, `cameras`, `boundary`).
    pub layer: &'a dyn Fn(&str) -> &'a [Feature],
    /// A descriptor's data file's features by its descriptor id (`air_quality`, `outfalls`,
    /// `energy_use`, `substations`, `fence_segments`).
    pub descriptor: &'a dyn Fn(&str) -> &'a [Feature],
}

fn props(f: &Feature) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    f.properties.as_ref().unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn text<'a>(f: &'a Feature, key: &str) -> Option<&'a str> {
    props(f).get(key).and_then(Value::as_str)
}

fn number(f: &Feature, key: &str) -> Option<f64> {
    props(f).get(key).and_then(Value::as_f64)
}

/// A feature's id and, for a point, its longitude and latitude.
fn point(f: &Feature) -> Option<(f64, f64)> {
    match &f.geometry.as_ref()?.value {
        geojson::Value::Point(c) => Some((c[0], c[1])),
        _ => None,
    }
}

/// A line's vertices (the first line of a multi-line).
fn line(f: &Feature) -> Vec<[f64; 2]> {
    match f.geometry.as_ref().map(|g| &g.value) {
        Some(geojson::Value::LineString(c)) => c.iter().map(|p| [p[0], p[1]]).collect(),
        Some(geojson::Value::MultiLineString(l)) => l
            .first()
            .map(|c| c.iter().map(|p| [p[0], p[1]]).collect())
            .unwrap_or_default(),
        Some(geojson::Value::Polygon(r)) => r
            .first()
            .map(|c| c.iter().map(|p| [p[0], p[1]]).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The point `fraction` (0–1) of the way along a line, measured in metres.
fn along(line: &[[f64; 2]], fraction: f64) -> Option<(f64, f64)> {
    let first = line.first()?;
    let frame = LocalFrame::new(first[0], first[1]);
    let local: Vec<[f64; 2]> = line.iter().map(|p| frame.to_map(p[0], p[1])).collect();
    let lengths: Vec<f64> = local
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .collect();
    let mut left = lengths.iter().sum::<f64>() * fraction.clamp(0.0, 1.0);
    let last = lengths.len().checked_sub(1)?;
    for (i, (w, len)) in local.windows(2).zip(&lengths).enumerate() {
        if left <= *len || i == last {
            let k = if *len > 0.0 { (left / len).min(1.0) } else { 0.0 };
            return Some(frame.to_wgs84(w[0][0] + k * (w[1][0] - w[0][0]), w[0][1] + k * (w[1][1] - w[0][1])));
        }
        left -= len;
    }
    Some((first[0], first[1]))
}

/// A number in `[lo, hi)` that an id always gives (FNV-1a of its bytes): the demo's spread of
/// tank fills without a random seed.
fn spread(id: &str, lo: f64, hi: f64) -> f64 {
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    lo + (hi - lo) * (h % 1000) as f64 / 1000.0
}

fn quantity(name: &str, unit: &str, nominal: f64, thresholds: Thresholds) -> Quantity {
    Quantity {
        nominal: Some(nominal),
        ..Quantity::new(name, unit, thresholds)
    }
}

fn device(id: String, kind: DeviceKind, name: String, name_zh: String) -> Device {
    let mut d = Device::new(&id, kind, &name);
    d.name_zh = name_zh;
    d
}

fn on(mut d: Device, layer: &str, feature: &str) -> Device {
    d.location.layer = Some(layer.into());
    d.location.feature = Some(feature.into());
    d
}

fn at(mut d: Device, (lon, lat): (f64, f64)) -> Device {
    d.location.lon = Some(lon);
    d.location.lat = Some(lat);
    d
}

/// Each gas detector of the detectors layer: its gas's concentration against its warning and
/// alarm levels, as high and high-high.
fn detectors(features: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    features.iter().filter_map(|f| {
        let id = parktwin_api::validate::feature_id(f)?;
        let mut d = Device::new(id, DeviceKind::GasDetector, text(f, "name").unwrap_or(id));
        d.enterprise = text(f, "enterprise").map(str::to_string);
        d.quantities.push(Quantity::new(
            "concentration",
            text(f, "unit").unwrap_or("ppm"),
            Thresholds {
                high: number(f, "warn"),
                high_high: number(f, "alarm"),
                ..Default::default()
            },
        ));
        Some(on(d, "detectors", id))
    })
}

/// Each ambient station (PM2.5, SO₂, NO₂; HJ 633-2012 grades them) and each outfall (COD and
/// NH₃-N against their permit's limits on the day's mean, pH between 6 and 9).
fn environment<'a>(stations: &'a [Feature], outfalls: &'a [Feature]) -> impl Iterator<Item = Device> + 'a {
    let named = |f: &Feature, kind| {
        let id = parktwin_api::validate::feature_id(f)?;
        let d = device(
            id.to_string(),
            kind,
            text(f, "name").unwrap_or(id).to_string(),
            text(f, "name_zh").unwrap_or_default().to_string(),
        );
        Some(at(d, point(f)?))
    };
    let stations = stations.iter().filter_map(move |f| {
        let mut d = named(f, DeviceKind::AirQuality)?;
        for q in ["pm25", "so2", "no2"] {
            d.quantities.push(Quantity::new(q, "μg/m³", Thresholds::default()));
        }
        Some(d)
    });
    let outfalls = outfalls.iter().filter_map(move |f| {
        let mut d = named(f, DeviceKind::Outfall)?;
        // The permit's limit is on the day's mean; a reading over it is a warning.
        for (q, key) in [("cod", "cod_limit_mg_l"), ("nh3n", "nh3n_limit_mg_l")] {
            let limit = number(f, key);
            d.quantities.push(Quantity {
                rules: QuantityRules {
                    permit_daily_mean: limit,
                    ..Default::default()
                },
                ..Quantity::new(
                    q,
                    "mg/L",
                    Thresholds {
                        high: limit,
                        ..Default::default()
                    },
                )
            });
        }
        d.quantities.push(Quantity::new(
            "ph",
            "pH",
            Thresholds {
                low: Some(6.0),
                high: Some(9.0),
                ..Default::default()
            },
        ));
        Some(d)
    });
    stations.chain(outfalls)
}

/// Whether a tank holds its liquid under pressure (a liquefied gas), by its roof.
fn pressurised(roof: &str) -> bool {
    matches!(roof, "horizontal bullet" | "sphere" | "pressurised")
}

/// Each tank's level, temperature and pressure gauges, on the tank. The level in % of the
/// gauged height, with overfill alarms at 85 % and 95 % and the pump's low cut at 10 % and
/// 5 % (the demo's settings); a liquefied gas's vessel at its vapour pressure, an atmospheric
/// tank at a few kPa below its breather valve, a refrigerated one near its liquid's boiling
/// point.
fn tanks(features: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    features.iter().flat_map(|f| {
        let Some(id) = parktwin_api::validate::feature_id(f) else {
            return Vec::new();
        };
        let name = text(f, "name").unwrap_or(id);
        let roof = text(f, "roof").unwrap_or_default();
        let refrigerated = roof.starts_with("refrigerated");
        let gauge = |prefix: &str, kind, what: &str, what_zh: &str, q: Quantity| {
            let mut d = device(
                format!("{prefix}-{id}"),
                kind,
                format!("{name} {what}"),
                format!("{name} {what_zh}"),
            );
            d.enterprise = text(f, "enterprise").map(str::to_string);
            d.quantities.push(q);
            on(d, "tanks", id)
        };
        let level = quantity(
            "level",
            "%",
            spread(id, 30.0, 78.0),
            Thresholds {
                low_low: Some(5.0),
                low: Some(10.0),
                high: Some(85.0),
                high_high: Some(95.0),
            },
        );
        let (t, t_high, t_hh) = if refrigerated {
            (-33.0, -28.0, -25.0)
        } else {
            (14.0, 40.0, 50.0)
        };
        let temperature = quantity(
            "temperature",
            "°C",
            t,
            Thresholds {
                high: Some(t_high),
                high_high: Some(t_hh),
                ..Default::default()
            },
        );
        let vapour = match text(f, "chemical").unwrap_or_default() {
            "chlorine" => 480.0,
            "propane" => 650.0,
            "ammonia" => 700.0,
            "sulfur dioxide" => 230.0,
            _ => 300.0,
        };
        let pressure = if pressurised(roof) {
            quantity(
                "pressure",
                "kPa",
                vapour,
                Thresholds {
                    low: Some(0.3 * vapour),
                    high: Some(1.6 * vapour),
                    high_high: Some(1.9 * vapour),
                    ..Default::default()
                },
            )
        } else {
            quantity(
                "pressure",
                "kPa",
                if refrigerated { 5.0 } else { 0.5 },
                Thresholds {
                    low_low: Some(-0.5),
                    low: Some(-0.3),
                    high: Some(if refrigerated { 12.0 } else { 1.5 }),
                    high_high: Some(if refrigerated { 15.0 } else { 2.0 }),
                },
            )
        };
        vec![
            gauge("LT", DeviceKind::TankLevel, "level", "液位", level),
            gauge("TT", DeviceKind::TankTemperature, "temperature", "温度", temperature),
            gauge("PT", DeviceKind::TankPressure, "pressure", "压力", pressure),
        ]
    })
}

/// Each pipe in service: pressure gauges at its start, middle and end (its operating pressure,
/// three fifths of its design, falling by 8 % along it; low at 70 % and low-low at 50 % of
/// that, the sign of a leak, and a fall of a tenth a minute too fast; high at 90 % of its
/// design and high-high at it), a flow meter at its start (1.5 m/s through its bore) and, on a
/// steam main, a temperature gauge.
fn pipes(features: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    features
        .iter()
        .filter(|f| text(f, "status") == Some("in_service"))
        .flat_map(|f| {
            let Some(id) = parktwin_api::validate::feature_id(f) else {
                return Vec::new();
            };
            let vertices = line(f);
            let name = text(f, "line_number").unwrap_or(id);
            let design = number(f, "design_pressure_mpa").unwrap_or(1.0);
            let operating = 0.6 * design;
            let gauge = |tag: String, kind, what: &str, what_zh: &str, fraction: f64, q: Quantity| {
                let mut d = device(tag, kind, format!("{name} {what}"), format!("{name} {what_zh}"));
                d.quantities.push(q);
                Some(at(on(d, "pipes", id), along(&vertices, fraction)?))
            };
            let mut out: Vec<Option<Device>> =
                [(0.0, "inlet", "首端"), (0.5, "middle", "中段"), (1.0, "outlet", "末端")]
                    .into_iter()
                    .map(|(k, en, zh)| {
                        let p = operating * (1.0 - 0.08 * k);
                        let q = Quantity {
                            rules: QuantityRules {
                                max_rate_per_min: Some(0.1 * p),
                                ..Default::default()
                            },
                            ..quantity(
                                "pressure",
                                "MPa",
                                p,
                                Thresholds {
                                    low_low: Some(0.5 * p),
                                    low: Some(0.7 * p),
                                    high: Some(0.9 * design),
                                    high_high: Some(design),
                                },
                            )
                        };
                        gauge(
                            format!("PT-{id}-{:03}", (k * 100.0) as u32),
                            DeviceKind::PipePressure,
                            &format!("pressure, {en}"),
                            &format!("{zh}压力"),
                            k,
                            q,
                        )
                    })
                    .collect();
            let bore = number(f, "dn").unwrap_or(100.0) / 1000.0;
            let flow = 1.5 * std::f64::consts::PI / 4.0 * bore * bore * 3600.0;
            out.push(gauge(
                format!("FT-{id}"),
                DeviceKind::PipeFlow,
                "flow",
                "流量",
                0.0,
                quantity(
                    "flow",
                    "m³/h",
                    flow,
                    Thresholds {
                        high: Some(1.5 * flow),
                        ..Default::default()
                    },
                ),
            ));
            if text(f, "medium") == Some("steam") {
                out.push(gauge(
                    format!("TT-{id}"),
                    DeviceKind::PipeTemperature,
                    "temperature",
                    "温度",
                    0.0,
                    quantity(
                        "temperature",
                        "°C",
                        200.0,
                        Thresholds {
                            low: Some(170.0),
                            high: Some(240.0),
                            ..Default::default()
                        },
                    ),
                ));
            }
            out.into_iter().flatten().collect()
        })
}

/// Each enterprise's electricity, steam and water meters, on its parcel: their usual draw a
/// minute from the month the energy descriptor gives (a thirtieth of it a day), the day's
/// budget a tenth over that (the demo's).
fn meters(energy: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    energy.iter().flat_map(|f| {
        let Some(enterprise) = text(f, "enterprise") else {
            return Vec::new();
        };
        let name = text(f, "name").unwrap_or(enterprise);
        let name_zh = text(f, "name_zh").unwrap_or(name);
        let per_minute = |monthly: f64| monthly / (30.0 * 1440.0);
        let electricity = per_minute(number(f, "electricity_mwh").unwrap_or(0.0) * 1000.0);
        let steam = per_minute(number(f, "steam_t").unwrap_or(0.0));
        [
            (
                "EM",
                DeviceKind::ElectricityMeter,
                "electricity",
                "电表",
                "energy",
                "kWh",
                electricity,
            ),
            ("SM", DeviceKind::SteamMeter, "steam", "蒸汽表", "steam", "t", steam),
            // No water figures in the demo's data: the make-up water follows the steam.
            (
                "WM",
                DeviceKind::WaterMeter,
                "water",
                "水表",
                "water",
                "m³",
                1.2 * steam,
            ),
        ]
        .into_iter()
        .filter(|m| m.6 > 0.0)
        .map(|(prefix, kind, what, what_zh, q, unit, nominal)| {
            let mut d = device(
                format!("{prefix}-{enterprise}"),
                kind,
                format!("{name} {what}"),
                format!("{name_zh}{what_zh}"),
            );
            d.enterprise = Some(enterprise.to_string());
            d.quantities.push(Quantity {
                rules: QuantityRules {
                    daily_budget: Some((1.1 * nominal * 1440.0).round()),
                    ..Default::default()
                },
                ..quantity(q, unit, nominal, Thresholds::default())
            });
            on(d, "enterprises", enterprise)
        })
        .collect()
    })
}

/// Each substation's load in MVA: high at 85 % of its rating, high-high at the rating.
fn substations(features: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    features.iter().filter_map(|f| {
        let id = parktwin_api::validate::feature_id(f)?;
        let capacity = number(f, "capacity_mva")?;
        let mut d = device(
            id.to_string(),
            DeviceKind::SubstationLoad,
            text(f, "name").unwrap_or(id).to_string(),
            text(f, "name_zh").unwrap_or_default().to_string(),
        );
        d.quantities.push(quantity(
            "load",
            "MVA",
            number(f, "load_mva").unwrap_or(0.6 * capacity),
            Thresholds {
                high: Some(0.85 * capacity),
                high_high: Some(capacity),
                ..Default::default()
            },
        ));
        Some(at(d, point(f)?))
    })
}

/// Four VOC monitors on the fence, a quarter of its length apart: non-methane hydrocarbons
/// against GB 16297-1996's limit at the boundary (Table 2, item 33: 4.0 mg/m³).
fn voc_monitors(boundary: &[Feature]) -> impl Iterator<Item = Device> + '_ {
    let ring = boundary.first().map(line).unwrap_or_default();
    (0..4).filter_map(move |i| {
        let p = along(&ring, (2.0 * f64::from(i) + 1.0) / 8.0)?;
        let mut d = device(
            format!("VOC-{:02}", i + 1),
            DeviceKind::VocMonitor,
            format!("Boundary VOC monitor {}", i + 1),
            format!("厂界VOCs监测点{}", i + 1),
        );
        d.quantities.push(quantity(
            "nmhc",
            "mg/m³",
            0.9,
            Thresholds {
                high: Some(4.0),
                ..Default::default()
            },
        ));
        Some(at(d, p))
    })
}

/// Each fence segment's intrusion zone, at its middle, and each camera, on its feature. The
/// demo has no video: each camera's stream is under `demo.invalid`, a name RFC 2606 keeps from
/// ever resolving, so that no one mistakes it for a camera's.
fn security<'a>(fence: &'a [Feature], cameras: &'a [Feature]) -> impl Iterator<Item = Device> + 'a {
    let zones = fence.iter().filter_map(|f| {
        let id = parktwin_api::validate::feature_id(f)?;
        let n = number(f, "segment").unwrap_or_default();
        let d = device(
            format!("FZ-{id}"),
            DeviceKind::FenceZone,
            format!("Fence zone {n}"),
            format!("周界防区{n}"),
        );
        Some(at(d, along(&line(f), 0.5)?))
    });
    let cameras = cameras.iter().filter_map(|f| {
        let id = parktwin_api::validate::feature_id(f)?;
        let mut d = device(
            id.to_string(),
            DeviceKind::Camera,
            text(f, "name").unwrap_or(id).to_string(),
            String::new(),
        );
        d.stream_url = Some(format!("rtsp://demo.invalid/{id}"));
        Some(on(d, "cameras", id))
    });
    zones.chain(cameras)
}

/// The demo park's devices, each kind from its sources (see the functions above).
pub fn demo_devices(s: &DemoSources<'_>) -> Vec<Device> {
    let (layer, descriptor) = (s.layer, s.descriptor);
    detectors(layer("detectors"))
        .chain(environment(descriptor("air_quality"), descriptor("outfalls")))
        .chain(tanks(layer("tanks")))
        .chain(pipes(layer("pipes")))
        .chain(meters(descriptor("energy_use")))
        .chain(substations(descriptor("substations")))
        .chain(voc_monitors(layer("boundary")))
        .chain(security(descriptor("fence_segments"), layer("cameras")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_along_a_line_is_measured_in_metres() {
        // 1 km east then 1 km north: half way is the corner.
        let f = LocalFrame::new(118.45, 37.57);
        let corner = f.to_wgs84(1000.0, 0.0);
        let end = f.to_wgs84(1000.0, 1000.0);
        let l = [[118.45, 37.57], [corner.0, corner.1], [end.0, end.1]];
        let half = along(&l, 0.5).expect("a point");
        let m = f.to_map(half.0, half.1);
        assert!((m[0] - 1000.0).abs() < 0.01 && m[1].abs() < 0.01, "{m:?}");
        let three_quarters = along(&l, 0.75).expect("a point");
        let m = f.to_map(three_quarters.0, three_quarters.1);
        assert!((m[0] - 1000.0).abs() < 0.01 && (m[1] - 500.0).abs() < 0.01, "{m:?}");
        let m = along(&l, 1.0).map(|p| f.to_map(p.0, p.1)).expect("the end");
        assert!((m[1] - 1000.0).abs() < 0.01, "{m:?}");
    }

    #[test]
    fn the_demo_parks_devices_are_valid_and_of_every_kind() {
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets");
        let seed = crate::seed::load_assets(&assets).expect("the demo's assets");
        for d in &seed.devices {
            assert!(d.problems().is_empty(), "{}: {:?}", d.id, d.problems());
        }
        let mut ids: Vec<&str> = seed.devices.iter().map(|d| d.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids are unique");
        for kind in DeviceKind::ALL {
            assert!(seed.devices.iter().any(|d| d.kind == kind), "no {kind:?}");
        }
        // Each pipe's pressure falls along it; each tank has its three gauges.
        let p = |id: &str| {
            seed.devices
                .iter()
                .find(|d| d.id == id)
                .and_then(|d| d.quantities[0].nominal)
                .expect(id)
        };
        let pipe = seed
            .devices
            .iter()
            .find(|d| d.kind == DeviceKind::PipePressure)
            .and_then(|d| d.location.feature.clone())
            .expect("a gauged pipe");
        assert!(p(&format!("PT-{pipe}-000")) > p(&format!("PT-{pipe}-100")));
        for kind in [
            DeviceKind::TankLevel,
            DeviceKind::TankTemperature,
            DeviceKind::TankPressure,
        ] {
            assert_eq!(seed.devices.iter().filter(|d| d.kind == kind).count(), 67, "{kind:?}");
        }
    }
}
