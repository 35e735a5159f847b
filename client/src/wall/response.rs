//! The wall's response card: the tasks of the incident on show with where each stands, and
//! its latest messages (a drill's, when the wall shows a drill), read from across the room.

use bevy_egui::egui;
use parktwin_api::emergency::TaskStatus;
use parktwin_api::live::LiveState;

use crate::i18n::{Lang, Msg, fill, tr};
use crate::theme;

/// How many tasks and messages the card lists.
const TASKS_SHOWN: usize = 8;
const MESSAGES_SHOWN: usize = 3;

/// The response card's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseCard {
    /// How many tasks, and how many en route, on scene and done.
    pub counts: String,
    /// The tasks still open first, then the done ones, each a line in its status's colour.
    pub tasks: Vec<(String, egui::Color32)>,
    /// The latest messages, newest last.
    pub messages: Vec<String>,
}

impl ResponseCard {
    /// The card for the incident `id` (a drill's release takes its drill's tasks); `None` when
    /// it has neither tasks nor messages.
    pub fn of(live: &LiveState, id: &str, lang: Lang) -> Option<Self> {
        let mut tasks = live.tasks_of(id);
        let messages: Vec<_> = live
            .messages
            .iter()
            .filter(|m| m.incident == id || id.split_once('/').is_some_and(|(d, _)| m.incident == d))
            .collect();
        if tasks.is_empty() && messages.is_empty() {
            return None;
        }
        let n = |s: TaskStatus| tasks.iter().filter(|t| t.status == s).count().to_string();
        let counts = fill(
            Msg::WallTaskCounts,
            lang,
            &[
                ("n", tasks.len().to_string()),
                ("en_route", n(TaskStatus::EnRoute)),
                ("on_scene", n(TaskStatus::OnScene)),
                ("done", n(TaskStatus::Done)),
            ],
        );
        tasks.sort_by_key(|t| (t.status == TaskStatus::Done, t.id.unsigned_abs()));
        Some(Self {
            counts,
            tasks: tasks
                .iter()
                .take(TASKS_SHOWN)
                .map(|t| (crate::incident::response::task_line(t, lang), theme::task(t.status)))
                .collect(),
            messages: messages
                .iter()
                .rev()
                .take(MESSAGES_SHOWN)
                .rev()
                .map(|m| crate::incident::response::message_line(m, lang))
                .collect(),
        })
    }

    /// Draws the card's body.
    pub fn draw(&self, ui: &mut egui::Ui) {
        ui.label(egui::RichText::new(&self.counts).size(17.0).color(egui::Color32::WHITE));
        for (line, colour) in &self.tasks {
            ui.label(egui::RichText::new(line).size(16.0).color(*colour));
        }
        for m in &self.messages {
            ui.label(egui::RichText::new(m).size(14.0).color(theme::DIM));
        }
    }
}

/// The card's title.
pub fn title(lang: Lang) -> &'static str {
    tr(Msg::WallResponse, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egui_screen::Screen;
    use parktwin_api::emergency::{Message, Task};

    fn task(id: i64, incident: &str, team: &str, text: &str) -> Task {
        Task::assigned(id, incident, team, text, "duty", "2026-12-07T06:00:00.000Z")
    }

    #[test]
    fn the_wall_shows_the_incidents_tasks_where_each_stands_and_its_latest_messages() {
        let mut live = LiveState::default();
        let curtain = task(1, "inc-1", "fire brigade", "Water curtain downwind")
            .advance(TaskStatus::OnScene, None, "2026-12-07T06:07:00.000Z")
            .expect("forward");
        let gate = task(2, "inc-1", "security", "Close the Hazmat Gate")
            .advance(TaskStatus::Done, None, "2026-12-07T06:03:00.000Z")
            .expect("forward");
        let evacuate = task(3, "inc-1", "evacuation", "Evacuate the east parcels");
        let elsewhere = task(4, "inc-2", "medical", "Stand by");
        for t in [curtain, gate, evacuate, elsewhere] {
            live.tasks.insert(t.id, t);
        }
        live.add_messages([Message {
            id: 1,
            incident: "inc-1".into(),
            to: "everyone".into(),
            text: "Command post at the Main Gate".into(),
            by: "duty".into(),
            time: "2026-12-07T06:01:00.000Z".into(),
        }]);
        let card = ResponseCard::of(&live, "inc-1", Lang::En).expect("a card");
        assert_eq!(card.counts, "3 tasks · 0 en route · 1 on scene · 1 done");
        assert_eq!(card.tasks.len(), 3, "inc-2's task is not inc-1's");
        assert!(
            card.tasks[2].0.starts_with("done 06:03 · security"),
            "done last: {:?}",
            card.tasks
        );
        assert_eq!(card.tasks[0].1, theme::task(TaskStatus::OnScene));
        let mut screen = Screen::new();
        screen.frame(vec![], &mut |ui| card.draw(ui));
        for text in [
            "on scene 06:07 · fire brigade: Water curtain downwind",
            "assigned 06:00 · evacuation: Evacuate the east parcels",
            "06:01 duty to everyone: Command post at the Main Gate",
        ] {
            assert!(screen.shows(text), "no \"{text}\" on the wall");
        }
        let zh = ResponseCard::of(&live, "inc-1", Lang::Zh).expect("a card");
        assert_eq!(zh.counts, "任务 3 项 · 途中 0 · 现场 1 · 完成 1");
        assert!(ResponseCard::of(&live, "inc-3", Lang::En).is_none(), "nothing to show");
    }

    #[test]
    fn a_drills_release_shows_the_drills_tasks() {
        let mut live = LiveState::default();
        let t = task(-7, "drill-2", "fire brigade", "Water curtain");
        live.tasks.insert(t.id, t);
        let card = ResponseCard::of(&live, "drill-2/T01-flange", Lang::En).expect("the drill's card");
        assert_eq!(card.tasks.len(), 1);
        assert!(ResponseCard::of(&live, "inc-1", Lang::En).is_none());
    }
}
