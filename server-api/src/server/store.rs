//! The SQLite store. WAL journal so readers never wait for the writer; one connection behind
//! a mutex is plenty for the skeleton's read-mostly load.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use super::seed::SeedData;
use crate::model::{ChemicalTable, HazardSource, LayerInfo, Park};
use crate::validate::feature_id;

/// A database error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored record no longer decodes.
    #[error("stored record does not decode: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was never seeded.
    #[error("the database has not been seeded")]
    NotSeeded,
}

/// The store.
pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS layers (
    id TEXT PRIMARY KEY, ord INTEGER NOT NULL, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS features (
    layer_id TEXT NOT NULL REFERENCES layers(id), id TEXT NOT NULL, ord INTEGER NOT NULL,
    feature TEXT NOT NULL, PRIMARY KEY (layer_id, id));
CREATE TABLE IF NOT EXISTS hazards (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, record TEXT NOT NULL);
";

impl Store {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the park has been seeded.
    pub fn is_seeded(&self) -> Result<bool, StoreError> {
        let v: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'park'", [], |r| r.get(0))
            .optional()?;
        Ok(v.is_some())
    }

    /// Writes the whole seed in one transaction: all of it, or nothing.
    pub fn seed(&self, seed: &SeedData) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('park', ?1)",
            [serde_json::to_string(&seed.park)?],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chemicals', ?1)",
            [serde_json::to_string(&seed.chemicals)?],
        )?;
        for (ord, (entry, features)) in seed.layers.iter().enumerate() {
            let info = LayerInfo {
                id: entry.id.clone(),
                title: entry.title.clone(),
                title_zh: entry.title_zh.clone(),
                group: entry.group,
                default_visible: entry.default_visible,
                feature_count: features.len(),
            };
            tx.execute(
                "INSERT INTO layers (id, ord, info) VALUES (?1, ?2, ?3)",
                params![entry.id, ord as i64, serde_json::to_string(&info)?],
            )?;
            let mut ins = tx.prepare("INSERT INTO features (layer_id, id, ord, feature) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, f) in features.iter().enumerate() {
                ins.execute(params![
                    entry.id,
                    feature_id(f).unwrap_or_default(),
                    i as i64,
                    serde_json::to_string(f)?
                ])?;
            }
        }
        for (ord, h) in seed.hazards.iter().enumerate() {
            tx.execute(
                "INSERT INTO hazards (id, ord, record) VALUES (?1, ?2, ?3)",
                params![h.id, ord as i64, serde_json::to_string(h)?],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, StoreError> {
        let v: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        Ok(serde_json::from_str(&v.ok_or(StoreError::NotSeeded)?)?)
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
        let conn = self.conn();
        let mut q = conn.prepare("SELECT info FROM layers ORDER BY ord")?;
        let rows = q.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| Ok(serde_json::from_str(&r?)?)).collect()
    }

    /// A layer as the text of a GeoJSON FeatureCollection, or `None` for an unknown id.
    pub fn layer_geojson(&self, id: &str) -> Result<Option<String>, StoreError> {
        let conn = self.conn();
        let known: Option<i64> = conn
            .query_row("SELECT 1 FROM layers WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return Ok(None);
        }
        let mut q = conn.prepare("SELECT feature FROM features WHERE layer_id = ?1 ORDER BY ord")?;
        let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
        let mut rows = q.query([id])?;
        let mut first = true;
        while let Some(row) = rows.next()? {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
        }
        out.push_str("]}");
        Ok(Some(out))
    }

    /// The graded major hazard sources.
    pub fn hazards(&self) -> Result<Vec<HazardSource>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare("SELECT record FROM hazards ORDER BY ord")?;
        let rows = q.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| Ok(serde_json::from_str(&r?)?)).collect()
    }

    /// One hazard source, or `None` for an unknown id.
    pub fn hazard(&self, id: &str) -> Result<Option<HazardSource>, StoreError> {
        let v: Option<String> = self
            .conn()
            .query_row("SELECT record FROM hazards WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        Ok(v.map(|s| serde_json::from_str(&s)).transpose()?)
    }
}
