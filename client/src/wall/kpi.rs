//! The wall's key figures, counted in plain code from the park and the live state: major
//! hazard sources by level, detectors online and in alarm, hazmat vehicles inside the fence,
//! open alarms by tier, and the weather with its stability class.

use parktwin_api::geometry::Area;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_api::model::{AlarmTier, HazardSource, SensorLevel};
use parktwin_scene::ParkData;

/// The weather card: the latest report of any station, and the stability it gives now.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherKpi {
    /// The reporting station.
    pub station: String,
    /// When it reported, UTC.
    pub time: String,
    /// Wind speed, m/s.
    pub speed_ms: f64,
    /// Wind from, degrees.
    pub from_deg: f64,
    /// Air temperature, °C.
    pub temperature_c: f64,
    /// The Pasquill–Gifford class for this wind, the sun's height now and the cloud.
    pub stability: parktwin_dispersion::stability::Stability,
}

/// Every figure the wall's cards show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpis {
    /// Major hazard sources by GB 18218 level, level 1 (most severe) first.
    pub hazards_by_level: [usize; 4],
    /// Gas detectors known to the live state.
    pub detectors: usize,
    /// Of those, reporting (not "no data").
    pub detectors_online: usize,
    /// Of those, at the warning level.
    pub detectors_warning: usize,
    /// Of those, at the alarm level.
    pub detectors_alarm: usize,
    /// Hazmat vehicles inside the fence.
    pub vehicles_inside: usize,
    /// Hazmat vehicles tracked in all (inside and out).
    pub vehicles_tracked: usize,
    /// Open alarms by tier: alarm (red), warning, reminder.
    pub alarms_by_tier: [usize; 3],
    /// Open alarms nobody has acknowledged.
    pub alarms_unacked: usize,
    /// The weather, once a station has reported.
    pub weather: Option<WeatherKpi>,
}

/// The fence (WGS84): every polygon of the park's boundary layer, holes and all, as the
/// server's vehicle rules read it; `None` for a park without one.
pub fn fence_of(data: &ParkData) -> Option<Area> {
    let (_, fc) = data.layers.iter().find(|(l, _)| l.id == LayerId::BOUNDARY)?;
    Area::of_features(&fc.features)
}

/// Major hazard sources by GB 18218 level, level 1 (most severe) first.
pub fn hazards_by_level(hazards: &[HazardSource]) -> [usize; 4] {
    let mut by = [0; 4];
    for h in hazards {
        by[usize::from(h.level.clamp(1, 4)) - 1] += 1;
    }
    by
}

/// Counts the figures. `fence` is the park's fence (everything is inside without one);
/// the sun for the stability class stands over the fence's centre, else over `origin` (the
/// park's, longitude and latitude), at `now_unix`; without either there is no weather card.
pub fn count(
    hazards: &[HazardSource],
    fence: Option<&Area>,
    origin: Option<[f64; 2]>,
    live: &LiveState,
    now_unix: f64,
) -> Kpis {
    let mut k = Kpis {
        hazards_by_level: hazards_by_level(hazards),
        ..Kpis::default()
    };
    for s in live.sensors.values().filter(|s| s.layer == "detectors") {
        k.detectors += 1;
        match s.level {
            SensorLevel::NoData => {}
            SensorLevel::Normal => k.detectors_online += 1,
            SensorLevel::Warning => {
                k.detectors_online += 1;
                k.detectors_warning += 1;
            }
            SensorLevel::Alarm => {
                k.detectors_online += 1;
                k.detectors_alarm += 1;
            }
        }
    }
    k.vehicles_tracked = live.vehicles.len();
    k.vehicles_inside = live
        .vehicles
        .values()
        .filter(|v| fence.is_none_or(|f| f.contains(v.lon, v.lat)))
        .count();
    // A shelved alarm is set aside by an operator until its time: not on the wall meanwhile.
    for a in live
        .alarms
        .values()
        .filter(|a| a.closed.is_none() && a.shelved.is_none())
    {
        let i = match a.tier {
            AlarmTier::Alarm => 0,
            AlarmTier::Warning => 1,
            AlarmTier::Reminder => 2,
        };
        k.alarms_by_tier[i] += 1;
        if a.acknowledged.is_none() {
            k.alarms_unacked += 1;
        }
    }
    let place = fence.and_then(Area::centre).or(origin.map(|[lon, lat]| (lon, lat)));
    k.weather = live
        .weather
        .values()
        .max_by(|a, b| a.time.cmp(&b.time))
        .zip(place)
        .map(|(w, (lon, lat))| {
            let sun = parktwin_dispersion::incident::solar_elevation_deg(lon, lat, now_unix);
            WeatherKpi {
                station: w.station.clone(),
                time: w.time.clone(),
                speed_ms: w.wind_speed_ms,
                from_deg: w.wind_from_deg,
                temperature_c: w.temperature_c,
                stability: parktwin_dispersion::incident::class_for(w.wind_speed_ms, w.cloud_oktas, sun),
            }
        });
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::model::{Alarm, SensorState, VehiclePosition, WeatherReport};

    fn sensor(id: &str, level: SensorLevel) -> SensorState {
        serde_json::from_value(serde_json::json!({
            "id": id, "layer": "detectors", "kind": "gas", "unit": "ppm", "warn": 5.0, "alarm": 10.0,
            "value": 1.0, "time": "2026-11-27T06:00:00Z", "level": level
        }))
        .expect("a sensor state")
    }

    #[test]
    fn counts_what_the_cards_show() {
        // A fence of two polygons, the first with a hole (the demo's is one ring; a real
        // park's boundary may be any of these).
        let square = |x0: f64, x1: f64, y0: f64, y1: f64| {
            vec![vec![x0, y0], vec![x1, y0], vec![x1, y1], vec![x0, y1], vec![x0, y0]]
        };
        let fence = Area::of_geometry(&geojson::Geometry::new(geojson::Value::MultiPolygon(vec![
            vec![square(0.0, 1.0, 0.0, 1.0), square(0.4, 0.6, 0.4, 0.6)],
            vec![square(2.0, 3.0, 0.0, 1.0)],
        ])))
        .expect("a fence");
        let mut live = LiveState::default();
        for (id, l) in [
            ("d1", SensorLevel::Normal),
            ("d2", SensorLevel::Alarm),
            ("d3", SensorLevel::NoData),
            ("d4", SensorLevel::Warning),
        ] {
            live.sensors.insert(id.into(), sensor(id, l));
        }
        let mut ws = sensor("ws-1", SensorLevel::Normal);
        ws.layer = "weather_stations".into();
        live.sensors.insert("ws-1".into(), ws);
        // In the first polygon, in its hole, between the two, in the second.
        for (plate, lon) in [("A1", 0.2), ("A2", 0.5), ("A3", 1.5), ("A4", 2.5)] {
            live.vehicles.insert(
                plate.into(),
                VehiclePosition {
                    plate: plate.into(),
                    time: "2026-11-27T06:00:00Z".into(),
                    lon,
                    lat: 0.5,
                    speed_kmh: 0.0,
                    heading_deg: 0.0,
                },
            );
        }
        for (id, tier, acked) in [
            (1, AlarmTier::Alarm, false),
            (2, AlarmTier::Alarm, true),
            (3, AlarmTier::Reminder, false),
        ] {
            live.alarms.insert(
                id,
                Alarm {
                    acknowledged: acked.then(|| parktwin_api::model::Acknowledgement {
                        by: "op".into(),
                        at: "2026-11-27T06:01:00Z".into(),
                    }),
                    ..Alarm::new(id, tier, "detector_threshold", "d2", 9.0, "2026-11-27T06:00:00Z")
                },
            );
        }
        for (t, speed) in [("2026-11-27T06:00:00Z", 1.5), ("2026-11-27T06:00:10Z", 7.0)] {
            live.weather.insert(
                t.into(),
                WeatherReport {
                    station: "ws-1".into(),
                    time: t.into(),
                    wind_speed_ms: speed,
                    wind_from_deg: 90.0,
                    temperature_c: 4.0,
                    cloud_oktas: Some(2),
                },
            );
        }
        let hazards: Vec<HazardSource> = serde_json::from_value(serde_json::json!([
            {"id": "h1", "name": "a", "enterprise": "e", "unit_type": "storage", "chemicals": [],
             "people_500m": 0, "alpha": 1.0, "sum_q_over_q": 1.0, "r": 200.0, "level": 1},
            {"id": "h2", "name": "b", "enterprise": "e", "unit_type": "storage", "chemicals": [],
             "people_500m": 0, "alpha": 1.0, "sum_q_over_q": 1.0, "r": 20.0, "level": 4}
        ]))
        .expect("hazards");
        // 2026-11-27 18:00 UTC is night on the demo park's meridian: 7 m/s gives D.
        let k = count(&hazards, Some(&fence), None, &live, 1_795_802_400.0);
        assert_eq!(k.hazards_by_level, [1, 0, 0, 1]);
        assert_eq!(
            (k.detectors, k.detectors_online, k.detectors_warning, k.detectors_alarm),
            (4, 3, 1, 1),
            "weather stations are not gas detectors"
        );
        assert_eq!(
            (k.vehicles_inside, k.vehicles_tracked),
            (2, 4),
            "the hole and the gap are outside"
        );
        assert_eq!((k.alarms_by_tier, k.alarms_unacked), ([2, 0, 1], 2));
        let w = k.weather.expect("weather");
        assert_eq!(
            (w.speed_ms, w.stability),
            (7.0, parktwin_dispersion::stability::Stability::D)
        );
        // Neither a fence nor a park to put the sun over: no stability to show.
        assert_eq!(count(&hazards, None, None, &live, 1_795_802_400.0).weather, None);
        assert!(
            count(&hazards, None, Some([118.45, 37.57]), &live, 1_795_802_400.0)
                .weather
                .is_some()
        );
    }
}
