//! Decluttering the map's labels: no two drawn labels overlap on screen, and where two would,
//! the more important one is drawn. Greedy by importance (then by the order given), as map
//! renderers place labels; quadratic in the labels kept, which a frame's few hundred afford.

/// Which of the labels `boxes` (screen rectangles, each with its importance: higher wins) are
/// drawn, each kept at least `gap` points from every other kept.
///
/// ```
/// use bevy_egui::egui::{Rect, pos2};
/// use parktwin::panel::declutter::keep;
/// let a = Rect::from_min_max(pos2(0.0, 0.0), pos2(50.0, 12.0));
/// let b = Rect::from_min_max(pos2(40.0, 5.0), pos2(90.0, 17.0)); // over a
/// let c = Rect::from_min_max(pos2(0.0, 40.0), pos2(50.0, 52.0)); // apart
/// assert_eq!(keep(&[(a, 1), (b, 3), (c, 1)], 2.0), [false, true, true]);
/// ```
pub fn keep(boxes: &[(bevy_egui::egui::Rect, u8)], gap: f32) -> Vec<bool> {
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(boxes[i].1));
    let mut kept: Vec<bevy_egui::egui::Rect> = Vec::new();
    let mut out = vec![false; boxes.len()];
    for i in order {
        let r = boxes[i].0.expand(gap / 2.0);
        if kept.iter().all(|k| !k.intersects(r)) {
            kept.push(r);
            out[i] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy_egui::egui::{Rect, pos2, vec2};

    #[test]
    fn no_two_kept_labels_overlap_and_the_important_ones_win() {
        // A dense cluster: 200 labels on a 10-point grid, 40 points wide each.
        let boxes: Vec<(Rect, u8)> = (0..200)
            .map(|i| {
                let at = pos2((i % 20) as f32 * 10.0, (i / 20) as f32 * 10.0);
                (Rect::from_min_size(at, vec2(40.0, 12.0)), u8::from(i % 7 == 0) * 3)
            })
            .collect();
        let kept = keep(&boxes, 2.0);
        let shown: Vec<Rect> = boxes.iter().zip(&kept).filter(|(_, k)| **k).map(|(b, _)| b.0).collect();
        assert!(shown.len() > 5, "some are drawn: {}", shown.len());
        for (i, a) in shown.iter().enumerate() {
            for b in &shown[i + 1..] {
                assert!(!a.expand(1.0).intersects(b.expand(1.0)), "{a:?} and {b:?} overlap");
            }
        }
        // Each label left out gives way to one drawn that is at least as important.
        for (b, _) in boxes.iter().zip(&kept).filter(|(_, k)| !**k) {
            assert!(
                boxes
                    .iter()
                    .zip(&kept)
                    .any(|(o, k)| *k && o.1 >= b.1 && o.0.expand(1.0).intersects(b.0.expand(1.0))),
                "{b:?} left out for nothing as important"
            );
        }
        // An important label wins its place over an ordinary one given first.
        let a = Rect::from_min_size(pos2(0.0, 0.0), vec2(40.0, 12.0));
        assert_eq!(keep(&[(a, 1), (a.translate(vec2(5.0, 0.0)), 3)], 2.0), [false, true]);
        // Apart, all are drawn.
        let apart: Vec<(Rect, u8)> = (0..10)
            .map(|i| (Rect::from_min_size(pos2(i as f32 * 100.0, 0.0), vec2(40.0, 12.0)), 1))
            .collect();
        assert!(keep(&apart, 2.0).iter().all(|k| *k));
    }
}
