//! The seeded park: the seed itself, the park and its chemicals, the layer catalog (stored
//! layers and those described by descriptor files) and the graded hazard sources.

use parktwin_api::model::{ChemicalTable, HazardSource, LayerInfo, Park};
use parktwin_api::validate::feature_id;

use super::{Store, StoreError, json_row, json_rows, row};
use crate::db::{Conn, Tx, args};
use crate::seed::SeedData;

/// The server's descriptor layers: each catalog entry with the text of its features (for a
/// file source), and the descriptors that could not be used.
#[derive(Debug, Default)]
pub(super) struct Described {
    layers: Vec<(LayerInfo, Option<String>)>,
    problems: Vec<parktwin_api::descriptor::DescriptorError>,
}

impl Store {
    /// Whether the park has been seeded.
    pub fn is_seeded(&self) -> Result<bool, StoreError> {
        Ok(
            row(&mut self.conn(), "SELECT 1 FROM meta WHERE key = 'park'", &[], |_| {
                Ok(())
            })?
            .is_some(),
        )
    }

    /// Writes the whole seed in one transaction: all of it, or nothing.
    pub fn seed(&self, seed: &SeedData) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('park', ?1)",
            args![&serde_json::to_string(&seed.park)?],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chemicals', ?1)",
            args![&serde_json::to_string(&seed.chemicals)?],
        )?;
        for (ord, (entry, features)) in seed.layers.iter().enumerate() {
            let info = LayerInfo {
                id: entry.id.clone(),
                title: entry.title.clone(),
                title_zh: entry.title_zh.clone(),
                group: entry.group,
                default_visible: entry.default_visible,
                feature_count: features.len(),
                descriptor: None,
            };
            tx.execute(
                "INSERT INTO layers (id, ord, info) VALUES (?1, ?2, ?3)",
                args![&entry.id, ord as i64, &serde_json::to_string(&info)?],
            )?;
            for (i, f) in features.iter().enumerate() {
                tx.execute(
                    "INSERT INTO features (layer_id, id, ord, feature) VALUES (?1, ?2, ?3, ?4)",
                    args![
                        &entry.id,
                        feature_id(f).unwrap_or_default(),
                        i as i64,
                        &serde_json::to_string(f)?
                    ],
                )?;
            }
        }
        for (ord, h) in seed.hazards.iter().enumerate() {
            tx.execute(
                "INSERT INTO hazards (id, ord, record) VALUES (?1, ?2, ?3)",
                args![&h.id, ord as i64, &serde_json::to_string(h)?],
            )?;
        }
        for p in &seed.plans {
            tx.execute(
                "INSERT INTO plans (id, record) VALUES (?1, ?2)",
                args![&p.id, &serde_json::to_string(p)?],
            )?;
        }
        for d in &seed.devices {
            tx.execute(
                "INSERT INTO devices (id, record, seq) VALUES (?1, ?2, 0)",
                args![&d.id, &serde_json::to_string(d)?],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.forget_index();
        Ok(())
    }

    fn meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, StoreError> {
        json_row(&mut self.conn(), "SELECT value FROM meta WHERE key = ?1", args![key])?.ok_or(StoreError::NotSeeded)
    }

    /// The park.
    pub fn park(&self) -> Result<Park, StoreError> {
        self.meta("park")
    }

    /// The chemical table.
    pub fn chemicals(&self) -> Result<ChemicalTable, StoreError> {
        self.meta("chemicals")
    }

    /// The layer catalog, in drawing order.
    pub fn layers(&self) -> Result<Vec<LayerInfo>, StoreError> {
        let mut out: Vec<LayerInfo> = json_rows(&mut self.conn(), "SELECT info FROM layers ORDER BY ord", &[])?;
        out.extend(self.described().layers.iter().map(|(info, _)| info.clone()));
        Ok(out)
    }

    fn described(&self) -> std::sync::MutexGuard<'_, Described> {
        self.described.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the descriptor layers of a folder into the catalog, after the stored layers. A
    /// file-sourced layer is served at `/api/v1/layers/{id}` and its descriptor says so (and no
    /// longer claims to refresh or follow the time: the file is read once, at the start); a
    /// descriptor whose id a stored layer has is refused. Returns the problems.
    pub fn set_descriptor_layers(
        &self,
        load: parktwin_api::descriptor::DirLoad,
    ) -> Result<Vec<parktwin_api::descriptor::DescriptorError>, StoreError> {
        let stored: Vec<LayerInfo> = json_rows(&mut self.conn(), "SELECT info FROM layers ORDER BY ord", &[])?;
        let mut problems = load.errors;
        let mut layers = Vec::new();
        for l in load.layers {
            let mut d = l.descriptor;
            if stored.iter().any(|s| s.id == d.id) {
                problems.push(parktwin_api::descriptor::DescriptorError {
                    file: l.path.display().to_string(),
                    line: None,
                    field: Some("id".into()),
                    reason: format!("the id \"{}\" is a layer of the park itself", d.id),
                });
                continue;
            }
            let (count, text) = match &l.features {
                Some(fc) => {
                    // Read once, here: the layer does not change while the server runs,
                    // whatever its descriptor says of refreshing and following the time.
                    d.source = parktwin_api::descriptor::Source {
                        endpoint: Some(format!("/api/v1/layers/{}", d.id)),
                        refresh_s: None,
                        ..Default::default()
                    };
                    d.follows_time = false;
                    (fc.features.len(), Some(serde_json::to_string(fc)?))
                }
                None => (0, None),
            };
            layers.push((LayerInfo::from_descriptor(&d, count), text));
        }
        *self.described() = Described {
            layers,
            problems: problems.clone(),
        };
        // The index reads the emergency vehicles' plates from a descriptor's file.
        self.forget_index();
        Ok(problems)
    }

    /// The descriptors the server could not use, each naming file, line, field and reason.
    pub fn layer_problems(&self) -> Vec<parktwin_api::descriptor::DescriptorError> {
        self.described().problems.clone()
    }

    /// A layer as the text of a GeoJSON FeatureCollection, or `None` for an unknown id.
    pub fn layer_geojson(&self, id: &str) -> Result<Option<String>, StoreError> {
        if let Some((_, text)) = self.described().layers.iter().find(|(l, _)| l.id == id) {
            return Ok(Some(text.clone().unwrap_or_else(|| {
                r#"{"type":"FeatureCollection","features":[]}"#.to_string()
            })));
        }
        let mut conn = self.conn();
        if row(&mut conn, "SELECT 1 FROM layers WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
        let mut first = true;
        conn.each(
            "SELECT feature FROM features WHERE layer_id = ?1 ORDER BY ord",
            args![id],
            &mut |row| {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(row.text(0)?);
                Ok(())
            },
        )?;
        out.push_str("]}");
        Ok(Some(out))
    }

    /// The graded major hazard sources.
    pub fn hazards(&self) -> Result<Vec<HazardSource>, StoreError> {
        json_rows(&mut self.conn(), "SELECT record FROM hazards ORDER BY ord", &[])
    }

    /// One hazard source, or `None` for an unknown id.
    pub fn hazard(&self, id: &str) -> Result<Option<HazardSource>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM hazards WHERE id = ?1", args![id])
    }
}
