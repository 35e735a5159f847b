//! The park's index: what ingest and the rules need of the seeded park, read once.

use std::collections::HashMap;

use parktwin_api::alarms::inside_ring;
use parktwin_api::model::Park;

use super::{Store, StoreError, json_row, rows};

/// What ingest and the rules need of the seeded park: the map does not change once seeded, so
/// it is read once instead of on every batch.
#[derive(Debug, Default)]
pub struct ParkIndex {
    /// Sensors (detectors and weather stations) by id, with their warning and alarm thresholds.
    pub sensors: HashMap<String, (Option<f64>, Option<f64>)>,
    /// Weather station ids.
    pub stations: std::collections::HashSet<String>,
    /// Gate ids.
    pub gates: std::collections::HashSet<String>,
    /// The fence's outer ring (WGS84), if the park has a boundary.
    pub fence: Option<Vec<[f64; 2]>>,
    /// The parking lots' outer rings (WGS84), where trucks may stand.
    pub parking: Vec<Vec<[f64; 2]>>,
    /// The park's local frame, for distances in metres.
    pub frame: Option<parktwin_api::frame::LocalFrame>,
    /// Weather stations' positions (WGS84), to pick the nearest for an incident.
    pub station_at: HashMap<String, [f64; 2]>,
    /// What may be inside a threat zone besides vehicles: sensitive targets, detectors and
    /// enterprises' parcels.
    pub places: Vec<parktwin_api::incident::Candidate>,
    /// Which enterprise owns which feature, for enterprise-scoped readers.
    pub owners: parktwin_api::scope::Owners,
}

impl ParkIndex {
    /// Whether a WGS84 point is inside the fence (everywhere, for a park without one).
    pub fn inside_fence(&self, lon: f64, lat: f64) -> bool {
        self.fence.as_ref().is_none_or(|ring| inside_ring(ring, lon, lat))
    }

    /// Whether a WGS84 point is in a parking lot.
    pub fn in_parking(&self, lon: f64, lat: f64) -> bool {
        self.parking.iter().any(|ring| inside_ring(ring, lon, lat))
    }
}

/// The outer ring of a GeoJSON polygon feature, WGS84.
fn outer_ring(f: &serde_json::Value) -> Option<Vec<[f64; 2]>> {
    f["geometry"]["coordinates"][0]
        .as_array()
        .map(|pts| {
            pts.iter()
                .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                .collect::<Vec<_>>()
        })
        .filter(|r| r.len() >= 4)
}

impl Store {
    /// The park's index (sensors, stations, gates, fence), read from the features once.
    pub fn index(&self) -> Result<std::sync::Arc<ParkIndex>, StoreError> {
        let mut slot = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ix) = slot.as_ref() {
            return Ok(ix.clone());
        }
        let mut conn = self.conn();
        // Every feature, read and parsed once: the rules' layers below, and who owns what.
        let features: Vec<(String, String, serde_json::Value)> = rows(
            &mut conn,
            "SELECT layer_id, id, feature FROM features ORDER BY ord",
            &[],
            |r| Ok((r.string(0)?, r.string(1)?, serde_json::from_str(r.text(2)?)?)),
        )?;
        let mut ix = ParkIndex::default();
        const RULE_LAYERS: [&str; 7] = [
            "detectors",
            "weather_stations",
            "gates",
            "boundary",
            "parking",
            "sensitive_targets",
            "enterprises",
        ];
        for (layer, id, f) in features.iter().filter(|(l, ..)| RULE_LAYERS.contains(&l.as_str())) {
            let id = id.clone();
            if let Some(c) = parktwin_api::incident::Candidate::from_feature(layer, &id, f) {
                if layer == "weather_stations" {
                    ix.station_at.insert(id.clone(), [c.occupant.lon, c.occupant.lat]);
                } else {
                    ix.places.push(c);
                }
            }
            match layer.as_str() {
                "gates" => {
                    ix.gates.insert(id);
                }
                "boundary" => {
                    if ix.fence.is_none() {
                        ix.fence = outer_ring(f);
                    }
                }
                "parking" => ix.parking.extend(outer_ring(f)),
                "sensitive_targets" | "enterprises" => {}
                _ => {
                    if layer == "weather_stations" {
                        ix.stations.insert(id.clone());
                    }
                    ix.sensors.insert(
                        id,
                        (f["properties"]["warn"].as_f64(), f["properties"]["alarm"].as_f64()),
                    );
                }
            }
        }
        ix.owners = parktwin_api::scope::Owners::from_features(features.iter().map(|(l, _, f)| (l.as_str(), f)));
        let park: Option<Park> = json_row(&mut conn, "SELECT value FROM meta WHERE key = 'park'", &[])?;
        ix.frame = park.map(|p| p.frame());
        let ix = std::sync::Arc::new(ix);
        *slot = Some(ix.clone());
        Ok(ix)
    }
}
