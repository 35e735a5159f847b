//! An integrator's layer written as a Bevy plugin: the park's fire hydrants, placed every 120 m
//! along the pipe racks, each drawn as a red barrel with a white cap (its own drawing, not a
//! descriptor's markers), identified by its own function (hydrant number, static pressure,
//! flow at the last test).
//!
//! It uses the MapLayer API as any layer does: [`MapLayerAppExt::add_map_layer`] puts it in the
//! registry (so the layer tree lists it under Emergency with a toggle, an opacity slider and
//! its legend), and its entities carry [`LayerMember`] and [`FeatureRef`] so that visibility,
//! opacity, picking and identify work for it. See `docs/layers.md`.

use bevy::prelude::*;
use parktwin_api::descriptor::LegendItem;
use parktwin_api::model::{LayerGroup, LayerInfo};
use parktwin_layers::{Identify, IdentifyRow, MapLayer, MapLayerAppExt};
use parktwin_scene::{FeatureRef, LayerMember, ParkData, PointMarker};

/// The layer's id.
pub const LAYER: &str = "fire_hydrants";
/// Hydrants stand this far apart along a rack, metres.
pub const SPACING_M: f64 = 120.0;

/// One hydrant's data: what identify shows.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Hydrant {
    /// Its number, e.g. `H-017`.
    pub number: String,
    /// Static pressure, MPa (fire-water mains hold 0.7–1.0 MPa here).
    pub pressure_mpa: f64,
    /// Flow at the last test, L/s (GB 50974 asks 10–15 L/s of an outdoor hydrant).
    pub flow_l_s: f64,
}

/// Hydrant positions (east, north, metres) every [`SPACING_M`] along lines given in metres.
pub fn along(lines: &[Vec<[f64; 2]>], spacing: f64) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for l in lines {
        let mut carry = 0.0;
        for w in l.windows(2) {
            let (a, b) = (w[0], w[1]);
            let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
            let mut d = carry;
            while d < len {
                let t = d / len;
                out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
                d += spacing;
            }
            carry = d - len;
        }
    }
    out
}

/// Adds the hydrant layer.
pub struct HydrantPlugin;

impl Plugin for HydrantPlugin {
    fn build(&self, app: &mut App) {
        let info = LayerInfo {
            id: LAYER.into(),
            title: "Fire hydrants (plugin example)".into(),
            title_zh: "消火栓（插件示例）".into(),
            group: LayerGroup::Emergency,
            default_visible: true,
            feature_count: 0,
            descriptor: None,
        };
        let legend = vec![LegendItem {
            label: "Fire hydrant".into(),
            label_zh: "消火栓".into(),
            colour: [220, 20, 30],
        }];
        let mut layer = MapLayer::new(info, 60, legend);
        layer.identify = Identify::Custom(identify);
        app.add_map_layer(layer)
            .add_systems(Update, spawn_hydrants.run_if(resource_added::<ParkData>));
    }
}

/// Identify: the hydrant's own component, in words.
fn identify(world: &World, e: Entity) -> Vec<IdentifyRow> {
    let Some(h) = world.get::<Hydrant>(e) else {
        return Vec::new();
    };
    let row = |label: &str, label_zh: &str, value: String| IdentifyRow {
        label: label.into(),
        label_zh: label_zh.into(),
        value,
    };
    vec![
        row("Hydrant", "消火栓编号", h.number.clone()),
        row("Static pressure", "静压", format!("{:.2} MPa", h.pressure_mpa)),
        row("Flow at last test", "上次测试流量", format!("{:.1} L/s", h.flow_l_s)),
    ]
}

fn spawn_hydrants(
    mut commands: Commands,
    data: Res<ParkData>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut registry: ResMut<parktwin_layers::LayerRegistry>,
) {
    let frame = data.park.frame();
    let racks: Vec<Vec<[f64; 2]>> = data
        .layers
        .iter()
        .filter(|(l, _)| l.id == "pipe_racks")
        .flat_map(|(_, fc)| fc.features.iter())
        .filter_map(|f| match &f.geometry.as_ref()?.value {
            geojson::Value::LineString(l) => Some(l.iter().map(|p| frame.to_map(p[0], p[1])).collect()),
            _ => None,
        })
        .collect();
    let barrel = meshes.add(Cylinder::new(0.5, 1.0));
    let cap = meshes.add(Sphere::new(0.5));
    let red = materials.add(StandardMaterial {
        base_color: Color::srgb_u8(220, 20, 30),
        unlit: true,
        ..default()
    });
    let white = materials.add(StandardMaterial {
        base_color: Color::WHITE,
        unlit: true,
        ..default()
    });
    let spots = along(&racks, SPACING_M);
    for (i, p) in spots.iter().enumerate() {
        // Beside the rack, not under it.
        let at = Vec3::new(p[0] as f32 + 6.0, 0.0, -(p[1] as f32));
        let number = format!("H-{:03}", i + 1);
        commands
            .spawn((
                Mesh3d(barrel.clone()),
                MeshMaterial3d(red.clone()),
                Transform::from_translation(at + Vec3::Y * 3.0).with_scale(Vec3::new(4.0, 6.0, 4.0)),
                Visibility::default(),
                LayerMember(LAYER.into()),
                FeatureRef {
                    layer: LAYER.into(),
                    feature: number.clone(),
                },
                PointMarker,
                Hydrant {
                    number,
                    pressure_mpa: 0.7 + (i % 4) as f64 * 0.08,
                    flow_l_s: 12.0 + (i % 5) as f64 * 0.6,
                },
            ))
            .with_child((
                Mesh3d(cap.clone()),
                MeshMaterial3d(white.clone()),
                Transform::from_xyz(0.0, 0.55, 0.0).with_scale(Vec3::new(1.2, 0.5, 1.2)),
            ));
    }
    let mut layer = registry.get(LAYER).cloned();
    if let Some(l) = layer.as_mut() {
        l.info.feature_count = spots.len();
        registry.insert(l.clone());
    }
    info!("{} fire hydrants along the racks", spots.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::model::Park;
    use parktwin_layers::{LayerRegistry, LayersPlugin};

    #[test]
    fn spacing_follows_the_line() {
        let pts = along(&[vec![[0.0, 0.0], [300.0, 0.0], [300.0, 100.0]]], 120.0);
        assert_eq!(pts, [[0.0, 0.0], [120.0, 0.0], [240.0, 0.0], [300.0, 60.0]]);
    }

    #[test]
    fn the_layer_is_registered_drawn_and_identified() {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, LayersPlugin, HydrantPlugin))
            .init_resource::<Assets<Mesh>>()
            .init_resource::<Assets<StandardMaterial>>();
        let r = app.world().resource::<LayerRegistry>();
        let l = r.get(LAYER).expect("registered before the park loads");
        assert_eq!(l.info.group, LayerGroup::Emergency);
        assert_eq!(l.legend[0].label_zh, "消火栓");
        let frame = parktwin_api::frame::LocalFrame::new(118.45, 37.57);
        let (a, b) = (frame.to_wgs84(0.0, 0.0), frame.to_wgs84(500.0, 0.0));
        let fc: geojson::FeatureCollection = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","id":"PR-01","geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}},"properties":{{}}}}]}}"#,
            a.0, a.1, b.0, b.1
        )
        .parse()
        .expect("geojson");
        let catalog = |id: &str| LayerInfo {
            id: id.into(),
            title: id.into(),
            title_zh: id.into(),
            group: LayerGroup::PipeGallery,
            default_visible: true,
            feature_count: 1,
            descriptor: None,
        };
        app.insert_resource(ParkData {
            park: Park {
                id: "p".into(),
                name: "P".into(),
                name_zh: "P".into(),
                origin: [118.45, 37.57],
                bbox: [118.4, 37.5, 118.5, 37.6],
                timezone: "Asia/Shanghai".into(),
                attribution: None,
            },
            layers: vec![(catalog("pipe_racks"), fc)],
            hazards: Vec::new(),
        });
        app.update();
        app.update();
        let r = app.world().resource::<LayerRegistry>();
        let ids: Vec<&str> = r.layers().iter().map(|l| l.info.id.as_str()).collect();
        assert_eq!(
            ids,
            ["pipe_racks", LAYER],
            "the catalog merged in, the plugin's layer kept"
        );
        assert_eq!(r.get(LAYER).map(|l| l.info.feature_count), Some(5), "0, 120, …, 480 m");
        let world = app.world_mut();
        let (e, f) = world
            .query::<(Entity, &FeatureRef)>()
            .iter(world)
            .find(|(_, f)| f.feature == "H-002")
            .map(|(e, f)| (e, f.clone()))
            .expect("hydrant 2 drawn");
        assert_eq!(f.layer, LAYER);
        let rows = identify(world, e);
        assert_eq!(rows[0].value, "H-002");
        assert_eq!(rows[1].value, "0.78 MPa");
        // Hiding the layer hides the hydrants.
        world.resource_mut::<LayerRegistry>().set_visible(LAYER, false);
        app.update();
        assert_eq!(app.world().get::<Visibility>(e), Some(&Visibility::Hidden));
    }
}
