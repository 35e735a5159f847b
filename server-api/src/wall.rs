//! The video wall's view (`GET|PUT /api/v1/wall`): what the operators send to the wall, and the
//! checks a request passes before it replaces the view. The wall itself (following the view,
//! the idle tour, the jump to a new red alarm) is the client's `wall` module.

use crate::validate::json_body;
use serde::{Deserialize, Serialize};

/// A camera view to show again: the point looked at, how far from it, from which side and how
/// steeply.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CameraBookmark {
    /// Longitude of the point looked at, WGS84 degrees.
    pub lon: f64,
    /// Latitude of the point looked at, WGS84 degrees.
    pub lat: f64,
    /// Distance from the camera to that point, metres ([`MIN_DISTANCE_M`] to [`MAX_DISTANCE_M`]).
    #[cfg_attr(feature = "schema", schemars(range(min = 30.0, max = 60_000.0)))]
    pub distance_m: f64,
    /// The way the camera looks, degrees clockwise from north (0: looking north).
    #[serde(default)]
    pub heading_deg: f64,
    /// How steeply it looks down, degrees below the horizon ([`MIN_TILT_DEG`] to [`MAX_TILT_DEG`]).
    #[cfg_attr(feature = "schema", schemars(range(min = 5.0, max = 89.0)))]
    pub tilt_deg: f64,
}

/// The closest a bookmark may be to what it looks at, metres (the map's closest zoom).
pub const MIN_DISTANCE_M: f64 = 30.0;
/// The farthest, metres (the map's farthest zoom).
pub const MAX_DISTANCE_M: f64 = 60_000.0;
/// The flattest view, degrees below the horizon.
pub const MIN_TILT_DEG: f64 = 5.0;
/// The steepest view (straight down is 90).
pub const MAX_TILT_DEG: f64 = 89.0;
/// How far outside the park's bounding box a bookmark may look, degrees (about 20 km): the
/// sensitive targets around the fence are on the wall too.
pub const BBOX_MARGIN_DEG: f64 = 0.2;
/// The most bookmarks a tour holds.
pub const MAX_TOUR: usize = 50;

/// A named bookmark of the wall's idle tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TourStop {
    /// What the stop shows, e.g. "Tank farm north".
    pub name: String,
    /// The view.
    pub camera: CameraBookmark,
}

fn default_dwell() -> u32 {
    20
}

fn default_idle() -> u32 {
    120
}

/// What an operator sends to the wall (`PUT /api/v1/wall`): it replaces the whole view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WallRequest {
    /// The view to show; with `focus` too, the camera frames the focus from this side.
    #[serde(default)]
    pub camera: Option<CameraBookmark>,
    /// A thing to fly to and select: a feature id (detector, gate, tank…) or a truck's plate.
    #[serde(default)]
    pub focus: Option<String>,
    /// The layers shown; the others are hidden. Absent: the wall's layers stay as they are.
    #[serde(default)]
    pub layers: Option<Vec<String>>,
    /// The incident whose card and zones are on show.
    #[serde(default)]
    pub incident: Option<String>,
    /// The drill on show: the wall's map shows the drill's own state instead of the park
    /// live, under a DRILL band.
    #[serde(default)]
    pub drill: Option<String>,
    /// The bookmarks the wall tours while nobody has sent it anything for `idle_s`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 50)))]
    pub tour: Vec<TourStop>,
    /// Seconds at each stop of the tour (5 to 3600).
    #[serde(default = "default_dwell")]
    #[cfg_attr(feature = "schema", schemars(range(min = 5, max = 3600)))]
    pub tour_dwell_s: u32,
    /// Seconds after the last view sent before the tour starts (10 to 86400).
    #[serde(default = "default_idle")]
    #[cfg_attr(feature = "schema", schemars(range(min = 10, max = 86_400)))]
    pub idle_s: u32,
}

impl Default for WallRequest {
    fn default() -> Self {
        Self {
            camera: None,
            focus: None,
            layers: None,
            incident: None,
            drill: None,
            tour: Vec::new(),
            tour_dwell_s: default_dwell(),
            idle_s: default_idle(),
        }
    }
}

/// The wall's view as the server holds it (`GET /api/v1/wall`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WallView {
    /// Goes up by one with every view sent; 0 before the first. Walls act on a new revision.
    pub rev: i64,
    /// When the view was sent, UTC (empty before the first).
    pub set_at: String,
    /// Who sent it (the token's name).
    pub set_by: String,
    /// The view.
    pub view: WallRequest,
}

/// What a view is checked against: the park's bounding box, and the ids it may name.
pub struct WallContext<'a> {
    /// The park's bounding box, `[west, south, east, north]`.
    pub bbox: [f64; 4],
    /// Every layer id the map has.
    pub layers: &'a [String],
    /// Whether an incident id is known.
    pub incident_known: &'a dyn Fn(&str) -> bool,
    /// Whether a drill id is known.
    pub drill_known: &'a dyn Fn(&str) -> bool,
}

/// The layers the map draws of its own, beside the server's catalog.
pub const CLIENT_LAYERS: [&str; 2] = ["vehicles", "incidents"];

impl CameraBookmark {
    /// Checks the bookmark; errors name the field under `at` (e.g. `tour[2].camera`).
    pub fn check(&self, at: &str, bbox: [f64; 4]) -> Result<(), String> {
        let field = |f: &str, why: String| format!("field \"{at}.{f}\": {why}");
        let [w, s, e, n] = bbox;
        let m = BBOX_MARGIN_DEG;
        if !(self.lon.is_finite() && (w - m..=e + m).contains(&self.lon)) {
            return Err(field(
                "lon",
                format!("{} is not near the park (it spans {w} to {e} east)", self.lon),
            ));
        }
        if !(self.lat.is_finite() && (s - m..=n + m).contains(&self.lat)) {
            return Err(field(
                "lat",
                format!("{} is not near the park (it spans {s} to {n} north)", self.lat),
            ));
        }
        if !(MIN_DISTANCE_M..=MAX_DISTANCE_M).contains(&self.distance_m) {
            return Err(field(
                "distance_m",
                format!(
                    "{} m is out of range ({MIN_DISTANCE_M} to {MAX_DISTANCE_M})",
                    self.distance_m
                ),
            ));
        }
        if !self.heading_deg.is_finite() {
            return Err(field("heading_deg", "is not a number of degrees".into()));
        }
        if !(MIN_TILT_DEG..=MAX_TILT_DEG).contains(&self.tilt_deg) {
            return Err(field(
                "tilt_deg",
                format!(
                    "{}° is out of range ({MIN_TILT_DEG} to {MAX_TILT_DEG} below the horizon)",
                    self.tilt_deg
                ),
            ));
        }
        Ok(())
    }
}

impl WallRequest {
    /// Parses and checks a request body: the first error names its field and what is wrong.
    pub fn parse(body: &[u8], cx: &WallContext<'_>) -> Result<Self, String> {
        let mut v: WallRequest = crate::validate::decode_record(json_body(body)?).map_err(|e| match e.path {
            None => format!("the wall view does not read: {}", e.why),
            Some(_) => e.to_string(),
        })?;
        if let Some(c) = &v.camera {
            c.check("camera", cx.bbox)?;
        }
        if let Some(f) = &v.focus
            && (f.trim().is_empty() || f.len() > 200)
        {
            return Err("field \"focus\": must name a feature id or a plate (1 to 200 characters)".into());
        }
        if let Some(layers) = &v.layers {
            for (i, id) in layers.iter().enumerate() {
                let known = cx.layers.iter().any(|l| l == id) || CLIENT_LAYERS.contains(&id.as_str());
                if !known {
                    let mut all: Vec<&str> = cx.layers.iter().map(String::as_str).collect();
                    all.extend(CLIENT_LAYERS);
                    return Err(format!(
                        "field \"layers[{i}]\": no layer \"{id}\"; the layers are: {}",
                        all.join(", ")
                    ));
                }
            }
        }
        if let Some(id) = &v.incident
            && !(cx.incident_known)(id)
        {
            return Err(format!("field \"incident\": no incident \"{id}\""));
        }
        if let Some(id) = &v.drill
            && !(cx.drill_known)(id)
        {
            return Err(format!("field \"drill\": no drill \"{id}\""));
        }
        if v.tour.len() > MAX_TOUR {
            return Err(format!(
                "field \"tour\": {} stops; a tour holds at most {MAX_TOUR}",
                v.tour.len()
            ));
        }
        for (i, stop) in v.tour.iter_mut().enumerate() {
            stop.name = stop.name.trim().to_string();
            if stop.name.is_empty() || stop.name.chars().count() > 80 {
                return Err(format!("field \"tour[{i}].name\": must be 1 to 80 characters"));
            }
            stop.camera.check(&format!("tour[{i}].camera"), cx.bbox)?;
        }
        if !(5..=3600).contains(&v.tour_dwell_s) {
            return Err(format!(
                "field \"tour_dwell_s\": {} s is out of range (5 to 3600)",
                v.tour_dwell_s
            ));
        }
        if !(10..=86_400).contains(&v.idle_s) {
            return Err(format!(
                "field \"idle_s\": {} s is out of range (10 to 86400)",
                v.idle_s
            ));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BBOX: [f64; 4] = [118.42, 37.55, 118.49, 37.59];

    fn check(body: serde_json::Value) -> Result<WallRequest, String> {
        let layers = vec!["tanks".to_string(), "detectors".to_string()];
        let cx = WallContext {
            bbox: BBOX,
            layers: &layers,
            incident_known: &|id| id == "inc-1",
            drill_known: &|id| id == "drill-1",
        };
        WallRequest::parse(body.to_string().as_bytes(), &cx)
    }

    fn cam() -> serde_json::Value {
        serde_json::json!({"lon": 118.45, "lat": 37.57, "distance_m": 1500, "heading_deg": 30, "tilt_deg": 50})
    }

    #[test]
    fn a_full_view_reads_with_its_defaults() {
        let v = check(serde_json::json!({
            "camera": cam(), "layers": ["tanks", "vehicles"], "incident": "inc-1", "drill": "drill-1",
            "tour": [{"name": " North farm ", "camera": cam()}]
        }))
        .expect("a good view");
        assert_eq!(v.camera.expect("camera").distance_m, 1500.0);
        assert_eq!(v.tour[0].name, "North farm");
        assert_eq!((v.tour_dwell_s, v.idle_s), (20, 120));
        assert_eq!(check(serde_json::json!({})).expect("empty"), WallRequest::default());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (
                serde_json::json!({"camera": {"lon": 120.5, "lat": 37.57, "distance_m": 900, "tilt_deg": 40}}),
                "camera.lon",
            ),
            (
                serde_json::json!({"camera": {"lon": 118.45, "lat": 37.57, "distance_m": 5, "tilt_deg": 40}}),
                "camera.distance_m",
            ),
            (
                serde_json::json!({"camera": {"lon": 118.45, "lat": 37.57, "distance_m": 900, "tilt_deg": 95}}),
                "camera.tilt_deg",
            ),
            (
                serde_json::json!({"camera": {"lon": 118.45, "lat": 37.57, "distance_m": 900}}),
                "camera",
            ),
            (
                serde_json::json!({"camera": {"lon": "east", "lat": 37.57, "distance_m": 900, "tilt_deg": 40}}),
                "camera.lon",
            ),
            (serde_json::json!({"layers": ["tanks", "hydrants"]}), "layers[1]"),
            (serde_json::json!({"incident": "inc-9"}), "incident"),
            (serde_json::json!({"drill": "drill-9"}), "drill"),
            (serde_json::json!({"focus": "  "}), "focus"),
            (
                serde_json::json!({"tour": [{"name": "a", "camera": cam()}, {"name": "", "camera": cam()}]}),
                "tour[1].name",
            ),
            (serde_json::json!({"tour_dwell_s": 1}), "tour_dwell_s"),
            (serde_json::json!({"idle_s": 0}), "idle_s"),
            (serde_json::json!({"zoom": 3}), "unknown field `zoom`"),
        ];
        for (body, field) in cases {
            let e = check(body.clone()).expect_err(&format!("{body} must be refused"));
            assert!(e.contains(field), "{body}: \"{e}\" does not name {field}");
        }
        let mut bad = cam();
        bad["lat"] = serde_json::json!(40.0);
        let e = check(serde_json::json!({"tour": [{"name": "a", "camera": bad}]})).expect_err("far away");
        assert!(e.contains("tour[0].camera.lat"), "{e}");
        assert!(check(serde_json::json!([1])).is_err());
        assert!(
            WallRequest::parse(
                b"{",
                &WallContext {
                    bbox: BBOX,
                    layers: &[],
                    incident_known: &|_| false,
                    drill_known: &|_| false
                }
            )
            .expect_err("not JSON")
            .contains("not JSON")
        );
    }
}
