//! ESRI Shapefile: the shapes (`.shp`, `.shx`), their attributes (`.dbf`) in the encoding the
//! `.cpg` names (GBK when there is none and the text is not UTF-8, as Chinese CAD exports
//! are), and the coordinate system the `.prj` names.

use std::io::Cursor;
use std::path::Path;

use dbase::FieldValue;
use serde_json::{Map, Value};
use shapefile::{PolygonRing, Shape, ShapeReader};

use super::{SourceFeature, SourceLayer, polygons, ring, stem};
use crate::crs::Crs;
use crate::problem::Problem;

use shapefile::dbase;

/// The encoding a `.cpg` names: an encoding label (`UTF-8`, `GBK`, `GB18030`, `Big5`) or a
/// Windows code page number (`936`, `54936`, `950`, `65001`), as ESRI writes them.
fn cpg_encoding(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let label = label.trim().trim_start_matches('\u{feff}');
    let by_code_page = match label.to_ascii_uppercase().trim_start_matches("CP") {
        "936" => Some(encoding_rs::GBK),
        "54936" => Some(encoding_rs::GB18030),
        "950" => Some(encoding_rs::BIG5),
        "65001" => Some(encoding_rs::UTF_8),
        "1252" => Some(encoding_rs::WINDOWS_1252),
        _ => None,
    };
    by_code_page.or_else(|| encoding_rs::Encoding::for_label(label.as_bytes()))
}

/// The encoding of a `.dbf` without a `.cpg`: its language driver byte when it says Chinese
/// (0x4D and 0x7A: GBK, as ArcGIS writes them), else UTF-8 when every record is valid UTF-8,
/// else GBK (GB18030's decoder, which reads GBK and GB2312 alike).
fn guessed_encoding(dbf: &[u8]) -> &'static encoding_rs::Encoding {
    if matches!(dbf.get(29), Some(0x4D | 0x7A)) {
        return encoding_rs::GB18030;
    }
    let header_len = dbf
        .get(8..10)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let records = dbf.get(header_len..).unwrap_or_default();
    if std::str::from_utf8(records).is_ok() {
        encoding_rs::UTF_8
    } else {
        encoding_rs::GB18030
    }
}

fn sibling(path: &Path, ext: &str) -> Option<std::path::PathBuf> {
    // The sidecars' extensions may be upper case (.DBF, .PRJ), as older tools write them.
    [ext.to_string(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.exists())
}

fn value(v: FieldValue) -> Value {
    match v {
        FieldValue::Character(s) => s.map(|s| Value::String(s.trim().to_string())).unwrap_or(Value::Null),
        FieldValue::Memo(s) => Value::String(s),
        FieldValue::Numeric(n) => n.map_or(Value::Null, number),
        FieldValue::Float(n) => n.map_or(Value::Null, |n| number(f64::from(n))),
        FieldValue::Double(n) | FieldValue::Currency(n) => number(n),
        FieldValue::Integer(n) => Value::from(n),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::Bool),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(dt) => {
            let d = dt.date();
            let t = dt.time();
            Value::String(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                t.hours(),
                t.minutes(),
                t.seconds()
            ))
        }
    }
}

/// A number as JSON: whole numbers as integers (a `.dbf` stores `12` as 12.0).
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

fn lines(parts: Vec<Vec<(f64, f64)>>) -> geojson::Value {
    let mut out: Vec<_> = parts.into_iter().map(|p| ring(p.into_iter())).collect();
    if out.len() == 1 {
        geojson::Value::LineString(out.remove(0))
    } else {
        geojson::Value::MultiLineString(out)
    }
}

/// A shape as GeoJSON (its Z and M dropped: the park's heights are attributes).
fn geometry(shape: Shape) -> Result<Option<geojson::Value>, String> {
    macro_rules! xy {
        ($pts:expr) => {
            $pts.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>()
        };
    }
    macro_rules! poly {
        ($p:expr) => {
            polygons(
                $p.rings()
                    .iter()
                    .map(|r| (matches!(r, PolygonRing::Outer(_)), xy!(r.points())))
                    .collect(),
            )
        };
    }
    Ok(Some(match shape {
        Shape::NullShape => return Ok(None),
        Shape::Point(p) => geojson::Value::Point(vec![p.x, p.y]),
        Shape::PointM(p) => geojson::Value::Point(vec![p.x, p.y]),
        Shape::PointZ(p) => geojson::Value::Point(vec![p.x, p.y]),
        Shape::Multipoint(m) => geojson::Value::MultiPoint(m.points().iter().map(|p| vec![p.x, p.y]).collect()),
        Shape::MultipointM(m) => geojson::Value::MultiPoint(m.points().iter().map(|p| vec![p.x, p.y]).collect()),
        Shape::MultipointZ(m) => geojson::Value::MultiPoint(m.points().iter().map(|p| vec![p.x, p.y]).collect()),
        Shape::Polyline(l) => lines(l.parts().iter().map(|p| xy!(p)).collect()),
        Shape::PolylineM(l) => lines(l.parts().iter().map(|p| xy!(p)).collect()),
        Shape::PolylineZ(l) => lines(l.parts().iter().map(|p| xy!(p)).collect()),
        Shape::Polygon(p) => poly!(p),
        Shape::PolygonM(p) => poly!(p),
        Shape::PolygonZ(p) => poly!(p),
        Shape::Multipatch(_) => return Err("is a multipatch (a 3D surface), which the import does not read".into()),
    }))
}

pub(super) fn read(path: &Path) -> Result<SourceLayer, Problem> {
    let file = path.display().to_string();
    let dbf_path =
        sibling(path, "dbf").ok_or_else(|| Problem::file(&file, "has no .dbf beside it (its attributes)"))?;
    let dbf_name = dbf_path.display().to_string();
    if sibling(path, "shx").is_none() {
        return Err(Problem::file(&file, "has no .shx beside it (its index)"));
    }
    let crs = match sibling(path, "prj") {
        Some(prj) => {
            let wkt = std::fs::read_to_string(&prj)
                .map_err(|e| Problem::file(prj.display().to_string(), format!("cannot be read: {e}")))?;
            Some(Crs::parse(&wkt).map_err(|e| Problem::file(prj.display().to_string(), e))?)
        }
        None => None,
    };
    let dbf = std::fs::read(&dbf_path).map_err(|e| Problem::file(&dbf_name, format!("cannot be read: {e}")))?;
    let encoding = match sibling(path, "cpg") {
        Some(cpg) => {
            let label = std::fs::read_to_string(&cpg).unwrap_or_default();
            cpg_encoding(&label).ok_or_else(|| {
                Problem::file(
                    cpg.display().to_string(),
                    format!("names an encoding ParkTwin does not know: \"{}\"", label.trim()),
                )
            })?
        }
        None => guessed_encoding(&dbf),
    };
    let mut records = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding))
        .build(Cursor::new(dbf))
        .map_err(|e| Problem::file(&dbf_name, format!("is not a dBase file: {e}")))?;
    let fields: Vec<String> = records.fields().iter().map(|f| f.name().to_string()).collect();
    let n_records = records.header().num_records as usize;
    let mut shapes = ShapeReader::from_path(path).map_err(|e| Problem::file(&file, format!("cannot be read: {e}")))?;
    let n_shapes = shapes
        .shape_count()
        .map_err(|e| Problem::file(&file, format!("cannot be read: {e}")))?;
    if n_shapes != n_records {
        return Err(Problem::file(
            &dbf_name,
            format!(
                "has {n_records} records for the {n_shapes} shapes of {file}: the two files do not belong together"
            ),
        ));
    }
    let mut features = Vec::with_capacity(n_shapes);
    for (index, (shape, record)) in shapes.iter_shapes().zip(records.iter_records()).enumerate() {
        let at = format!("#{index}");
        let shape =
            shape.map_err(|e| Problem::file(&file, format!("cannot be read (is the file cut short?): {e}")).at(&at))?;
        let record = record.map_err(|e| Problem::file(&dbf_name, format!("cannot be read: {e}")).at(&at))?;
        let geometry = geometry(shape).map_err(|e| Problem::file(&file, e).at(&at))?;
        let mut values: std::collections::HashMap<String, FieldValue> = record.into_iter().collect();
        let mut attributes = Map::new();
        for name in &fields {
            if let Some(v) = values.remove(name) {
                attributes.insert(name.clone(), value(v));
            }
        }
        features.push(SourceFeature {
            index,
            id: None,
            geometry,
            attributes,
        });
    }
    if features.len() != n_shapes {
        return Err(Problem::file(
            &file,
            format!("ends after {} of its {n_shapes} shapes", features.len()),
        ));
    }
    Ok(SourceLayer {
        file,
        name: stem(path),
        crs,
        fields: Some(fields),
        features,
        skipped: Vec::new(),
        attribution: None,
    })
}
