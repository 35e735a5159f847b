//! Drill runs: an uploaded scenario played into the event log's channel `drill:<id>` at its
//! offsets (optionally faster), never into `live`: a drill touches no live state, counter,
//! alarm or latest reading, and clients that show it know it by its channel.

use parktwin_api::kinds::EventKind;
use std::sync::Arc;
use std::time::Duration;

use parktwin_api::clock::format_utc;
use parktwin_api::scenario::{Drill, DrillState, Scenario};

use crate::db::{Conn as _, Tx, args};
use crate::store::row;
use crate::store::{Store, StoreError, json_row, json_rows};

/// The fastest a drill may be played: an hour's drill in a minute.
pub const MAX_SPEED: f64 = 60.0;

fn now() -> String {
    format_utc(time::OffsetDateTime::now_utc())
}

impl Store {
    /// What an uploaded scenario is checked against: this server's park.
    pub fn scenario_refs(&self) -> Result<parktwin_api::scenario::ParkRefs, StoreError> {
        let park = self.park()?;
        let index = self.index()?;
        Ok(parktwin_api::scenario::ParkRefs {
            park: park.id,
            bbox: park.bbox,
            sensors: index.sensors.keys().cloned().collect(),
            stations: index.stations.clone(),
            chemicals: self.chemicals()?,
            devices: index
                .devices
                .values()
                .map(|d| (d.id.clone(), d.quantities.iter().map(|q| q.name.clone()).collect()))
                .collect(),
        })
    }

    /// Stores a checked scenario as a drill, ready to start.
    pub fn create_drill(&self, scenario: Scenario, by: &str) -> Result<Drill, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n = row(&mut tx, "SELECT coalesce(max(n), 0) + 1 FROM drills", &[], |r| {
            Ok(r.int(0)?)
        })?
        .unwrap_or(1);
        let id = format!("drill-{n}");
        let drill = Drill {
            channel: format!("drill:{id}"),
            id,
            name: scenario.name.clone(),
            state: DrillState::Ready,
            events: scenario.events.len(),
            duration_s: scenario.timeline().last().map_or(0.0, |(t, _)| *t),
            speed: 1.0,
            started: None,
            ended: None,
            played: 0,
            created_by: by.to_string(),
            scenario,
        };
        tx.execute(
            "INSERT INTO drills (n, id, record) VALUES (?1, ?2, ?3)",
            args![n, &drill.id, &serde_json::to_string(&drill)?],
        )?;
        tx.commit()?;
        Ok(drill)
    }

    /// Every drill, newest first.
    pub fn drills(&self) -> Result<Vec<Drill>, StoreError> {
        json_rows(&mut self.conn(), "SELECT record FROM drills ORDER BY n DESC", &[])
    }

    /// One drill, or `None` for an unknown id.
    pub fn drill(&self, id: &str) -> Result<Option<Drill>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM drills WHERE id = ?1", args![id])
    }

    /// Changes a drill with `change` and writes an event to its channel, in one transaction;
    /// `Ok(None)` for an unknown id, `Err` inside when `change` refuses (the drill unchanged).
    pub fn update_drill(
        &self,
        id: &str,
        change: impl FnOnce(&mut Drill) -> Result<(EventKind, serde_json::Value), String>,
    ) -> Result<Option<Result<Drill, String>>, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let Some(mut drill): Option<Drill> = json_row(&mut tx, "SELECT record FROM drills WHERE id = ?1", args![id])?
        else {
            return Ok(None);
        };
        let (kind, payload) = match change(&mut drill) {
            Ok(e) => e,
            Err(why) => return Ok(Some(Err(why))),
        };
        tx.execute(
            "UPDATE drills SET record = ?1 WHERE id = ?2",
            args![&serde_json::to_string(&drill)?, id],
        )?;
        Self::append_event_to(&mut tx, &drill.channel, &now(), kind, &payload.to_string())?;
        tx.commit()?;
        Ok(Some(Ok(drill)))
    }
}

/// Starts a ready drill at `speed` (1 to [`MAX_SPEED`]) and plays it on a task of its own.
pub fn start(store: &Arc<Store>, id: &str, speed: f64) -> Result<Option<Result<Drill, String>>, StoreError> {
    let started = store.update_drill(id, |d| {
        if d.state != DrillState::Ready {
            return Err(format!(
                "drill {} is {:?}, not ready: upload it again to rerun it",
                d.id, d.state
            )
            .to_lowercase());
        }
        d.state = DrillState::Running;
        d.speed = speed;
        d.started = Some(now());
        Ok((
            EventKind::DrillStarted,
            serde_json::json!({"drill": d.id, "name": d.name, "speed": speed, "weather": d.scenario.weather,
                               "events": d.events, "duration_s": d.duration_s}),
        ))
    })?;
    if let Some(Ok(d)) = &started {
        tokio::spawn(play(store.clone(), d.clone()));
    }
    Ok(started)
}

/// Stops a running drill: no event of it is played after this.
pub fn stop(store: &Store, id: &str) -> Result<Option<Result<Drill, String>>, StoreError> {
    store.update_drill(id, |d| {
        if d.state != DrillState::Running {
            return Err(format!("drill {} is not running", d.id));
        }
        d.state = DrillState::Stopped;
        d.ended = Some(now());
        Ok((
            EventKind::DrillStopped,
            serde_json::json!({"drill": d.id, "played": d.played}),
        ))
    })
}

/// Plays a drill's events at their offsets (divided by its speed) from its start.
async fn play(store: Arc<Store>, drill: Drill) {
    let began = tokio::time::Instant::now();
    let timeline: Vec<(f64, parktwin_api::scenario::ScenarioEvent)> = drill
        .scenario
        .timeline()
        .into_iter()
        .map(|(t, e)| (t, e.clone()))
        .collect();
    for (k, (t, event)) in timeline.into_iter().enumerate() {
        tokio::time::sleep_until(began + Duration::from_secs_f64(t / drill.speed)).await;
        let mut payload = serde_json::to_value(&event).unwrap_or_default();
        payload["drill"] = drill.id.clone().into();
        payload["at_s"] = t.into();
        let kind = event.what.logged_as();
        let s = store.clone();
        let id = drill.id.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            s.update_drill(&id, |d| {
                if d.state != DrillState::Running {
                    return Err("stopped".into());
                }
                d.played = k + 1;
                Ok((kind, payload))
            })
        })
        .await;
        match outcome {
            Ok(Ok(Some(Ok(_)))) => {}
            // Stopped, or gone: nothing more is played.
            Ok(Ok(_)) => return,
            Ok(Err(e)) => {
                tracing::error!("drill {}: {e}", drill.id);
                return;
            }
            Err(e) => {
                tracing::error!("drill {}: {e}", drill.id);
                return;
            }
        }
    }
    let finished = tokio::task::spawn_blocking(move || {
        store.update_drill(&drill.id, |d| {
            if d.state != DrillState::Running {
                return Err("stopped".into());
            }
            d.state = DrillState::Finished;
            d.ended = Some(now());
            Ok((
                EventKind::DrillFinished,
                serde_json::json!({"drill": d.id, "played": d.played}),
            ))
        })
    })
    .await;
    if let Ok(Err(e)) = finished {
        tracing::error!("drill: {e}");
    }
}
