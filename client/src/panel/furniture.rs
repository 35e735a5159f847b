//! The map's furniture in its bottom-left corner: a north arrow turned with the camera's
//! heading, and a scale bar of a round length (1, 2 or 5 times a power of ten metres) true at
//! the point the camera looks at (a perspective view's scale changes across the picture).

use bevy_egui::egui;
use parktwin_scene::OrbitCamera;
use parktwin_scene::camera::metres_per_point;

use crate::i18n::{Lang, Msg, tr};
use crate::theme;

/// The longest round length (1, 2 or 5 × 10ⁿ metres) no longer than `max` points at
/// `m_per_pt`: (metres, points).
///
/// ```
/// use parktwin::panel::furniture::scale_bar;
/// assert_eq!(scale_bar(4.0, 150.0), Some((500.0, 125.0)));
/// assert_eq!(scale_bar(0.5, 150.0), Some((50.0, 100.0)));
/// ```
pub fn scale_bar(m_per_pt: f64, max: f32) -> Option<(f64, f32)> {
    if !(m_per_pt.is_finite() && m_per_pt > 0.0) {
        return None;
    }
    let longest = m_per_pt * f64::from(max);
    let decade = 10f64.powf(longest.log10().floor());
    let metres = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * decade)
        .find(|m| *m <= longest)?;
    Some((metres, (metres / m_per_pt) as f32))
}

/// A length for the scale bar: metres under a kilometre, else kilometres.
pub fn length_text(metres: f64) -> String {
    if metres >= 1000.0 {
        format!("{} km", metres / 1000.0)
    } else {
        format!("{metres} m")
    }
}

/// The north arrow's angle on the picture, radians clockwise from up, for a camera whose
/// heading is `yaw` (0 looks north; looking west, north is to the right).
pub fn north_angle(yaw: f32) -> f32 {
    yaw
}

/// Draws the arrow and the bar in the map's bottom-left corner.
pub fn draw(ctx: &egui::Context, cam: &OrbitCamera, map: egui::Rect, lang: Lang) {
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Background,
        egui::Id::new("map-furniture"),
    ));
    let ink = theme::MAP_LABEL;
    let shade = egui::Color32::from_black_alpha(170);
    // The arrow: a needle from its centre, "N" beyond its tip.
    let centre = map.left_bottom() + egui::vec2(34.0, -64.0);
    painter.circle_filled(centre, 20.0, shade);
    let a = north_angle(cam.yaw);
    let dir = egui::vec2(a.sin(), -a.cos());
    let side = egui::vec2(-dir.y, dir.x);
    let tip = centre + dir * 15.0;
    painter.add(egui::Shape::convex_polygon(
        vec![tip, centre + side * 5.0, centre - side * 5.0],
        theme::ALARM,
        egui::Stroke::NONE,
    ));
    painter.add(egui::Shape::convex_polygon(
        vec![centre - dir * 15.0, centre - side * 5.0, centre + side * 5.0],
        ink,
        egui::Stroke::NONE,
    ));
    painter.text(
        centre + dir * 27.0,
        egui::Align2::CENTER_CENTER,
        tr(Msg::North, lang),
        egui::FontId::proportional(13.0),
        ink,
    );
    // The bar.
    let Some((metres, length)) = scale_bar(metres_per_point(cam.distance, map.height()), 140.0) else {
        return;
    };
    let left = map.left_bottom() + egui::vec2(14.0, -18.0);
    let box_ = egui::Rect::from_min_max(left - egui::vec2(6.0, 22.0), left + egui::vec2(length + 6.0, 8.0));
    painter.rect_filled(box_, 2.0, shade);
    let stroke = egui::Stroke::new(2.0, ink);
    painter.line_segment([left, left + egui::vec2(length, 0.0)], stroke);
    for x in [0.0, length] {
        painter.line_segment([left + egui::vec2(x, -5.0), left + egui::vec2(x, 3.0)], stroke);
    }
    painter.text(
        left + egui::vec2(length / 2.0, -4.0),
        egui::Align2::CENTER_BOTTOM,
        length_text(metres),
        egui::FontId::proportional(12.0),
        ink,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_is_a_round_length_true_at_the_centre_and_the_arrow_turns_with_the_camera() {
        // 1,000 m away with a 45° field over 500 points: 828 m across the picture's height.
        let m = metres_per_point(1000.0, 500.0);
        assert!((m * 500.0 - 828.4).abs() < 0.1, "{m}");
        let (metres, points) = scale_bar(m, 140.0).expect("a bar");
        assert_eq!(metres, 200.0, "the longest of 1, 2, 5 × 10ⁿ under 140 points' 232 m");
        assert!((f64::from(points) * m - 200.0).abs() < 0.01);
        assert_eq!(scale_bar(30.0, 140.0).map(|b| b.0), Some(2000.0));
        assert_eq!(length_text(2000.0), "2 km");
        assert_eq!(length_text(50.0), "50 m");
        assert_eq!(scale_bar(0.0, 140.0), None);
        assert_eq!(north_angle(0.0), 0.0, "looking north, north is up");
        let west = north_angle(std::f32::consts::FRAC_PI_2);
        assert!((west.sin() - 1.0).abs() < 1e-6, "looking west, north is to the right");
    }
}
