//! The park's geometry both ends share: its areas (the fence, the parking lots), which the
//! server's vehicle rules and the wall's vehicle count test points against, and a vehicle's
//! distance from its planned route.
//!
//! Done with georust's `geo` rather than by hand: it is the well-kept Rust library for planar
//! geometry, and its predicates handle what the hand-written ring tests did not: polygons with
//! holes, MultiPolygons, and several polygons to one area. (The end-to-end tests already check
//! the incidents' zones against it.)

use crate::frame::LocalFrame;
use geo::{Centroid, Coord, Distance, Euclidean, Intersects, LineString, MultiPolygon, Point, Polygon};

/// An area of the park in WGS84 (longitude, latitude): the polygons of one or more GeoJSON
/// Polygon or MultiPolygon geometries, holes included.
///
/// At a park's scale the lon/lat plane is as good as any projection for telling inside from
/// outside.
#[derive(Debug, Clone, PartialEq)]
pub struct Area(MultiPolygon<f64>);

/// The empty area: nothing is in it.
impl Default for Area {
    fn default() -> Self {
        Self(MultiPolygon(Vec::new()))
    }
}

impl Area {
    /// The polygons of a GeoJSON feature's geometry (a Polygon or a MultiPolygon); `None` for
    /// any other geometry, or one that does not parse.
    pub fn of_feature(feature: &serde_json::Value) -> Option<Self> {
        let g: geojson::Geometry = serde_json::from_value(feature.get("geometry")?.clone()).ok()?;
        Self::of_geometry(&g)
    }

    /// The polygons of a GeoJSON Polygon or MultiPolygon; `None` for any other geometry.
    pub fn of_geometry(g: &geojson::Geometry) -> Option<Self> {
        let polygons = match geo::Geometry::<f64>::try_from(&g.value).ok()? {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(m) => m.0,
            _ => return None,
        };
        let polygons: Vec<Polygon<f64>> = polygons.into_iter().filter(|p| p.exterior().0.len() >= 4).collect();
        (!polygons.is_empty()).then_some(Self(MultiPolygon(polygons)))
    }

    /// The polygons of every Polygon and MultiPolygon among `features` as one area; `None`
    /// when there are none (a park without a fence).
    pub fn of_features<'a>(features: impl IntoIterator<Item = &'a geojson::Feature>) -> Option<Self> {
        features
            .into_iter()
            .filter_map(|f| Self::of_geometry(f.geometry.as_ref()?))
            .reduce(Area::join)
    }

    /// The area's centroid (longitude, latitude); `None` for the empty area.
    pub fn centre(&self) -> Option<(f64, f64)> {
        self.0.centroid().map(|c| (c.x(), c.y()))
    }

    /// Its polygons, as `geo` has them (WGS84).
    pub fn polygons(&self) -> &MultiPolygon<f64> {
        &self.0
    }

    /// This area and `other` as one.
    pub fn join(mut self, other: Area) -> Self {
        self.0.0.extend(other.0.0);
        self
    }

    /// Whether a WGS84 point is in the area: inside one of its polygons and not in one of that
    /// polygon's holes. A point on an edge counts as in.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.0.intersects(&Point::new(lon, lat))
    }
}

/// How far (metres) a WGS84 point is from a route of WGS84 points, measured in the park's local
/// frame (a plane in metres about the park's origin); `None` for an empty route.
///
/// Planar distance in the local frame rather than a geodesic one: the frame is what the park
/// is drawn and measured in, and over a park's few kilometres the two differ by millimetres.
pub fn route_distance_m(frame: &LocalFrame, route: &[[f64; 2]], lon: f64, lat: f64) -> Option<f64> {
    let at = |lon: f64, lat: f64| {
        let [x, y] = frame.to_map(lon, lat);
        Coord { x, y }
    };
    let p = Point::from(at(lon, lat));
    match route {
        [] => None,
        [only] => Some(Euclidean.distance(p, Point::from(at(only[0], only[1])))),
        _ => {
            let line: LineString<f64> = route.iter().map(|q| at(q[0], q[1])).collect();
            Some(Euclidean.distance(&p, &line))
        }
    }
}

/// How far along a line (WGS84 vertices) a point lies, in metres of the local frame from the
/// line's first vertex: the distance along the line to the line's nearest point (a gauge's
/// chainage on its pipe). `None` for a line of fewer than two vertices.
///
/// ```
/// use parktwin_api::frame::LocalFrame;
/// use parktwin_api::geometry::distance_along_m;
/// let frame = LocalFrame::new(118.45, 37.57);
/// let (e, _) = frame.to_wgs84(400.0, 0.0);
/// let (lon, lat) = frame.to_wgs84(150.0, 20.0); // 20 m off the line, 150 m along it
/// let along = distance_along_m(&frame, &[[118.45, 37.57], [e, 37.57]], lon, lat).unwrap();
/// assert!((along - 150.0).abs() < 0.01, "{along}");
/// ```
pub fn distance_along_m(frame: &LocalFrame, line: &[[f64; 2]], lon: f64, lat: f64) -> Option<f64> {
    use geo::{Length, LineLocatePoint};
    let at = |lon: f64, lat: f64| {
        let [x, y] = frame.to_map(lon, lat);
        Coord { x, y }
    };
    if line.len() < 2 {
        return None;
    }
    let line: LineString<f64> = line.iter().map(|q| at(q[0], q[1])).collect();
    let fraction = line.line_locate_point(&Point::from(at(lon, lat)))?;
    Some(fraction * Euclidean.length(&line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A square ring, counter-clockwise, closed.
    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> serde_json::Value {
        json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
    }

    fn feature(geometry: serde_json::Value) -> serde_json::Value {
        json!({"type": "Feature", "properties": {}, "geometry": geometry})
    }

    #[test]
    fn a_multipolygon_with_a_hole_is_read_whole() {
        let fence = Area::of_feature(&feature(json!({
            "type": "MultiPolygon",
            "coordinates": [
                [square(118.0, 37.0, 118.1, 37.1), square(118.04, 37.04, 118.06, 37.06)],
                [square(118.2, 37.0, 118.3, 37.1)],
            ],
        })))
        .expect("a MultiPolygon is an area");
        assert!(fence.contains(118.02, 37.02), "in the first polygon");
        assert!(!fence.contains(118.05, 37.05), "in the first polygon's hole");
        assert!(fence.contains(118.25, 37.05), "in the second polygon");
        assert!(!fence.contains(118.15, 37.05), "between the two");
        assert!(!fence.contains(117.0, 36.0), "far outside");
    }

    #[test]
    fn a_polygon_with_a_hole_and_other_geometries() {
        let lot = Area::of_feature(&feature(json!({
            "type": "Polygon",
            "coordinates": [square(0.0, 0.0, 10.0, 10.0), square(4.0, 4.0, 6.0, 6.0)],
        })))
        .expect("a Polygon is an area");
        assert!(lot.contains(1.0, 1.0));
        assert!(!lot.contains(5.0, 5.0), "the hole");
        assert!(lot.contains(0.0, 5.0), "an edge counts as in");
        let other = Area::of_feature(&feature(
            json!({"type": "Polygon", "coordinates": [square(20.0, 0.0, 30.0, 10.0)]}),
        ))
        .expect("area");
        let both = lot.join(other);
        assert!(both.contains(25.0, 5.0) && both.contains(1.0, 1.0) && !both.contains(15.0, 5.0));
        assert_eq!(
            Area::of_feature(&feature(json!({"type": "Point", "coordinates": [1.0, 1.0]}))),
            None
        );
        assert_eq!(Area::of_feature(&json!({"type": "Feature", "properties": {}})), None);
    }

    #[test]
    fn a_layer_of_features_is_one_area_and_has_a_centre() {
        let fc: geojson::FeatureCollection = serde_json::from_value(json!({"type": "FeatureCollection", "features": [
            feature(json!({"type": "Polygon", "coordinates": [square(0.0, 0.0, 2.0, 2.0)]})),
            feature(json!({"type": "Point", "coordinates": [9.0, 9.0]})),
            feature(json!({"type": "MultiPolygon", "coordinates": [[square(4.0, 0.0, 6.0, 2.0)]]})),
        ]}))
        .expect("a collection");
        let fence = Area::of_features(&fc.features).expect("two polygons");
        assert!(fence.contains(1.0, 1.0) && fence.contains(5.0, 1.0) && !fence.contains(3.0, 1.0));
        let (x, y) = fence.centre().expect("a centre");
        assert!((x - 3.0).abs() < 1e-9 && (y - 1.0).abs() < 1e-9, "{x},{y}");
        assert_eq!(Area::of_features(&fc.features[1..2]), None, "a point is no area");
        assert_eq!(Area::default().centre(), None);
    }

    #[test]
    fn the_distance_from_a_route_is_in_metres_of_the_local_frame() {
        // A route east 100 m then north 100 m from the frame's origin, as WGS84 points.
        let frame = LocalFrame::new(118.5, 37.5);
        let wgs = |x: f64, y: f64| {
            let (lon, lat) = frame.to_wgs84(x, y);
            [lon, lat]
        };
        let route = [wgs(0.0, 0.0), wgs(100.0, 0.0), wgs(100.0, 100.0)];
        let d = |x: f64, y: f64| {
            let [lon, lat] = wgs(x, y);
            route_distance_m(&frame, &route, lon, lat).expect("a route")
        };
        // Beside the first leg, beside the second, and off the start's corner (a 3-4-5).
        assert!((d(50.0, 30.0) - 30.0).abs() < 1e-3, "{}", d(50.0, 30.0));
        assert!((d(130.0, 50.0) - 30.0).abs() < 1e-3, "{}", d(130.0, 50.0));
        assert!((d(-30.0, -40.0) - 50.0).abs() < 1e-3, "{}", d(-30.0, -40.0));
        assert!(d(100.0, 50.0).abs() < 1e-3, "on the route");
        // A route of one point is that point; no route, no distance.
        let [lon, lat] = wgs(60.0, 80.0);
        let one = route_distance_m(&frame, &route[..1], lon, lat).expect("a point");
        assert!((one - 100.0).abs() < 1e-3, "{one}");
        assert_eq!(route_distance_m(&frame, &[], lon, lat), None);
    }
}
