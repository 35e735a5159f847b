//! ParkTwin's park layers: what an imported layer is called, titled and grouped, in the order
//! the park draws them (the demo park's `park.json` has the same).

use parktwin_api::model::LayerGroup;

/// One park layer the clients know by id.
#[derive(Debug, Clone, Copy)]
pub struct ParkLayer {
    /// Its id (the file stem a source in ParkTwin's schema has).
    pub id: &'static str,
    /// Its English title.
    pub title: &'static str,
    /// Its Chinese title.
    pub title_zh: &'static str,
    /// Its scenario group.
    pub group: LayerGroup,
    /// Shown at start.
    pub visible: bool,
}

const fn layer(
    id: &'static str,
    title: &'static str,
    title_zh: &'static str,
    group: LayerGroup,
    visible: bool,
) -> ParkLayer {
    ParkLayer {
        id,
        title,
        title_zh,
        group,
        visible,
    }
}

/// The park's layers, in drawing order.
pub const PARK_LAYERS: [ParkLayer; 16] = [
    layer("boundary", "Park boundary (fence)", "园区边界", LayerGroup::Base, true),
    layer("roads", "Roads", "道路", LayerGroup::Base, true),
    layer(
        "enterprises",
        "Enterprises by risk colour",
        "企业四色风险",
        LayerGroup::Safety,
        true,
    ),
    layer("buildings", "Buildings", "建筑", LayerGroup::Base, true),
    layer("units", "Process units", "生产装置", LayerGroup::Safety, true),
    layer("tanks", "Storage tanks", "储罐", LayerGroup::Safety, true),
    layer(
        "hazards",
        "Major hazard sources (GB 18218)",
        "重大危险源",
        LayerGroup::Safety,
        true,
    ),
    layer("pipe_racks", "Pipe racks", "管廊", LayerGroup::PipeGallery, true),
    layer("pipes", "Pipes by medium", "管道", LayerGroup::PipeGallery, true),
    layer("gates", "Gates", "卡口", LayerGroup::ClosedManagement, true),
    layer(
        "parking",
        "Hazmat truck parking",
        "危化品车辆停车场",
        LayerGroup::ClosedManagement,
        true,
    ),
    layer("cameras", "Cameras", "视频监控", LayerGroup::ClosedManagement, false),
    layer("detectors", "Gas detectors", "气体探测器", LayerGroup::Safety, true),
    layer(
        "weather_stations",
        "Weather stations",
        "气象站",
        LayerGroup::Environment,
        true,
    ),
    layer(
        "emergency_resources",
        "Emergency resources",
        "应急资源",
        LayerGroup::Emergency,
        true,
    ),
    layer(
        "sensitive_targets",
        "Sensitive targets",
        "环境敏感目标",
        LayerGroup::Emergency,
        true,
    ),
];

/// The park layer of an id.
pub fn park_layer(id: &str) -> Option<&'static ParkLayer> {
    PARK_LAYERS.iter().find(|l| l.id == id)
}

/// The ids, for messages.
pub fn park_layer_ids() -> String {
    PARK_LAYERS.iter().map(|l| l.id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_parks_manifest_has_the_same_layers_in_the_same_order() {
        let text = include_str!("../../assets/park/park.json");
        let manifest: parktwin_api::model::ParkManifest = serde_json::from_str(text).expect("the demo's park.json");
        let ours: Vec<_> = PARK_LAYERS
            .iter()
            .map(|l| (l.id, l.title, l.title_zh, l.group, l.visible))
            .collect();
        let demo: Vec<_> = manifest
            .layers
            .iter()
            .map(|l| {
                (
                    l.id.as_str(),
                    l.title.as_str(),
                    l.title_zh.as_str(),
                    l.group,
                    l.default_visible,
                )
            })
            .collect();
        assert_eq!(ours, demo);
    }
}
