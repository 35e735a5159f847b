//! Search: enterprises by name (English or Chinese), trucks by plate, detectors and gates by id
//! or name; each hit knows where to fly.

use bevy_egui::egui;
use parktwin_api::layer::LayerId;
use parktwin_api::live::LiveState;
use parktwin_scene::FeatureRef;

use crate::i18n::{Lang, Msg, tr};

/// One thing that can be found.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The feature it selects.
    pub feature: FeatureRef,
    /// English name (or the id, for things without one).
    pub name: String,
    /// Chinese name, if any.
    pub name_zh: String,
}

/// The entries matching `query`, best first, at most `max`: an exact id or name first, then
/// names and ids that start with it, then those that contain it (case-insensitive; a plate's
/// `·` may be left out).
///
/// ```
/// use parktwin::search::{search, Entry};
/// use parktwin_scene::FeatureRef;
/// let e = |layer: &str, id: &str, name: &str, zh: &str| Entry {
///     feature: FeatureRef { layer: layer.into(), feature: id.into() },
///     name: name.into(),
///     name_zh: zh.into(),
/// };
/// let all = [
///     e("enterprises", "ent-01", "Binhai Chlor-Alkali Co.", "滨海氯碱化工有限公司"),
///     e("detectors", "gd-001", "GD-001", ""),
///     e("vehicles", "鲁E·10037", "鲁E·10037", ""),
/// ];
/// assert_eq!(search(&all, "gd-001", 5)[0].feature.feature, "gd-001");
/// assert_eq!(search(&all, "氯碱", 5)[0].feature.feature, "ent-01");
/// assert_eq!(search(&all, "chlor", 5)[0].feature.feature, "ent-01");
/// assert_eq!(search(&all, "鲁E10037", 5)[0].feature.layer, "vehicles");
/// assert!(search(&all, "", 5).is_empty());
/// ```
pub fn search<'a>(entries: impl IntoIterator<Item = &'a Entry>, query: &str, max: usize) -> Vec<&'a Entry> {
    let norm = |s: &str| s.to_lowercase().replace(['·', ' ', '-'], "");
    let q = norm(query.trim());
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, &Entry)> = entries
        .into_iter()
        .filter_map(|e| {
            let keys = [norm(&e.feature.feature), norm(&e.name), norm(&e.name_zh)];
            let rank = if keys.contains(&q) {
                0
            } else if keys.iter().any(|k| !k.is_empty() && k.starts_with(&q)) {
                1
            } else if keys.iter().any(|k| k.contains(&q)) {
                2
            } else {
                return None;
            };
            Some((rank, e))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    hits.into_iter().take(max).map(|(_, e)| e).collect()
}

/// The searchable things of the park: enterprises, detectors and gates.
pub fn park_entries(data: &parktwin_scene::ParkData) -> Vec<Entry> {
    let mut out = Vec::new();
    for (info, fc) in &data.layers {
        if ![LayerId::ENTERPRISES, LayerId::DETECTORS, LayerId::GATES].contains(&LayerId::new(info.id.as_str())) {
            continue;
        }
        for f in &fc.features {
            let Some(id) = parktwin_api::validate::feature_id(f) else {
                continue;
            };
            let prop = |k: &str| {
                f.properties
                    .as_ref()
                    .and_then(|p| p.get(k))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let name = prop("name");
            out.push(Entry {
                feature: FeatureRef {
                    layer: info.id.clone(),
                    feature: id.to_string(),
                },
                name: if name.is_empty() { id.to_string() } else { name },
                name_zh: prop("name_zh"),
            });
        }
    }
    out
}

/// What the search box holds between frames: the query, and the park's entries once loaded.
#[derive(Default)]
pub struct SearchBox {
    query: String,
    park: Vec<Entry>,
}

/// The search box and its hits (trucks by plate from the live state, the rest from the park).
///
/// Returns the hit the operator clicked, to select and fly to.
pub fn section(
    ui: &mut egui::Ui,
    state: &mut SearchBox,
    data: Option<&parktwin_scene::ParkData>,
    live: &LiveState,
    lang: Lang,
) -> Option<FeatureRef> {
    if state.park.is_empty()
        && let Some(d) = data
    {
        state.park = park_entries(d);
    }
    ui.horizontal(|ui| {
        ui.label(tr(Msg::Search, lang));
        ui.add(egui::TextEdit::singleline(&mut state.query).hint_text(tr(Msg::SearchHint, lang)));
    });
    if state.query.trim().is_empty() {
        return None;
    }
    let trucks: Vec<Entry> = live
        .vehicles
        .keys()
        .map(|plate| Entry {
            feature: FeatureRef {
                layer: LayerId::VEHICLES.into(),
                feature: plate.clone(),
            },
            name: plate.clone(),
            name_zh: String::new(),
        })
        .collect();
    let hits = search(state.park.iter().chain(&trucks), &state.query, 8);
    if hits.is_empty() {
        ui.small(tr(Msg::NoMatch, lang));
    }
    let mut go = None;
    for h in hits {
        let layer = &h.feature.layer;
        let kind = if *layer == LayerId::ENTERPRISES {
            tr(Msg::Enterprise, lang)
        } else if *layer == LayerId::DETECTORS {
            tr(Msg::Detector, lang)
        } else if *layer == LayerId::VEHICLES {
            tr(Msg::Vehicle, lang)
        } else {
            tr(Msg::Gate, lang)
        };
        let name = lang.pick(&h.name, &h.name_zh);
        if ui.link(format!("{name} ({kind})")).clicked() {
            go = Some(h.feature.clone());
        }
    }
    go
}
