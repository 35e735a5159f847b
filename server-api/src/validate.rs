//! Checking a layer file before anything is stored: RFC 7946 GeoJSON with a stable string id
//! on every feature. The error names the file, the feature and the reason.

/// A request body or file that does not decode into its type: the field it went wrong at
/// (`None` at the top), and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field's path, e.g. `camera.lon` or `tour[1].name`.
    pub path: Option<String>,
    /// What is wrong there.
    pub why: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            Some(p) => write!(f, "field \"{p}\": {}", self.why),
            None => f.write_str(&self.why),
        }
    }
}

/// Decodes JSON into `T`, naming the field a wrong type or an unknown key is at
/// (serde_path_to_error finds it).
pub fn decode<T: serde::de::DeserializeOwned>(mut v: serde_json::Value) -> Result<T, FieldError> {
    whole_numbers_as_integers(&mut v);
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        FieldError {
            path: (path != ".").then_some(path),
            why: e.inner().to_string(),
        }
    })
}

/// Writes each number that is whole (`120.0`) as an integer (`120`). JSON Schema counts `120.0`
/// an integer, and clients may write one so; serde would refuse it for an integer field. A
/// float field takes the integer as it took the float.
fn whole_numbers_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Decodes a record of the API into `T` as [`decode`] does, and refuses a JSON list where `T`
/// has an object: serde reads a struct from a list of its fields in order (`[null, null]` is a
/// wall view with nothing set), which no client means and the API's schema does not allow.
pub fn decode_record<T: serde::de::DeserializeOwned + serde::Serialize>(v: serde_json::Value) -> Result<T, FieldError> {
    // Without a list anywhere in it, none can stand for an object: the ingest's records (a
    // reading, a fix) are decoded once, not decoded, written back and compared.
    if !has_list(&v) {
        return decode(v);
    }
    let decoded: T = decode(v.clone())?;
    let as_written = serde_json::to_value(&decoded).map_err(|e| FieldError {
        path: None,
        why: e.to_string(),
    })?;
    match list_for_object(&v, &as_written, String::new()) {
        Some(path) => Err(FieldError {
            why: "must be a JSON object, not a list".into(),
            path: (!path.is_empty()).then_some(path),
        }),
        None => Ok(decoded),
    }
}

/// Whether a JSON value holds a list anywhere.
fn has_list(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(_) => true,
        serde_json::Value::Object(fields) => fields.values().any(has_list),
        _ => false,
    }
}

/// The path of the first place where `input` has a list and `decoded` (the same record written
/// back) an object.
fn list_for_object(input: &serde_json::Value, decoded: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match (input, decoded) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| {
            let inner = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            b.get(k).and_then(|w| list_for_object(v, w, inner))
        }),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (v, w))| list_for_object(v, w, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// A request body as JSON, or why not.
pub fn json_body(body: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))
}

use std::collections::HashSet;

use geojson::{Feature, FeatureCollection, GeoJson, Geometry, PolygonType, Position, Value};

/// Why a layer file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {}{reason}", feature.as_ref().map(|f| format!("feature {f}: ")).unwrap_or_default())]
pub struct LayerFileError {
    /// The file (or source) name.
    pub file: String,
    /// The feature: its index and id where it has one, e.g. `#3 (id "tank-07")`.
    pub feature: Option<String>,
    /// What is wrong.
    pub reason: String,
}

fn position_ok(p: &Position) -> Result<(), String> {
    if p.len() < 2 || p.len() > 3 {
        return Err(format!("a position must have 2 or 3 numbers, found {}", p.len()));
    }
    if p.iter().any(|c| !c.is_finite()) {
        return Err("a position has a non-finite number".into());
    }
    let (lon, lat) = (p[0], p[1]);
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "position [{lon}, {lat}] is not WGS84 longitude/latitude (RFC 7946 §4); \
             projected coordinates must be converted first"
        ));
    }
    Ok(())
}

fn line_ok(line: &[Position]) -> Result<(), String> {
    if line.len() < 2 {
        return Err(format!("a LineString needs at least 2 positions, found {}", line.len()));
    }
    line.iter().try_for_each(position_ok)
}

fn polygon_ok(rings: &PolygonType) -> Result<(), String> {
    if rings.is_empty() {
        return Err("a Polygon needs an exterior ring".into());
    }
    for (i, ring) in rings.iter().enumerate() {
        let which = if i == 0 {
            "exterior ring".to_string()
        } else {
            format!("hole {i}")
        };
        if ring.len() < 4 {
            return Err(format!(
                "{which} needs at least 4 positions (RFC 7946 §3.1.6), found {}",
                ring.len()
            ));
        }
        if ring.first() != ring.last() {
            return Err(format!("{which} is not closed: its first and last positions differ"));
        }
        ring.iter().try_for_each(position_ok)?;
    }
    Ok(())
}

/// Checks one geometry against RFC 7946 §3.1.
pub fn geometry_ok(g: &Geometry) -> Result<(), String> {
    match &g.value {
        Value::Point(p) => position_ok(p),
        Value::MultiPoint(ps) => ps.iter().try_for_each(position_ok),
        Value::LineString(l) => line_ok(l),
        Value::MultiLineString(ls) => ls.iter().try_for_each(|l| line_ok(l)),
        Value::Polygon(p) => polygon_ok(p),
        Value::MultiPolygon(ps) => ps.iter().try_for_each(polygon_ok),
        Value::GeometryCollection(gs) => gs.iter().try_for_each(geometry_ok),
    }
}

/// The name a legacy GeoJSON `crs` member (GeoJSON 2008 §3) gives: a named CRS's `name`, or an
/// `EPSG` one's `code` as `EPSG:n`.
pub fn crs_member_name(crs: &serde_json::Value) -> Option<String> {
    let props = crs.get("properties")?;
    if let Some(name) = props.get("name").and_then(|n| n.as_str()) {
        return Some(name.to_string());
    }
    let code = props.get("code")?;
    Some(format!(
        "EPSG:{}",
        code.as_str().map_or_else(|| code.to_string(), str::to_string)
    ))
}

/// Whether a coordinate system's name means WGS84 longitude/latitude in that order, as RFC 7946
/// GeoJSON is: OGC's CRS84 in its spellings, and EPSG:4326 (which files mean in the same order).
///
/// ```
/// use parktwin_api::validate::crs_names_wgs84;
/// assert!(crs_names_wgs84("urn:ogc:def:crs:OGC:1.3:CRS84"));
/// assert!(crs_names_wgs84("EPSG:4326"));
/// assert!(crs_names_wgs84("urn:ogc:def:crs:EPSG::4326"));
/// assert!(!crs_names_wgs84("EPSG:4490"));
/// assert!(!crs_names_wgs84("EPSG:43260"));
/// ```
pub fn crs_names_wgs84(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    let crs84 = [
        "crs84",
        "wgs84",
        "ogc:crs84",
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
    ];
    if crs84.contains(&lower.as_str()) || lower.ends_with("/def/crs/ogc/1.3/crs84") {
        return true;
    }
    let code = if let Some(rest) = lower.strip_prefix("epsg:") {
        rest
    } else if lower.starts_with("urn:ogc:def:crs:epsg:") || lower.contains("/def/crs/epsg/") {
        lower.rsplit([':', '/']).next().unwrap_or_default()
    } else {
        return false;
    };
    code.trim() == "4326"
}

/// Parses and checks a layer file. Returns the features in file order.
pub fn parse_layer_file(file: &str, text: &str) -> Result<Vec<Feature>, LayerFileError> {
    let err = |feature: Option<String>, reason: String| LayerFileError {
        file: file.to_string(),
        feature,
        reason,
    };
    let raw: serde_json::Value = serde_json::from_str(text).map_err(|e| err(None, format!("not valid JSON: {e}")))?;
    if let Some(crs) = raw.get("crs") {
        // GDAL and QGIS still write the 2008 format's member; naming plain longitude/latitude
        // (CRS84, EPSG:4326) it says what RFC 7946 already means. Anything else is refused with
        // its name: `parktwin-server park import` converts it.
        match crs_member_name(crs) {
            Some(name) if crs_names_wgs84(&name) => {}
            Some(name) => {
                return Err(err(
                    None,
                    format!(
                        "has a \"crs\" member naming {name}: coordinates here must be WGS84 longitude/latitude (RFC 7946); `parktwin-server park import` converts other coordinate systems"
                    ),
                ));
            }
            None => {
                return Err(err(
                    None,
                    format!("has a \"crs\" member that names no coordinate system: {crs}"),
                ));
            }
        }
    }
    let gj: GeoJson = GeoJson::from_json_value(raw).map_err(|e| err(None, format!("not GeoJSON: {e}")))?;
    let fc: FeatureCollection = match gj {
        GeoJson::FeatureCollection(fc) => fc,
        other => {
            let kind = match other {
                GeoJson::Feature(_) => "a Feature",
                _ => "a bare Geometry",
            };
            return Err(err(None, format!("must be a FeatureCollection, found {kind}")));
        }
    };
    let mut seen = HashSet::new();
    for (i, f) in fc.features.iter().enumerate() {
        let id = match &f.id {
            Some(geojson::feature::Id::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(geojson::feature::Id::String(_)) => return Err(err(Some(format!("#{i}")), "has an empty id".into())),
            Some(geojson::feature::Id::Number(n)) => {
                return Err(err(
                    Some(format!("#{i}")),
                    format!("id {n} is a number; ids must be stable strings"),
                ));
            }
            None => {
                return Err(err(
                    Some(format!("#{i}")),
                    "has no id; every feature needs a stable string id (`parktwin-server park import` gives each one, from an attribute or derived from its content)".into(),
                ));
            }
        };
        let name = format!("#{i} (id \"{id}\")");
        let Some(g) = &f.geometry else {
            return Err(err(Some(name), "has no geometry".into()));
        };
        geometry_ok(g).map_err(|r| err(Some(name.clone()), r))?;
        if !seen.insert(id.clone()) {
            return Err(err(Some(name), "repeats an id used earlier in the file".into()));
        }
    }
    Ok(fc.features)
}

/// The string id of a feature already checked by [`parse_layer_file`].
pub fn feature_id(f: &Feature) -> Option<&str> {
    match &f.id {
        Some(geojson::feature::Id::String(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    struct View {
        camera: Option<Camera>,
        layers: Option<Vec<String>>,
    }

    #[derive(Debug, serde::Deserialize, serde::Serialize)]
    struct Camera {
        lon: f64,
        lat: f64,
    }

    #[test]
    fn a_list_where_a_record_has_an_object_is_refused_naming_where() {
        let top = decode_record::<View>(serde_json::json!([null, null])).expect_err("a list is not a view");
        assert_eq!(
            (top.path, top.why.as_str()),
            (None, "must be a JSON object, not a list")
        );
        let inner = decode_record::<View>(serde_json::json!({"camera": [118.4, 37.5]})).expect_err("nor a camera");
        assert_eq!(inner.path.as_deref(), Some("camera"));
        // Lists where the record has lists are lists.
        let ok = decode_record::<View>(serde_json::json!({"camera": {"lon": 118.4, "lat": 37.5}, "layers": ["tanks"]}));
        assert!(ok.is_ok(), "{ok:?}");
        // A whole number written as a float is an integer, as JSON Schema counts it.
        #[derive(Debug, serde::Deserialize, serde::Serialize)]
        struct Idle {
            idle_s: u32,
            lon: f64,
        }
        let idle = decode_record::<Idle>(serde_json::json!({"idle_s": 120.0, "lon": 118.0})).expect("whole numbers");
        assert_eq!((idle.idle_s, idle.lon), (120, 118.0));
        assert!(decode_record::<Idle>(serde_json::json!({"idle_s": 120.5, "lon": 1})).is_err());
        // serde alone takes the list: this is what decode_record is for.
        assert!(decode::<View>(serde_json::json!([null, null])).is_ok());
    }

    fn fc(features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)
    }

    #[test]
    fn accepts_a_good_file() {
        let t =
            fc(r#"{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[118.4,37.5]},"properties":{}}"#);
        assert_eq!(parse_layer_file("x.geojson", &t).expect("valid").len(), 1);
    }

    #[test]
    fn names_the_feature_with_an_open_ring() {
        let t = fc(concat!(
            r#"{"type":"Feature","id":"ok","geometry":{"type":"Point","coordinates":[118.4,37.5]},"properties":{}},"#,
            r#"{"type":"Feature","id":"p-2","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{}}"#
        ));
        let e = parse_layer_file("parcels.geojson", &t).expect_err("open ring");
        assert_eq!(e.feature.as_deref(), Some("#1 (id \"p-2\")"));
        assert!(e.to_string().starts_with("parcels.geojson: feature #1"), "{e}");
        assert!(e.reason.contains("not closed"), "{e}");
    }

    #[test]
    fn refuses_projected_coordinates_crs_and_missing_ids() {
        let projected = fc(
            r#"{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[512000.0,4158000.0]},"properties":{}}"#,
        );
        assert!(
            parse_layer_file("f", &projected)
                .expect_err("projected")
                .reason
                .contains("WGS84")
        );
        let crs =
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4490"}},"features":[]}"#;
        let e = parse_layer_file("f", crs).expect_err("crs");
        assert!(
            e.reason.contains("naming EPSG:4490") && e.reason.contains("park import"),
            "{e}"
        );
        // What ogr2ogr writes for WGS84 is plain RFC 7946 in the old format's words.
        for name in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "EPSG:4326",
            "urn:ogc:def:crs:EPSG::4326",
        ] {
            let gdal = format!(
                r#"{{"type":"FeatureCollection","name":"buildings","crs":{{"type":"name","properties":{{"name":"{name}"}}}},"features":[{{"type":"Feature","id":"a","geometry":{{"type":"Point","coordinates":[118.4,37.5]}},"properties":{{}}}}]}}"#
            );
            assert_eq!(parse_layer_file("f", &gdal).expect(name).len(), 1);
        }
        let no_id = fc(r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}"#);
        assert!(parse_layer_file("f", &no_id).expect_err("id").reason.contains("no id"));
        let dup = fc(concat!(
            r#"{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}},"#,
            r#"{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}"#
        ));
        assert!(parse_layer_file("f", &dup).expect_err("dup").reason.contains("repeats"));
        assert!(
            parse_layer_file("f", "{not json")
                .expect_err("json")
                .reason
                .contains("not valid JSON")
        );
    }
}
