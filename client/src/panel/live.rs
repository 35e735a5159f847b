//! The panel's live section: the connection and the data's age, the detectors by level, the
//! trucks in the park, the wind, the gates' counters, and the open alarms newest first, each
//! with fly-to and (for an operator) acknowledge.

use bevy_egui::egui;
use parktwin_api::kinds::AlarmRule;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_api::model::{Alarm, SensorLevel};
use parktwin_scene::FeatureRef;

use super::GateCounts;
use crate::i18n::{Lang, Msg, rule_name, tier_name, tr};
use crate::net::ActionStatus;
use crate::sync::FeedStatus;
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

/// What the live section shows and acts with.
pub struct Shown<'a> {
    /// The live state.
    pub live: &'a LiveState,
    /// The feed's state.
    pub feed: &'a FeedStatus,
    /// The operator's token, if signed in.
    pub token: Option<&'a str>,
    /// The server's base URL.
    pub server: &'a str,
    /// Where the outcome of an acknowledgement is said.
    pub action: &'a ActionStatus,
}

/// Connection state and data age, counts, gates, and the open alarms (newest first) with
/// acknowledge and fly-to. Returns what the operator asked to fly to.
pub fn section(ui: &mut egui::Ui, on: &Shown, gates: &GateCounts, lang: Lang) -> Option<FeatureRef> {
    let (live, feed) = (on.live, on.feed);
    ui.separator();
    match (&feed.error, feed.last_ok) {
        (Some(e), _) => {
            ui.colored_label(theme::ERROR, tr(Msg::Offline, lang));
            ui.small(e);
        }
        (None, Some(_)) if !feed.showing.is_live() => {
            let at = feed.showing.moment().unwrap_or("");
            ui.colored_label(theme::GOOD, format!("{} {at}", tr(Msg::SnapshotAt, lang)));
        }
        (None, Some(t)) => {
            ui.colored_label(
                theme::GOOD,
                format!(
                    "{} {} {}",
                    tr(Msg::LiveAge, lang),
                    t.elapsed().as_secs(),
                    tr(Msg::Seconds, lang)
                ),
            );
        }
        (None, None) => {
            ui.label(tr(Msg::Connecting, lang));
        }
    }
    let count = |l: SensorLevel| {
        live.sensors
            .values()
            .filter(|s| s.layer == LayerId::DETECTORS && s.level == l)
            .count()
    };
    ui.label(format!(
        "{}: {} {}, {} {}, {} {}, {} {}",
        tr(Msg::Detectors, lang),
        count(SensorLevel::Normal),
        tr(Msg::Normal, lang),
        count(SensorLevel::Warning),
        tr(Msg::Warning, lang),
        count(SensorLevel::Alarm),
        tr(Msg::Alarm, lang),
        count(SensorLevel::NoData),
        tr(Msg::NoData, lang)
    ));
    ui.label(format!("{}: {}", tr(Msg::TrucksInPark, lang), live.vehicles.len()));
    if let Some(w) = live.weather.values().max_by(|a, b| a.time.cmp(&b.time)) {
        ui.label(format!(
            "{} {:.1} m/s, {} {:.0}°, {:.1} °C ({})",
            tr(Msg::Wind, lang),
            w.wind_speed_ms,
            tr(Msg::From, lang),
            w.wind_from_deg,
            w.temperature_c,
            w.station
        ));
    }
    if !gates.is_empty() {
        let text: Vec<String> = gates
            .iter()
            .map(|(g, (i, o))| format!("{g} {} {i} / {} {o}", tr(Msg::In, lang), tr(Msg::Out, lang)))
            .collect();
        ui.small(format!("{}: {}", tr(Msg::Gates, lang), text.join("; ")));
    }
    ui.strong(format!("{} ({})", tr(Msg::OpenAlarms, lang), live.alarms.len()));
    let mut go = None;
    for a in live.alarms.values().rev().take(12) {
        let (c, t) = (theme::tier(a.tier), tier_name(a.tier, lang));
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                c,
                format!(
                    "{t} {} · {} {:.2} · {}",
                    a.source,
                    rule_name(&a.rule, lang),
                    a.value,
                    a.raised.get(11..19).unwrap_or("")
                ),
            );
            if ui.small_button(tr(Msg::FlyTo, lang)).clicked() {
                go = Some(alarm_feature(a));
            }
            match &a.acknowledged {
                Some(ack) => {
                    ui.small(format!("✔ {} {}", tr(Msg::Acked, lang), ack.by));
                }
                None => {
                    // A drill's alarms (negative ids) are the drill's, not the server's to ack.
                    if let Some(token) = on.token
                        && a.id > 0
                        && ui.small_button(tr(Msg::Ack, lang)).clicked()
                    {
                        acknowledge(on.server, token, a.id, on.action);
                    }
                }
            }
        });
    }
    if let Some(msg) = on.action.said() {
        ui.small(msg);
    }
    go
}

/// Acknowledges an alarm off the frame loop; the feed brings the acknowledgement back and a
/// failure shows under the list.
fn acknowledge(server: &str, token: &str, id: i64, status: &ActionStatus) {
    let (server, token, status) = (server.to_string(), token.to_string(), status.clone());
    crate::net::spawn("acknowledge", move || async move {
        let outcome = match parktwin_api::client::ApiClient::new(&server)
            .ack_alarm(id, &token)
            .await
        {
            Ok(_) => None,
            Err(e) => Some(format!("alarm {id}: {e}")),
        };
        status.say(outcome);
    });
}
