//! GeoPackage (OGC 12-128r18): each feature table a source layer, its coordinate system from
//! `gpkg_spatial_ref_sys`, its geometries GeoPackage binary (a header, then WKB).
//!
//! The WKB reader is ParkTwin's own (about sixty lines): the crates that read WKB hand back
//! their own geometry types, and turning those into GeoJSON's positions is as long as reading
//! the bytes.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, types::ValueRef};
use serde_json::{Map, Value};

use super::{SourceFeature, SourceLayer};
use crate::crs::Crs;
use crate::problem::Problem;

/// A cursor over WKB bytes.
struct Wkb<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let b = self.bytes.get(self.at..self.at + N).ok_or("the geometry ends early")?;
        self.at += N;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// One position of `dims` numbers, kept to x and y.
    fn position(&mut self, le: bool, dims: usize) -> Result<Vec<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(vec![x, y])
    }

    fn count(&mut self, le: bool) -> Result<usize, String> {
        let n = self.u32(le)? as usize;
        // Each element takes at least 8 bytes: a count past the bytes left is a broken blob.
        if n > self.bytes.len().saturating_sub(self.at) / 8 + 1 {
            return Err(format!("claims {n} elements in {} bytes", self.bytes.len()));
        }
        Ok(n)
    }

    fn positions(&mut self, le: bool, dims: usize) -> Result<Vec<Vec<f64>>, String> {
        let n = self.count(le)?;
        (0..n).map(|_| self.position(le, dims)).collect()
    }

    /// One geometry (ISO WKB: 1000s for Z, 2000s for M, 3000s for ZM; EWKB's flags too).
    fn geometry(&mut self) -> Result<geojson::Value, String> {
        use geojson::Value as G;
        let le = self.take::<1>()?[0] == 1;
        let code = self.u32(le)?;
        let (ewkb_z, ewkb_m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
        let code = code & 0x0FFF_FFFF;
        let (kind, iso) = (code % 1000, code / 1000);
        let dims = 2 + usize::from(iso == 1 || iso == 3 || ewkb_z) + usize::from(iso == 2 || iso == 3 || ewkb_m);
        Ok(match kind {
            1 => G::Point(self.position(le, dims)?),
            2 => G::LineString(self.positions(le, dims)?),
            3 => {
                let n = self.count(le)?;
                G::Polygon((0..n).map(|_| self.positions(le, dims)).collect::<Result<_, _>>()?)
            }
            4..=7 => {
                let n = self.count(le)?;
                let parts: Vec<G> = (0..n).map(|_| self.geometry()).collect::<Result<_, _>>()?;
                match kind {
                    4 => G::MultiPoint(
                        parts
                            .into_iter()
                            .filter_map(|g| if let G::Point(p) = g { Some(p) } else { None })
                            .collect(),
                    ),
                    5 => G::MultiLineString(
                        parts
                            .into_iter()
                            .filter_map(|g| if let G::LineString(l) = g { Some(l) } else { None })
                            .collect(),
                    ),
                    6 => G::MultiPolygon(
                        parts
                            .into_iter()
                            .filter_map(|g| if let G::Polygon(p) = g { Some(p) } else { None })
                            .collect(),
                    ),
                    _ => G::GeometryCollection(parts.into_iter().map(geojson::Geometry::new).collect()),
                }
            }
            other => return Err(format!("has WKB geometry type {other}, which the import does not read")),
        })
    }
}

/// A GeoPackage geometry blob: `None` for an empty geometry.
fn blob_geometry(blob: &[u8]) -> Result<Option<geojson::Value>, String> {
    if blob.get(0..2) != Some(b"GP") {
        return Err("is not a GeoPackage geometry (no \"GP\" magic)".into());
    }
    let flags = *blob.get(3).ok_or("the geometry ends early")?;
    if flags & 0b1_0000 != 0 {
        return Ok(None);
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("has envelope code {e}, which GeoPackage does not define")),
    };
    let start = 8 + envelope;
    let wkb = blob.get(start..).ok_or("the geometry ends early")?;
    Wkb { bytes: wkb, at: 0 }.geometry().map(Some)
}

fn sql_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
    }
}

/// The coordinate system a GeoPackage's srs_id names: by its EPSG code, else by its WKT.
fn srs(conn: &Connection, srs_id: i64) -> Result<Option<Crs>, String> {
    if srs_id == 0 || srs_id == -1 {
        // "Undefined geographic" and "undefined Cartesian" (the standard's own rows).
        return Ok(None);
    }
    let (org, code, definition): (String, i64, String) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|e| format!("names srs_id {srs_id}, which gpkg_spatial_ref_sys does not hold: {e}"))?;
    if org.eq_ignore_ascii_case("EPSG")
        && let Ok(code) = u16::try_from(code)
    {
        return Crs::epsg(code).map(Some);
    }
    Crs::parse(&definition).map(Some)
}

/// A string as an SQL literal.
fn quoted_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(super) fn read(path: &Path) -> Result<Vec<SourceLayer>, Problem> {
    let file = path.display().to_string();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Problem::file(&file, format!("cannot be opened: {e}")))?;
    let sql_err = |e: rusqlite::Error| Problem::file(&file, format!("is not a GeoPackage: {e}"));
    let tables: Vec<(String, String, i64)> = conn
        .prepare(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
             JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        .map_err(sql_err)?;
    let mut layers = Vec::new();
    for (table, geom_col, srs_id) in tables {
        let at_table = |reason: String| Problem::file(&file, format!("table \"{table}\": {reason}"));
        let crs = srs(&conn, srs_id).map_err(at_table)?;
        let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        // The integer primary key (GDAL's "fid") numbers the rows; it is no attribute of the park's.
        let pk: Option<String> = conn
            .query_row(
                &format!(
                    "SELECT name FROM pragma_table_info({}) WHERE pk = 1",
                    quoted_literal(&table)
                ),
                [],
                |r| r.get(0),
            )
            .ok();
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {}", quoted(&table)))
            .map_err(|e| at_table(e.to_string()))?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
        let mut rows = stmt.query([]).map_err(|e| at_table(e.to_string()))?;
        let mut features = Vec::new();
        let mut index = 0;
        while let Some(row) = rows.next().map_err(|e| at_table(e.to_string()))? {
            let mut attributes = Map::new();
            let mut geometry = None;
            for (i, name) in columns.iter().enumerate() {
                let v = row.get_ref(i).map_err(|e| at_table(e.to_string()))?;
                if Some(name) == pk.as_ref() {
                    continue;
                }
                if name == &geom_col {
                    if let ValueRef::Blob(b) = v {
                        geometry = blob_geometry(b).map_err(|e| at_table(e).at(format!("#{index}")))?;
                    }
                } else {
                    attributes.insert(name.clone(), sql_value(v));
                }
            }
            features.push(SourceFeature {
                index,
                id: None,
                geometry,
                attributes,
            });
            index += 1;
        }
        layers.push(SourceLayer {
            file: file.clone(),
            name: table,
            crs,
            fields: Some(
                columns
                    .into_iter()
                    .filter(|c| c != &geom_col && Some(c) != pk.as_ref())
                    .collect(),
            ),
            features,
            skipped: Vec::new(),
            attribution: None,
        });
    }
    if layers.is_empty() {
        return Err(Problem::file(&file, "holds no feature tables"));
    }
    Ok(layers)
}
