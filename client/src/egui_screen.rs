//! An egui screen for tests: frames run without a window or a GPU, and widgets are found,
//! read and clicked by what a screen reader would announce (egui's AccessKit tree).

use bevy_egui::egui;

/// A headless egui screen of 1280×720 points.
pub struct Screen {
    ctx: egui::Context,
    nodes: Vec<egui::accesskit::Node>,
}

impl Screen {
    /// A new screen.
    pub fn new() -> Self {
        let ctx = egui::Context::default();
        ctx.enable_accesskit();
        Self { ctx, nodes: Vec::new() }
    }

    /// Runs one frame with `events`, drawing with `draw`.
    pub fn frame(&mut self, events: Vec<egui::Event>, draw: &mut dyn FnMut(&mut egui::Ui)) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0))),
            events,
            ..Default::default()
        };
        let mut out = self.ctx.run_ui(input, |ui| draw(ui));
        // No painter here: the font atlas's updates are dropped on purpose.
        out.textures_delta.clear();
        if let Some(update) = out.platform_output.accesskit_update {
            self.nodes = update.nodes.into_iter().map(|(_, n)| n).collect();
        }
    }

    /// The widget labelled `label` (or with that value, or that placeholder).
    pub fn find(&self, label: &str) -> &egui::accesskit::Node {
        self.nodes
            .iter()
            .find(|n| [n.label(), n.value(), n.placeholder()].contains(&Some(label)))
            .unwrap_or_else(|| {
                panic!(
                    "no \"{label}\" on screen: {:?}",
                    self.nodes
                        .iter()
                        .map(|n| (n.role(), n.label(), n.value(), n.placeholder()))
                        .collect::<Vec<_>>()
                )
            })
    }

    /// Whether any widget's label or value contains `text`.
    pub fn shows(&self, text: &str) -> bool {
        self.nodes
            .iter()
            .any(|n| n.label().or(n.value()).is_some_and(|l| l.contains(text)))
    }

    /// Clicks the widget labelled `label`: the pointer moves there, presses, releases (three
    /// frames).
    pub fn click(&mut self, label: &str, draw: &mut dyn FnMut(&mut egui::Ui)) {
        let b = self.find(label).bounds().expect("bounds");
        let at = egui::pos2(((b.x0 + b.x1) / 2.0) as f32, ((b.y0 + b.y1) / 2.0) as f32);
        let button = |pressed| egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        };
        self.frame(vec![egui::Event::PointerMoved(at)], draw);
        self.frame(vec![button(true)], draw);
        self.frame(vec![button(false)], draw);
    }

    /// Clicks the text field labelled `label` and types `text` into it.
    pub fn type_into(&mut self, label: &str, text: &str, draw: &mut dyn FnMut(&mut egui::Ui)) {
        self.click(label, draw);
        self.frame(vec![egui::Event::Text(text.into())], draw);
    }
}
