//! Emergency command: the park's emergency plans (预案), the tasks an incident's response gives
//! to teams and how each moves on, and the messages sent during it. Pure rules, which the
//! server applies and the client shows; the same task and message shapes come from a drill's
//! scenario (on the drill's channel, never live).
//!
//! A task's way is one-directional, as a command post logs it: assigned → en route → on scene
//! → done, a step skipped where it did not happen (a team already on site goes straight on
//! scene), never back; each step keeps its time.
//!
//! ```
//! use parktwin_api::emergency::{Task, TaskStatus};
//! let t = Task::assigned(7, "inc-1", "fire brigade", "Water curtain", "duty", "2026-12-07T06:00:00.000Z");
//! let t = t.advance(TaskStatus::OnScene, None, "2026-12-07T06:04:00.000Z").unwrap();
//! assert_eq!(t.on_scene.as_deref(), Some("2026-12-07T06:04:00.000Z"));
//! assert!(t.advance(TaskStatus::EnRoute, None, "2026-12-07T06:05:00.000Z").is_err(), "never back");
//! ```

use serde::{Deserialize, Serialize};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Given to the team.
    #[default]
    Assigned,
    /// The team is on its way.
    EnRoute,
    /// The team is there, working.
    OnScene,
    /// Done.
    Done,
}

impl TaskStatus {
    /// Every status, in their order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Assigned,
        TaskStatus::EnRoute,
        TaskStatus::OnScene,
        TaskStatus::Done,
    ];

    /// Its text, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "assigned",
            TaskStatus::EnRoute => "en_route",
            TaskStatus::OnScene => "on_scene",
            TaskStatus::Done => "done",
        }
    }

    /// The next status, if there is one.
    pub fn next(self) -> Option<TaskStatus> {
        match self {
            TaskStatus::Assigned => Some(TaskStatus::EnRoute),
            TaskStatus::EnRoute => Some(TaskStatus::OnScene),
            TaskStatus::OnScene => Some(TaskStatus::Done),
            TaskStatus::Done => None,
        }
    }
}

/// A task given to a team during an incident (or a drill's, on its channel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// Its number (a drill's are negative: never a live task's).
    pub id: i64,
    /// The incident it serves (a drill's release for a drill's task).
    pub incident: String,
    /// The plan it came from, if one.
    #[serde(default)]
    pub plan: Option<String>,
    /// The team.
    pub team: String,
    /// What it is to do.
    pub text: String,
    /// The emergency resources it takes (feature ids of the emergency resources or vehicles).
    #[serde(default)]
    pub resources: Vec<String>,
    /// Where it stands.
    pub status: TaskStatus,
    /// Who gave it.
    pub by: String,
    /// When it was given (RFC 3339).
    pub assigned: String,
    /// When the team set off.
    #[serde(default)]
    pub en_route: Option<String>,
    /// When the team got there.
    #[serde(default)]
    pub on_scene: Option<String>,
    /// When it was done.
    #[serde(default)]
    pub done: Option<String>,
    /// The last word on it (what the team reported with its last step).
    #[serde(default)]
    pub note: Option<String>,
}

impl Task {
    /// A task just given.
    pub fn assigned(id: i64, incident: &str, team: &str, text: &str, by: &str, at: &str) -> Self {
        Self {
            id,
            incident: incident.to_string(),
            plan: None,
            team: team.to_string(),
            text: text.to_string(),
            resources: Vec::new(),
            status: TaskStatus::Assigned,
            by: by.to_string(),
            assigned: at.to_string(),
            en_route: None,
            on_scene: None,
            done: None,
            note: None,
        }
    }

    /// The task moved on to `to` at `at`, with the team's word; refused (in words) when `to`
    /// is not after where it stands.
    pub fn advance(&self, to: TaskStatus, note: Option<&str>, at: &str) -> Result<Task, String> {
        if to <= self.status {
            return Err(format!(
                "task {} is {} already: a task moves on (assigned, en_route, on_scene, done), never back",
                self.id,
                self.status.as_str()
            ));
        }
        let mut t = self.clone();
        t.status = to;
        let stamp = Some(at.to_string());
        match to {
            TaskStatus::Assigned => {}
            TaskStatus::EnRoute => t.en_route = stamp,
            TaskStatus::OnScene => t.on_scene = stamp,
            TaskStatus::Done => t.done = stamp,
        }
        if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
            t.note = Some(n.trim().to_string());
        }
        Ok(t)
    }

    /// When it reached `status`, if it did.
    pub fn time_of(&self, status: TaskStatus) -> Option<&str> {
        match status {
            TaskStatus::Assigned => Some(&self.assigned),
            TaskStatus::EnRoute => self.en_route.as_deref(),
            TaskStatus::OnScene => self.on_scene.as_deref(),
            TaskStatus::Done => self.done.as_deref(),
        }
    }

    /// Whether it serves the incident `id`: its own, or for a drill's task any release of the
    /// same drill (`drill-N/…`).
    pub fn serves(&self, id: &str) -> bool {
        self.incident == id || id.split_once('/').is_some_and(|(drill, _)| self.incident == drill)
    }
}

/// A new task (`POST /api/v1/incidents/{id}/tasks`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// The team (at most 100 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 100)))]
    pub team: String,
    /// What it is to do (at most 1,000 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1000)))]
    pub text: String,
    /// The emergency resources it takes (at most 20).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 20)))]
    pub resources: Vec<String>,
}

/// A task's step (`POST /api/v1/tasks/{id}/status`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskStep {
    /// Where it stands now: en_route, on_scene or done.
    pub status: TaskStatus,
    /// What the team reports (at most 1,000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub note: Option<String>,
}

/// A message sent during an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Message {
    /// Its number (a drill's are negative).
    pub id: i64,
    /// The incident it is about.
    pub incident: String,
    /// To whom: a team, or `everyone`.
    pub to: String,
    /// What it says.
    pub text: String,
    /// Who sent it.
    pub by: String,
    /// When (RFC 3339).
    pub time: String,
}

/// A new message (`POST /api/v1/incidents/{id}/messages`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// To whom: a team, or `everyone` (at most 100 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 100)))]
    pub to: String,
    /// What it says (at most 2,000 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 2000)))]
    pub text: String,
}

/// One step of an emergency plan: a task for a team when the plan is activated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanStep {
    /// The team (at most 100 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 100)))]
    pub team: String,
    /// What it is to do (at most 1,000 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 1000)))]
    pub text: String,
    /// The same in Chinese.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 1000)))]
    pub text_zh: String,
    /// The emergency resources it takes (at most 20).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 20)))]
    pub resources: Vec<String>,
}

/// An emergency plan as written (`PUT /api/v1/plans/{id}`'s body): what it applies to and its
/// steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Its name (at most 200 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub name: String,
    /// Its Chinese name.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 200)))]
    pub name_zh: String,
    /// The major hazard sources it is for (ids of the hazards layer).
    #[serde(default)]
    pub hazard_sources: Vec<String>,
    /// The chemicals it is for (names of the chemical table).
    #[serde(default)]
    pub chemicals: Vec<String>,
    /// Its steps, in order (1 to 50).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 50)))]
    pub steps: Vec<PlanStep>,
}

/// An emergency plan (预案) of the park.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Plan {
    /// Its id (letters, digits, `-` and `_`).
    pub id: String,
    /// What it is and does.
    #[serde(flatten)]
    pub body: PlanBody,
}

/// What a plan's references are checked against: the park's hazard sources, chemicals and
/// emergency resources.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    /// The hazard sources' ids.
    pub hazard_sources: &'a [String],
    /// The chemicals' names.
    pub chemicals: &'a [String],
    /// The emergency resources' ids.
    pub resources: &'a [String],
}

/// Whether a plan's id is one: 1 to 64 letters, digits, `-` or `_`.
pub fn is_plan_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl PlanBody {
    /// Every problem of the plan, each naming its field: empty names and texts, a plan for
    /// nothing, and a hazard source, chemical or resource the park does not have.
    pub fn problems(&self, park: PlanContext<'_>) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push("name: empty".to_string());
        }
        if self.hazard_sources.is_empty() && self.chemicals.is_empty() {
            out.push("hazard_sources, chemicals: a plan is for at least one hazard source or chemical".to_string());
        }
        for (i, h) in self.hazard_sources.iter().enumerate() {
            if !park.hazard_sources.contains(h) {
                out.push(format!(
                    "hazard_sources[{i}]: \"{h}\" is not one of the park's major hazard sources"
                ));
            }
        }
        for (i, c) in self.chemicals.iter().enumerate() {
            if !park.chemicals.iter().any(|k| k.eq_ignore_ascii_case(c)) {
                out.push(format!("chemicals[{i}]: \"{c}\" is not in the chemical table"));
            }
        }
        if self.steps.is_empty() {
            out.push("steps: a plan has at least one step".to_string());
        }
        for (i, s) in self.steps.iter().enumerate() {
            if s.team.trim().is_empty() {
                out.push(format!("steps[{i}].team: empty"));
            }
            if s.text.trim().is_empty() {
                out.push(format!("steps[{i}].text: empty"));
            }
            for (j, r) in s.resources.iter().enumerate() {
                if !park.resources.contains(r) {
                    out.push(format!(
                        "steps[{i}].resources[{j}]: \"{r}\" is not one of the park's emergency resources"
                    ));
                }
            }
        }
        out
    }

    /// Whether the plan is for an incident at the hazard source `hazard` (if it is at one)
    /// releasing `chemical`.
    pub fn applies(&self, hazard: Option<&str>, chemical: &str) -> bool {
        hazard.is_some_and(|h| self.hazard_sources.iter().any(|x| x == h))
            || self.chemicals.iter().any(|c| c.eq_ignore_ascii_case(chemical))
    }
}

/// A resource's state as the response stands: the status of the open task that takes it, or
/// the one it is declared with (`available`, `maintenance`, …) when no open task does.
///
/// ```
/// use parktwin_api::emergency::{Task, TaskStatus, resource_status};
/// let mut t = Task::assigned(1, "inc-1", "fire", "Foam", "duty", "2026-12-07T06:00:00.000Z");
/// t.resources = vec!["ev-02".into()];
/// let t = t.advance(TaskStatus::EnRoute, None, "2026-12-07T06:01:00.000Z").unwrap();
/// assert_eq!(resource_status("ev-02", Some("available"), [&t]), "en_route");
/// assert_eq!(resource_status("ev-01", Some("available"), [&t]), "available");
/// ```
pub fn resource_status<'a>(id: &str, declared: Option<&str>, tasks: impl IntoIterator<Item = &'a Task>) -> String {
    tasks
        .into_iter()
        .filter(|t| t.status != TaskStatus::Done && t.resources.iter().any(|r| r == id))
        .map(|t| t.status)
        .max()
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| declared.unwrap_or("available").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: &str = "2026-12-07T06:00:00.000Z";

    fn plan() -> PlanBody {
        PlanBody {
            name: "Chlorine release".into(),
            name_zh: "液氯泄漏".into(),
            hazard_sources: vec!["mhs-02".into()],
            chemicals: vec!["chlorine".into()],
            steps: vec![PlanStep {
                team: "fire brigade".into(),
                text: "Water curtain downwind".into(),
                text_zh: String::new(),
                resources: vec!["ev-01".into()],
            }],
        }
    }

    #[test]
    fn a_task_moves_forward_through_its_steps_each_timed_and_never_back() {
        let t = Task::assigned(1, "inc-1", "fire", "Foam", "duty", T0);
        let t = t
            .advance(TaskStatus::EnRoute, Some("  leaving now "), "2026-12-07T06:01:00.000Z")
            .expect("as made");
        assert_eq!(
            (t.status, t.note.as_deref()),
            (TaskStatus::EnRoute, Some("leaving now"))
        );
        let again = t
            .advance(TaskStatus::EnRoute, None, "2026-12-07T06:02:00.000Z")
            .expect_err("refused");
        assert!(again.contains("en_route already"), "{again}");
        let t = t
            .advance(TaskStatus::Done, None, "2026-12-07T06:09:00.000Z")
            .expect("as made");
        assert_eq!(t.time_of(TaskStatus::OnScene), None, "on scene was skipped");
        assert_eq!(t.time_of(TaskStatus::Done), Some("2026-12-07T06:09:00.000Z"));
        assert_eq!(
            t.note.as_deref(),
            Some("leaving now"),
            "a step without a word keeps the last"
        );
        assert!(t.advance(TaskStatus::Done, None, T0).is_err());
        assert_eq!(TaskStatus::Done.next(), None);
        assert_eq!(
            serde_json::to_value(TaskStatus::OnScene).expect("as made"),
            serde_json::json!("on_scene")
        );
    }

    #[test]
    fn a_plan_names_each_of_its_problems() {
        let park = PlanContext {
            hazard_sources: &["mhs-02".into()],
            chemicals: &["chlorine".into(), "ammonia".into()],
            resources: &["ev-01".into()],
        };
        assert!(plan().problems(park).is_empty());
        let mut bad = plan();
        bad.hazard_sources = vec!["mhs-99".into()];
        bad.chemicals = vec!["Ammonia".into(), "unobtainium".into()];
        bad.steps[0].resources = vec!["ev-01".into(), "ev-77".into()];
        bad.steps.push(PlanStep {
            team: " ".into(),
            text: "x".into(),
            text_zh: String::new(),
            resources: vec![],
        });
        assert_eq!(
            bad.problems(park),
            [
                "hazard_sources[0]: \"mhs-99\" is not one of the park's major hazard sources",
                "chemicals[1]: \"unobtainium\" is not in the chemical table",
                "steps[0].resources[1]: \"ev-77\" is not one of the park's emergency resources",
                "steps[1].team: empty",
            ]
        );
        let none = PlanBody {
            hazard_sources: vec![],
            chemicals: vec![],
            steps: vec![],
            ..plan()
        };
        assert_eq!(none.problems(park).len(), 2, "{:?}", none.problems(park));
        assert!(is_plan_id("chlorine-mhs_02") && !is_plan_id("") && !is_plan_id("a b") && !is_plan_id("ü"));
    }

    #[test]
    fn a_plan_applies_by_its_hazard_source_or_its_chemical() {
        let p = plan();
        assert!(p.applies(Some("mhs-02"), "hydrogen chloride"), "at its hazard source");
        assert!(p.applies(None, "Chlorine"), "its chemical anywhere");
        assert!(!p.applies(Some("mhs-01"), "ammonia"));
    }

    #[test]
    fn a_drills_task_serves_every_release_of_its_drill() {
        let t = Task::assigned(-9, "drill-3", "fire", "Foam", "drill", T0);
        assert!(t.serves("drill-3/T01-flange") && !t.serves("drill-4/T01-flange") && !t.serves("inc-1"));
        let live = Task::assigned(2, "inc-1", "fire", "Foam", "duty", T0);
        assert!(live.serves("inc-1") && !live.serves("inc-10"));
    }
}
