//! OpenStreetMap (`.osm.pbf` through `osmpbf`, `.osm` XML through `quick-xml`): the park's
//! layers from their tags. Buildings (height from `height`, else `building:levels` × 3.5 m),
//! `man_made=storage_tank` (diameter, height, `content`/`substance`), `man_made=pipeline`
//! (`substance`; `location=overhead` on a rack), `landuse=industrial` as enterprises' parcels,
//! highways as roads, `barrier=gate|lift_gate` as gates, closed `barrier=fence` rings as the
//! boundary; multipolygon relations with their holes. Every feature's id is its OSM element's
//! (`osm-w123`), stable from one extract to the next.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Ring, SourceFeature, SourceLayer, polygons};
use crate::problem::Problem;

/// The credit OpenStreetMap's licence (ODbL) asks of a map made from its data.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";

/// A storey's height where a building gives its levels only.
const METRES_PER_LEVEL: f64 = 3.5;

type Tags = BTreeMap<String, String>;

struct Way {
    refs: Vec<i64>,
    tags: Tags,
}

struct Member {
    way: bool,
    id: i64,
    role: String,
}

struct Relation {
    id: i64,
    members: Vec<Member>,
    tags: Tags,
}

/// An extract, held whole: node positions, tagged nodes, ways and relations.
#[derive(Default)]
struct Extract {
    nodes: HashMap<i64, (f64, f64)>,
    tagged_nodes: Vec<(i64, Tags)>,
    ways: BTreeMap<i64, Way>,
    relations: Vec<Relation>,
}

pub(super) fn read_pbf(path: &Path) -> Result<Vec<SourceLayer>, Problem> {
    use osmpbf::{Element, ElementReader, RelMemberType};
    let file = path.display().to_string();
    let reader = ElementReader::from_path(path).map_err(|e| Problem::file(&file, format!("cannot be opened: {e}")))?;
    let mut x = Extract::default();
    let tags = |it: &mut dyn Iterator<Item = (&str, &str)>| -> Tags {
        it.map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    reader
        .for_each(|element| match element {
            Element::Node(n) => {
                x.nodes.insert(n.id(), (n.lon(), n.lat()));
                let t = tags(&mut n.tags());
                if !t.is_empty() {
                    x.tagged_nodes.push((n.id(), t));
                }
            }
            Element::DenseNode(n) => {
                x.nodes.insert(n.id(), (n.lon(), n.lat()));
                let t = tags(&mut n.tags());
                if !t.is_empty() {
                    x.tagged_nodes.push((n.id(), t));
                }
            }
            Element::Way(w) => {
                x.ways.insert(
                    w.id(),
                    Way {
                        refs: w.refs().collect(),
                        tags: tags(&mut w.tags()),
                    },
                );
            }
            Element::Relation(r) => {
                let members = r
                    .members()
                    .map(|m| Member {
                        way: m.member_type == RelMemberType::Way,
                        id: m.member_id,
                        role: m.role().unwrap_or_default().to_string(),
                    })
                    .collect();
                x.relations.push(Relation {
                    id: r.id(),
                    members,
                    tags: tags(&mut r.tags()),
                });
            }
        })
        .map_err(|e| {
            Problem::file(
                &file,
                format!("is not an OpenStreetMap PBF extract (or is cut short): {e}"),
            )
        })?;
    Ok(layers(&file, &x))
}

/// The element an XML reader is inside.
enum Open {
    None,
    Node(i64, Tags),
    Way(i64, Way),
    Relation(Relation),
}

fn close(x: &mut Extract, open: Open) {
    match open {
        Open::Node(id, tags) if !tags.is_empty() => x.tagged_nodes.push((id, tags)),
        Open::Way(id, w) => {
            x.ways.insert(id, w);
        }
        Open::Relation(r) => x.relations.push(r),
        _ => {}
    }
}

pub(super) fn read_xml(path: &Path) -> Result<Vec<SourceLayer>, Problem> {
    use quick_xml::events::{BytesStart, Event};
    let file = path.display().to_string();
    let mut reader =
        quick_xml::Reader::from_file(path).map_err(|e| Problem::file(&file, format!("cannot be opened: {e}")))?;
    let bad = |e: String| Problem::file(&file, format!("is not OpenStreetMap XML: {e}"));
    let attr = |e: &BytesStart<'_>, name: &str| -> Option<String> {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| a.unescape_value().ok())
            .map(|v| v.into_owned())
    };
    let num = |e: &BytesStart<'_>, name: &str| -> Result<i64, String> {
        attr(e, name).and_then(|v| v.parse().ok()).ok_or_else(|| {
            format!(
                "a <{}> without a numeric {name}",
                String::from_utf8_lossy(e.name().as_ref())
            )
        })
    };
    let mut x = Extract::default();
    let mut open = Open::None;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| bad(format!("at byte {}: {e}", reader.buffer_position())))?;
        let (e, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(end) => {
                let name = end.name();
                if matches!(name.as_ref(), b"node" | b"way" | b"relation") {
                    close(&mut x, std::mem::replace(&mut open, Open::None));
                }
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = e {
            match e.name().as_ref() {
                b"node" => {
                    let id = num(&e, "id").map_err(bad)?;
                    let lat: f64 = attr(&e, "lat")
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| bad(format!("node {id} has no lat")))?;
                    let lon: f64 = attr(&e, "lon")
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| bad(format!("node {id} has no lon")))?;
                    x.nodes.insert(id, (lon, lat));
                    open = Open::Node(id, Tags::new());
                }
                b"way" => {
                    open = Open::Way(
                        num(&e, "id").map_err(bad)?,
                        Way {
                            refs: Vec::new(),
                            tags: Tags::new(),
                        },
                    );
                }
                b"relation" => {
                    open = Open::Relation(Relation {
                        id: num(&e, "id").map_err(bad)?,
                        members: Vec::new(),
                        tags: Tags::new(),
                    });
                }
                b"tag" => {
                    let (Some(k), Some(v)) = (attr(&e, "k"), attr(&e, "v")) else {
                        continue;
                    };
                    match &mut open {
                        Open::Node(_, t)
                        | Open::Way(_, Way { tags: t, .. })
                        | Open::Relation(Relation { tags: t, .. }) => {
                            t.insert(k, v);
                        }
                        Open::None => {}
                    }
                }
                b"nd" => {
                    if let Open::Way(_, w) = &mut open {
                        w.refs.push(num(&e, "ref").map_err(bad)?);
                    }
                }
                b"member" => {
                    if let Open::Relation(r) = &mut open {
                        r.members.push(Member {
                            way: attr(&e, "type").as_deref() == Some("way"),
                            id: num(&e, "ref").map_err(bad)?,
                            role: attr(&e, "role").unwrap_or_default(),
                        });
                    }
                }
                _ => {}
            }
            if empty && matches!(e.name().as_ref(), b"node" | b"way" | b"relation") {
                close(&mut x, std::mem::replace(&mut open, Open::None));
            }
        }
        buf.clear();
    }
    Ok(layers(&file, &x))
}

/// A number at the start of a tag's value, in metres: `12`, `12 m`, `12.5m`; `None` for other
/// units (feet) and for text.
fn metres(v: &str) -> Option<f64> {
    let v = v.trim();
    let end = v.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(v.len());
    let (n, unit) = v.split_at(end);
    let unit = unit.trim();
    if !(unit.is_empty() || unit == "m") {
        return None;
    }
    n.parse().ok().filter(|x: &f64| x.is_finite() && *x > 0.0)
}

fn name_props(tags: &Tags, props: &mut Map<String, Value>) {
    if let Some(n) = tags.get("name:en").or_else(|| tags.get("name")) {
        props.insert("name".into(), json!(n));
    }
    if let Some(n) = tags.get("name:zh").or_else(|| tags.get("name")) {
        props.insert("name_zh".into(), json!(n));
    }
}

/// The park's properties of a building.
fn building(tags: &Tags) -> Map<String, Value> {
    let mut p = Map::new();
    name_props(tags, &mut p);
    p.insert("use".into(), json!(tags.get("building").map_or("yes", String::as_str)));
    let levels = tags
        .get("building:levels")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|l| *l > 0.0);
    if let Some(l) = levels {
        p.insert("floors".into(), json!(l));
    }
    if let Some(h) = tags.get("height").and_then(|v| metres(v)) {
        p.insert("height_m".into(), json!(h));
    } else if let Some(l) = levels {
        p.insert("height_m".into(), json!(l * METRES_PER_LEVEL));
    }
    p
}

/// A road's width where the way does not give one: lanes × 3.5 m, else by its class.
fn road(tags: &Tags) -> Map<String, Value> {
    let mut p = Map::new();
    name_props(tags, &mut p);
    let kind = tags.get("highway").map_or("road", String::as_str);
    p.insert("kind".into(), json!(kind));
    let width = tags
        .get("width")
        .and_then(|v| metres(v))
        .or_else(|| tags.get("lanes").and_then(|l| l.parse::<f64>().ok()).map(|l| l * 3.5));
    let width = width.unwrap_or(match kind {
        "motorway" | "trunk" | "primary" => 14.0,
        "secondary" => 12.0,
        "tertiary" => 10.0,
        "service" | "track" => 5.0,
        _ => 7.0,
    });
    p.insert("width_m".into(), json!(width));
    p
}

/// Highways that carry vehicles: footways, paths, steps and cycleways are not the park's roads.
fn is_road(tags: &Tags) -> bool {
    tags.get("highway").is_some_and(|h| {
        !matches!(
            h.as_str(),
            "footway"
                | "path"
                | "steps"
                | "cycleway"
                | "pedestrian"
                | "bridleway"
                | "corridor"
                | "elevator"
                | "platform"
                | "proposed"
                | "construction"
                | "bus_stop"
                | "crossing"
                | "street_lamp"
                | "traffic_signals"
        )
    }) && tags.get("area").map(String::as_str) != Some("yes")
}

/// Metres per degree of longitude and latitude at a latitude (a sphere of the WGS84 mean
/// radius: these sizes are estimates for drawing, not survey).
fn metres_per_degree(lat: f64) -> (f64, f64) {
    let m = 6_371_008.8_f64.to_radians();
    (m * lat.to_radians().cos(), m)
}

/// What a tagged way becomes.
#[derive(Clone, Copy, PartialEq)]
enum WayKind {
    Tank,
    Building,
    Industrial,
    Pipeline,
    Road,
    Fence,
}

impl WayKind {
    fn is_line(self) -> bool {
        matches!(self, WayKind::Pipeline | WayKind::Road)
    }

    fn what(self) -> &'static str {
        match self {
            WayKind::Tank => "a storage tank",
            WayKind::Building => "a building",
            WayKind::Industrial => "an industrial parcel",
            WayKind::Fence => "an open fence line: the boundary layer holds the fence's closed ring; it",
            WayKind::Pipeline => "a pipeline",
            WayKind::Road => "a road",
        }
    }
}

/// The park layer a way's tags call for, if any (a tank before a building: tanks are often
/// tagged `building=storage_tank` too).
fn way_kind(t: &Tags) -> Option<WayKind> {
    let is = |k: &str, v: &str| t.get(k).map(String::as_str) == Some(v);
    Some(if is("man_made", "storage_tank") {
        WayKind::Tank
    } else if t.get("building").is_some_and(|b| b != "no") {
        WayKind::Building
    } else if is("landuse", "industrial") {
        WayKind::Industrial
    } else if is("man_made", "pipeline") {
        WayKind::Pipeline
    } else if is_road(t) {
        WayKind::Road
    } else if is("barrier", "fence") {
        WayKind::Fence
    } else {
        return None;
    })
}

/// What `layers` collects: park layer → features.
#[derive(Default)]
struct Out {
    layers: BTreeMap<&'static str, Vec<SourceFeature>>,
    skipped: Vec<Problem>,
}

impl Out {
    fn push(&mut self, layer: &'static str, id: String, geometry: geojson::Value, mut attributes: Map<String, Value>) {
        attributes.insert("osm_id".into(), json!(id.trim_start_matches("osm-")));
        let features = self.layers.entry(layer).or_default();
        features.push(SourceFeature {
            index: features.len(),
            id: Some(id),
            geometry: Some(geometry),
            attributes,
        });
    }
}

impl Extract {
    fn coords(&self, refs: &[i64]) -> Option<Vec<(f64, f64)>> {
        refs.iter().map(|r| self.nodes.get(r).copied()).collect()
    }

    /// The runs of a way's nodes that the extract holds, as positions: a line cut at the
    /// extract's edge keeps its parts inside (runs of two nodes or more).
    fn runs(&self, refs: &[i64]) -> Vec<Vec<Vec<f64>>> {
        let mut runs = Vec::new();
        let mut run: Vec<Vec<f64>> = Vec::new();
        for r in refs {
            match self.nodes.get(r) {
                Some(&(lon, lat)) => run.push(vec![lon, lat]),
                None => {
                    if run.len() > 1 {
                        runs.push(std::mem::take(&mut run));
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            runs.push(run);
        }
        runs
    }

    /// A relation's outer and inner ways joined end to end into closed rings.
    fn rings(&self, r: &Relation) -> Result<Vec<Ring>, String> {
        let mut out = Vec::new();
        for outer in [true, false] {
            let mut pieces: Vec<Vec<i64>> = r
                .members
                .iter()
                .filter(|m| m.way && ((m.role == "inner") != outer))
                .filter_map(|m| self.ways.get(&m.id).map(|w| w.refs.clone()))
                .filter(|refs| refs.len() > 1)
                .collect();
            while let Some(mut ring) = pieces.pop() {
                while ring.first() != ring.last() {
                    let end = *ring.last().unwrap_or(&0);
                    let next = pieces
                        .iter()
                        .position(|p| p.first() == Some(&end) || p.last() == Some(&end));
                    let Some(i) = next else {
                        return Err(format!(
                            "its {} ways do not close into a ring (is the extract cut at them?)",
                            if outer { "outer" } else { "inner" }
                        ));
                    };
                    let mut p = pieces.swap_remove(i);
                    if p.first() != Some(&end) {
                        p.reverse();
                    }
                    ring.extend(p.into_iter().skip(1));
                }
                let coords = self
                    .coords(&ring)
                    .ok_or("a node of its ways is missing from the extract")?;
                if coords.len() >= 4 {
                    out.push((outer, coords));
                }
            }
        }
        if !out.iter().any(|(outer, _)| *outer) {
            return Err("has no outer ring".into());
        }
        Ok(out)
    }
}

fn closed_polygon(coords: Vec<(f64, f64)>) -> geojson::Value {
    polygons(vec![(true, coords)])
}

/// Sorts an extract's elements into the park's layers.
fn layers(file: &str, x: &Extract) -> Vec<SourceLayer> {
    let mut out = Out::default();
    for (id, tags) in &x.tagged_nodes {
        let Some(&(lon, lat)) = x.nodes.get(id) else { continue };
        let fid = format!("osm-n{id}");
        if matches!(tags.get("barrier").map(String::as_str), Some("gate" | "lift_gate")) {
            let mut p = Map::new();
            name_props(tags, &mut p);
            p.insert("kind".into(), json!("general"));
            p.insert("barrier".into(), json!(tags["barrier"]));
            out.push("gates", fid, geojson::Value::Point(vec![lon, lat]), p);
        } else if tags.get("man_made").map(String::as_str) == Some("storage_tank") {
            out.push("tanks", fid, geojson::Value::Point(vec![lon, lat]), tank(tags, None));
        }
    }
    let in_relation: std::collections::HashSet<i64> = x
        .relations
        .iter()
        .filter(|r| r.tags.get("type").map(String::as_str) == Some("multipolygon"))
        .flat_map(|r| r.members.iter().filter(|m| m.way).map(|m| m.id))
        .collect();
    for (id, w) in &x.ways {
        let t = &w.tags;
        let Some(kind) = way_kind(t) else { continue };
        let fid = format!("osm-w{id}");
        let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
        let is = |k: &str, v: &str| t.get(k).map(String::as_str) == Some(v);
        if kind.is_line() {
            // A line cut at the extract's edge keeps what lies inside it.
            let runs = x.runs(&w.refs);
            if runs.is_empty() {
                out.skipped
                    .push(Problem::file(file, "lies outside the extract (its nodes are missing)").at(&fid));
                continue;
            }
            let line = if runs.len() == 1 {
                geojson::Value::LineString(runs[0].clone())
            } else {
                geojson::Value::MultiLineString(runs)
            };
            match kind {
                WayKind::Road => out.push("roads", fid, line, road(t)),
                _ => {
                    let mut p = Map::new();
                    name_props(t, &mut p);
                    if let Some(s) = t.get("substance") {
                        p.insert("medium".into(), json!(s));
                    }
                    if is("location", "overhead") {
                        let rack = format!("osm-rack-w{id}");
                        p.insert("rack".into(), json!(rack));
                        let mut r = Map::new();
                        r.insert("name".into(), json!(format!("Rack of pipeline {id}")));
                        out.push("pipe_racks", rack, line.clone(), r);
                    }
                    out.push("pipes", fid, line, p);
                }
            }
            continue;
        }
        if !closed {
            if !in_relation.contains(id) {
                out.skipped
                    .push(Problem::file(file, format!("is {} whose outline does not close", kind.what())).at(&fid));
            }
            continue;
        }
        let Some(coords) = x.coords(&w.refs) else {
            out.skipped.push(
                Problem::file(
                    file,
                    format!("is {} cut at the extract's edge (nodes missing)", kind.what()),
                )
                .at(&fid),
            );
            continue;
        };
        match kind {
            WayKind::Tank => {
                let (lon, lat, diameter) = centre_and_diameter(&coords);
                out.push(
                    "tanks",
                    fid,
                    geojson::Value::Point(vec![lon, lat]),
                    tank(t, Some(diameter)),
                );
            }
            WayKind::Building => out.push("buildings", fid, closed_polygon(coords), building(t)),
            WayKind::Fence => {
                let mut p = Map::new();
                name_props(t, &mut p);
                out.push("boundary", fid, closed_polygon(coords), p);
            }
            _ => {
                let mut p = Map::new();
                name_props(t, &mut p);
                out.push("enterprises", fid, closed_polygon(coords), p);
            }
        }
    }
    for r in &x.relations {
        let t = &r.tags;
        if t.get("type").map(String::as_str) != Some("multipolygon") {
            continue;
        }
        let layer = if t.get("building").is_some_and(|b| b != "no") {
            "buildings"
        } else if t.get("landuse").map(String::as_str) == Some("industrial") {
            "enterprises"
        } else {
            continue;
        };
        let fid = format!("osm-r{}", r.id);
        match x.rings(r) {
            Ok(rings) => {
                let props = if layer == "buildings" {
                    building(t)
                } else {
                    let mut p = Map::new();
                    name_props(t, &mut p);
                    p
                };
                out.push(layer, fid, polygons(rings), props);
            }
            Err(reason) => out
                .skipped
                .push(Problem::file(file, format!("is a multipolygon that {reason}")).at(&fid)),
        }
    }
    keep_park_fence(file, x, &mut out);
    let mut skipped = Some(out.skipped);
    let mut layers: Vec<SourceLayer> = out
        .layers
        .into_iter()
        .map(|(name, features)| SourceLayer {
            file: file.to_string(),
            name: name.to_string(),
            crs: None,
            fields: None,
            features,
            skipped: Vec::new(),
            attribution: Some(OSM_ATTRIBUTION.to_string()),
        })
        .collect();
    match layers.first_mut() {
        Some(first) => first.skipped = skipped.take().unwrap_or_default(),
        None => layers.push(SourceLayer {
            file: file.to_string(),
            name: "(OpenStreetMap)".into(),
            crs: None,
            fields: None,
            features: Vec::new(),
            skipped: skipped.take().unwrap_or_default(),
            attribution: Some(OSM_ATTRIBUTION.to_string()),
        }),
    }
    layers
}

/// The area inside a closed ring, m² (the shoelace formula on the local metres of its centre).
fn ring_area(ring: &[Vec<f64>]) -> f64 {
    let Some(first) = ring.first() else { return 0.0 };
    let (mx, my) = metres_per_degree(first[1]);
    ring.windows(2)
        .map(|w| {
            ((w[0][0] - first[0]) * mx) * ((w[1][1] - first[1]) * my)
                - ((w[1][0] - first[0]) * mx) * ((w[0][1] - first[1]) * my)
        })
        .sum::<f64>()
        .abs()
        / 2.0
}

/// The park's boundary is its fence: of the closed fences in an extract, the largest, and only
/// where it encloses a quarter of the extract or more. Smaller ones fence a tank or a yard
/// inside the park and are named among what was left out.
fn keep_park_fence(file: &str, x: &Extract, out: &mut Out) {
    let Some(fences) = out.layers.remove("boundary") else {
        return;
    };
    let area = |f: &SourceFeature| match &f.geometry {
        Some(geojson::Value::Polygon(rings)) => rings.first().map_or(0.0, |r| ring_area(r)),
        _ => 0.0,
    };
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for &(lon, lat) in x.nodes.values() {
        lo = [lo[0].min(lon), lo[1].min(lat)];
        hi = [hi[0].max(lon), hi[1].max(lat)];
    }
    let (mx, my) = metres_per_degree((lo[1] + hi[1]) / 2.0);
    let extract = (hi[0] - lo[0]) * mx * (hi[1] - lo[1]) * my;
    let largest = fences.iter().map(area).fold(0.0, f64::max);
    let mut kept = Vec::new();
    for f in fences {
        let a = area(&f);
        let label = f.id.clone().unwrap_or_default();
        if kept.is_empty() && a == largest && a >= extract / 4.0 {
            kept.push(f);
        } else {
            out.skipped.push(
                Problem::file(
                    file,
                    format!("is a closed fence of {a:.0} m² inside the extract of {extract:.0} m²: only a fence round a quarter of it or more is taken for the park's boundary"),
                )
                .at(label),
            );
        }
    }
    if !kept.is_empty() {
        kept[0].index = 0;
        out.layers.insert("boundary", kept);
    }
}

/// A tank's properties: its size from its tags (else the outline's), what it holds.
fn tank(tags: &Tags, outline_diameter: Option<f64>) -> Map<String, Value> {
    let mut p = Map::new();
    name_props(tags, &mut p);
    if let Some(d) = tags.get("diameter").and_then(|v| metres(v)).or(outline_diameter) {
        p.insert("diameter_m".into(), json!((d * 10.0).round() / 10.0));
    }
    if let Some(h) = tags.get("height").and_then(|v| metres(v)) {
        p.insert("height_m".into(), json!(h));
    }
    if let Some(c) = tags.get("content").or_else(|| tags.get("substance")) {
        p.insert("content".into(), json!(c));
    }
    p
}

/// The centre of a closed outline and the diameter of the circle of its area.
fn centre_and_diameter(ring: &[(f64, f64)]) -> (f64, f64, f64) {
    let n = (ring.len() - 1).max(1) as f64;
    let lon = ring.iter().take(ring.len() - 1).map(|p| p.0).sum::<f64>() / n;
    let lat = ring.iter().take(ring.len() - 1).map(|p| p.1).sum::<f64>() / n;
    let (mx, my) = metres_per_degree(lat);
    // The shoelace area in metres, then the circle of the same area.
    let area = ring
        .windows(2)
        .map(|w| ((w[0].0 - lon) * mx) * ((w[1].1 - lat) * my) - ((w[1].0 - lon) * mx) * ((w[0].1 - lat) * my))
        .sum::<f64>()
        .abs()
        / 2.0;
    (lon, lat, 2.0 * (area / std::f64::consts::PI).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_in_metres_only() {
        assert_eq!(metres("12"), Some(12.0));
        assert_eq!(metres("12.5 m"), Some(12.5));
        assert_eq!(metres("40'"), None);
        assert_eq!(metres("tall"), None);
    }

    #[test]
    fn a_square_tank_of_10_m_has_the_diameter_of_its_area() {
        let (mx, my) = metres_per_degree(37.5);
        let (dx, dy) = (10.0 / mx, 10.0 / my);
        let ring = [
            (118.0, 37.5),
            (118.0 + dx, 37.5),
            (118.0 + dx, 37.5 + dy),
            (118.0, 37.5 + dy),
            (118.0, 37.5),
        ];
        let (_, _, d) = centre_and_diameter(&ring);
        // 100 m² is a circle of 11.28 m across.
        assert!((d - 11.284).abs() < 0.01, "{d}");
    }
}
