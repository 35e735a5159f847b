//! What a reader may see. Park-wide staff see everything. An enterprise-scoped viewer (a viewer
//! token made with `--enterprise`) sees its own enterprise's detail and the park's shared
//! picture, and nothing of another enterprise's own.
//!
//! - **Its own, or another's**: a map feature with an `enterprise` property (tanks, units,
//!   buildings, detectors, hazard sources), or an `owner` naming an enterprise by id or name
//!   (pipes), belongs to that enterprise. A sensor's readings and alarms, and a hazard source's
//!   record, belong to whoever owns the feature.
//! - **The park's shared picture**: everything that belongs to no enterprise. That is the
//!   fence, roads, gates, parking, the racks and the park's utility pipes, the enterprises'
//!   parcels with their names and four-colour risk (published by the park), emergency
//!   resources, sensitive targets, weather, the hazmat traffic (positions, passes, waybills)
//!   and its alarms, and every incident with its zones and who is inside them: a toxic cloud
//!   is everybody's business.
//!
//! Pure functions over the park's features and the wire types; the server applies them to
//! every read (`server/src/http.rs`).

use std::collections::HashMap;

/// Who is reading.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Access {
    /// Everything: park-wide tokens, and reads without a token where the server allows them.
    #[default]
    Park,
    /// An enterprise-scoped viewer: the enterprise's id (a feature of the `enterprises` layer).
    Enterprise(String),
}

/// Which enterprise owns which feature, read from the park's layers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Owners {
    /// Feature id → the id of the enterprise that owns it.
    by_feature: HashMap<String, String>,
    /// Enterprise ids, and their names (English and Chinese) → id.
    enterprise_by_name: HashMap<String, String>,
}

/// The enterprises layer's id.
pub const ENTERPRISES_LAYER: &str = "enterprises";

impl Owners {
    /// Reads ownership from the park's features: the `enterprises` layer's features name the
    /// enterprises; every other feature is owned by the enterprise its `enterprise` property
    /// names, or else its `owner` (by id or name), or by none.
    pub fn from_features<'a>(features: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>) -> Self {
        let features: Vec<(&str, &serde_json::Value)> = features.into_iter().collect();
        let mut owners = Owners::default();
        for (_, f) in features.iter().filter(|(layer, _)| *layer == ENTERPRISES_LAYER) {
            let Some(id) = f["id"].as_str() else { continue };
            owners.enterprise_by_name.insert(id.to_string(), id.to_string());
            for key in ["name", "name_zh"] {
                if let Some(name) = f["properties"][key].as_str() {
                    owners.enterprise_by_name.insert(name.to_string(), id.to_string());
                }
            }
        }
        for (_, f) in features.iter().filter(|(layer, _)| *layer != ENTERPRISES_LAYER) {
            if let (Some(id), Some(owner)) = (f["id"].as_str(), owners.owner_of(&f["properties"])) {
                owners.by_feature.insert(id.to_string(), owner);
            }
        }
        owners
    }

    /// Whether `id` is an enterprise of the park.
    pub fn is_enterprise(&self, id: &str) -> bool {
        self.enterprise_by_name.get(id).is_some_and(|e| e == id)
    }

    /// The park's enterprise ids, sorted.
    pub fn enterprise_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .enterprise_by_name
            .iter()
            .filter(|(k, v)| k == v)
            .map(|(k, _)| k.as_str())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The enterprise a feature's properties say owns it, if any.
    pub fn owner_of(&self, properties: &serde_json::Value) -> Option<String> {
        ["enterprise", "owner"]
            .iter()
            .filter_map(|k| properties[*k].as_str())
            .find_map(|v| self.enterprise_by_name.get(v).cloned())
    }

    /// Records that a device belongs to an enterprise (by id or name): the device, and the
    /// sources of its quantities' alarms (`device/quantity`), are that enterprise's. A device
    /// that names no enterprise, or one the park does not have, is the park's.
    pub fn own_device(&mut self, device: &crate::device::Device) {
        let Some(owner) = device
            .enterprise
            .as_ref()
            .and_then(|e| self.enterprise_by_name.get(e))
            .cloned()
        else {
            return;
        };
        for q in &device.quantities {
            self.by_feature
                .insert(crate::device_rules::source(&device.id, &q.name), owner.clone());
        }
        self.by_feature.insert(device.id.clone(), owner);
    }

    /// The enterprise that owns the feature `id` (a sensor, tank, hazard source…), if any.
    pub fn owner(&self, id: &str) -> Option<&str> {
        self.by_feature.get(id).map(String::as_str)
    }
}

impl Access {
    /// Whether this reader sees what `owner` owns (everybody sees what nobody owns).
    pub fn sees_owned_by(&self, owner: Option<&str>) -> bool {
        match self {
            Access::Park => true,
            Access::Enterprise(mine) => owner.is_none_or(|o| o == mine),
        }
    }

    /// Whether this reader sees the feature (or sensor, hazard source…) with id `id`.
    pub fn sees(&self, owners: &Owners, id: &str) -> bool {
        self.sees_owned_by(owners.owner(id))
    }

    /// A layer's GeoJSON FeatureCollection with the features of other enterprises taken out;
    /// the text unchanged for park-wide readers.
    pub fn layer(&self, owners: &Owners, geojson: String) -> Result<String, serde_json::Error> {
        if *self == Access::Park {
            return Ok(geojson);
        }
        let mut fc: serde_json::Value = serde_json::from_str(&geojson)?;
        if let Some(features) = fc["features"].as_array_mut() {
            features.retain(|f| self.sees_owned_by(owners.owner_of(&f["properties"]).as_deref()));
        }
        serde_json::to_string(&fc)
    }

    /// Whether this reader sees a logged event: a reading or an alarm is seen when its sensor
    /// (or the alarm's source) is; everything else is the park's shared picture. `payload` is
    /// the event's JSON as stored.
    pub fn sees_event(&self, owners: &Owners, kind: &str, payload: &str) -> bool {
        if *self == Access::Park {
            return true;
        }
        let subject = match crate::kinds::EventKind::of(kind) {
            Some(crate::kinds::EventKind::Observation) => "sensor",
            Some(k) if k.is_alarm() => "source",
            _ => return true,
        };
        #[derive(serde::Deserialize)]
        struct Subject {
            #[serde(default)]
            sensor: Option<String>,
            #[serde(default)]
            source: Option<String>,
        }
        match serde_json::from_str::<Subject>(payload) {
            Ok(s) => {
                let id = if subject == "sensor" { s.sensor } else { s.source };
                id.is_none_or(|id| self.sees(owners, &id))
            }
            // A payload that does not parse is shown to nobody scoped: not knowing whose it
            // is, it is not given away.
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn park() -> Vec<(&'static str, serde_json::Value)> {
        vec![
            (
                "enterprises",
                json!({"id": "ent-01", "properties": {"name": "Binhai Chlor-Alkali Co.", "name_zh": "滨海氯碱"}}),
            ),
            (
                "enterprises",
                json!({"id": "ent-02", "properties": {"name": "Delta Petrochemical Co."}}),
            ),
            (
                "detectors",
                json!({"id": "det-1", "properties": {"enterprise": "ent-01"}}),
            ),
            (
                "detectors",
                json!({"id": "det-2", "properties": {"enterprise": "ent-02"}}),
            ),
            (
                "pipes",
                json!({"id": "p-1", "properties": {"owner": "Delta Petrochemical Co."}}),
            ),
            (
                "pipes",
                json!({"id": "p-2", "properties": {"owner": "Park Utilities Co."}}),
            ),
            ("tanks", json!({"id": "t-1", "properties": {"enterprise": "滨海氯碱"}})),
            ("roads", json!({"id": "r-1", "properties": {"name": "Road 1"}})),
        ]
    }

    fn owners() -> Owners {
        let p = park();
        Owners::from_features(p.iter().map(|(l, f)| (*l, f)))
    }

    #[test]
    fn features_are_owned_by_the_enterprise_their_properties_name_by_id_or_name() {
        let o = owners();
        assert_eq!(o.owner("det-1"), Some("ent-01"));
        assert_eq!(o.owner("det-2"), Some("ent-02"));
        assert_eq!(
            o.owner("p-1"),
            Some("ent-02"),
            "a pipe's owner named by the company's name"
        );
        assert_eq!(o.owner("t-1"), Some("ent-01"), "by the Chinese name");
        assert_eq!(
            o.owner("p-2"),
            None,
            "the park's utility company is no enterprise of the park"
        );
        assert_eq!(o.owner("r-1"), None);
        assert!(o.is_enterprise("ent-02") && !o.is_enterprise("Delta Petrochemical Co.") && !o.is_enterprise("ent-9"));
    }

    #[test]
    fn a_scoped_reader_sees_its_own_and_the_shared_and_not_another_enterprises() {
        let o = owners();
        let me = Access::Enterprise("ent-01".into());
        assert!(me.sees(&o, "det-1") && me.sees(&o, "r-1") && me.sees(&o, "p-2"));
        assert!(!me.sees(&o, "det-2") && !me.sees(&o, "p-1"));
        assert!(Access::Park.sees(&o, "det-2"));

        let fc =
            json!({"type": "FeatureCollection", "features": park().into_iter().map(|(_, f)| f).collect::<Vec<_>>()});
        let kept: serde_json::Value =
            serde_json::from_str(&me.layer(&o, fc.to_string()).expect("a layer")).expect("JSON");
        let ids: Vec<&str> = kept["features"]
            .as_array()
            .expect("features")
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        assert_eq!(ids, ["ent-01", "ent-02", "det-1", "p-2", "t-1", "r-1"]);
        assert_eq!(Access::Park.layer(&o, fc.to_string()).expect("a layer"), fc.to_string());
    }

    #[test]
    fn readings_and_alarms_of_another_enterprises_sensors_are_not_seen_and_the_rest_is() {
        let o = owners();
        let me = Access::Enterprise("ent-01".into());
        let reading = |s: &str| json!({"sensor": s, "time": "2026-11-27T08:00:00Z", "value": 1.0}).to_string();
        let alarm = |s: &str| json!({"id": 1, "rule": "detector_threshold", "source": s}).to_string();
        assert!(me.sees_event(&o, "observation", &reading("det-1")));
        assert!(!me.sees_event(&o, "observation", &reading("det-2")));
        assert!(me.sees_event(&o, "alarm_raised", &alarm("det-1")));
        assert!(!me.sees_event(&o, "alarm_acked", &alarm("det-2")));
        assert!(
            me.sees_event(&o, "alarm_raised", &alarm("鲁E12345")),
            "a truck's alarm is the park's"
        );
        assert!(me.sees_event(&o, "incident_started", "{}"));
        assert!(me.sees_event(&o, "position", r#"{"plate": "x"}"#));
        assert!(!me.sees_event(&o, "observation", "not json"));
        assert!(Access::Park.sees_event(&o, "observation", &reading("det-2")));
    }
}
