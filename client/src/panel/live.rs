//! The panel's live section: the connection and the data's age, the detectors by level, the
//! trucks in the park, the wind and the gates' counters (the alarms are `alarms`).

use bevy_egui::egui;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_api::model::SensorLevel;

use super::GateCounts;
use crate::i18n::{Lang, Msg, tr};
use crate::sync::FeedStatus;
use crate::theme;

/// What the live section shows and acts with.
pub struct Shown<'a> {
    /// The live state.
    pub live: &'a LiveState,
    /// The feed's state.
    pub feed: &'a FeedStatus,
}

/// Connection state and data age, counts and gates.
pub fn section(ui: &mut egui::Ui, on: &Shown, gates: &GateCounts, lang: Lang) {
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
}
