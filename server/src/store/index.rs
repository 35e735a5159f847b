//! The park's index: what ingest and the rules need of the seeded park, read once.

use std::collections::HashMap;

use parktwin_api::model::Park;

use super::{Store, StoreError, json_row, rows};
use parktwin_api::geometry::Area;

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
    /// The fence (WGS84): every polygon of the boundary layer, holes and all; `None` when the
    /// park has no boundary.
    pub fence: Option<Area>,
    /// The parking lots (WGS84), where trucks may stand.
    pub parking: Area,
    /// The park's local frame, for distances in metres.
    pub frame: Option<parktwin_api::frame::LocalFrame>,
    /// Weather stations' positions (WGS84), to pick the nearest for an incident.
    pub station_at: HashMap<String, [f64; 2]>,
    /// What may be inside a threat zone besides vehicles: sensitive targets, detectors and
    /// enterprises' parcels.
    pub places: Vec<parktwin_api::incident::Candidate>,
    /// Which enterprise owns which feature, for enterprise-scoped readers.
    pub owners: parktwin_api::scope::Owners,
    /// The emergency vehicles' plates: responders, whom the hazmat vehicles' rules (speed,
    /// standing still, route, threat zones) do not hold.
    pub responders: std::collections::HashSet<String>,
    /// The registered devices by id, for the ingest's lookups and rules (read again after
    /// each change of the registry).
    pub devices: HashMap<String, parktwin_api::device::Device>,
    /// The park's UTC offset, where its days begin (`parktwin_api::clock::park_offset`);
    /// `None`: UTC.
    pub park_offset: Option<time::UtcOffset>,
}

impl ParkIndex {
    /// The park's UTC offset, where its days begin.
    pub fn offset(&self) -> time::UtcOffset {
        self.park_offset.unwrap_or(time::UtcOffset::UTC)
    }

    /// How a reading of `quantity` of `sensor` is stored ([`parktwin_api::ingest::Resolve`]):
    /// a registered device's quantities, or else a detector or weather station of the layers,
    /// which read one value.
    pub fn resolve_reading(
        &self,
        sensor: &str,
        quantity: Option<&str>,
    ) -> Result<Option<String>, (&'static str, String)> {
        match (self.devices.get(sensor), quantity) {
            (Some(d), q) => d.stored_quantity(q),
            (None, None) if self.sensors.contains_key(sensor) => Ok(None),
            (None, Some(q)) if self.sensors.contains_key(sensor) => Err((
                "quantity",
                format!(
                    "\"{q}\" is not measured by {sensor}, which reads one value (register it as a device for more)"
                ),
            )),
            (None, _) => Err(("sensor", "no such sensor or device".into())),
        }
    }

    /// Whether a WGS84 point is inside the fence (everywhere, for a park without one): in one
    /// of its polygons and not in a hole.
    pub fn inside_fence(&self, lon: f64, lat: f64) -> bool {
        self.fence.as_ref().is_none_or(|fence| fence.contains(lon, lat))
    }

    /// Whether a WGS84 point is in a parking lot.
    pub fn in_parking(&self, lon: f64, lat: f64) -> bool {
        self.parking.contains(lon, lat)
    }

    /// The index of the park's features (`(layer, id, feature)`, in the seed's order) and of
    /// the park itself.
    pub fn of_features(features: &[(String, String, serde_json::Value)], park: Option<&Park>) -> Self {
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
                // The fence is every polygon of the boundary layer, holes and all.
                "boundary" => {
                    if let Some(area) = Area::of_feature(f) {
                        ix.fence = Some(match ix.fence.take() {
                            Some(fence) => fence.join(area),
                            None => area,
                        });
                    }
                }
                "parking" => {
                    if let Some(area) = Area::of_feature(f) {
                        ix.parking = std::mem::take(&mut ix.parking).join(area);
                    }
                }
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
        ix.frame = park.map(Park::frame);
        ix
    }
}

impl Store {
    /// Has the park's index read again at its next use (a new seed, a device changed).
    pub(crate) fn forget_index(&self) {
        *self.index.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The park's index (sensors, stations, gates, fence), read from the features once.
    pub fn index(&self) -> Result<std::sync::Arc<ParkIndex>, StoreError> {
        let mut slot = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ix) = slot.as_ref() {
            return Ok(ix.clone());
        }
        let mut conn = self.conn();
        // Every feature, read and parsed once: the rules' layers, and who owns what.
        let features: Vec<(String, String, serde_json::Value)> = rows(
            &mut conn,
            "SELECT layer_id, id, feature FROM features ORDER BY ord",
            &[],
            |r| Ok((r.string(0)?, r.string(1)?, serde_json::from_str(r.text(2)?)?)),
        )?;
        let park: Option<Park> = json_row(&mut conn, "SELECT value FROM meta WHERE key = 'park'", &[])?;
        drop(conn);
        let mut ix = ParkIndex::of_features(&features, park.as_ref());
        ix.park_offset = park.as_ref().map(|p| parktwin_api::clock::park_offset(&p.timezone).0);
        for d in self.devices()? {
            ix.owners.own_device(&d);
            ix.devices.insert(d.id.clone(), d);
        }
        ix.responders = crate::resources::vehicles(self)?
            .into_iter()
            .filter_map(|(_, p, _)| p["plate"].as_str().map(str::to_string))
            .collect();
        let ix = std::sync::Arc::new(ix);
        *slot = Some(ix.clone());
        Ok(ix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A square ring of WGS84 positions, closed.
    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> serde_json::Value {
        json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
    }

    fn feature(layer: &str, id: &str, geometry: serde_json::Value) -> (String, String, serde_json::Value) {
        let f = json!({"type": "Feature", "id": id, "properties": {}, "geometry": geometry});
        (layer.to_string(), id.to_string(), f)
    }

    #[test]
    fn a_multipolygon_fence_with_a_hole() {
        let features = [
            feature(
                "boundary",
                "fence",
                json!({"type": "MultiPolygon", "coordinates": [
                    [square(118.40, 37.50, 118.50, 37.60), square(118.44, 37.54, 118.46, 37.56)],
                    [square(118.60, 37.50, 118.70, 37.60)],
                ]}),
            ),
            feature(
                "parking",
                "lot",
                json!({"type": "Polygon", "coordinates": [square(118.41, 37.51, 118.42, 37.52)]}),
            ),
        ];
        let ix = ParkIndex::of_features(&features, None);
        assert!(ix.inside_fence(118.42, 37.58), "in the first polygon");
        assert!(!ix.inside_fence(118.45, 37.55), "in the first polygon's hole");
        assert!(ix.inside_fence(118.65, 37.55), "in the second polygon");
        assert!(!ix.inside_fence(118.55, 37.55), "between the polygons");
        assert!(!ix.inside_fence(119.0, 38.0), "far outside");
        assert!(ix.in_parking(118.415, 37.515));
        assert!(!ix.in_parking(118.42, 37.58));
    }

    #[test]
    fn without_a_boundary_everything_is_inside_and_nothing_is_parked() {
        let ix = ParkIndex::of_features(
            &[feature(
                "gates",
                "g1",
                json!({"type": "Point", "coordinates": [118.0, 37.0]}),
            )],
            None,
        );
        assert!(ix.gates.contains("g1"));
        assert!(ix.inside_fence(118.45, 37.55) && ix.inside_fence(-70.0, -10.0));
        assert!(!ix.in_parking(118.45, 37.55));
    }

    #[test]
    fn several_boundary_polygons_make_one_fence() {
        let features = [
            feature(
                "boundary",
                "west",
                json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 1.0, 1.0)]}),
            ),
            feature(
                "boundary",
                "east",
                json!({"type": "Polygon", "coordinates": [square(2.0, 0.0, 3.0, 1.0)]}),
            ),
        ];
        let ix = ParkIndex::of_features(&features, None);
        assert!(ix.inside_fence(0.5, 0.5) && ix.inside_fence(2.5, 0.5));
        assert!(!ix.inside_fence(1.5, 0.5));
    }
}
