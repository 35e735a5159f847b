//! After-action exports, for the people who sit down after a drill or an incident: the
//! timeline of what happened and who acknowledged what (CSV), and each incident's threat zones
//! over time (GeoJSON whose features carry the time each outline held).

use std::collections::HashMap;

use parktwin_api::incident::Incident;
use parktwin_api::kinds::EventKind;
use parktwin_api::model::{Alarm, Event, PassRecord, Waybill};
use serde::Deserialize;

use crate::store::{Store, StoreError};

/// The kinds of the live log a timeline leaves out: the readings, fixes and weather reports
/// (thousands an hour; the history endpoints have them). A drill's channel keeps everything.
const TOO_MANY: [EventKind; 3] = [EventKind::Observation, EventKind::Position, EventKind::Weather];

/// The timeline's columns.
pub const TIMELINE_HEADER: [&str; 8] = [
    "time",
    "recorded",
    "channel",
    "event",
    "subject",
    "detail",
    "acknowledged_by",
    "acknowledged_at",
];

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// When it happened (the record's time).
    pub time: String,
    /// When the server wrote it down.
    pub recorded: String,
    /// `live` or `drill:<id>`.
    pub channel: String,
    /// The event's kind (`alarm_raised`, `incident_started`, `drill_message`, …).
    pub event: String,
    /// What it is about: a detector, a plate, an incident.
    pub subject: String,
    /// The rest, for a person to read.
    pub detail: String,
    /// Who acknowledged the alarm (its last state), if anyone.
    pub acknowledged_by: String,
    /// When.
    pub acknowledged_at: String,
}

impl TimelineRow {
    fn cells(&self) -> [&str; 8] {
        [
            &self.time,
            &self.recorded,
            &self.channel,
            &self.event,
            &self.subject,
            &self.detail,
            &self.acknowledged_by,
            &self.acknowledged_at,
        ]
    }
}

/// What a step of an alarm's lifecycle adds to its row: who took it and what they said.
fn life_detail(kind: EventKind, a: &Alarm) -> String {
    match kind {
        EventKind::AlarmAssigned => a
            .assigned
            .as_ref()
            .map(|x| format!("; assigned to {} by {}", x.to, x.by))
            .unwrap_or_default(),
        EventKind::AlarmResolved => a
            .resolution
            .as_ref()
            .map(|r| {
                format!(
                    "; resolved by {}{}: cause {}; action {}",
                    r.by,
                    if r.false_alarm { " as a false alarm" } else { "" },
                    r.cause,
                    r.action
                )
            })
            .unwrap_or_default(),
        EventKind::AlarmShelved => a
            .shelved
            .as_ref()
            .map(|x| format!("; shelved by {} until {}: {}", x.by, x.until, x.reason))
            .unwrap_or_default(),
        EventKind::AlarmClosed => a
            .closed_by
            .as_ref()
            .map(|by| format!("; closed by {by}"))
            .unwrap_or_else(|| "; its condition cleared".into()),
        EventKind::AlarmCleared => "; its condition cleared: waiting for an operator to close it".into(),
        EventKind::AlarmOverdue => "; unacknowledged past its tier's time: escalated".into(),
        _ => String::new(),
    }
}

/// A task's line: given (with its plan and resources), or its new status with the team's word.
fn task_detail(kind: EventKind, t: &parktwin_api::emergency::Task) -> String {
    let plan = t.plan.as_deref().map(|p| format!(" (plan {p})")).unwrap_or_default();
    let resources = if t.resources.is_empty() {
        String::new()
    } else {
        format!(" with {}", t.resources.join(", "))
    };
    let note = t.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
    match kind {
        EventKind::TaskAssigned => format!(
            "task {} for incident {} given to {} by {}{plan}{resources}: {}",
            t.id, t.incident, t.team, t.by, t.text
        ),
        _ => format!("task {} ({}) now {}{note}", t.id, t.text, t.status.as_str()),
    }
}

/// A timeline row for an event, `None` for the kinds a timeline leaves out. `acks` holds each
/// alarm's acknowledgement as it stands now (who, when), so that every row of an alarm says
/// who took it.
pub fn timeline_row(ev: &Event, acks: &HashMap<i64, (String, String)>) -> Option<TimelineRow> {
    let kind = EventKind::of(&ev.kind);
    if ev.channel == "live" && kind.is_some_and(|k| TOO_MANY.contains(&k)) {
        return None;
    }
    let p = &ev.payload;
    let mut ack = None;
    let (subject, detail) = match kind {
        Some(k) if k.is_alarm() => match Alarm::deserialize(p) {
            Ok(a) => {
                ack = acks
                    .get(&a.id)
                    .cloned()
                    .or_else(|| a.acknowledged.as_ref().map(|k| (k.by.clone(), k.at.clone())));
                (
                    a.source.clone(),
                    format!("alarm {} {:?} {} value {}", a.id, a.tier, a.rule, a.value).to_lowercase()
                        + &life_detail(k, &a),
                )
            }
            Err(_) => (String::new(), p.to_string()),
        },
        Some(k) if k.is_incident() => match Incident::deserialize(p) {
            Ok(i) => {
                let (speed, from, class) = i.weather_now();
                let release = match (i.rate_kg_s, i.mass_kg) {
                    (Some(r), _) => format!("{r} kg/s"),
                    (None, Some(m)) => format!("{m} kg at once"),
                    _ => String::new(),
                };
                (
                    i.id.clone(),
                    format!(
                        "{} {release} at {:.6},{:.6}; wind {speed:.1} m/s from {from:.0}° class {class}; by {}",
                        i.chemical, i.lon, i.lat, i.created_by
                    ),
                )
            }
            Err(_) => (String::new(), p.to_string()),
        },
        Some(EventKind::Pass) => match PassRecord::from_stored(ev.seq, p) {
            Ok(x) => (
                x.plate.clone(),
                format!(
                    "{:?} at {}{}",
                    x.direction,
                    x.gate,
                    if x.hazmat { ", hazmat" } else { "" }
                )
                .to_lowercase(),
            ),
            Err(_) => (String::new(), p.to_string()),
        },
        Some(EventKind::HeadCount) => match parktwin_api::response::HeadCount::deserialize(p) {
            Ok(c) => (
                c.point.clone(),
                format!(
                    "{} people counted at {} for incident {}, by {}",
                    c.count, c.point, c.incident, c.by
                ),
            ),
            Err(_) => (String::new(), p.to_string()),
        },
        Some(EventKind::PlanActivated) => (
            p["incident"].as_str().unwrap_or_default().to_string(),
            format!(
                "plan {} ({}) activated by {}",
                p["plan"].as_str().unwrap_or_default(),
                p["name"].as_str().unwrap_or_default(),
                p["by"].as_str().unwrap_or_default()
            ),
        ),
        Some(k @ (EventKind::TaskAssigned | EventKind::TaskUpdated)) => {
            match parktwin_api::emergency::Task::deserialize(p) {
                Ok(t) => (t.team.clone(), task_detail(k, &t)),
                Err(_) => (String::new(), p.to_string()),
            }
        }
        Some(EventKind::MessageSent) => match parktwin_api::emergency::Message::deserialize(p) {
            Ok(m) => (
                m.to.clone(),
                format!(
                    "message to {} on incident {}, from {}: {}",
                    m.to, m.incident, m.by, m.text
                ),
            ),
            Err(_) => (String::new(), p.to_string()),
        },
        Some(EventKind::Waybill) => match Waybill::deserialize(p) {
            Ok(w) => (
                w.plate.clone(),
                format!(
                    "waybill {}: UN {} {} {} t, valid {} to {}",
                    w.id, w.un_number, w.cargo, w.tonnes, w.valid_from, w.valid_to
                ),
            ),
            Err(_) => (String::new(), p.to_string()),
        },
        // A drill's events: what the scenario says, as written.
        _ => {
            let mut rest = p.clone();
            if let Some(o) = rest.as_object_mut() {
                o.remove("drill");
            }
            let subject = ["source", "sensor", "plate", "team", "release"]
                .iter()
                .find_map(|k| p[*k].as_str())
                .unwrap_or_default()
                .to_string();
            (subject, rest.to_string())
        }
    };
    let (acknowledged_by, acknowledged_at) = ack.unwrap_or_default();
    Some(TimelineRow {
        time: ev.time.clone(),
        recorded: ev.recorded.clone(),
        channel: ev.channel.clone(),
        event: ev.kind.clone(),
        subject,
        detail,
        acknowledged_by,
        acknowledged_at,
    })
}

/// The timeline as CSV (RFC 4180), with a UTF-8 byte-order mark so that spreadsheets show the
/// plates' Chinese characters as they are.
pub fn timeline_csv(rows: &[TimelineRow]) -> Result<String, csv::Error> {
    csv_with_bom(&TIMELINE_HEADER, rows.iter().map(TimelineRow::cells))
}

/// A header and rows as CSV (RFC 4180) with a UTF-8 byte-order mark: what every after-action
/// export is.
pub fn csv_with_bom<'a, R: IntoIterator<Item = &'a str>>(
    header: &[&str],
    rows: impl IntoIterator<Item = R>,
) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}

/// When an incident's outline took effect: its release's start, or the wind shift it was
/// drawn for.
fn in_force_from(inc: &Incident) -> String {
    let shifted = inc.shifts.last().map_or(0.0, |s| s.at_s);
    time::OffsetDateTime::parse(&inc.start, &time::format_description::well_known::Rfc3339)
        .map(|t| parktwin_api::clock::format_utc(t + time::Duration::seconds_f64(shifted)))
        .unwrap_or_else(|_| inc.start.clone())
}

impl Store {
    /// The timeline of `channel` between `from` and `to` (stored times, by when things
    /// happened), in the log's order.
    pub fn timeline(&self, channel: &str, from: &str, to: &str) -> Result<Vec<TimelineRow>, StoreError> {
        let acks: HashMap<i64, (String, String)> = crate::store::rows(
            &mut self.conn(),
            "SELECT id, acked_by, acked_at FROM alarms WHERE acked_by IS NOT NULL",
            &[],
            |r| Ok((r.int(0)?, (r.string(1)?, r.string(2)?))),
        )?
        .into_iter()
        .collect();
        let mut rows = Vec::new();
        let mut since = 0;
        loop {
            let page = self.events_window(since, channel, from, to)?;
            let Some(last) = page.last() else { break };
            since = last.seq;
            rows.extend(page.iter().filter_map(|e| timeline_row(e, &acks)));
        }
        Ok(rows)
    }

    /// The threat zones of the live incidents that were open between `from` and `to`, each
    /// outline with the time it held from (`valid_from`: the release's start, or the wind
    /// shift it was drawn for) to the next shift or the close (`valid_to`, absent while it
    /// still holds): one FeatureCollection, as QGIS's temporal controller reads it. These are
    /// the times in hindsight; a shift is often reported after it happened.
    pub fn zones_over_time(&self, from: &str, to: &str) -> Result<serde_json::Value, StoreError> {
        let versions = self.incident_versions()?;
        let mut features = Vec::new();
        for (k, (_, inc)) in versions.iter().enumerate() {
            if inc.closed.is_some() {
                continue;
            }
            let at = in_force_from(inc);
            // This outline holds until the incident's next version (a shift or its close).
            let until = versions[k + 1..]
                .iter()
                .find(|(_, next)| next.id == inc.id)
                .map(|(_, next)| next.closed.clone().unwrap_or_else(|| in_force_from(next)));
            let overlaps = at.as_str() <= to && until.as_deref().is_none_or(|u| u >= from);
            if !overlaps {
                continue;
            }
            let (fc, _) = parktwin_dispersion::incident::incident_zones_geojson(inc, &self.chemical_of(inc)?)?;
            for mut f in fc["features"].as_array().cloned().unwrap_or_default() {
                f["properties"]["valid_from"] = at.clone().into();
                f["properties"]["valid_to"] = until.clone().into();
                features.push(f);
            }
        }
        Ok(serde_json::json!({"type": "FeatureCollection", "features": features}))
    }

    /// Every version of every live incident in the log (started, each shift, closed), with
    /// when it was recorded, in the log's order.
    fn incident_versions(&self) -> Result<Vec<(String, Incident)>, StoreError> {
        let mut versions = Vec::new();
        let mut since = 0;
        // Only the incidents' events: the log's kind filter, not a decode of every page.
        let kinds = [
            EventKind::IncidentStarted,
            EventKind::IncidentUpdated,
            EventKind::IncidentClosed,
        ]
        .map(EventKind::as_str);
        loop {
            let page = self.events_since(since, 1000, Some("live"), Some(&kinds))?;
            if page.events.is_empty() {
                break;
            }
            since = page.next;
            for e in page.events {
                if let Ok(i) = Incident::deserialize(&e.payload) {
                    versions.push((e.recorded, i));
                }
            }
        }
        Ok(versions)
    }

    /// An incident's threat zones as they were drawn at `at` (a stored time), GeoJSON: from
    /// the last version of it recorded by then, what the operators saw (and what a replay to
    /// `at` holds). `None` for an unknown incident; `Err` when it had not been started or was
    /// closed by then.
    pub fn incident_zones_at(&self, id: &str, at: &str) -> Result<Option<Result<String, String>>, StoreError> {
        Ok(match self.incident_at(id, at)? {
            Some(Ok(inc)) => {
                let (fc, _) = parktwin_dispersion::incident::incident_zones_geojson(&inc, &self.chemical_of(&inc)?)?;
                Some(Ok(fc.to_string()))
            }
            Some(Err(why)) => Some(Err(why)),
            None => None,
        })
    }

    /// An incident as the operators had it at `at`: the last version recorded by then. `None`
    /// for an unknown incident; `Err` when it had not been started or was closed by then.
    fn incident_at(&self, id: &str, at: &str) -> Result<Option<Result<Incident, String>>, StoreError> {
        let versions: Vec<(String, Incident)> = self
            .incident_versions()?
            .into_iter()
            .filter(|(_, i)| i.id == id)
            .collect();
        if versions.is_empty() {
            return Ok(None);
        }
        let Some((_, inc)) = versions.into_iter().rev().find(|(t, _)| t.as_str() <= at) else {
            return Ok(Some(Err(format!("incident \"{id}\" had not been started at {at}"))));
        };
        if let Some(closed) = &inc.closed {
            return Ok(Some(Err(format!(
                "incident \"{id}\" was closed at {closed}, before {at}"
            ))));
        }
        Ok(Some(Ok(inc)))
    }

    /// The threat zones of what an incident would have been (`what`), GeoJSON with
    /// `what_if: true` on each feature; nothing is stored. `None` for an unknown incident,
    /// `Err` when it was not open at the moment asked from.
    pub fn what_if_zones(
        &self,
        id: &str,
        what: &parktwin_api::incident::WhatIf,
    ) -> Result<Option<Result<String, WhatIfRefusal>>, StoreError> {
        let inc = match &what.at {
            Some(at) => self.incident_at(id, at)?,
            None => self.incident(id)?.map(Ok),
        };
        Ok(match inc {
            Some(Ok(inc)) => {
                let other = match what.apply(&inc) {
                    Ok(other) => other,
                    Err(why) => return Ok(Some(Err(WhatIfRefusal::DoesNotFit(why)))),
                };
                let (mut fc, _) =
                    parktwin_dispersion::incident::incident_zones_geojson(&other, &self.chemical_of(&other)?)?;
                for f in fc["features"].as_array_mut().into_iter().flatten() {
                    f["properties"]["what_if"] = true.into();
                }
                Some(Ok(fc.to_string()))
            }
            Some(Err(why)) => Some(Err(WhatIfRefusal::NotOpen(why))),
            None => None,
        })
    }

    /// A page of the events of `channel` after `since` whose time is within `from`..=`to`,
    /// less the kinds a timeline leaves out of the live channel.
    fn events_window(&self, since: i64, channel: &str, from: &str, to: &str) -> Result<Vec<Event>, StoreError> {
        Self::event_rows(
            &mut self.conn(),
            "SELECT seq, time, channel, kind, payload, recorded FROM events
             WHERE seq > ?1 AND channel = ?2 AND time >= ?3 AND time <= ?4
               AND NOT (channel = 'live' AND kind IN ('observation', 'position', 'weather'))
             ORDER BY seq LIMIT 1000",
            crate::db::args![since, channel, from, to],
        )
    }
}

/// Why a what-if has no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum WhatIfRefusal {
    /// The incident was not open at the moment asked from.
    NotOpen(String),
    /// The change does not fit the incident's kind.
    DoesNotFit(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(kind: &str, channel: &str, payload: serde_json::Value) -> Event {
        Event {
            seq: 7,
            time: "2026-11-27T08:00:00.000Z".into(),
            recorded: "2026-11-27T08:00:00.100Z".into(),
            channel: channel.into(),
            kind: kind.into(),
            payload,
        }
    }

    #[test]
    fn an_alarm_row_says_who_acknowledged_it_and_readings_are_left_out() {
        let alarm = json!({"id": 3, "tier": "alarm", "rule": "detector_threshold", "source": "gd-001",
            "value": 12.5, "raised": "2026-11-27T08:00:00.000Z", "closed": null, "acknowledged": null});
        let acks = HashMap::from([(3, ("Zhang Wei".to_string(), "2026-11-27T08:01:00.000Z".to_string()))]);
        let row = timeline_row(&ev("alarm_raised", "live", alarm), &acks).expect("a row");
        assert_eq!(row.subject, "gd-001");
        assert!(
            row.detail.contains("detector_threshold") && row.detail.contains("12.5"),
            "{}",
            row.detail
        );
        assert_eq!(
            (row.acknowledged_by.as_str(), row.acknowledged_at.as_str()),
            ("Zhang Wei", "2026-11-27T08:01:00.000Z")
        );
        let reading = json!({"sensor": "gd-001", "time": "2026-11-27T08:00:00.000Z", "value": 1.0});
        assert!(timeline_row(&ev("observation", "live", reading.clone()), &acks).is_none());
        // A drill's injected reading is part of its story.
        let drill = timeline_row(&ev("drill_reading", "drill:drill-1", reading), &acks).expect("a drill row");
        assert_eq!(drill.subject, "gd-001");
    }

    #[test]
    fn the_csv_quotes_what_needs_it_and_keeps_chinese_plates() {
        let row = TimelineRow {
            time: "t".into(),
            recorded: "r".into(),
            channel: "live".into(),
            event: "pass".into(),
            subject: "鲁E·12345".into(),
            detail: "in at gate-1, hazmat".into(),
            acknowledged_by: String::new(),
            acknowledged_at: String::new(),
        };
        let text = timeline_csv(&[row]).expect("csv");
        assert!(text.starts_with('\u{feff}'));
        let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(r.headers().expect("header").iter().collect::<Vec<_>>(), TIMELINE_HEADER);
        let rec = r.records().next().expect("a record").expect("parses");
        assert_eq!(&rec[4], "鲁E·12345");
        assert_eq!(&rec[5], "in at gate-1, hazmat");
    }
}
