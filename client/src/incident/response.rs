//! The response to the incident on show, in its card: the emergency plans for it (activated
//! with a click), its tasks with their status and times (moved on by an operator), a task
//! given by hand, and its messages. The tasks and messages are the live state's (the log's
//! events, folded by the sync core); a drill's come from its channel, as its scenario gives
//! them, and take no operator's step.

use bevy_egui::egui;
use parktwin_api::emergency::{NewMessage, NewTask, Plan, Task, TaskStep};
use parktwin_api::live::LiveState;

use crate::i18n::{Lang, Msg, fill, status_name, tr};
use crate::net::{ActionStatus, Fetched, ServerUrl};
use crate::theme;

/// What the section holds between frames: the plans read for an incident, and the drafts.
#[derive(Debug, Default)]
pub struct Response {
    /// The incident the plans are for.
    asked: Option<String>,
    plans: Fetched<Vec<Plan>>,
    team: String,
    text: String,
    to: String,
    message: String,
}

/// A digest of the incident's tasks (ids and statuses), which changes when one is given or
/// moves on.
pub fn tasks_key(live: &LiveState, id: &str) -> u64 {
    live.tasks_of(id).iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, t| {
        (h ^ (t.id as u64).wrapping_mul(31) ^ t.status as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A task's line: its status and when it got there, the team, what to do, the resources.
pub fn task_line(t: &Task, lang: Lang) -> String {
    let at = t.time_of(t.status).and_then(|s| s.get(11..16)).unwrap_or("");
    let resources = if t.resources.is_empty() {
        String::new()
    } else {
        format!(" [{}]", t.resources.join(", "))
    };
    format!(
        "{} {at} · {}: {}{resources}",
        status_name(t.status.as_str(), lang),
        t.team,
        t.text
    )
}

/// A message's line: when, from whom, to whom, what.
pub fn message_line(m: &parktwin_api::emergency::Message, lang: Lang) -> String {
    fill(
        Msg::MessageLine,
        lang,
        &[
            ("time", m.time.get(11..16).unwrap_or("").to_string()),
            ("by", m.by.clone()),
            ("to", m.to.clone()),
            ("text", m.text.clone()),
        ],
    )
}

impl Response {
    /// The section for the incident `id`; `token` is an operator's, `drill` whether it is a
    /// drill's release.
    #[allow(clippy::too_many_arguments)] // what the section reads: the card passes it through
    pub fn section(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        drill: bool,
        live: &LiveState,
        server: &ServerUrl,
        token: Option<&str>,
        action: &ActionStatus,
        lang: Lang,
    ) {
        ui.strong(tr(Msg::Response, lang));
        let tasks: Vec<&Task> = live.tasks_of(id);
        if drill {
            ui.small(tr(Msg::DrillScripted, lang));
        } else {
            self.plans(ui, id, &tasks, server, token, action, lang);
        }
        ui.label(tr(Msg::Tasks, lang));
        if tasks.is_empty() {
            ui.small(tr(Msg::NoTasks, lang));
        }
        for t in &tasks {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(theme::task(t.status), task_line(t, lang));
                if let (Some(next), Some(token), false) = (t.status.next(), token, drill)
                    && ui
                        .small_button(fill(Msg::MoveOn, lang, &[("status", status_name(next.as_str(), lang))]))
                        .clicked()
                {
                    let (api, token, status, task) = (server.api(), token.to_string(), action.clone(), t.id);
                    crate::net::spawn("task step", move || async move {
                        let step = TaskStep {
                            status: next,
                            note: None,
                        };
                        let outcome = api.task_step(task, &step, &token).await.err();
                        status.say(outcome.map(|e| format!("task {task}: {e}")));
                    });
                }
            });
            if let Some(n) = &t.note {
                ui.small(format!("  “{n}”"));
            }
        }
        if let (Some(token), false) = (token, drill) {
            self.new_task(ui, id, server, token, action, lang);
        }
        let messages: Vec<_> = live
            .messages
            .iter()
            .filter(|m| m.incident == id || id.split_once('/').is_some_and(|(d, _)| m.incident == d))
            .collect();
        if !messages.is_empty() || (token.is_some() && !drill) {
            ui.label(tr(Msg::Messages, lang));
        }
        for m in messages.iter().rev().take(5).rev() {
            ui.small(message_line(m, lang));
        }
        if let (Some(token), false) = (token, drill) {
            self.new_message(ui, id, server, token, action, lang);
        }
    }

    /// The plans for the incident, each with its Activate button (or "active").
    #[allow(clippy::too_many_arguments)]
    fn plans(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        tasks: &[&Task],
        server: &ServerUrl,
        token: Option<&str>,
        action: &ActionStatus,
        lang: Lang,
    ) {
        if self.asked.as_deref() != Some(id) {
            self.asked = Some(id.to_string());
            *self.plans.lock().unwrap_or_else(|p| p.into_inner()) = None;
            let (api, cell, key) = (server.api(), self.plans.clone(), id.to_string());
            crate::net::spawn("incident plans", move || async move {
                let got = api.incident_plans(&key).await.map_err(|e| e.to_string());
                *cell.lock().unwrap_or_else(|p| p.into_inner()) = Some(got);
            });
        }
        let got = self.plans.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(got) = got else { return };
        ui.label(tr(Msg::PlansFor, lang));
        match got {
            Err(e) => {
                ui.small(e);
            }
            Ok(plans) if plans.is_empty() => {
                ui.small(tr(Msg::NoPlans, lang));
            }
            Ok(plans) => {
                for p in plans {
                    ui.horizontal_wrapped(|ui| {
                        ui.small(lang.pick(&p.body.name, &p.body.name_zh));
                        if tasks.iter().any(|t| t.plan.as_deref() == Some(p.id.as_str())) {
                            ui.colored_label(theme::GOOD, tr(Msg::PlanActive, lang));
                        } else if let Some(token) = token
                            && ui.small_button(tr(Msg::Activate, lang)).clicked()
                        {
                            let (api, token, status) = (server.api(), token.to_string(), action.clone());
                            let (key, plan) = (id.to_string(), p.id.clone());
                            crate::net::spawn("activate plan", move || async move {
                                let outcome = api.activate_plan(&key, &plan, &token).await.err();
                                status.say(outcome.map(|e| format!("plan {plan}: {e}")));
                            });
                        }
                    });
                }
            }
        }
    }

    fn new_task(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        server: &ServerUrl,
        token: &str,
        action: &ActionStatus,
        lang: Lang,
    ) {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.team)
                    .hint_text(tr(Msg::TaskTeamHint, lang))
                    .desired_width(70.0),
            );
            ui.add(
                egui::TextEdit::singleline(&mut self.text)
                    .hint_text(tr(Msg::TaskTextHint, lang))
                    .desired_width(150.0),
            );
            let ready = !self.team.trim().is_empty() && !self.text.trim().is_empty();
            if ui
                .add_enabled(ready, egui::Button::new(tr(Msg::GiveTask, lang)))
                .clicked()
            {
                let task = NewTask {
                    team: std::mem::take(&mut self.team),
                    text: std::mem::take(&mut self.text),
                    resources: Vec::new(),
                };
                let (api, token, status, key) = (server.api(), token.to_string(), action.clone(), id.to_string());
                crate::net::spawn("give task", move || async move {
                    let outcome = api.add_task(&key, &task, &token).await.err();
                    status.say(outcome.map(|e| format!("task: {e}")));
                });
            }
        });
    }

    fn new_message(
        &mut self,
        ui: &mut egui::Ui,
        id: &str,
        server: &ServerUrl,
        token: &str,
        action: &ActionStatus,
        lang: Lang,
    ) {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.to)
                    .hint_text(tr(Msg::MessageToHint, lang))
                    .desired_width(70.0),
            );
            ui.add(
                egui::TextEdit::singleline(&mut self.message)
                    .hint_text(tr(Msg::MessageTextHint, lang))
                    .desired_width(150.0),
            );
            let ready = !self.to.trim().is_empty() && !self.message.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new(tr(Msg::Send, lang))).clicked() {
                let m = NewMessage {
                    to: self.to.clone(),
                    text: std::mem::take(&mut self.message),
                };
                let (api, token, status, key) = (server.api(), token.to_string(), action.clone(), id.to_string());
                crate::net::spawn("send message", move || async move {
                    let outcome = api.send_message(&key, &m, &token).await.err();
                    status.say(outcome.map(|e| format!("message: {e}")));
                });
            }
        });
    }
}
