//! Shelter in place or evacuate (`GET /api/v1/incidents/{id}/protective-actions`): for each
//! sensitive target and enterprise inside an incident's zones, the concentration outdoors over
//! the release and the half hour after it, the concentration indoors that it makes in a building
//! of 0.5 air changes an hour (the single-compartment model ALOHA uses: C_in' = ACH·(C_out −
//! C_in); `parktwin_consequence::effects::indoor`), and the recommendation: shelter in place
//! when the indoor concentration stays below the AEGL-2 zone's level (no irreversible or serious
//! effects), otherwise evacuate, along the quickest road route to the nearest assembly point
//! (the park's shelters) outside every zone. A fire or a blast is not sheltered from here:
//! within its zones the recommendation is to evacuate.

use geo::{Contains, Point};
use parktwin_api::frame::LocalFrame;
use parktwin_api::response::{AssemblyRoute, ProtectiveAction};

use crate::routing::RoadGraph;
use crate::store::{Store, StoreError};

/// The air changes an hour of the building people shelter in: a house with its doors and
/// windows shut, as the incident card assumes (a tight modern one 0.2, an older one 1 or more).
pub const AIR_CHANGES_PER_HOUR: f64 = 0.5;
/// How long after the release ends the exposure is followed, seconds.
const AFTER_S: f64 = 1800.0;
/// The level sheltering must keep below: the AEGL-2 zone's.
const SHELTER_BELOW: &str = "AEGL-2";

/// Shelter in place (`true`) when the indoor peak stays below `level`, mg/m³.
///
/// ```
/// // Chlorine's 60-minute AEGL-2 is 2 ppm, 5.8 mg/m³.
/// assert!(parktwin_server::protective::shelter(5.8, 1.5));
/// assert!(!parktwin_server::protective::shelter(5.8, 6.0));
/// ```
pub fn shelter(level: f64, indoor_peak: f64) -> bool {
    indoor_peak < level
}

/// An assembly point outside every zone: its id, names, where it is (the frame's metres and
/// WGS84).
struct AssemblyPoint {
    id: String,
    name: String,
    name_zh: String,
    at: [f64; 2],
    lon_lat: [f64; 2],
}

impl Store {
    /// The protective action for each sensitive target and enterprise inside the incident's
    /// zones (most severe zone first); `None` for an unknown incident.
    pub fn protective_actions(&self, id: &str) -> Result<Option<Vec<ProtectiveAction>>, StoreError> {
        let (Some(inc), Some(zones_text)) = (self.incident(id)?, self.incident_zones(id)?) else {
            return Ok(None);
        };
        let frame = LocalFrame::new(inc.lon, inc.lat);
        let zones =
            parktwin_dispersion::zones::zones_from_geojson(&serde_json::from_str(&zones_text)?, (inc.lon, inc.lat));
        // The park's places in the zones read once (the vehicles `incident_inside` adds are no
        // places to shelter).
        let inside = parktwin_dispersion::zones::occupants(&zones, (inc.lon, inc.lat), &self.index()?.places);
        let level = zones.iter().find(|z| z.name == SHELTER_BELOW).map(|z| z.threshold);
        let outermost = zones.last().map(|z| z.area.clone());
        let severe = zones.first().map(|z| z.area.clone()).filter(|a| !a.0.is_empty());
        let graph = RoadGraph::new(&crate::resources::roads_in(self, &frame)?);
        let shelters: Vec<AssemblyPoint> = crate::resources::features(self)?
            .into_iter()
            .filter(|(_, p, _)| p["kind"] == "shelter")
            .filter_map(|(fid, p, [lon, lat])| {
                let at = frame.to_map(lon, lat);
                // Only assembly points outside every zone.
                let outside = outermost
                    .as_ref()
                    .is_none_or(|a| !a.contains(&Point::new(at[0], at[1])));
                outside.then(|| AssemblyPoint {
                    id: fid,
                    name: p["name"].as_str().unwrap_or_default().to_string(),
                    name_zh: p["name_zh"].as_str().unwrap_or_default().to_string(),
                    at,
                    lon_lat: [lon, lat],
                })
            })
            .collect();
        let until = inc.duration_s.unwrap_or(3600.0) + AFTER_S;
        let step = until / 240.0;
        let mut out = Vec::new();
        for z in &inside {
            for o in z
                .occupants
                .iter()
                .filter(|o| matches!(o.kind.as_str(), "sensitive_target" | "enterprise"))
            {
                let at = frame.to_map(o.lon, o.lat);
                let outdoor = parktwin_dispersion::incident::threat_at_point(&inc, at[0], at[1], until, step, 600).ok();
                let indoor = outdoor.as_ref().and_then(|s| {
                    let series: Vec<f64> = s.iter().map(|x| x.mg_m3).collect();
                    parktwin_consequence::effects::indoor::indoors(&series, step, AIR_CHANGES_PER_HOUR).ok()
                });
                let peak = |s: &[f64]| s.iter().copied().fold(0.0, f64::max);
                let outdoor_peak = outdoor.map(|s| peak(&s.iter().map(|x| x.mg_m3).collect::<Vec<_>>()));
                let indoor_peak = indoor.as_deref().map(peak);
                let (stay, reason) = match (level, indoor_peak) {
                    (Some(l), Some(p)) if shelter(l, p) => (
                        true,
                        format!(
                            "indoors the concentration peaks at {p:.3} mg/m³, below {SHELTER_BELOW}'s {l:.3} mg/m³"
                        ),
                    ),
                    (Some(l), Some(p)) => (
                        false,
                        format!("indoors the concentration reaches {p:.3} mg/m³, above {SHELTER_BELOW}'s {l:.3} mg/m³"),
                    ),
                    _ => (
                        false,
                        "a fire's heat or a blast: sheltering indoors is not assessed".to_string(),
                    ),
                };
                let assembly = if stay {
                    None
                } else {
                    shelters
                        .iter()
                        .filter_map(|point| Some((graph.route(at, point.at, severe.as_ref())?, point)))
                        .min_by(|a, b| a.0.time_s.total_cmp(&b.0.time_s))
                        .map(|(r, point)| AssemblyRoute {
                            id: point.id.clone(),
                            name: point.name.clone(),
                            name_zh: point.name_zh.clone(),
                            distance_m: (r.distance_m * 10.0).round() / 10.0,
                            time_s: r.time_s.round(),
                            through_zone: r.through_avoided,
                            route: crate::resources::route_line(&frame, &r.path, [o.lon, o.lat], point.lon_lat),
                        })
                };
                out.push(ProtectiveAction {
                    zone: z.zone.clone(),
                    kind: o.kind.clone(),
                    id: o.id.clone(),
                    name: o.name.clone(),
                    people: o.people,
                    action: if stay { "shelter_in_place" } else { "evacuate" }.to_string(),
                    outdoor_peak_mg_m3: outdoor_peak,
                    indoor_peak_mg_m3: indoor_peak,
                    level_mg_m3: level,
                    reason,
                    assembly,
                });
            }
        }
        Ok(Some(out))
    }
}
