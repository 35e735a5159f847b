//! The emergency resources nearest an incident by travel time over the park's roads
//! (`GET /api/v1/incidents/{id}/resources`): each resource's quickest route to the incident,
//! drawn, kept out of the incident's most severe zone where another way exists, with its
//! distance, time and ETA. A vehicle with a plate starts from its latest fix (positions come in
//! as any vehicle's); each resource's status is that of the open task that takes it.
//!
//! Where the most severe zone covers the incident's source (a release's AEGL-3, a fire's
//! 37.5 kW/m²), a route ends where the roads leave that zone nearest the source: responders
//! stage at the edge of the hot zone, they do not drive into it.

use geo::{Contains, MultiPolygon, Point};
use parktwin_api::frame::LocalFrame;
use parktwin_api::response::ResourceRoute;

use crate::routing::{Road, RoadGraph};
use crate::store::{Store, StoreError};

/// The layers read: the roads, and the resources.
const ROADS: &str = "roads";
const RESOURCES: &str = "emergency_resources";

/// Travel speed of an emergency vehicle on a road of a kind, km/h, where the road does not say
/// its own (`speed_kmh`): ParkTwin's assumption for a chemical park's roads (no standard gives
/// one): 60 on a highway, 40 on an avenue, 30 elsewhere (access roads, the park's limit for
/// hazmat traffic).
pub fn speed_of(kind: Option<&str>) -> f64 {
    match kind {
        Some("highway") => 60.0,
        Some("avenue") => 40.0,
        _ => 30.0,
    }
}

/// The roads of a layer's GeoJSON text, in `frame`'s metres.
fn roads(geojson: &str, frame: &LocalFrame) -> Result<Vec<Road>, StoreError> {
    let fc: serde_json::Value = serde_json::from_str(geojson)?;
    let mut out = Vec::new();
    for f in fc["features"].as_array().into_iter().flatten() {
        let p = &f["properties"];
        let speed_kmh = p["speed_kmh"].as_f64().unwrap_or_else(|| speed_of(p["kind"].as_str()));
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let g = &f["geometry"];
        let lines: Vec<&serde_json::Value> = match g["type"].as_str() {
            Some("LineString") => vec![&g["coordinates"]],
            Some("MultiLineString") => g["coordinates"].as_array().into_iter().flatten().collect(),
            _ => Vec::new(),
        };
        for l in lines {
            let line: Vec<[f64; 2]> = l
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| Some(frame.to_map(c[0].as_f64()?, c[1].as_f64()?)))
                .collect();
            if line.len() >= 2 {
                out.push(Road {
                    name: name.clone(),
                    line,
                    speed_kmh,
                });
            }
        }
    }
    Ok(out)
}

/// A route's path (`frame`'s metres) as a GeoJSON LineString in WGS84, its ends the points as
/// given (`from`, `to`), not as they come back through the frame.
pub(crate) fn route_line(frame: &LocalFrame, path: &[[f64; 2]], from: [f64; 2], to: [f64; 2]) -> serde_json::Value {
    let mut line: Vec<[f64; 2]> = path
        .iter()
        .map(|q| {
            let (lon, lat) = frame.to_wgs84(q[0], q[1]);
            [lon, lat]
        })
        .collect();
    if let Some(first) = line.first_mut() {
        *first = from;
    }
    if let Some(last) = line.last_mut() {
        *last = to;
    }
    serde_json::json!({"type": "LineString", "coordinates": line})
}

/// The park's roads in `frame`'s metres.
pub(crate) fn roads_in(store: &Store, frame: &LocalFrame) -> Result<Vec<Road>, StoreError> {
    roads(&store.layer_geojson(ROADS)?.unwrap_or_default(), frame).or_else(|_| Ok(Vec::new()))
}

/// A resource: its id, properties and `[lon, lat]`.
type Feature = (String, serde_json::Value, [f64; 2]);

/// The emergency resources that are points (stations, depots, teams, shelters).
pub(crate) fn features(store: &Store) -> Result<Vec<Feature>, StoreError> {
    points(store, RESOURCES)
}

/// The emergency vehicles (engines, tenders, ambulances), each at its home station.
pub(crate) fn vehicles(store: &Store) -> Result<Vec<Feature>, StoreError> {
    points(store, crate::emergency::VEHICLES)
}

/// The points of a layer.
fn points(store: &Store, layer: &str) -> Result<Vec<Feature>, StoreError> {
    let fc: serde_json::Value = serde_json::from_str(&store.layer_geojson(layer)?.unwrap_or_else(|| "{}".into()))?;
    Ok(fc["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let g = &f["geometry"];
            if g["type"] != "Point" {
                return None;
            }
            let (lon, lat) = (g["coordinates"][0].as_f64()?, g["coordinates"][1].as_f64()?);
            Some((
                f["id"].as_str().unwrap_or_default().to_string(),
                f["properties"].clone(),
                [lon, lat],
            ))
        })
        .collect())
}

impl Store {
    /// The resources' routes to the incident `id`, quickest first; `None` for an unknown
    /// incident. `now` is when they would leave.
    pub fn incident_resources(
        &self,
        id: &str,
        now: time::OffsetDateTime,
    ) -> Result<Option<Vec<ResourceRoute>>, StoreError> {
        let (Some(inc), Some(zones_text)) = (self.incident(id)?, self.incident_zones(id)?) else {
            return Ok(None);
        };
        let frame = LocalFrame::new(inc.lon, inc.lat);
        let graph = RoadGraph::new(&roads_in(self, &frame)?);
        let zones =
            parktwin_dispersion::zones::zones_from_geojson(&serde_json::from_str(&zones_text)?, (inc.lon, inc.lat));
        let severe = zones.first().filter(|z| !z.area.0.is_empty());
        let source = [0.0, 0.0];
        // Into the zone no further than its edge when it covers the source.
        let covers_source = severe.is_some_and(|z| z.area.contains(&Point::new(0.0, 0.0)));
        let destination = match severe {
            Some(z) if covers_source => graph.nearest_outside(source, &z.area).unwrap_or(source),
            _ => source,
        };
        let avoid: Option<&MultiPolygon> = severe.map(|z| &z.area);
        // Where each vehicle is now: its latest fix by its plate, where it has one that is not
        // older than the map keeps a vehicle; else its home station.
        let fixes: std::collections::HashMap<String, parktwin_api::model::VehiclePosition> =
            self.vehicles()?.into_iter().map(|v| (v.plate.clone(), v)).collect();
        let cutoff = parktwin_api::clock::format_utc(now - time::Duration::seconds(parktwin_api::live::VEHICLE_GONE_S));
        let tasks = self.open_tasks()?;
        let mut out = Vec::new();
        for (fid, p, home) in features(self)?.into_iter().chain(vehicles(self)?) {
            let plate = p["plate"].as_str().map(str::to_string);
            let fix = plate.as_ref().and_then(|k| fixes.get(k)).filter(|f| f.time >= cutoff);
            let [lon, lat] = fix.map_or(home, |f| [f.lon, f.lat]);
            let Some(r) = graph.route(frame.to_map(lon, lat), destination, avoid) else {
                continue;
            };
            let (dlon, dlat) = frame.to_wgs84(destination[0], destination[1]);
            let line = route_line(&frame, &r.path, [lon, lat], [dlon, dlat]);
            let status = parktwin_api::emergency::resource_status(&fid, p["status"].as_str(), &tasks);
            out.push(ResourceRoute {
                id: fid,
                name: p["name"].as_str().unwrap_or_default().to_string(),
                name_zh: p["name_zh"].as_str().unwrap_or_default().to_string(),
                kind: p["kind"].as_str().unwrap_or_default().to_string(),
                distance_m: (r.distance_m * 10.0).round() / 10.0,
                time_s: r.time_s.round(),
                eta: parktwin_api::clock::format_utc(now + time::Duration::seconds_f64(r.time_s)),
                destination: [dlon, dlat],
                stops_at_zone: destination != source,
                zone: severe.map(|z| z.name.clone()),
                through_zone: r.through_avoided,
                route: line,
                status,
                plate,
                fix: fix.map(|f| f.time.clone()),
            });
        }
        out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        Ok(Some(out))
    }
}
