//! Coordinate reference systems: what a source names, and the one conversion to WGS84.
//!
//! Projections and datums are `proj4rs`'s (PROJ's algorithms in pure Rust), EPSG codes its
//! `crs-definitions` table's, a `.prj`'s WKT read by `proj4wkt`. The offsets of Chinese web
//! maps (GCJ-02, BD-09) are no datum PROJ knows; [`china`] undoes them.

mod china;

pub use china::{bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};

use proj4rs::Proj;

/// A coordinate reference system a source's coordinates are in.
pub struct Crs {
    name: String,
    kind: Kind,
}

enum Kind {
    Wgs84,
    Proj(Box<Proj>),
    Gcj02,
    Bd09,
}

impl std::fmt::Debug for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crs({})", self.name)
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

const WGS84_PROJ: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// An EPSG code in any of the spellings GIS files use: `EPSG:4548`, `epsg:4548`,
/// `urn:ogc:def:crs:EPSG::4548`, `http://www.opengis.net/def/crs/EPSG/0/4548`.
fn epsg_code(text: &str) -> Option<u16> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let tail = if let Some(rest) = lower.strip_prefix("epsg:") {
        rest
    } else if lower.starts_with("urn:ogc:def:crs:epsg:") || lower.contains("/def/crs/epsg/") {
        lower.rsplit([':', '/']).next()?
    } else {
        return None;
    };
    tail.trim().parse().ok()
}

/// The top-level EPSG authority of a WKT1 definition: the last `AUTHORITY["EPSG","n"]` of a
/// `PROJCS` or `GEOGCS` belongs to the system itself (the inner ones to its datum, ellipsoid and
/// units). WKT2's `ID["EPSG",n]` likewise.
fn wkt_epsg(wkt: &str) -> Option<u16> {
    let compact: String = wkt.chars().filter(|c| !c.is_whitespace()).collect();
    let upper = compact.to_ascii_uppercase();
    let trimmed = upper.trim_end_matches(']');
    for marker in ["AUTHORITY[\"EPSG\",\"", "ID[\"EPSG\","] {
        if let Some(at) = trimmed.rfind(marker) {
            let after = &trimmed[at + marker.len()..];
            // Only when it closes the whole definition: nothing but brackets after it.
            let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
            let rest = &after[digits.len()..];
            if rest.trim_start_matches('"').trim_start_matches(']').is_empty() {
                return digits.parse().ok();
            }
        }
    }
    None
}

impl Crs {
    /// WGS84 longitude/latitude (EPSG:4326, CRS84).
    pub fn wgs84() -> Crs {
        Crs {
            name: "EPSG:4326".into(),
            kind: Kind::Wgs84,
        }
    }

    /// Reads a CRS named by an EPSG code (`EPSG:4548`, or its URN or URL), a PROJ string
    /// (`+proj=tmerc …`), a WKT definition (a `.prj`'s), `GCJ-02` or `BD-09`.
    ///
    /// ```
    /// use parktwin_import::crs::Crs;
    /// let gk = Crs::parse("EPSG:4548").unwrap(); // CGCS2000 / 3-degree Gauss-Kruger CM 117E
    /// let (lon, lat) = gk.to_wgs84(628_100.6488, 4_160_759.7369).unwrap();
    /// assert!((lon - 118.45).abs() < 1e-7 && (lat - 37.57).abs() < 1e-7);
    /// assert!(Crs::parse("EPSG:99999").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Crs, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("is empty".into());
        }
        if parktwin_api::validate::crs_names_wgs84(t) {
            return Ok(Crs::wgs84());
        }
        let upper = t.to_ascii_uppercase().replace(['_', ' '], "-");
        match upper.as_str() {
            "GCJ-02" | "GCJ02" => {
                return Ok(Crs {
                    name: "GCJ-02".into(),
                    kind: Kind::Gcj02,
                });
            }
            "BD-09" | "BD09" | "BD-09LL" | "BD09LL" => {
                return Ok(Crs {
                    name: "BD-09".into(),
                    kind: Kind::Bd09,
                });
            }
            _ => {}
        }
        if let Some(code) = epsg_code(t) {
            return Crs::epsg(code);
        }
        if t.starts_with('+') {
            return Crs::proj_string(t, t);
        }
        if t.contains('[') {
            if let Some(code) = wkt_epsg(t) {
                return Crs::epsg(code);
            }
            let proj = proj4wkt::wkt_to_projstring(t).map_err(|e| format!("WKT that cannot be read: {e}"))?;
            let name = t.split('"').nth(1).unwrap_or("WKT").to_string();
            return Crs::proj_string(&proj, &name);
        }
        Err(format!(
            "\"{t}\" is not a coordinate system ParkTwin knows: name it by an EPSG code (EPSG:4548), a PROJ string (+proj=…), WKT, GCJ-02 or BD-09"
        ))
    }

    /// A CRS by its EPSG code.
    pub fn epsg(code: u16) -> Result<Crs, String> {
        if code == 4326 {
            return Ok(Crs::wgs84());
        }
        // proj4rs's EPSG table (its `crs-definitions` feature).
        let p =
            Proj::from_epsg_code(code).map_err(|_| format!("EPSG:{code} is not a coordinate system ParkTwin knows"))?;
        Ok(Crs {
            name: format!("EPSG:{code}"),
            kind: Kind::Proj(Box::new(p)),
        })
    }

    fn proj_string(proj: &str, name: &str) -> Result<Crs, String> {
        let p = Proj::from_proj_string(proj).map_err(|e| format!("{name}: {e}"))?;
        Ok(Crs {
            name: name.to_string(),
            kind: Kind::Proj(Box::new(p)),
        })
    }

    /// The name it was given by (an EPSG code, a WKT's name, a PROJ string, GCJ-02, BD-09).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether coordinates in it are WGS84 longitude/latitude already.
    pub fn is_wgs84(&self) -> bool {
        matches!(self.kind, Kind::Wgs84)
    }

    /// Converts one position to WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        if !x.is_finite() || !y.is_finite() {
            return Err(format!("position ({x}, {y}) is not a finite number"));
        }
        let (lon, lat) = match &self.kind {
            Kind::Wgs84 => (x, y),
            Kind::Gcj02 => gcj02_to_wgs84(x, y),
            Kind::Bd09 => bd09_to_wgs84(x, y),
            Kind::Proj(p) => {
                let mut pt = if p.is_latlong() {
                    (x.to_radians(), y.to_radians(), 0.0)
                } else {
                    (x, y, 0.0)
                };
                let wgs = wgs84_proj();
                proj4rs::transform::transform(p, &wgs, &mut pt)
                    .map_err(|e| format!("position ({x}, {y}) cannot be converted from {}: {e}", self.name))?;
                (pt.0.to_degrees(), pt.1.to_degrees())
            }
        };
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) || !lon.is_finite() || !lat.is_finite() {
            return Err(format!(
                "position ({x}, {y}) in {} lands at longitude {lon}, latitude {lat}, off the globe: is it the right coordinate system?",
                self.name
            ));
        }
        Ok((lon, lat))
    }
}

fn wgs84_proj() -> Proj {
    #[allow(clippy::expect_used)]
    Proj::from_proj_string(WGS84_PROJ).expect("WGS84's PROJ string is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsg_spellings() {
        assert_eq!(epsg_code("EPSG:4548"), Some(4548));
        assert_eq!(epsg_code("urn:ogc:def:crs:EPSG::4548"), Some(4548));
        assert_eq!(epsg_code("http://www.opengis.net/def/crs/EPSG/0/32650"), Some(32650));
    }
}
