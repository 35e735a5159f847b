//! The panel's alarms: the open ones newest first, each with its state (acknowledged, assigned,
//! resolved, cleared and waiting to be closed, shelved), fly-to, and for an operator the steps
//! of its lifecycle (acknowledge; assign, resolve, close, shelve in its form); and the
//! alarm-management figures of the last day (`GET /api/v1/alarms/figures`), read once a minute.

use bevy_egui::egui;
use parktwin_api::alarm_figures::{ACCEPTABLE_PER_10_MIN, AlarmFigures, FLOOD_OVER};
use parktwin_api::alarm_life::AlarmState;
use parktwin_api::kinds::AlarmRule;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_api::model::Alarm;
use parktwin_scene::FeatureRef;
use serde_json::json;

use crate::i18n::{Lang, Msg, fill, rule_name, tier_name, tr};
use crate::net::{ActionStatus, ServerUrl};
use crate::theme;

/// The feature an alarm is about.
fn alarm_feature(a: &Alarm) -> FeatureRef {
    let layer = if AlarmRule::of(&a.rule).is_some_and(AlarmRule::is_detectors) {
        LayerId::DETECTORS
    } else {
        LayerId::VEHICLES
    };
    FeatureRef {
        layer: layer.into(),
        feature: a.source.clone(),
    }
}

/// The choices of how long to shelve, hours.
const SHELVE_HOURS: [f64; 4] = [0.25, 1.0, 4.0, 8.0];

/// The form of the alarm an operator has opened (one at a time).
#[derive(Debug, Default)]
pub struct AlarmForm {
    /// The alarm it is open on.
    open: Option<i64>,
    to: String,
    cause: String,
    action: String,
    false_alarm: bool,
    reason: String,
    hours: usize,
    /// The figures as last read, and when they were asked for (seconds of the app's clock).
    figures: crate::net::Fetched<AlarmFigures>,
    asked_at: Option<f64>,
}

/// What the alarm section shows and acts with.
pub struct Shown<'a> {
    /// The live state.
    pub live: &'a LiveState,
    /// The operator's token, if signed in.
    pub token: Option<&'a str>,
    /// The server.
    pub server: &'a ServerUrl,
    /// Where the outcome of a step is said.
    pub action: &'a ActionStatus,
    /// Seconds since the app started (when the figures were last read).
    pub now_s: f64,
}

/// A short word for where an alarm stands, and its colour.
fn state_word(a: &Alarm, lang: Lang) -> Option<(String, egui::Color32)> {
    let by_word = |m: Msg, who: &str| fill(m, lang, &[("by", who.to_string())]);
    match a.state {
        AlarmState::Raised if a.cleared.is_some() => Some((tr(Msg::AlarmCleared, lang).into(), theme::GOOD)),
        AlarmState::Raised => None,
        AlarmState::Acknowledged => a
            .acknowledged
            .as_ref()
            .map(|k| (format!("✔ {} {}", tr(Msg::Acked, lang), k.by), theme::DIM)),
        AlarmState::Assigned => a
            .assigned
            .as_ref()
            .map(|x| (by_word(Msg::AlarmAssignedTo, &x.to), theme::DIM)),
        AlarmState::Resolved => a.resolution.as_ref().map(|r| {
            (
                fill(
                    Msg::AlarmResolvedBy,
                    lang,
                    &[("by", r.by.clone()), ("cause", r.cause.clone())],
                ),
                theme::GOOD,
            )
        }),
        AlarmState::Shelved => a.shelved.as_ref().map(|s| {
            (
                fill(
                    Msg::AlarmShelvedUntil,
                    lang,
                    &[("until", s.until.get(11..16).unwrap_or("").to_string())],
                ),
                theme::DIM,
            )
        }),
        AlarmState::Closed => None,
    }
}

/// The open alarms (newest first, the shelved after the rest) with their steps, then the
/// figures. Returns what the operator asked to fly to.
pub fn section(ui: &mut egui::Ui, on: &Shown, form: &mut AlarmForm, lang: Lang) -> Option<FeatureRef> {
    let live = on.live;
    let shelved = live.alarms.values().filter(|a| a.shelved.is_some()).count();
    ui.strong(format!(
        "{} ({}){}",
        tr(Msg::OpenAlarms, lang),
        live.alarms.len() - shelved,
        if shelved > 0 {
            format!(" · {}", fill(Msg::AlarmsShelved, lang, &[("n", shelved.to_string())]))
        } else {
            String::new()
        }
    ));
    let mut go = None;
    let mut listed: Vec<&Alarm> = live.alarms.values().rev().collect();
    listed.sort_by_key(|a| a.shelved.is_some());
    for a in listed.into_iter().take(12) {
        let (c, t) = (theme::tier(a.tier), tier_name(a.tier, lang));
        ui.horizontal_wrapped(|ui| {
            let text = format!(
                "{t} {} · {} {:.2} · {}",
                a.source,
                rule_name(&a.rule, lang),
                a.value,
                a.raised.get(11..19).unwrap_or("")
            );
            if a.shelved.is_some() || a.cleared.is_some() {
                ui.label(egui::RichText::new(text).color(c.gamma_multiply(0.6)));
            } else {
                ui.colored_label(c, text);
            }
            if a.overdue.is_some() && a.acknowledged.is_none() {
                ui.colored_label(theme::ERROR, tr(Msg::AlarmOverdue, lang));
            }
            if ui.small_button(tr(Msg::FlyTo, lang)).clicked() {
                go = Some(alarm_feature(a));
            }
            if let Some((word, colour)) = state_word(a, lang) {
                ui.small(egui::RichText::new(word).color(colour));
            }
            // A drill's alarms (negative ids) are the drill's, not the server's to act on.
            if let Some(token) = on.token
                && a.id > 0
            {
                if a.acknowledged.is_none() && ui.small_button(tr(Msg::Ack, lang)).clicked() {
                    step(on, token, a.id, "ack", None);
                }
                let opened = form.open == Some(a.id);
                if ui.small_button(if opened { "▾" } else { "⋯" }).clicked() {
                    form.open = if opened { None } else { Some(a.id) };
                }
            }
        });
        if let Some(token) = on.token
            && form.open == Some(a.id)
        {
            steps_form(ui, on, token, a, form, lang);
        }
    }
    if let Some(msg) = on.action.said() {
        ui.small(msg);
    }
    figures(ui, on, form, lang);
    go
}

/// The steps of an alarm's lifecycle an operator may take on it.
fn steps_form(ui: &mut egui::Ui, on: &Shown, token: &str, a: &Alarm, form: &mut AlarmForm, lang: Lang) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut form.to).hint_text(tr(Msg::AlarmAssignHint, lang)).desired_width(170.0));
            if ui
                .add_enabled(!form.to.trim().is_empty(), egui::Button::new(tr(Msg::AlarmAssign, lang)))
                .clicked()
            {
                step(on, token, a.id, "assign", Some(json!({ "to": form.to.trim() })));
            }
        });
        if a.resolution.is_none() {
            ui.add(egui::TextEdit::singleline(&mut form.cause).hint_text(tr(Msg::AlarmCause, lang)));
            ui.add(egui::TextEdit::singleline(&mut form.action).hint_text(tr(Msg::AlarmAction, lang)));
            ui.horizontal(|ui| {
                ui.checkbox(&mut form.false_alarm, tr(Msg::AlarmFalse, lang));
                let ready = !form.cause.trim().is_empty() && !form.action.trim().is_empty();
                if ui.add_enabled(ready, egui::Button::new(tr(Msg::AlarmResolve, lang))).clicked() {
                    let body = json!({ "cause": form.cause.trim(), "action": form.action.trim(), "false_alarm": form.false_alarm });
                    step(on, token, a.id, "resolve", Some(body));
                    form.cause.clear();
                    form.action.clear();
                    form.false_alarm = false;
                }
            });
        }
        // Closing asks that the condition has cleared (or that the rule is judged once).
        let closable = a.cleared.is_some() || AlarmRule::of(&a.rule).is_some_and(AlarmRule::is_judged_once);
        if closable && ui.button(tr(Msg::Close, lang)).clicked() {
            step(on, token, a.id, "close", None);
        }
        if a.shelved.is_some() {
            if ui.button(tr(Msg::AlarmUnshelve, lang)).clicked() {
                step(on, token, a.id, "unshelve", None);
            }
        } else {
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut form.reason)
                        .hint_text(tr(Msg::AlarmShelveReason, lang))
                        .desired_width(130.0),
                );
                egui::ComboBox::from_id_salt("shelve-hours")
                    .width(60.0)
                    .selected_text(hours_text(SHELVE_HOURS[form.hours.min(SHELVE_HOURS.len() - 1)], lang))
                    .show_ui(ui, |ui| {
                        for (k, h) in SHELVE_HOURS.iter().enumerate() {
                            ui.selectable_value(&mut form.hours, k, hours_text(*h, lang));
                        }
                    });
                if ui
                    .add_enabled(!form.reason.trim().is_empty(), egui::Button::new(tr(Msg::AlarmShelve, lang)))
                    .clicked()
                {
                    let for_s = (SHELVE_HOURS[form.hours.min(SHELVE_HOURS.len() - 1)] * 3600.0) as i64;
                    step(on, token, a.id, "shelve", Some(json!({ "reason": form.reason.trim(), "for_s": for_s })));
                    form.reason.clear();
                }
            });
        }
    });
}

fn hours_text(h: f64, lang: Lang) -> String {
    if h < 1.0 {
        format!("{:.0} {}", h * 60.0, tr(Msg::Minutes, lang))
    } else {
        format!("{h:.0} {}", tr(Msg::Hours, lang))
    }
}

/// Takes a step off the frame loop; the feed brings the alarm's change back and a failure
/// shows under the list.
fn step(on: &Shown, token: &str, id: i64, what: &'static str, body: Option<serde_json::Value>) {
    let (api, token, status) = (on.server.api(), token.to_string(), on.action.clone());
    crate::net::spawn("alarm step", move || async move {
        let outcome = match api.alarm_step(id, what, body.as_ref(), &token).await {
            Ok(_) => None,
            Err(e) => Some(format!("alarm {id}: {e}")),
        };
        status.say(outcome);
    });
}

/// How often the figures are read again, seconds.
const FIGURES_EVERY_S: f64 = 60.0;

/// The alarm-management figures of the last day, against their yardsticks, with the alarms per
/// 10 minutes as bars.
fn figures(ui: &mut egui::Ui, on: &Shown, form: &mut AlarmForm, lang: Lang) {
    egui::CollapsingHeader::new(tr(Msg::AlarmFigures, lang))
        .id_salt("alarm-figures")
        .show(ui, |ui| {
            if form.asked_at.is_none_or(|t| on.now_s - t > FIGURES_EVERY_S) {
                form.asked_at = Some(on.now_s);
                let (api, cell) = (on.server.api(), form.figures.clone());
                crate::net::spawn("alarm figures", move || async move {
                    let got = api.alarm_figures().await.map_err(|e| e.to_string());
                    *cell.lock().unwrap_or_else(|p| p.into_inner()) = Some(got);
                });
            }
            let shown = form.figures.lock().unwrap_or_else(|p| p.into_inner()).clone();
            match shown {
                None => {
                    ui.small(tr(Msg::Connecting, lang));
                }
                Some(Err(e)) => {
                    ui.colored_label(theme::ERROR, e);
                }
                Some(Ok(f)) => figures_body(ui, &f, lang),
            }
        });
}

fn figures_body(ui: &mut egui::Ui, f: &AlarmFigures, lang: Lang) {
    let over = |bad: bool| if bad { theme::ERROR } else { theme::GOOD };
    ui.colored_label(
        over(f.average_per_10_min > ACCEPTABLE_PER_10_MIN),
        fill(
            Msg::FiguresRate,
            lang,
            &[
                ("avg", format!("{:.1}", f.average_per_10_min)),
                ("peak", f.peak_10_min.to_string()),
                ("n", f.raised.to_string()),
            ],
        ),
    );
    ui.colored_label(
        over(f.flood_share > 0.01),
        fill(
            Msg::FiguresFlood,
            lang,
            &[("share", format!("{:.1}", f.flood_share * 100.0))],
        ),
    );
    bars(ui, f);
    ui.colored_label(
        over(!f.standing.is_empty()),
        fill(Msg::FiguresStanding, lang, &[("n", f.standing.len().to_string())]),
    );
    ui.colored_label(
        over(!f.chattering.is_empty()),
        fill(Msg::FiguresChattering, lang, &[("n", f.chattering.len().to_string())]),
    );
    for c in f.chattering.iter().take(5) {
        ui.small(format!("  {} · {} × {}", c.source, rule_name(&c.rule, lang), c.count));
    }
    ui.colored_label(
        over(f.top_ten_share > 0.05 && f.raised >= 20),
        fill(
            Msg::FiguresTopTen,
            lang,
            &[("share", format!("{:.0}", f.top_ten_share * 100.0))],
        ),
    );
    for c in &f.top_ten {
        ui.small(format!("  {} · {} × {}", c.source, rule_name(&c.rule, lang), c.count));
    }
    ui.small(fill(Msg::FiguresFalse, lang, &[("n", f.false_alarms.to_string())]));
}

/// The alarms of each 10 minutes as bars, the flood line (10) dashed over them.
fn bars(ui: &mut egui::Ui, f: &AlarmFigures) {
    let n = f.per_10_min.len().max(1);
    let peak = f.peak_10_min.max(FLOOD_OVER + 1) as f32;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(ui.available_width(), 48.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let w = rect.width() / n as f32;
    for (k, p) in f.per_10_min.iter().enumerate() {
        if p.count == 0 {
            continue;
        }
        let h = rect.height() * p.count as f32 / peak;
        let x = rect.left() + k as f32 * w;
        let colour = if p.count > FLOOD_OVER { theme::ERROR } else { theme::DIM };
        painter.rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(x, rect.bottom() - h),
                egui::pos2(x + w.max(1.0), rect.bottom()),
            ),
            0.0,
            colour,
        );
    }
    let y = rect.bottom() - rect.height() * FLOOD_OVER as f32 / peak;
    painter.add(egui::Shape::dashed_line(
        &[egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
        egui::Stroke::new(1.0, theme::ERROR),
        4.0,
        3.0,
    ));
}
