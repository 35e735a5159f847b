//! A drill's releases are no server incidents: their threat zones are computed here, by the
//! model the server uses for real ones (`parktwin-dispersion`), and their field is drawn for
//! the drill's own clock.

use bevy::prelude::*;
use parktwin_api::live::Change;

use super::fold::Decoded;
use super::{FeedStatus, RenderedAt};

/// The threat zones (GeoJSON) of each release among a drill's changes, by incident id. A
/// release whose chemical the table lacks, or whose zones cannot be computed, is left out
/// (and said in the log).
pub fn zones_of(changes: &[Decoded]) -> Vec<(String, serde_json::Value)> {
    changes
        .iter()
        .filter_map(|d| match &d.change {
            Change::Incident(i) => {
                let chem = parktwin_layers::incident::chemical(&i.chemical)?;
                match parktwin_dispersion::incident::incident_zones_geojson(i, chem) {
                    Ok((fc, _)) => Some((i.id.clone(), fc)),
                    Err(e) => {
                        warn!("zones of the drill's {}: {e}", i.id);
                        None
                    }
                }
            }
            _ => None,
        })
        .collect()
}

/// While a drill is shown, its releases' field is drawn for the drill's own clock.
pub fn drill_field_clock(
    status: Res<FeedStatus>,
    rendered: Option<Res<RenderedAt>>,
    mut clock: ResMut<parktwin_layers::incident::FieldClock>,
) {
    if let Some(c) = status.drill_clock {
        let now = rendered.map_or_else(parktwin_api::clock::now_unix, |r| r.0);
        let t = Some(c.at(now));
        if clock.0 != t {
            clock.0 = t;
        }
    }
}

/// A drill's device readings (a tank's level rising, a pipe's pressure falling) over the
/// device layers while the drill is shown; the layers fetched again as they are once it is
/// not.
pub fn drill_device_readings(
    status: Res<FeedStatus>,
    live: Res<parktwin_layers::live::Live>,
    layers: Option<ResMut<parktwin_layers::described::DescribedLayers>>,
    moment: Option<Res<crate::described::DescribedMoment>>,
    mut overlaid: Local<bool>,
) {
    // An app without descriptor layers (a headless feed) has nothing to write over.
    let Some(mut layers) = layers else { return };
    if status.drill_clock.is_some() {
        if !(live.is_changed() || layers.is_changed()) {
            return;
        }
        let updated: Vec<_> = layers
            .iter()
            .filter_map(|l| l.with_readings(&live.0.device_readings))
            .collect();
        for l in updated {
            layers.put(l);
            *overlaid = true;
        }
    } else if std::mem::take(&mut *overlaid)
        && let Some(m) = moment
    {
        m.refetch();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::incident::Incident;

    fn release(id: &str, chemical: &str) -> Decoded {
        let incident: Incident = serde_json::from_value(serde_json::json!({
            "id": id, "lon": 118.4542447, "lat": 37.5683106, "height_m": 1.0,
            "chemical": chemical, "rate_kg_s": 2.0, "mass_kg": null, "duration_s": null,
            "start": "2026-12-01T08:00:00.000Z",
            "weather": {"wind_speed_ms": 3.0, "wind_from_deg": 270.0, "temperature_c": 20.0,
                        "cloud_oktas": null, "stability": "D"},
            "station": null, "levels": "aegl", "origin": null, "note": null,
            "created_by": "drill", "closed": null,
        }))
        .expect("an incident");
        Decoded {
            seq: 1,
            recorded: 0.0,
            change: Change::Incident(Box::new(incident)),
        }
    }

    #[test]
    fn a_drills_release_gets_the_zones_of_the_servers_model_and_an_unknown_chemical_none() {
        let changes = vec![
            release("drill-1:r1", "chlorine"),
            Decoded {
                seq: 2,
                recorded: 0.0,
                change: Change::Other,
            },
            release("drill-1:r2", "unobtainium"),
        ];
        let zones = zones_of(&changes);
        assert_eq!(zones.len(), 1, "the chlorine release alone: {zones:?}");
        assert_eq!(zones[0].0, "drill-1:r1");
        let features = zones[0].1["features"].as_array().expect("a FeatureCollection");
        assert!(!features.is_empty(), "chlorine at 2 kg/s reaches past its AEGL-3 zone");
        // The same zones as the server computes for a real incident of the same release.
        let Change::Incident(i) = &changes[0].change else {
            unreachable!()
        };
        let chem = parktwin_layers::incident::chemical("chlorine").expect("chlorine in the table");
        let (server, _) = parktwin_dispersion::incident::incident_zones_geojson(i, chem).expect("zones");
        assert_eq!(zones[0].1, server);
    }
}
