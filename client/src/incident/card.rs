//! The incident card of the panel: the release and its weather, each zone with who is inside,
//! the threat over time at a place inside, and the exports (zones GeoJSON, who-is-inside CSV
//! and GeoJSON, a PNG of the view with the legend).

use std::path::PathBuf;

use bevy_egui::egui;
use parktwin_api::incident::ZoneOccupants;
use parktwin_api::response::{ProtectiveAction, ResourceRoute};
use parktwin_consequence::effects::indoor::{indoors, toxic_load};
use parktwin_consequence::effects::probit::toxic_deaths;
use parktwin_dispersion::chem::mg_m3_to_ppm;
use parktwin_dispersion::incident::{CloudChoice, cloud_choice};
use parktwin_layers::incident::{IncidentState, MAX_PUFFS};

use crate::i18n::{Lang, Msg, fill, incident_kind, tr};
use crate::{export, theme};

/// The emergency resources' routes to the incident on show, read from the server once a
/// minute and whenever its tasks move on (`GET /incidents/{id}/resources`); the map draws
/// the routes the card lists.
#[derive(Debug, Default, bevy::prelude::Resource)]
pub struct Resources {
    /// The incident they are for, when they were asked for (seconds of the app's clock) and
    /// the state of its tasks then.
    asked: Option<(String, f64, u64)>,
    got: crate::net::Fetched<Vec<ResourceRoute>>,
    actions: crate::net::Fetched<Vec<ProtectiveAction>>,
}

/// How many of the nearest resources the card lists and the map draws the routes of, besides
/// those a task has taken.
pub const RESOURCES_SHOWN: usize = 5;

/// The routes the card lists: the nearest few, and every one a task has taken.
pub fn listed(routes: &[ResourceRoute]) -> impl Iterator<Item = &ResourceRoute> {
    routes
        .iter()
        .enumerate()
        .filter(|(i, r)| *i < RESOURCES_SHOWN || is_taken(r))
        .map(|(_, r)| r)
}

/// Whether an open task has taken the resource.
pub fn is_taken(r: &ResourceRoute) -> bool {
    matches!(r.status.as_str(), "assigned" | "en_route" | "on_scene")
}

/// How often the routes are read again, seconds.
const RESOURCES_EVERY_S: f64 = 60.0;

impl Resources {
    /// The nearest resources by road: name, distance, time and ETA, and whether the routes stop
    /// at the most severe zone's edge or must cross it.
    /// `tasks` is a digest of the incident's tasks: a change asks again (a dispatched
    /// resource's status).
    pub fn section(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        tasks: u64,
        server: &crate::net::ServerUrl,
        now_s: f64,
        lang: Lang,
    ) {
        let stale = self
            .asked
            .as_ref()
            .is_none_or(|(was, at, key)| was != id || now_s - at > RESOURCES_EVERY_S || *key != tasks);
        if stale {
            if self.asked.as_ref().is_some_and(|(was, ..)| was != id) {
                *self.got.lock().unwrap_or_else(|p| p.into_inner()) = None;
                *self.actions.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            self.asked = Some((id.to_string(), now_s, tasks));
            let (api, cell, actions, key) = (server.api(), self.got.clone(), self.actions.clone(), id.to_string());
            crate::net::spawn("incident resources", move || async move {
                let got = api.incident_resources(&key).await.map_err(|e| e.to_string());
                *cell.lock().unwrap_or_else(|p| p.into_inner()) = Some(got);
                let got = api.protective_actions(&key).await.map_err(|e| e.to_string());
                *actions.lock().unwrap_or_else(|p| p.into_inner()) = Some(got);
            });
        }
        self.protective(ui, lang);
        let got = self.got.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(got) = got else { return };
        ui.strong(tr(Msg::ResourcesByRoad, lang));
        match got {
            Err(e) => {
                ui.small(e);
            }
            Ok(routes) => {
                if let Some(r) = routes.first()
                    && let Some(zone) = &r.zone
                    && r.stops_at_zone
                {
                    ui.small(fill(Msg::ResourcesStop, lang, &[("zone", zone.clone())]));
                }
                for r in listed(&routes) {
                    let line = fill(
                        Msg::ResourceLine,
                        lang,
                        &[
                            ("name", lang.pick(&r.name, &r.name_zh).to_string()),
                            ("status", crate::i18n::status_name(&r.status, lang)),
                            ("km", format!("{:.1}", r.distance_m / 1000.0)),
                            ("min", format!("{:.0}", (r.time_s / 60.0).ceil())),
                            ("eta", r.eta.get(11..16).unwrap_or("").to_string()),
                        ],
                    );
                    let line = match (&r.plate, &r.fix) {
                        (Some(_), Some(t)) => {
                            let at = t.get(11..19).unwrap_or(t).to_string();
                            format!("{line} · {}", fill(Msg::ResourceFrom, lang, &[("t", at)]))
                        }
                        (Some(_), None) => format!("{line} · {}", tr(Msg::ResourceHome, lang)),
                        (None, _) => line,
                    };
                    if r.through_zone {
                        ui.colored_label(
                            crate::theme::ERROR,
                            format!(
                                "{line} · {}",
                                fill(
                                    Msg::ResourceThrough,
                                    lang,
                                    &[("zone", r.zone.clone().unwrap_or_default())]
                                )
                            ),
                        );
                    } else {
                        ui.small(line);
                    }
                }
            }
        }
    }
}

impl Resources {
    /// Whether the routes to the incident `id` have been read (or failed to be).
    pub fn read_for(&self, id: &str) -> bool {
        self.asked.as_ref().is_some_and(|(was, ..)| was == id) && self.got.lock().is_ok_and(|g| g.is_some())
    }

    /// The routes the card lists for the incident `id`, with their resources' status, once
    /// read.
    pub fn routes_of(&self, id: &str) -> Vec<ResourceRoute> {
        if self.asked.as_ref().is_none_or(|(was, ..)| was != id) {
            return Vec::new();
        }
        match &*self.got.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(routes)) => listed(routes).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Shelter in place or evacuate: how many places each, and where each place to evacuate goes.
    fn protective(&self, ui: &mut egui::Ui, lang: Lang) {
        let got = self.actions.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(Ok(actions)) = got else { return };
        if actions.is_empty() {
            return;
        }
        let evacuate: Vec<&ProtectiveAction> = actions.iter().filter(|a| a.action == "evacuate").collect();
        ui.strong(fill(
            Msg::ProtectiveSummary,
            lang,
            &[
                ("shelter", (actions.len() - evacuate.len()).to_string()),
                ("evacuate", evacuate.len().to_string()),
            ],
        ));
        for a in evacuate.iter().take(6) {
            let to = a.assembly.as_ref().map_or_else(
                || tr(Msg::NoAssemblyPoint, lang).to_string(),
                |r| {
                    format!(
                        "{} ({:.0} min)",
                        lang.pick(&r.name, &r.name_zh),
                        (r.time_s / 60.0).ceil()
                    )
                },
            );
            ui.colored_label(
                theme::ERROR,
                fill(Msg::EvacuateTo, lang, &[("place", a.name.clone()), ("point", to)]),
            );
        }
    }
}

/// Who is inside, as CSV: zone, kind, id, name, people, lon, lat.
pub fn inside_csv(inside: &[ZoneOccupants]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("zone,kind,id,name,people,lon,lat\n");
    for z in inside {
        for o in &z.occupants {
            out.push_str(&format!(
                "{},{},{},{},{},{:.7},{:.7}\n",
                quote(&z.zone),
                quote(&o.kind),
                quote(&o.id),
                quote(&o.name),
                o.people.map(|n| n.to_string()).unwrap_or_default(),
                o.lon,
                o.lat
            ));
        }
    }
    out
}

/// Who is inside, as an RFC 7946 FeatureCollection of points.
pub fn inside_geojson(inside: &[ZoneOccupants]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = inside
        .iter()
        .flat_map(|z| {
            z.occupants.iter().map(move |o| {
                serde_json::json!({
                    "type": "Feature",
                    "id": format!("{}:{}", o.kind, o.id),
                    "geometry": {"type": "Point", "coordinates": [o.lon, o.lat]},
                    "properties": {"zone": z.zone, "kind": o.kind, "id": o.id, "name": o.name, "people": o.people},
                })
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// The chemical's name to show: its Chinese name in Chinese (from the built-in table).
pub(crate) fn chemical_name(name: &str, lang: Lang) -> String {
    match parktwin_layers::incident::chemicals().get(name) {
        Some(c) => lang.pick(name, &c.name_zh).to_string(),
        None => name.to_string(),
    }
}

/// What an occupant is, in `lang`.
fn kind_name(kind: &str, lang: Lang) -> String {
    let m = match kind {
        "vehicle" => Msg::KindVehicle,
        "sensitive_target" => Msg::KindSensitive,
        "detector" => Msg::KindDetector,
        "enterprise" => Msg::KindEnterprise,
        "weather_station" => Msg::KindStation,
        other => return other.replace('_', " "),
    };
    tr(m, lang).to_string()
}

/// The wind in force, as one line.
fn wind_line(speed: f64, from: f64, class: &str, lang: Lang) -> String {
    fill(
        Msg::WindLine,
        lang,
        &[
            ("speed", format!("{speed:.1}")),
            ("from", format!("{from:.0}")),
            ("class", class.to_string()),
        ],
    )
}

/// What burns or is released, as one line: a pool's size, or the release's amount (with its
/// duration where `with_duration`).
pub(crate) fn source_text(inc: &parktwin_api::incident::Incident, with_duration: bool, lang: Lang) -> String {
    match (inc.pool_diameter_m, &inc.rate_profile) {
        (Some(d), _) => fill(Msg::PoolOf, lang, &[("d", format!("{d:.0}"))]),
        (None, Some(p)) if p.len() > 1 => {
            let ([_, first], [end_s, _]) = (p[0], p[p.len() - 1]);
            fill(
                Msg::ReleaseFalling,
                lang,
                &[
                    ("rate", format!("{first:.2}")),
                    ("end", format!("{:.2}", p[p.len() - 2][1])),
                    ("min", format!("{:.0}", end_s / 60.0)),
                ],
            )
        }
        _ => {
            release_text(
                inc.rate_kg_s,
                inc.mass_kg,
                inc.duration_s.filter(|_| with_duration),
                lang,
            ) + &match inc.hazard {
                parktwin_api::incident::Hazard::Explosion => fill(
                    Msg::StrengthOf,
                    lang,
                    &[(
                        "n",
                        inc.blast_strength
                            .unwrap_or(parktwin_consequence::explosion::multi_energy::DEFAULT_STRENGTH)
                            .to_string(),
                    )],
                ),
                _ => String::new(),
            }
        }
    }
}

/// The model a cloud is drawn with, and the number the switch read.
pub(crate) fn model_line(c: &CloudChoice, instantaneous: bool, lang: Lang) -> String {
    let what = if instantaneous { "(g₀′V₀^⅓)^½/u" } else { "Ri" };
    fill(
        if c.dense { Msg::CloudHeavy } else { Msg::CloudGaussian },
        lang,
        &[
            ("what", what.into()),
            ("value", format!("{:.2}", c.switch.criterion)),
            ("limit", format!("{}", c.switch.threshold)),
        ],
    )
}

/// A release's amount as one line: a rate (and how long), or a mass at once.
fn release_text(rate: Option<f64>, mass: Option<f64>, duration_s: Option<f64>, lang: Lang) -> String {
    match (rate, mass) {
        (Some(r), _) => {
            fill(Msg::ReleaseRate, lang, &[("rate", r.to_string())])
                + &duration_s
                    .map(|d| fill(Msg::ReleaseFor, lang, &[("min", format!("{:.0}", d / 60.0))]))
                    .unwrap_or_default()
        }
        (_, Some(m)) => fill(Msg::ReleaseMass, lang, &[("mass", m.to_string())]),
        _ => String::new(),
    }
}

/// What the card asks the app to do.
#[derive(Debug, Default)]
pub struct CardActions {
    /// Save a PNG of the window to this path.
    pub screenshot: Option<PathBuf>,
    /// Close this incident (with the operator's token).
    pub close: Option<String>,
    /// A message to show (where an export went).
    pub message: Option<String>,
}

/// Draws the card of one incident; `zones_fc` is the server's GeoJSON of its zones.
pub fn incident_card(
    ui: &mut egui::Ui,
    state: &IncidentState,
    zones_fc: Option<&serde_json::Value>,
    can_close: bool,
    chart_for: &mut Option<(String, f64, f64)>,
    lang: Lang,
) -> CardActions {
    let t = |m: Msg| tr(m, lang);
    let mut act = CardActions::default();
    let inc = &state.incident;
    let red = theme::ERROR;
    ui.colored_label(
        red,
        egui::RichText::new(format!(
            "{} {}: {} · {}",
            t(Msg::Incident),
            inc.id,
            chemical_name(&inc.chemical, lang),
            incident_kind(inc.hazard, &inc.levels, lang)
        ))
        .strong(),
    );
    let source = source_text(inc, true, lang);
    let (speed, from, class) = inc.weather_at(state.t_s);
    ui.label(fill(
        Msg::ReleaseLine,
        lang,
        &[
            ("source", source),
            ("height", format!("{:.0}", inc.height_m)),
            ("min", format!("{:.0}", state.t_s / 60.0)),
        ],
    ));
    ui.label(
        wind_line(speed, from, &class, lang)
            + &match &inc.station {
                Some(s) => fill(
                    Msg::FollowsStation,
                    lang,
                    &[("station", s.clone()), ("shifts", inc.shifts.len().to_string())],
                ),
                None if parktwin_api::scenario::DrillFolder::is_drill_incident(&inc.id) => {
                    fill(Msg::DrillWeather, lang, &[("shifts", inc.shifts.len().to_string())])
                }
                None => t(Msg::FixedWeather).to_string(),
            },
    );
    let heavy = match parktwin_layers::incident::chemical(&inc.chemical).and_then(|c| cloud_choice(inc, c)) {
        Some(c) => {
            ui.label(model_line(&c, inc.mass_kg.is_some(), lang));
            c.dense
        }
        None => false,
    };
    // The threat at the place last clicked (on the map, or an occupant's button below).
    if let Some((name, lon, lat)) = chart_for.clone() {
        if heavy {
            ui.label(t(Msg::HeavyNoChart));
        } else {
            threat_chart(ui, state, &name, lon, lat, lang);
        }
    }
    for (k, z) in state.inside.iter().enumerate() {
        let reach = state.zones.get(k).map_or_else(|| "0".into(), |z| z.reach_label());
        let people: u32 = z.occupants.iter().filter_map(|o| o.people).sum();
        let colour = theme::zone(k);
        let level = state.levels.get(k).map_or(0.0, |l| l.1);
        let line = if inc.hazard.is_cloud() {
            fill(
                Msg::ZoneLine,
                lang,
                &[
                    ("zone", z.zone.clone()),
                    ("level", format!("{level:.3}")),
                    ("reach", reach),
                    ("count", z.occupants.len().to_string()),
                ],
            )
        } else {
            fill(
                // A pool fire leans with the wind: its reach is downwind's.
                if inc.hazard == parktwin_api::incident::Hazard::PoolFire {
                    Msg::ZoneDownwind
                } else {
                    Msg::ZoneRadius
                },
                lang,
                &[
                    ("zone", z.zone.clone()),
                    ("reach", reach),
                    ("count", z.occupants.len().to_string()),
                ],
            )
        };
        egui::CollapsingHeader::new(
            egui::RichText::new(
                line + &if people > 0 {
                    format!(", {people} {}", t(Msg::People))
                } else {
                    String::new()
                },
            )
            .color(colour),
        )
        .id_salt(format!("{}-{}", inc.id, z.zone))
        .default_open(k == 0)
        .show(ui, |ui| {
            for o in &z.occupants {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} · {}{}",
                        kind_name(&o.kind, lang),
                        o.name,
                        o.people
                            .map(|n| format!(" · {n} {}", t(Msg::People)))
                            .unwrap_or_default()
                    ));
                    // A fire's or a blast's threat is its zone; a cloud's changes over time.
                    if inc.hazard.is_cloud() && ui.small_button(t(Msg::Threat)).clicked() {
                        *chart_for = Some((o.name.clone(), o.lon, o.lat));
                    }
                });
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        if ui.button(t(Msg::ExportZones)).clicked() {
            act.message = Some(match zones_fc {
                Some(fc) => export::write(&format!("{}-zones.geojson", inc.id), &fc.to_string(), lang),
                None => t(Msg::ZonesNotYet).into(),
            });
        }
        if ui.button(t(Msg::ExportInsideCsv)).clicked() {
            act.message = Some(export::write(
                &format!("{}-inside.csv", inc.id),
                &inside_csv(&state.inside),
                lang,
            ));
        }
        if ui.button(t(Msg::ExportInsideGeojson)).clicked() {
            act.message = Some(export::write(
                &format!("{}-inside.geojson", inc.id),
                &inside_geojson(&state.inside).to_string(),
                lang,
            ));
        }
        if ui.button(t(Msg::ExportView)).clicked() {
            let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
            act.screenshot = Some(PathBuf::from(export::EXPORT_DIR).join(format!("{}-view-{stamp}.png", inc.id)));
        }
        if can_close && ui.button(t(Msg::CloseIncident)).clicked() {
            act.close = Some(inc.id.clone());
        }
    });
    act
}

/// The legend of the incident on show, over the map's lower left corner (so that it is in
/// every picture of the map, the PNG export's included): the concentration ramp with its ends,
/// the levels of concern and their thresholds, and the wind.
pub fn map_legend(ctx: &egui::Context, state: &IncidentState, lang: Lang) {
    let inc = &state.incident;
    if !inc.hazard.is_cloud() {
        return zones_legend(ctx, state, lang);
    }
    let (speed, from, class) = inc.weather_at(state.t_s);
    let low = state.levels.last().map_or(0.1, |l| l.1 / 10.0);
    let high = state.levels.first().map_or(1000.0, |l| l.1 * 10.0);
    legend_box(ctx, |ui| {
        ui.strong(format!(
            "{} {}: {}",
            inc.id,
            chemical_name(&inc.chemical, lang),
            tr(Msg::GroundConcentration, lang)
        ));
        let (rect, _) = ui.allocate_exact_size(egui::vec2(220.0, 12.0), egui::Sense::hover());
        let n = 44;
        for k in 0..n {
            let w = rect.width() / n as f32;
            let slice = egui::Rect::from_min_size(
                rect.min + egui::vec2(k as f32 * w, 0.0),
                egui::vec2(w + 0.5, rect.height()),
            );
            ui.painter()
                .rect_filled(slice, 0.0, theme::ramp(k as f32 / (n - 1) as f32));
        }
        ui.horizontal(|ui| {
            ui.small(format!("{low:.3} mg/m³"));
            ui.add_space(60.0);
            ui.small(format!("{high:.1} mg/m³ {}", tr(Msg::LogScale, lang)));
        });
        for (k, (name, mg)) in state.levels.iter().enumerate().take(3) {
            ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(egui::vec2(24.0, 10.0), egui::Sense::hover());
                // The line's colour on the map (`field.wgsl`, linear).
                let [cr, cg, cb] = [[0.85, 0.0, 0.0], [1.0, 0.5, 0.0], [1.0, 0.9, 0.0]][k];
                ui.painter()
                    .rect_filled(r.shrink2(egui::vec2(0.0, 3.0)), 0.0, egui::Rgba::from_rgb(cr, cg, cb));
                ui.label(format!("{name} ≥ {mg:.3} mg/m³"));
            });
        }
        ui.label(wind_line(speed, from, &class, lang));
    });
}

/// The legend's box over the map's lower left corner.
fn legend_box(ctx: &egui::Context, body: impl FnOnce(&mut egui::Ui)) {
    egui::Area::new(egui::Id::new("incident-legend"))
        .anchor(egui::Align2::LEFT_BOTTOM, egui::vec2(12.0, -12.0))
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, body);
        });
}

/// The legend of a fire or a blast on show: its kind, its zones in their colours with their
/// reach, and the wind that carries its smoke.
fn zones_legend(ctx: &egui::Context, state: &IncidentState, lang: Lang) {
    let inc = &state.incident;
    let (speed, from, class) = inc.weather_at(state.t_s);
    legend_box(ctx, |ui| {
        ui.strong(format!(
            "{} {}: {} · {}",
            inc.id,
            chemical_name(&inc.chemical, lang),
            incident_kind(inc.hazard, &inc.levels, lang),
            tr(Msg::ZonesAround, lang)
        ));
        for (k, z) in state.zones.iter().enumerate().take(3) {
            ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(egui::vec2(24.0, 10.0), egui::Sense::hover());
                ui.painter()
                    .rect_filled(r.shrink2(egui::vec2(0.0, 3.0)), 0.0, theme::zone(k));
                ui.label(format!("{}: {} m", z.name, z.reach_label()));
            });
        }
        ui.label(wind_line(speed, from, &class, lang));
    });
}

/// The air changes an hour of the shelter the card follows: a house with its doors and windows
/// shut (a modern tight one about 0.2, an older one 1 or more).
pub const SHELTER_AIR_CHANGES_PER_HOUR: f64 = 0.5;

/// The share the chemical's toxic probit says dies breathing `outside` (mg/m³, a value every
/// `step_s` seconds) outdoors, and inside a shelter of [`SHELTER_AIR_CHANGES_PER_HOUR`]; `None`
/// for a chemical without a trusted probit.
pub fn deaths_outside_and_inside(chemical: &str, outside: &[f64], step_s: f64, temp_c: f64) -> Option<(f64, f64)> {
    let probit = toxic_deaths(chemical)?;
    let molar_mass = parktwin_layers::incident::chemical(chemical)?.molar_mass;
    let ppm: Vec<f64> = outside.iter().map(|c| mg_m3_to_ppm(*c, molar_mass, temp_c)).collect();
    let inside = indoors(&ppm, step_s, SHELTER_AIR_CHANGES_PER_HOUR).ok()?;
    let share = |series: &[f64]| probit.share_of_load(toxic_load(series, step_s, probit.n));
    Some((share(&ppm), share(&inside)))
}

/// Concentration over time at a place, against the levels of concern, and the dose so far.
fn threat_chart(ui: &mut egui::Ui, state: &IncidentState, name: &str, lon: f64, lat: f64, lang: Lang) {
    use egui_plot::{HLine, Line, Plot, PlotPoints};
    let inc = &state.incident;
    let frame = parktwin_api::frame::LocalFrame::new(inc.lon, inc.lat);
    let [e, n] = frame.to_map(lon, lat);
    let until = (state.t_s + 1800.0).max(600.0);
    let Ok(samples) = parktwin_dispersion::incident::threat_at_point(inc, e, n, until, until / 120.0, MAX_PUFFS) else {
        return;
    };
    let dose = samples.last().map_or(0.0, |s| s.dose_mg_min_m3);
    ui.label(fill(
        Msg::ThreatAt,
        lang,
        &[
            ("place", name.to_string()),
            ("dose", format!("{dose:.1}")),
            ("min", format!("{:.0}", until / 60.0)),
        ],
    ));
    let step_s = until / 120.0;
    let outside: Vec<f64> = samples.iter().map(|s| s.mg_m3).collect();
    let inside = indoors(&outside, step_s, SHELTER_AIR_CHANGES_PER_HOUR).unwrap_or_default();
    if let Some((out, within)) = deaths_outside_and_inside(&inc.chemical, &outside, step_s, inc.weather.temperature_c) {
        ui.label(fill(
            Msg::DeathsOutIn,
            lang,
            &[
                ("out", format!("{:.1}", out * 100.0)),
                ("in", format!("{:.1}", within * 100.0)),
            ],
        ));
    }
    let log = |series: &[f64]| -> PlotPoints {
        samples
            .iter()
            .zip(series)
            .map(|(s, c)| [s.t_s / 60.0, c.max(1e-6).log10()])
            .collect()
    };
    let (pts, pts_inside) = (log(&outside), log(&inside));
    Plot::new(format!("threat-{}", inc.id))
        .height(140.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label(tr(Msg::MinSinceStart, lang))
        .y_axis_label("log10 mg/m³")
        .show(ui, |plot| {
            // Cyan, as the cross that marks the clicked place on the map.
            plot.line(Line::new(tr(Msg::Concentration, lang), pts).color(theme::CONCENTRATION));
            let indoors_name = fill(Msg::Indoors, lang, &[("ach", SHELTER_AIR_CHANGES_PER_HOUR.to_string())]);
            plot.line(
                Line::new(indoors_name, pts_inside)
                    .color(theme::CONCENTRATION)
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
            for (k, (lname, v)) in state.levels.iter().enumerate() {
                let c = theme::zone(k);
                plot.hline(HLine::new(lname.clone(), v.log10()).color(c));
            }
            plot.vline(egui_plot::VLine::new(tr(Msg::Now, lang), state.t_s / 60.0));
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::incident::Occupant;

    #[test]
    fn the_csv_quotes_names_and_keeps_one_row_per_occupant() {
        let o = |kind: &str, id: &str, name: &str, people| Occupant {
            kind: kind.into(),
            id: id.into(),
            name: name.into(),
            people,
            lon: 118.5,
            lat: 37.5,
        };
        let inside = vec![
            ZoneOccupants {
                zone: "AEGL-3".into(),
                occupants: vec![o("vehicle", "鲁E12345", "鲁E12345", None)],
            },
            ZoneOccupants {
                zone: "AEGL-2".into(),
                occupants: vec![o("sensitive_target", "st-01", "Xiaowa \"East\", village", Some(1200))],
            },
        ];
        let csv = inside_csv(&inside);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "zone,kind,id,name,people,lon,lat");
        assert_eq!(lines[1], "AEGL-3,vehicle,鲁E12345,鲁E12345,,118.5000000,37.5000000");
        assert_eq!(
            lines[2],
            "AEGL-2,sensitive_target,st-01,\"Xiaowa \"\"East\"\", village\",1200,118.5000000,37.5000000"
        );
        let fc = inside_geojson(&inside);
        assert_eq!(fc["features"].as_array().map(Vec::len), Some(2));
        assert_eq!(fc["features"][1]["properties"]["people"], 1200);
    }

    #[test]
    fn sheltering_from_a_chlorine_cloud_spares_most_of_those_it_would_kill_outdoors() {
        // 300 ppm of chlorine (about 870 mg/m³ at 20 °C) for 30 minutes, then clean air, one
        // value a minute: Withers & Lees's probit kills more than half outdoors; inside a house
        // of 0.5 air changes an hour that nobody airs after the cloud, about 2 % over the hour
        // and a half.
        let mg = 300.0 * 70.906 / parktwin_dispersion::chem::molar_volume_l(20.0);
        let mut outside = vec![mg; 30];
        outside.extend([0.0; 60]);
        let (out, within) = deaths_outside_and_inside("chlorine", &outside, 60.0, 20.0).expect("a probit");
        assert!(out > 0.5 && within > 0.01 && within < 0.03, "{out} {within}");
        assert_eq!(deaths_outside_and_inside("methanol", &outside, 60.0, 20.0), None);
    }
}
