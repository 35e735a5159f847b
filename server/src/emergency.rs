//! Emergency command in the store: the park's emergency plans (预案), a plan activated on an
//! incident as tasks to teams, each task's way (assigned, en route, on scene, done) and the
//! messages of the response. Every task given or moved on and every message is an event of the
//! log (`task_assigned`, `task_updated`, `message_sent`; an activation `plan_activated`), so the
//! map, the wall, a replay and the after-action export see them as they see an alarm; the rules
//! are `parktwin_api::emergency`'s.

use parktwin_api::emergency::{Message, NewMessage, NewTask, Plan, PlanBody, PlanContext, Task, TaskStep};
use parktwin_api::kinds::EventKind;

use crate::db::{Conn, Tx, args};
use crate::store::{Store, StoreError, json_row, json_rows, row};

/// Why an emergency step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such incident, plan or task (its words).
    Unknown(String),
    /// It cannot be done as things stand (its words): an incident closed, a plan already
    /// active, a task moved back.
    Conflict(String),
    /// The body names what the park does not have (each problem's words).
    Invalid(Vec<String>),
}

/// An answer that may be refused.
pub type Outcome<T> = Result<Result<T, Refused>, StoreError>;

/// The emergency vehicles' layer (a descriptor's file), beside the emergency resources'.
pub(crate) const VEHICLES: &str = "emergency_vehicles";

impl Store {
    /// Every emergency resource's id: the emergency resources' points and the emergency
    /// vehicles.
    pub(crate) fn resource_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut ids: Vec<String> = crate::resources::features(self)?
            .into_iter()
            .map(|(id, ..)| id)
            .collect();
        ids.extend(crate::resources::vehicles(self)?.into_iter().map(|(id, ..)| id));
        Ok(ids)
    }

    fn plan_context_check(&self, body: &PlanBody) -> Result<Vec<String>, StoreError> {
        let hazards: Vec<String> = self.hazards()?.into_iter().map(|h| h.id).collect();
        let chemicals: Vec<String> = self.chemicals()?.chemicals.into_iter().map(|c| c.name).collect();
        let resources = self.resource_ids()?;
        Ok(body.problems(PlanContext {
            hazard_sources: &hazards,
            chemicals: &chemicals,
            resources: &resources,
        }))
    }

    /// The park's emergency plans, by id.
    pub fn plans(&self) -> Result<Vec<Plan>, StoreError> {
        json_rows(&mut self.conn(), "SELECT record FROM plans ORDER BY id", &[])
    }

    /// One plan.
    pub fn plan(&self, id: &str) -> Result<Option<Plan>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM plans WHERE id = ?1", args![id])
    }

    /// Writes the plan `id` (new, or replacing the one of that id), checked against the park.
    pub fn put_plan(&self, id: &str, body: &PlanBody) -> Outcome<Plan> {
        let problems = self.plan_context_check(body)?;
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let plan = Plan {
            id: id.to_string(),
            body: body.clone(),
        };
        self.conn().execute(
            "INSERT INTO plans (id, record) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
            args![id, &serde_json::to_string(&plan)?],
        )?;
        Ok(Ok(plan))
    }

    /// Removes the plan `id`; whether there was one. Tasks it gave stay as they are.
    pub fn delete_plan(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.conn().execute("DELETE FROM plans WHERE id = ?1", args![id])? > 0)
    }

    /// The major hazard source an incident is at: its origin's (a tank's `hazard`, or the
    /// origin itself when it is one), else the one whose area holds its point.
    pub fn incident_hazard(&self, inc: &parktwin_api::incident::Incident) -> Result<Option<String>, StoreError> {
        let hazards = self.hazards()?;
        if let Some(origin) = inc.origin.as_deref() {
            if hazards.iter().any(|h| h.id == origin) {
                return Ok(Some(origin.to_string()));
            }
            for layer in ["tanks", "units"] {
                let fc: serde_json::Value =
                    serde_json::from_str(&self.layer_geojson(layer)?.unwrap_or_else(|| "{}".into()))?;
                let found = fc["features"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|f| f["id"] == origin)
                    .and_then(|f| f["properties"]["hazard"].as_str());
                if let Some(h) = found {
                    return Ok(Some(h.to_string()));
                }
            }
        }
        let fc: serde_json::Value =
            serde_json::from_str(&self.layer_geojson("hazards")?.unwrap_or_else(|| "{}".into()))?;
        Ok(fc["features"].as_array().into_iter().flatten().find_map(|f| {
            let area = parktwin_api::geometry::Area::of_feature(f)?;
            area.contains(inc.lon, inc.lat)
                .then(|| f["id"].as_str().map(str::to_string))
                .flatten()
        }))
    }

    /// The plans for the incident `id` (its hazard source's, its chemical's); `None` for an
    /// unknown incident.
    pub fn incident_plans(&self, id: &str) -> Result<Option<Vec<Plan>>, StoreError> {
        let Some(inc) = self.incident(id)? else {
            return Ok(None);
        };
        let hazard = self.incident_hazard(&inc)?;
        Ok(Some(
            self.plans()?
                .into_iter()
                .filter(|p| p.body.applies(hazard.as_deref(), &inc.chemical))
                .collect(),
        ))
    }

    fn open_incident(&self, id: &str) -> Result<Result<(), Refused>, StoreError> {
        Ok(match self.incident(id)? {
            None => Err(Refused::Unknown(format!("unknown incident \"{id}\""))),
            Some(i) if i.closed.is_some() => Err(Refused::Conflict(format!(
                "incident {id} was closed at {}: its response is over",
                i.closed.unwrap_or_default()
            ))),
            Some(_) => Ok(()),
        })
    }

    /// Stores a new task and its event in `tx`.
    fn insert_task(tx: &mut Tx<'_>, mut task: Task, kind: EventKind) -> Result<Task, StoreError> {
        task.id = row(
            tx,
            "INSERT INTO tasks (incident, record, seq) VALUES (?1, '{}', 0) RETURNING id",
            args![&task.incident],
            |r| Ok(r.int(0)?),
        )?
        .ok_or_else(|| StoreError::Column("an insert returned no task id".into()))?;
        let record = serde_json::to_string(&task)?;
        let seq = Self::append_event(tx, &task.assigned, kind, &record)?;
        tx.execute(
            "UPDATE tasks SET record = ?1, seq = ?2 WHERE id = ?3",
            args![&record, seq, task.id],
        )?;
        Ok(task)
    }

    /// Activates the plan `plan` on the incident `id` for `by` at `at`: a task for each of its
    /// steps, all in one transaction with their events. A plan is activated once per incident.
    pub fn activate_plan(&self, id: &str, plan: &str, by: &str, at: &str) -> Outcome<Vec<Task>> {
        if let Err(r) = self.open_incident(id)? {
            return Ok(Err(r));
        }
        let Some(p) = self.plan(plan)? else {
            return Ok(Err(Refused::Unknown(format!("unknown plan \"{plan}\""))));
        };
        if self
            .tasks(id)?
            .unwrap_or_default()
            .iter()
            .any(|t| t.plan.as_deref() == Some(plan))
        {
            return Ok(Err(Refused::Conflict(format!(
                "plan {plan} is active on incident {id} already: its tasks are there"
            ))));
        }
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let record = serde_json::json!({"incident": id, "plan": plan, "name": p.body.name, "by": by}).to_string();
        Self::append_event(&mut tx, at, EventKind::PlanActivated, &record)?;
        let mut out = Vec::new();
        for step in &p.body.steps {
            let mut task = Task::assigned(0, id, &step.team, &step.text, by, at);
            task.plan = Some(plan.to_string());
            task.resources = step.resources.clone();
            out.push(Self::insert_task(&mut tx, task, EventKind::TaskAssigned)?);
        }
        tx.commit()?;
        Ok(Ok(out))
    }

    /// Gives a task to a team on the incident `id`.
    pub fn add_task(&self, id: &str, new: &NewTask, by: &str, at: &str) -> Outcome<Task> {
        if let Err(r) = self.open_incident(id)? {
            return Ok(Err(r));
        }
        let known = self.resource_ids()?;
        let mut problems: Vec<String> = Vec::new();
        for (what, v) in [("team", &new.team), ("text", &new.text)] {
            if v.trim().is_empty() {
                problems.push(format!("{what}: empty"));
            }
        }
        for (i, r) in new.resources.iter().enumerate() {
            if !known.contains(r) {
                problems.push(format!(
                    "resources[{i}]: \"{r}\" is not one of the park's emergency resources"
                ));
            }
        }
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let mut task = Task::assigned(0, id, new.team.trim(), new.text.trim(), by, at);
        task.resources = new.resources.clone();
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let task = Self::insert_task(&mut tx, task, EventKind::TaskAssigned)?;
        tx.commit()?;
        Ok(Ok(task))
    }

    /// One task.
    pub fn task(&self, id: i64) -> Result<Option<Task>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM tasks WHERE id = ?1", args![id])
    }

    /// Moves the task `id` on, with its event.
    pub fn task_step(&self, id: i64, step: &TaskStep, at: &str) -> Outcome<Task> {
        let Some(task) = self.task(id)? else {
            return Ok(Err(Refused::Unknown(format!("unknown task {id}"))));
        };
        if let Err(r) = self.open_incident(&task.incident)? {
            return Ok(Err(r));
        }
        let moved = match task.advance(step.status, step.note.as_deref(), at) {
            Ok(t) => t,
            Err(why) => return Ok(Err(Refused::Conflict(why))),
        };
        let record = serde_json::to_string(&moved)?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let seq = Self::append_event(&mut tx, at, EventKind::TaskUpdated, &record)?;
        tx.execute(
            "UPDATE tasks SET record = ?1, seq = ?2 WHERE id = ?3",
            args![&record, seq, id],
        )?;
        tx.commit()?;
        Ok(Ok(moved))
    }

    /// The incident `id`'s tasks in the order they were given; `None` for an unknown incident.
    pub fn tasks(&self, id: &str) -> Result<Option<Vec<Task>>, StoreError> {
        if self.incident(id)?.is_none() {
            return Ok(None);
        }
        Ok(Some(json_rows(
            &mut self.conn(),
            "SELECT record FROM tasks WHERE incident = ?1 ORDER BY id",
            args![id],
        )?))
    }

    /// The tasks of the open incidents, in the order they were given.
    pub fn open_tasks(&self) -> Result<Vec<Task>, StoreError> {
        json_rows(
            &mut self.conn(),
            "SELECT t.record FROM tasks t JOIN incidents i ON i.id = t.incident WHERE i.closed IS NULL ORDER BY t.id",
            &[],
        )
    }

    /// Sends a message on the incident `id`.
    pub fn send_message(&self, id: &str, new: &NewMessage, by: &str, at: &str) -> Outcome<Message> {
        if let Err(r) = self.open_incident(id)? {
            return Ok(Err(r));
        }
        let problems: Vec<String> = [("to", &new.to), ("text", &new.text)]
            .into_iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(what, _)| format!("{what}: empty"))
            .collect();
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n = row(
            &mut tx,
            "INSERT INTO messages (incident, record, seq) VALUES (?1, '{}', 0) RETURNING id",
            args![id],
            |r| Ok(r.int(0)?),
        )?
        .ok_or_else(|| StoreError::Column("an insert returned no message id".into()))?;
        let m = Message {
            id: n,
            incident: id.to_string(),
            to: new.to.trim().to_string(),
            text: new.text.trim().to_string(),
            by: by.to_string(),
            time: at.to_string(),
        };
        let record = serde_json::to_string(&m)?;
        let seq = Self::append_event(&mut tx, at, EventKind::MessageSent, &record)?;
        tx.execute(
            "UPDATE messages SET record = ?1, seq = ?2 WHERE id = ?3",
            args![&record, seq, n],
        )?;
        tx.commit()?;
        Ok(Ok(m))
    }

    /// The incident `id`'s messages, oldest first; `None` for an unknown incident.
    pub fn messages(&self, id: &str) -> Result<Option<Vec<Message>>, StoreError> {
        if self.incident(id)?.is_none() {
            return Ok(None);
        }
        Ok(Some(json_rows(
            &mut self.conn(),
            "SELECT record FROM messages WHERE incident = ?1 ORDER BY id",
            args![id],
        )?))
    }

    /// The newest `limit` messages of any incident, oldest first.
    pub fn latest_messages(&self, limit: i64) -> Result<Vec<Message>, StoreError> {
        let mut out: Vec<Message> = json_rows(
            &mut self.conn(),
            "SELECT record FROM messages ORDER BY id DESC LIMIT ?1",
            args![limit],
        )?;
        out.reverse();
        Ok(out)
    }
}
