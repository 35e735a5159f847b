//! The wall's screen: a band at the top (the park, its clock, the connection, what is on
//! show; amber with DRILL when a drill is shown), key-figure cards on the left, the incident
//! card on the right, the alarm ticker at the bottom, and the map in the middle. Everything is
//! read at a glance from across the room: large type, nothing behind a hover or a click.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use parktwin_api::geometry::Area;
use parktwin_api::live::LiveState;
use parktwin_api::model::{Alarm, AlarmTier};
use parktwin_layers::incident::IncidentState;
use parktwin_scene::{MapFrame, ParkData};

use super::kpi::{Kpis, count, fence_of};
use super::{WallConfig, WallState};
use crate::i18n::{Lang, Msg, fill, rule_name, tier_name, tr};
use crate::sync::FeedStatus;
use crate::theme;

/// Where the wall's panels are, in window pixels, and how large its type is.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct WallLayout {
    /// egui's zoom: points to pixels.
    pub zoom: f32,
    /// The key figures' column, pixels wide.
    pub left: f32,
    /// The incident's column, pixels wide.
    pub right: f32,
    /// The top band, pixels high.
    pub top: f32,
    /// The ticker, pixels high.
    pub bottom: f32,
}

impl WallLayout {
    /// The layout for a window of `window` pixels on the wall's displays. On a wall three or
    /// more displays wide, each side column is a whole display column, so that no card
    /// straddles a seam; otherwise the columns take a share of the width.
    pub fn for_window(window: UVec2, cfg: WallConfig) -> Self {
        let display = window.as_vec2() / cfg.grid.as_vec2();
        // Type for a room: 1.5 times the desktop's on a 1080-line display, and in proportion.
        let zoom = (display.y / 1080.0).max(0.5) * 1.5;
        let (left, right) = if cfg.grid.x >= 3 {
            (display.x, display.x)
        } else {
            let w = (440.0 * zoom).min(window.x as f32 * 0.24);
            (w, w)
        };
        Self {
            zoom,
            left,
            right,
            top: 64.0 * zoom,
            bottom: 48.0 * zoom,
        }
    }

    /// The map's frame: the free middle, and the canvas with the bezels.
    pub fn map_frame(&self, window: UVec2, cfg: WallConfig) -> MapFrame {
        let tiling = super::tiles::Tiling::new(window, cfg.grid, cfg.bezel).ok();
        MapFrame {
            left: self.left,
            right: self.right,
            top: self.top,
            bottom: self.bottom,
            canvas: tiling.filter(|t| !t.is_plain()).map(|t| t.canvas().as_vec2()),
        }
    }
}

/// The colour of the wall's cards.
pub const CARD: egui::Color32 = theme::WALL_CARD;
/// The band's colour, live.
pub const BAND: egui::Color32 = theme::WALL_BAND;
/// The band's colour while a drill is shown: amber, as the drill's bands and tapes are.
pub const DRILL: egui::Color32 = theme::DRILL_BAND;
/// The ticker's background.
pub const TICKER: egui::Color32 = theme::WALL_TICKER;
const RED: egui::Color32 = theme::ALARM;
const AMBER: egui::Color32 = theme::WARNING;
const GREEN: egui::Color32 = theme::GOOD;
const BLUE: egui::Color32 = theme::REMINDER;
const DIM: egui::Color32 = theme::DIM;

/// Everything the screen shows, gathered from the app's state.
#[derive(Debug, Clone, Default)]
pub struct WallScreen {
    /// The park's name.
    pub park: String,
    /// The park's clock: time and date, in its zone.
    pub clock: (String, String),
    /// The connection: in words, and whether it is good.
    pub connection: (String, bool),
    /// What is on show, in words.
    pub on_show: String,
    /// The drill on show, by name.
    pub drill: Option<String>,
    /// The key figures.
    pub kpis: Kpis,
    /// The open alarms, newest first.
    pub alarms: Vec<Alarm>,
    /// The incident on show.
    pub incident: Option<IncidentCard>,
    /// The response to the incident on show: its tasks and messages.
    pub response: Option<super::response::ResponseCard>,
    /// Other open incidents.
    pub other_incidents: usize,
    /// Seconds on a steady clock (the ticker's scroll).
    pub t: f64,
    /// The wall's language.
    pub lang: Lang,
}

/// The incident card's content.
#[derive(Debug, Clone, Default)]
pub struct IncidentCard {
    /// Id and chemical.
    pub title: String,
    /// Release and weather.
    pub lines: Vec<String>,
    /// Each zone, most severe first.
    pub zones: Vec<ZoneLine>,
}

/// One zone of the incident card.
#[derive(Debug, Clone, Default)]
pub struct ZoneLine {
    /// Its name (the level of concern).
    pub name: String,
    /// Its colour on the map.
    pub colour: [u8; 3],
    /// How far downwind it reaches, m, as read ("> 11500" past the model's edge).
    pub reach: String,
    /// It reaches as far every way (a fire's or a blast's): its reach is a radius.
    pub all_round: bool,
    /// How many things are inside.
    pub inside: usize,
    /// How many people are inside.
    pub people: u32,
    /// The first few inside, by name.
    pub names: Vec<String>,
}

impl IncidentCard {
    /// The card of an incident as the map draws it.
    pub fn of(state: &IncidentState, lang: Lang) -> Self {
        let inc = &state.incident;
        let (speed, from, class) = inc.weather_now();
        let release = crate::incident::card::source_text(inc, false, lang);
        let chemical = crate::incident::card::chemical_name(&inc.chemical, lang);
        Self {
            title: format!("{} · {chemical}", inc.id),
            lines: vec![
                crate::i18n::incident_kind(inc.hazard, &inc.levels, lang).to_string()
                    + &match parktwin_layers::incident::chemical(&inc.chemical)
                        .and_then(|c| parktwin_dispersion::incident::cloud_choice(inc, c))
                    {
                        Some(c) if c.dense => format!(" · {}", tr(Msg::HeavyGasShort, lang)),
                        _ => String::new(),
                    },
                fill(
                    Msg::WallRelease,
                    lang,
                    &[("release", release), ("min", format!("{:.0}", state.t_s / 60.0))],
                ),
                fill(
                    Msg::WallIncidentWind,
                    lang,
                    &[
                        ("speed", format!("{speed:.1}")),
                        ("from", format!("{from:.0}")),
                        ("class", class),
                    ],
                ),
            ],
            zones: state
                .inside
                .iter()
                .enumerate()
                .map(|(k, z)| {
                    let reach = state.zones.get(k).map_or_else(|| "0".into(), |z| z.reach_label());
                    let people = z.occupants.iter().filter_map(|o| o.people).sum();
                    let names = z.occupants.iter().take(6).map(|o| o.name.clone()).collect();
                    ZoneLine {
                        name: z.zone.clone(),
                        colour: parktwin_scene::style::ZONE_LEVELS[k.min(2)],
                        reach,
                        all_round: !inc.hazard.is_cloud(),
                        inside: z.occupants.len(),
                        people,
                        names,
                    }
                })
                .collect(),
        }
    }
}

/// The park's clock. Parks are in China, whose zones keep one offset all year (no daylight
/// saving since 1991), so a fixed table is exact; a whole time-zone database would add
/// hundreds of kilobytes to the browser build for nothing. Other zones show UTC, saying so.
pub fn clock(timezone: &str, now: time::OffsetDateTime, lang: Lang) -> (String, String) {
    let (offset, name) = parktwin_api::clock::park_offset(timezone);
    let t = now.to_offset(offset);
    (
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        match lang {
            Lang::En => format!("{} {} ({name})", t.date(), t.weekday()),
            Lang::Zh => {
                let day =
                    ["一", "二", "三", "四", "五", "六", "日"][usize::from(t.weekday().number_days_from_monday())];
                format!("{} 星期{day} ({name})", t.date())
            }
        },
    )
}

/// The connection in words: how old the data is, and whether the wall is reconnecting.
pub fn connection(feed: &FeedStatus, wall: &WallState, lang: Lang) -> (String, bool) {
    let age = feed.last_ok.map(|t| t.elapsed().as_secs());
    match (&feed.error, &wall.error, age) {
        (None, None, Some(a)) if a < 5 => (fill(Msg::WallLive, lang, &[("age", age_words(a, lang))]), true),
        (_, _, Some(a)) => (fill(Msg::WallReconnecting, lang, &[("age", age_words(a, lang))]), false),
        (_, _, None) => (tr(Msg::WallConnecting, lang).into(), false),
    }
}

fn age_words(s: u64, lang: Lang) -> String {
    let (m, n) = match s {
        0..=119 => (Msg::WallSeconds, s),
        120..=7199 => (Msg::WallMinutes, s / 60),
        _ => (Msg::WallHours, s / 3600),
    };
    fill(m, lang, &[("n", n.to_string())])
}

fn card(ui: &mut egui::Ui, title: &str, body: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(CARD)
        .corner_radius(8.0)
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(title).color(DIM).size(15.0));
            body(ui);
        });
    ui.add_space(8.0);
}

fn big(ui: &mut egui::Ui, text: String, colour: egui::Color32) {
    ui.label(egui::RichText::new(text).size(28.0).strong().color(colour));
}

/// Draws the wall in `root` (the whole window).
pub fn draw(root: &mut egui::Ui, w: &WallScreen, layout: &WallLayout) {
    let zoom = layout.zoom;
    let band = if w.drill.is_some() { DRILL } else { BAND };
    egui::Panel::top("wall-band")
        .exact_size(layout.top / zoom)
        .resizable(false)
        .show_separator_line(false)
        .frame(
            egui::Frame::new()
                .fill(band)
                .inner_margin(egui::Margin::symmetric(16, 6)),
        )
        .show(root, |ui| {
            ui.horizontal_centered(|ui| {
                let ink = if w.drill.is_some() {
                    egui::Color32::BLACK
                } else {
                    egui::Color32::WHITE
                };
                ui.label(egui::RichText::new(&w.clock.0).size(34.0).strong().color(ink));
                ui.label(egui::RichText::new(&w.clock.1).size(16.0).color(ink));
                ui.add_space(24.0);
                match &w.drill {
                    Some(name) => {
                        ui.label(
                            egui::RichText::new(fill(Msg::WallDrill, w.lang, &[("name", name.clone())]))
                                .size(30.0)
                                .strong()
                                .color(egui::Color32::BLACK),
                        );
                    }
                    None => {
                        ui.label(egui::RichText::new(&w.park).size(24.0).strong().color(ink));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let (text, good) = &w.connection;
                    let c = match (good, w.drill.is_some()) {
                        (_, true) => egui::Color32::BLACK,
                        (true, _) => GREEN,
                        (false, _) => RED,
                    };
                    ui.label(egui::RichText::new(text).size(20.0).strong().color(c));
                    ui.add_space(20.0);
                    ui.label(egui::RichText::new(&w.on_show).size(16.0).color(ink));
                });
            });
        });
    egui::Panel::bottom("wall-ticker")
        .exact_size(layout.bottom / zoom)
        .resizable(false)
        .show_separator_line(false)
        .frame(egui::Frame::new().fill(TICKER))
        .show(root, |ui| ticker(ui, w));
    let side = egui::Frame::new().fill(theme::WALL_BACKGROUND).inner_margin(10.0);
    egui::Panel::left("wall-kpis")
        .exact_size(layout.left / zoom)
        .resizable(false)
        .show_separator_line(false)
        .frame(side)
        .show(root, |ui| kpi_cards(ui, &w.kpis, w.lang));
    egui::Panel::right("wall-incident")
        .exact_size(layout.right / zoom)
        .resizable(false)
        .show_separator_line(false)
        .frame(side)
        .show(root, |ui| incident_column(ui, w));
    if w.drill.is_some() {
        // An amber frame round the map too: no one glancing at the middle can miss it.
        let r = root.available_rect_before_wrap();
        root.painter().rect_stroke(
            r.shrink(4.0),
            0.0,
            egui::Stroke::new(8.0, DRILL),
            egui::StrokeKind::Inside,
        );
    }
}

fn kpi_cards(ui: &mut egui::Ui, k: &Kpis, lang: Lang) {
    let n = |m: Msg, v: usize| fill(m, lang, &[("n", v.to_string())]);
    card(ui, tr(Msg::WallHazards, lang), |ui| {
        big(
            ui,
            k.hazards_by_level.iter().sum::<usize>().to_string(),
            egui::Color32::WHITE,
        );
        ui.horizontal_wrapped(|ui| {
            let colours = [RED, theme::LEVEL_TWO, AMBER, BLUE];
            for (i, count) in k.hazards_by_level.iter().enumerate() {
                let text = fill(
                    Msg::WallLevel,
                    lang,
                    &[("n", (i + 1).to_string()), ("count", count.to_string())],
                );
                ui.label(egui::RichText::new(text).size(18.0).color(colours[i]));
            }
        });
    });
    card(ui, tr(Msg::WallDetectors, lang), |ui| {
        let online = fill(
            Msg::WallOnline,
            lang,
            &[
                ("online", k.detectors_online.to_string()),
                ("all", k.detectors.to_string()),
            ],
        );
        big(ui, online, egui::Color32::WHITE);
        ui.horizontal_wrapped(|ui| {
            let c = if k.detectors_alarm > 0 { RED } else { DIM };
            ui.label(
                egui::RichText::new(n(Msg::WallInAlarm, k.detectors_alarm))
                    .size(18.0)
                    .color(c),
            );
            let c = if k.detectors_warning > 0 { AMBER } else { DIM };
            ui.label(
                egui::RichText::new(n(Msg::WallWarning, k.detectors_warning))
                    .size(18.0)
                    .color(c),
            );
        });
    });
    card(ui, tr(Msg::WallVehicles, lang), |ui| {
        big(ui, k.vehicles_inside.to_string(), egui::Color32::WHITE);
        ui.label(
            egui::RichText::new(n(Msg::WallTracked, k.vehicles_tracked))
                .size(16.0)
                .color(DIM),
        );
    });
    card(ui, tr(Msg::WallAlarms, lang), |ui| {
        let total: usize = k.alarms_by_tier.iter().sum();
        big(
            ui,
            total.to_string(),
            if k.alarms_by_tier[0] > 0 {
                RED
            } else {
                egui::Color32::WHITE
            },
        );
        ui.horizontal_wrapped(|ui| {
            for (i, t) in [AlarmTier::Alarm, AlarmTier::Warning, AlarmTier::Reminder]
                .into_iter()
                .enumerate()
            {
                let (c, name) = (theme::tier(t), tier_name(t, lang));
                ui.label(
                    egui::RichText::new(format!("{name}: {}", k.alarms_by_tier[i]))
                        .size(18.0)
                        .color(c),
                );
            }
        });
        ui.label(
            egui::RichText::new(n(Msg::WallUnacked, k.alarms_unacked))
                .size(16.0)
                .color(DIM),
        );
    });
    card(ui, tr(Msg::WallWeather, lang), |ui| match &k.weather {
        Some(w) => {
            let wind = fill(
                Msg::WallWind,
                lang,
                &[
                    ("speed", format!("{:.1}", w.speed_ms)),
                    ("from", format!("{:.0}", w.from_deg)),
                ],
            );
            big(ui, wind, egui::Color32::WHITE);
            let air = fill(
                Msg::WallAir,
                lang,
                &[
                    ("t", format!("{:.1}", w.temperature_c)),
                    ("class", format!("{:?}", w.stability)),
                ],
            );
            ui.label(egui::RichText::new(air).size(18.0).color(egui::Color32::WHITE));
            ui.label(
                egui::RichText::new(format!("{} · {}", w.station, w.time.get(11..19).unwrap_or(&w.time)))
                    .size(14.0)
                    .color(DIM),
            );
        }
        None => {
            ui.label(egui::RichText::new(tr(Msg::WallNoReport, lang)).size(18.0).color(DIM));
        }
    });
}

fn incident_column(ui: &mut egui::Ui, w: &WallScreen) {
    let lang = w.lang;
    match &w.incident {
        Some(c) => card(ui, tr(Msg::WallIncident, lang), |ui| {
            ui.label(egui::RichText::new(&c.title).size(24.0).strong().color(RED));
            for l in &c.lines {
                ui.label(egui::RichText::new(l).size(17.0).color(egui::Color32::WHITE));
            }
            for ZoneLine {
                name: zone,
                colour: [r, g, b],
                reach,
                all_round,
                inside: n,
                people,
                names,
            } in &c.zones
            {
                ui.add_space(6.0);
                ui.label(
                    egui::RichText::new(fill(
                        if *all_round { Msg::WallZoneRound } else { Msg::WallZone },
                        lang,
                        &[("zone", zone.clone()), ("reach", reach.clone())],
                    ))
                    .size(19.0)
                    .strong()
                    .color(theme::rgb([*r, *g, *b])),
                );
                ui.label(
                    egui::RichText::new(fill(
                        Msg::WallInside,
                        lang,
                        &[("n", n.to_string()), ("people", people.to_string())],
                    ))
                    .size(17.0)
                    .color(egui::Color32::WHITE),
                );
                if !names.is_empty() {
                    ui.label(egui::RichText::new(names.join(", ")).size(14.0).color(DIM));
                }
            }
        }),
        None => card(ui, tr(Msg::WallIncident, lang), |ui| {
            ui.label(egui::RichText::new(tr(Msg::WallNone, lang)).size(24.0).color(GREEN));
        }),
    }
    if let Some(r) = &w.response {
        card(ui, super::response::title(lang), |ui| r.draw(ui));
    }
    if w.other_incidents > 0 {
        ui.label(
            egui::RichText::new(fill(
                Msg::WallMoreIncidents,
                lang,
                &[("n", w.other_incidents.to_string())],
            ))
            .size(17.0)
            .color(RED),
        );
    }
    card(ui, tr(Msg::WallLatest, lang), |ui| {
        if w.alarms.is_empty() {
            ui.label(egui::RichText::new(tr(Msg::WallNoAlarms, lang)).size(18.0).color(GREEN));
        }
        for a in w.alarms.iter().take(8) {
            let (c, name) = (theme::tier(a.tier), tier_name(a.tier, lang));
            ui.label(
                egui::RichText::new(format!("{} {name} {}", a.raised.get(11..19).unwrap_or(""), a.source))
                    .size(16.0)
                    .color(c),
            );
        }
    });
}

/// The ticker's text for one alarm.
pub fn ticker_item(a: &Alarm, lang: Lang) -> String {
    let name = tier_name(a.tier, lang);
    let ack = match &a.acknowledged {
        Some(k) => fill(Msg::WallAckedBy, lang, &[("by", k.by.clone())]),
        None => String::new(),
    };
    fill(
        Msg::WallTicker,
        lang,
        &[
            ("tier", name.to_string()),
            ("source", a.source.clone()),
            ("rule", rule_name(&a.rule, lang)),
            ("value", format!("{:.2}", a.value)),
            ("time", a.raised.get(11..19).unwrap_or(&a.raised).to_string()),
        ],
    ) + &ack
}

/// The most alarms the ticker runs (the newest).
pub const TICKER_MAX: usize = 40;

/// How fast the ticker runs, points per second.
pub const TICKER_SPEED: f64 = 90.0;

fn ticker(ui: &mut egui::Ui, w: &WallScreen) {
    let rect = ui.max_rect();
    let painter = ui.painter_at(rect);
    let font = egui::FontId::proportional((rect.height() * 0.5).max(10.0));
    let y = rect.center().y;
    if w.alarms.is_empty() {
        painter.text(
            egui::pos2(rect.left() + 16.0, y),
            egui::Align2::LEFT_CENTER,
            tr(Msg::WallNoAlarms, w.lang),
            font,
            GREEN,
        );
        return;
    }
    // One line of each alarm gathered (the newest), scrolling right to left; drawn twice so that
    // the end joins the start.
    let galleys: Vec<_> = w
        .alarms
        .iter()
        .map(|a| {
            let c = theme::tier(a.tier);
            painter.layout_no_wrap(ticker_item(a, w.lang), font.clone(), c)
        })
        .collect();
    let gap = 60.0;
    let total: f32 = galleys.iter().map(|g| g.size().x + gap).sum();
    let shift = (w.t * TICKER_SPEED).rem_euclid(total.max(1.0) as f64) as f32;
    let mut x = rect.left() + 16.0 - shift;
    while x < rect.right() {
        for g in &galleys {
            let width = g.size().x;
            if x + width > rect.left() && x < rect.right() {
                painter.galley(egui::pos2(x, y - g.size().y / 2.0), g.clone(), egui::Color32::WHITE);
            }
            x += width + gap;
        }
    }
}

/// Gathers the screen's content and draws it.
#[allow(clippy::too_many_arguments)] // a Bevy system: its parameters are what it reads
pub fn wall_screen(
    mut contexts: EguiContexts,
    layout: Res<WallLayout>,
    wall: Res<WallState>,
    data: Option<Res<ParkData>>,
    feed: Res<FeedStatus>,
    live: Res<parktwin_layers::live::Live>,
    incidents: Res<parktwin_layers::incident::IncidentView>,
    shown: Res<parktwin_layers::incident::ShownIncident>,
    status: Res<crate::loader::LoadStatus>,
    lang: Res<Lang>,
    time: Res<Time<Real>>,
    mut fence: Local<Option<Area>>,
    (mut sign_in, reading): (ResMut<crate::signin::SignIn>, Res<crate::net::ReadingToken>),
    (basemap, registry): (
        Option<Res<crate::basemap::BasemapStatus>>,
        Res<parktwin_layers::LayerRegistry>,
    ),
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if ctx.zoom_factor() != layout.zoom {
        ctx.set_zoom_factor(layout.zoom);
    }
    if fence.is_none()
        && let Some(d) = &data
    {
        *fence = fence_of(d);
    }
    // A rendered frame shows one moment: the snapshot's, with the ticker standing still.
    let snapshot = feed.showing.moment().map(|t| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
    });
    let now = snapshot.unwrap_or_else(time::OffsetDateTime::now_utc);
    let mut screen = gather(
        data.as_deref(),
        &live.0,
        fence.as_ref(),
        &feed,
        &wall,
        &incidents,
        shown.0.as_deref(),
        now,
        time.elapsed_secs_f64(),
        *lang,
    );
    if !feed.showing.is_live() {
        let t = feed.showing.moment().unwrap_or_default().to_string();
        screen.t = 0.0;
        screen.connection = (fill(Msg::WallSnapshot, *lang, &[("t", t)]), true);
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "wall-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    );
    draw(&mut root, &screen, &layout);
    // The credit in the map's corner, inside the cards and above the ticker.
    let mut map = ctx.viewport_rect();
    map.max.x -= layout.right / layout.zoom;
    map.max.y -= layout.bottom / layout.zoom;
    let credit = crate::basemap::credit_line(
        data.as_deref().and_then(|d| d.park.attribution.as_deref()),
        basemap.as_deref().and_then(|b| b.credit(&registry)),
    );
    theme::attribution(&ctx, credit.as_deref(), map);
    if data.is_none() {
        egui::Area::new("wall-loading".into())
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(&ctx, |ui| match &*status {
                // The wall's own account, signed in once at the wall: its session goes on
                // while the wall reads.
                crate::loader::LoadStatus::SignInNeeded { server, .. } => {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        if let Some(new) = crate::signin::sign_in_to_read(ui, &mut sign_in, server, *lang) {
                            reading.set(Some(new.session.token));
                        }
                    });
                }
                _ => {
                    ui.label(
                        egui::RichText::new(status.describe())
                            .size(24.0)
                            .color(egui::Color32::WHITE),
                    );
                }
            });
    }
    Ok(())
}

/// The screen's content from the app's state.
#[allow(clippy::too_many_arguments)]
pub fn gather(
    data: Option<&ParkData>,
    live: &LiveState,
    fence: Option<&Area>,
    feed: &FeedStatus,
    wall: &WallState,
    incidents: &parktwin_layers::incident::IncidentView,
    shown: Option<&str>,
    now: time::OffsetDateTime,
    t: f64,
    lang: Lang,
) -> WallScreen {
    let now_unix = now.unix_timestamp_nanos() as f64 / 1e9;
    let shown_state = shown.and_then(|id| incidents.incidents.get(id)).or_else(|| {
        incidents
            .incidents
            .values()
            .max_by(|a, b| a.incident.start.cmp(&b.incident.start))
    });
    let on_show = match wall.on_show.as_ref().map(|(s, _)| s.split_once(':').unwrap_or((s, ""))) {
        Some(("sent", by)) => fill(Msg::WallShowingSent, lang, &[("by", by.to_string())]),
        Some(("alarm", src)) => fill(Msg::WallShowingAlarm, lang, &[("source", src.to_string())]),
        Some(("incident", id)) => fill(Msg::WallShowingIncident, lang, &[("id", id.to_string())]),
        Some(("tour", name)) => fill(Msg::WallTour, lang, &[("name", name.to_string())]),
        Some(("home", _)) => tr(Msg::WallTourHome, lang).into(),
        _ => String::new(),
    };
    WallScreen {
        park: data
            .map(|d| lang.pick(&d.park.name, &d.park.name_zh).to_string())
            .unwrap_or_default(),
        clock: clock(data.map_or("UTC", |d| d.park.timezone.as_str()), now, lang),
        connection: connection(feed, wall, lang),
        on_show,
        drill: wall
            .view
            .as_ref()
            .and_then(|v| v.view.drill.as_ref())
            .map(|id| wall.drill_name.clone().unwrap_or_else(|| id.clone())),
        kpis: count(
            data.map_or(&[][..], |d| &d.hazards[..]),
            fence,
            data.map(|d| d.park.origin),
            live,
            now_unix,
        ),
        // The newest 40: the most the ticker runs (and the card lists 8); not every open alarm
        // cloned each frame.
        alarms: live
            .alarms
            .values()
            .rev()
            .filter(|a| a.shelved.is_none())
            .take(TICKER_MAX)
            .cloned()
            .collect(),
        incident: shown_state.map(|s| IncidentCard::of(s, lang)),
        response: shown_state.and_then(|s| super::response::ResponseCard::of(live, &s.incident.id, lang)),
        other_incidents: live.incidents.len().saturating_sub(usize::from(shown_state.is_some())),
        t,
        lang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egui_screen::Screen;

    #[test]
    fn the_park_clock_is_in_the_parks_zone() {
        let t = time::macros::datetime!(2026-11-27 17:30:05 UTC);
        assert_eq!(clock("Asia/Shanghai", t, Lang::En).0, "01:30:05");
        assert_eq!(clock("Asia/Shanghai", t, Lang::En).1, "2026-11-28 Saturday (CST)");
        assert_eq!(clock("Asia/Shanghai", t, Lang::Zh).1, "2026-11-28 星期六 (CST)");
        assert_eq!(clock("Europe/Berlin", t, Lang::En).0, "17:30:05");
        assert!(clock("Europe/Berlin", t, Lang::En).1.contains("UTC"));
    }

    #[test]
    fn the_cards_show_the_figures_and_a_drill_is_marked() {
        let mut w = WallScreen {
            park: "Demo park".into(),
            clock: ("06:00:00".into(), "2026-11-27".into()),
            connection: ("LIVE · data 0 s old".into(), true),
            kpis: Kpis {
                hazards_by_level: [3, 5, 6, 7],
                detectors: 194,
                detectors_online: 190,
                detectors_alarm: 2,
                vehicles_inside: 12,
                alarms_by_tier: [2, 1, 0],
                ..Default::default()
            },
            ..Default::default()
        };
        let layout = WallLayout::for_window(UVec2::new(3840, 1080), WallConfig::default());
        let mut screen = Screen::new();
        screen.frame(vec![], &mut |ui| draw(ui, &w, &layout));
        for text in [
            "MAJOR HAZARD SOURCES",
            "21",
            "Level 1: 3",
            "190 / 194 online",
            "In alarm: 2",
            "12",
            "ALARM: 2",
        ] {
            assert!(screen.shows(text), "no \"{text}\" on the wall");
        }
        assert!(screen.shows("Demo park") && !screen.shows("DRILL"));
        w.drill = Some("Chlorine leak".into());
        screen.frame(vec![], &mut |ui| draw(ui, &w, &layout));
        assert!(screen.shows("DRILL · Chlorine leak · NOT A REAL INCIDENT"));
        // In Chinese, for a Chinese park's command centre.
        w.lang = Lang::Zh;
        screen.frame(vec![], &mut |ui| draw(ui, &w, &layout));
        for text in [
            "重大危险源",
            "1级：3",
            "在线 190 / 194",
            "报警：2",
            "演练 · Chlorine leak · 非真实事故",
        ] {
            assert!(screen.shows(text), "no \"{text}\" on the Chinese wall");
        }
    }

    #[test]
    fn a_wide_wall_gives_each_side_a_whole_display_column() {
        let cfg = WallConfig {
            grid: UVec2::new(4, 2),
            bezel: UVec2::new(40, 30),
            fullscreen: false,
        };
        let l = WallLayout::for_window(UVec2::new(7680, 2160), cfg);
        assert_eq!((l.left, l.right), (1920.0, 1920.0));
        let f = l.map_frame(UVec2::new(7680, 2160), cfg);
        assert_eq!(f.canvas, Some(Vec2::new(7800.0, 2190.0)));
        let one = WallLayout::for_window(UVec2::new(3840, 1080), WallConfig::default());
        assert!(one.left < 1000.0 && one.zoom == 1.5, "{one:?}");
    }
}
