//! The incidents layer: each open incident's ground-level concentration drawn by the GPU, its
//! threat zones outlined, the wind shown, and who is inside highlighted.
//!
//! **Why a fragment shader and not a compute pass.** The field is a sum of closed-form terms (a
//! plume slug and up to [`MAX_PUFFS`] puffs) that the GPU evaluates per pixel in one pass over a
//! quad on the ground: nothing to store, no second pass, exact at any zoom (a texture written by
//! a compute pass has a fixed resolution that is too coarse near the source when it spans the
//! 10 km zones, or too small to hold them when it is fine), and it runs on WebGL2, which has no
//! compute shaders. The CPU precomputes what does not depend on the pixel: each puff's
//! amplitude and width, and a 128-entry σ table for the slug. The frame benchmark measures its
//! cost against the same view without an incident (BENCHMARKS.md).

use std::collections::HashMap;

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, Extent3d, ShaderType, TextureDimension, TextureFormat};
use bevy::shader::ShaderRef;
use parktwin_api::incident::{Candidate, Incident, ZoneOccupants};
use parktwin_api::layer::LayerId;
use parktwin_api::model::{Chemical, ChemicalTable};
use parktwin_dispersion::incident::{Field, IncidentError, cloud_choice, field_at, incident_levels};
use parktwin_dispersion::model::vertical_term;
use parktwin_dispersion::sigma::sigmas;
use parktwin_dispersion::zones::{Zone, occupants, zones_from_geojson};
use parktwin_scene::mesh::scene_point;
use parktwin_scene::{ParkData, style};

use crate::live::Live;

/// Most puffs drawn per incident (a continuous release after a wind shift is cut into at most
/// this many).
pub const MAX_PUFFS: usize = 600;
/// Texels per row of the field's data texture (the puffs' row holds [`MAX_PUFFS`]).
const DATA_WIDTH: u32 = 1024;
/// Entries of the σ table.
const LUT_N: usize = 128;
/// Decades of distance the σ table spans, from 1 m.
const LUT_DECADES: f64 = 5.0;
/// Height of the field above the ground, m (over the parcels and roads).
pub const FIELD_HEIGHT: f32 = 1.5;

/// The chemical table, built in (the same file the server seeds from).
const CHEMICALS: &str = include_str!("../../assets/chemicals.json");

/// Each open incident's threat zones as the server computed them (GeoJSON), fetched by the
/// feed when an incident starts or its weather shifts.
#[derive(Resource, Debug, Clone, Default)]
pub struct IncidentZones(pub HashMap<String, serde_json::Value>);

/// What-if outcomes beside the real ones: each incident's other threat zones (GeoJSON from
/// `POST /incidents/{id}/what-if`), drawn as ghost outlines.
#[derive(Resource, Debug, Clone, Default)]
pub struct IncidentGhosts(pub HashMap<String, serde_json::Value>);

/// The colour of a what-if's ghost outlines: a pale violet that no level of concern uses.
pub const GHOST: Color = Color::srgb(0.75, 0.65, 1.0);

/// The moment the field is drawn for, Unix seconds; `None` is now (live).
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct FieldClock(pub Option<f64>);

impl FieldClock {
    /// The moment, Unix seconds.
    pub fn now(&self) -> f64 {
        self.0
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9)
    }
}

/// Draw the field as read-out values (log concentration in red and green) instead of colours:
/// for checking the GPU against the CPU reference.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct FieldReadout(pub bool);

/// The incident the panel shows (the newest open one unless the operator picks another).
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct ShownIncident(pub Option<String>);

/// What the map knows of each open incident: its zones in metres, the field drawn this frame,
/// and who is inside.
#[derive(Resource, Debug, Clone, Default)]
pub struct IncidentView {
    /// By incident id.
    pub incidents: HashMap<String, IncidentState>,
}

/// One incident as drawn.
#[derive(Debug, Clone)]
pub struct IncidentState {
    /// The incident.
    pub incident: Incident,
    /// Its zones, metres around the source, most severe first.
    pub zones: Vec<Zone>,
    /// Seconds since the release started, as drawn.
    pub t_s: f64,
    /// The cloud's field as drawn (`None` for a fire or a blast, whose zones are all the map
    /// draws of them).
    pub field: Option<Field>,
    /// Who is inside each zone now.
    pub inside: Vec<ZoneOccupants>,
    /// The levels of concern, name and mg/m³.
    pub levels: Vec<(String, f64)>,
}

/// The uniform block of the field shader (see `field.wgsl`).
#[derive(ShaderType, Debug, Clone, Copy, Default)]
pub struct FieldParams {
    /// x, y: the source's world x and z; z: puff count; w: 1 = read-out.
    pub source: Vec4,
    /// x, y: downwind unit (east, north); z: wind speed at release height; w: release height.
    pub wind: Vec4,
    /// x: rate mg/s; y: tail m; z: front m; w: 1 if there is a slug.
    pub slug: Vec4,
    /// x, y: log10 of the ramp's ends (mg/m³); z: opacity.
    pub ramp: Vec4,
    /// The levels of concern, mg/m³, most severe first (0: none).
    pub levels: Vec4,
    /// The log ramp's low, middle and high colours, linear RGB ([`style::FIELD_RAMP`]).
    pub ramp_stops: [Vec4; 3],
    /// The levels' line colours, most severe first, linear RGB ([`style::ZONE_LEVELS`]).
    pub line_colours: [Vec4; 3],
}

/// The field material: the parameters and the data texture.
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct FieldMaterial {
    /// Per-incident parameters.
    #[uniform(0)]
    pub params: FieldParams,
    /// σ table and puffs.
    #[texture(1, sample_type = "float", filterable = false)]
    pub data: Handle<Image>,
}

impl Material for FieldMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://parktwin_layers/field.wgsl".into()
    }

    fn alpha_mode(&self) -> AlphaMode {
        AlphaMode::Blend
    }
}

/// Marks the quad an incident's field is drawn on.
#[derive(Component, Debug, Clone)]
pub struct FieldQuad(pub String);

/// The incidents layer.
pub struct IncidentLayerPlugin;

impl Plugin for IncidentLayerPlugin {
    fn build(&self, app: &mut App) {
        bevy::asset::embedded_asset!(app, "field.wgsl");
        app.add_plugins(MaterialPlugin::<FieldMaterial>::default())
            .init_resource::<IncidentZones>()
            .init_resource::<IncidentGhosts>()
            .init_resource::<FieldClock>()
            .init_resource::<FieldReadout>()
            .init_resource::<ShownIncident>()
            .init_resource::<IncidentView>()
            .add_systems(Update, (update_view, draw_fields, draw_zones, draw_ghosts).chain());
    }
}

/// The layer's registry entry.
pub fn incident_layer() -> crate::MapLayer {
    use parktwin_api::descriptor::LegendItem;
    let info = parktwin_api::model::LayerInfo {
        id: LayerId::INCIDENTS.into(),
        title: "Incidents: concentration and threat zones".into(),
        title_zh: "事故：浓度场与威胁区".into(),
        group: parktwin_api::model::LayerGroup::Emergency,
        default_visible: true,
        feature_count: 0,
        descriptor: None,
    };
    let item = |label: &str, label_zh: &str, colour: [u8; 3]| LegendItem {
        label: label.into(),
        label_zh: label_zh.into(),
        colour,
    };
    let mut layer = crate::MapLayer::new(
        info,
        900,
        vec![
            item(
                "Level 3 (AEGL-3/ERPG-3): life-threatening",
                "三级：危及生命",
                style::ZONE_LEVELS[0],
            ),
            item(
                "Level 2: serious, irreversible effects",
                "二级：严重不可逆影响",
                style::ZONE_LEVELS[1],
            ),
            item("Level 1: discomfort", "一级：不适", style::ZONE_LEVELS[2]),
            item("Concentration, low (log scale)", "浓度低（对数）", [255, 242, 115]),
            item("Concentration, high", "浓度高", [115, 0, 64]),
        ],
    );
    layer.follows_time = true;
    layer
}

/// The chemical table built into the map (the one the server seeds its park with).
pub fn chemicals() -> &'static ChemicalTable {
    static TABLE: std::sync::OnceLock<ChemicalTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(CHEMICALS).unwrap_or(ChemicalTable {
            sources: Vec::new(),
            chemicals: Vec::new(),
        })
    })
}

/// The chemical of an incident, from the built-in table.
pub fn chemical(name: &str) -> Option<&'static Chemical> {
    chemicals().get(name)
}

/// The places of the park that can be inside a zone (sensitive targets, detectors,
/// enterprises), from the loaded park.
pub fn park_places(park: &ParkData) -> Vec<Candidate> {
    park.layers
        .iter()
        .filter(|(info, _)| info.id != LayerId::WEATHER_STATIONS)
        .flat_map(|(info, fc)| {
            fc.features.iter().filter_map(|f| {
                let id = match f.id.as_ref()? {
                    geojson::feature::Id::String(s) => s.clone(),
                    geojson::feature::Id::Number(n) => n.to_string(),
                };
                Candidate::from_feature(&info.id, &id, &serde_json::to_value(f).ok()?)
            })
        })
        .collect()
}

/// Keeps [`IncidentView`] in step with the live state and the clock: zones parsed when they
/// arrive, the field of this moment, who is inside (vehicles at their latest fix).
#[allow(clippy::too_many_arguments)] // a Bevy system: each argument is what it reads or keeps
fn update_view(
    live: Res<Live>,
    zones: Res<IncidentZones>,
    clock: Res<FieldClock>,
    park: Option<Res<ParkData>>,
    mut view: ResMut<IncidentView>,
    mut shown: ResMut<ShownIncident>,
    mut places: Local<Option<Vec<Candidate>>>,
    mut parsed: Local<HashMap<String, Vec<Zone>>>,
) {
    // The zones change only when the feed brings new ones: parsed then, not every frame.
    if zones.is_changed() {
        parsed.clear();
    }
    if places.is_none()
        && let Some(park) = &park
    {
        *places = Some(park_places(park));
    }
    let now = clock.now();
    view.incidents.retain(|id, _| live.0.incidents.contains_key(id));
    for (id, inc) in &live.0.incidents {
        let Some(chem) = chemical(&inc.chemical) else { continue };
        let t_s = (now - inc.start_unix()).max(0.0);
        // A heavy gas drawn by the workbook has its footprint for zones and no field: asked
        // first, so that no field is computed every frame only to be dropped.
        let field = if cloud_choice(inc, chem).is_some_and(|c| c.dense) {
            None
        } else {
            match field_at(inc, t_s, MAX_PUFFS) {
                Ok(field) => Some(field),
                Err(IncidentError::NotACloud(_)) => None,
                Err(_) => continue,
            }
        };
        let levels: Vec<(String, f64)> = incident_levels(inc, chem)
            .map(|l| l.into_iter().map(|l| (l.name, l.mg_m3)).collect())
            .unwrap_or_default();
        if !parsed.contains_key(id)
            && let Some(fc) = zones.0.get(id)
        {
            parsed.insert(id.clone(), zones_from_geojson(fc, (inc.lon, inc.lat)));
        }
        let z = parsed.get(id).cloned().unwrap_or_default();
        let mut candidates = places.clone().unwrap_or_default();
        candidates.extend(live.0.vehicles.values().map(Candidate::vehicle));
        let inside = occupants(&z, (inc.lon, inc.lat), &candidates);
        view.incidents.insert(
            id.clone(),
            IncidentState {
                incident: inc.clone(),
                zones: z,
                t_s,
                field,
                inside,
                levels,
            },
        );
    }
    let newest = live
        .0
        .incidents
        .keys()
        .max_by_key(|k| k.trim_start_matches("inc-").parse::<u64>().unwrap_or(0));
    if shown.0.as_ref().is_none_or(|s| !live.0.incidents.contains_key(s)) {
        shown.0 = newest.cloned();
    }
}

/// The σ table and puff texels of a field, as the shader reads them (RGBA32F, two rows).
pub fn field_texels(field: &Field) -> Vec<f32> {
    let w = DATA_WIDTH as usize;
    let mut texels = vec![0.0f32; w * 2 * 4];
    for i in 0..LUT_N {
        let x = 10f64.powf(i as f64 / (LUT_N - 1) as f64 * LUT_DECADES);
        let (sy, sz) = sigmas(field.sigmas, field.stability, x);
        texels[i * 4] = sy.ln() as f32;
        texels[i * 4 + 1] = sz.ln() as f32;
    }
    for (k, p) in field.puffs.iter().take(w).enumerate() {
        let (sy, sz) = sigmas(field.sigmas, field.stability, p.travelled);
        let amp = p.mass_kg * 1e6 / ((2.0 * std::f64::consts::PI).powf(1.5) * sy * sy * sz)
            * vertical_term(0.0, p.height, sz, None);
        let o = (w + k) * 4;
        texels[o] = p.east as f32;
        texels[o + 1] = p.north as f32;
        texels[o + 2] = amp as f32;
        texels[o + 3] = (1.0 / (2.0 * sy * sy)) as f32;
    }
    texels
}

/// The shader's parameters for `field`, its levels `levels` (name, mg/m³, most severe first),
/// its source at world (x, z).
pub fn field_params(
    f: &Field,
    levels: &[(String, f64)],
    source_world: Vec2,
    opacity: f32,
    readout: bool,
) -> FieldParams {
    let mut p = FieldParams {
        source: Vec4::new(
            source_world.x,
            source_world.y,
            f.puffs.len().min(DATA_WIDTH as usize) as f32,
            if readout { 1.0 } else { 0.0 },
        ),
        ..default()
    };
    if let Some(s) = &f.slug {
        let (dx, dy) = parktwin_dispersion::wind::downwind_unit(s.plume.atmosphere.wind_from_deg);
        let u = s.plume.atmosphere.speed_at(s.plume.height);
        p.wind = Vec4::new(dx as f32, dy as f32, u as f32, s.plume.height as f32);
        p.slug = Vec4::new((s.plume.rate_kg_s * 1e6) as f32, s.tail_m as f32, s.front_m as f32, 1.0);
    }
    let mildest = levels.last().map_or(1.0, |l| l.1);
    let worst = levels.first().map_or(100.0, |l| l.1);
    p.ramp = Vec4::new(
        (mildest / 10.0).log10() as f32,
        (worst * 10.0).log10() as f32,
        opacity,
        0.0,
    );
    let lv: Vec<f32> = (0..3).map(|k| levels.get(k).map_or(0.0, |l| l.1 as f32)).collect();
    p.levels = Vec4::new(lv[0], lv[1], lv[2], 0.0);
    p.ramp_stops = style::FIELD_RAMP.map(|[r, g, b]| Vec4::new(r, g, b, 1.0));
    p.line_colours = style::ZONE_LEVELS.map(|c| {
        let [r, g, b] = style::linear(c);
        Vec4::new(r, g, b, 1.0)
    });
    p
}

/// Draws each incident's field on a quad that covers it, updated every frame.
#[allow(clippy::too_many_arguments)]
fn draw_fields(
    mut commands: Commands,
    view: Res<IncidentView>,
    readout: Res<FieldReadout>,
    park: Option<Res<ParkData>>,
    registry: Res<crate::LayerRegistry>,
    mut quads: Query<(Entity, &FieldQuad, &mut Transform, &MeshMaterial3d<FieldMaterial>)>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<FieldMaterial>>,
    mut images: ResMut<Assets<Image>>,
) {
    let Some(park) = park else { return };
    let frame = park.park.frame();
    let layer = registry.get(LayerId::INCIDENTS.as_str());
    let opacity = layer.map_or(1.0, |l| l.opacity);
    let visible = layer.is_none_or(|l| l.shown());
    let mut seen = Vec::new();
    for (e, q, mut t, mat) in &mut quads {
        let Some((state, field)) = view
            .incidents
            .get(&q.0)
            .filter(|_| visible)
            .and_then(|s| Some((s, s.field.as_ref()?)))
        else {
            commands.entity(e).despawn();
            continue;
        };
        seen.push(q.0.clone());
        let at = scene_point(frame.to_map(state.incident.lon, state.incident.lat), FIELD_HEIGHT);
        let size = (field.extent_m().max(50.0) * 2.2) as f32;
        *t = Transform::from_translation(at).with_scale(Vec3::new(size, 1.0, size));
        if let Some(mut m) = materials.get_mut(&mat.0) {
            m.params = field_params(field, &state.levels, at.xz(), opacity, readout.0);
            if let Some(mut img) = images.get_mut(&m.data) {
                img.data = Some(bytes_of(&field_texels(field)));
            }
        }
    }
    if !visible {
        return;
    }
    for (id, state) in &view.incidents {
        let Some(field) = state.field.as_ref().filter(|_| !seen.contains(id)) else {
            continue;
        };
        let at = scene_point(frame.to_map(state.incident.lon, state.incident.lat), FIELD_HEIGHT);
        let image = Image::new(
            Extent3d {
                width: DATA_WIDTH,
                height: 2,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            bytes_of(&field_texels(field)),
            TextureFormat::Rgba32Float,
            RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
        );
        let material = FieldMaterial {
            params: field_params(field, &state.levels, at.xz(), opacity, readout.0),
            data: images.add(image),
        };
        let size = (field.extent_m().max(50.0) * 2.2) as f32;
        commands.spawn((
            FieldQuad(id.clone()),
            Mesh3d(meshes.add(Plane3d::default().mesh().size(1.0, 1.0))),
            MeshMaterial3d(materials.add(material)),
            Transform::from_translation(at).with_scale(Vec3::new(size, 1.0, size)),
            bevy::light::NotShadowCaster,
        ));
    }
}

fn bytes_of(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// Outlines each what-if's other zones in [`GHOST`] beside the real ones, a little above them.
fn draw_ghosts(
    ghosts: Res<IncidentGhosts>,
    view: Res<IncidentView>,
    park: Option<Res<ParkData>>,
    mut parsed: Local<HashMap<String, Vec<Zone>>>,
    mut gizmos: Gizmos,
) {
    let Some(park) = park else { return };
    if ghosts.is_changed() {
        parsed.clear();
    }
    let frame = park.park.frame();
    let y = FIELD_HEIGHT + 1.5;
    for (id, state) in &view.incidents {
        let inc = &state.incident;
        let Some(fc) = ghosts.0.get(id) else { continue };
        let zones = parsed
            .entry(id.clone())
            .or_insert_with(|| zones_from_geojson(fc, (inc.lon, inc.lat)));
        let [sx, sn] = frame.to_map(inc.lon, inc.lat);
        for z in zones.iter() {
            for poly in &z.area.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    gizmos.linestrip(
                        ring.points()
                            .map(|p| Vec3::new((sx + p.x()) as f32, y, -((sn + p.y()) as f32))),
                        GHOST,
                    );
                }
            }
        }
    }
}

/// Outlines the zones (red, orange, yellow), shows the wind at the source and rings what is
/// inside the zones of the incident on show.
fn draw_zones(
    view: Res<IncidentView>,
    shown: Res<ShownIncident>,
    readout: Res<FieldReadout>,
    park: Option<Res<ParkData>>,
    registry: Res<crate::LayerRegistry>,
    mut gizmos: Gizmos,
) {
    let Some(park) = park else { return };
    if readout.0 || registry.get(LayerId::INCIDENTS.as_str()).is_some_and(|l| !l.shown()) {
        return;
    }
    let frame = park.park.frame();
    let colours = style::ZONE_LEVELS.map(|[r, g, b]| Color::srgb_u8(r, g, b));
    let y = FIELD_HEIGHT + 0.5;
    for (id, state) in &view.incidents {
        let inc = &state.incident;
        let [sx, sn] = frame.to_map(inc.lon, inc.lat);
        let at = |e: f64, n: f64| scene_point([sx + e, sn + n], y);
        for (k, z) in state.zones.iter().enumerate() {
            let c = colours[k.min(2)];
            for poly in &z.area.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    gizmos.linestrip(ring.points().map(|p| at(p.x(), p.y())), c);
                }
            }
        }
        // The wind: an arrow downwind from the source, 200 m long.
        let (_, from, _) = inc.weather_at(state.t_s);
        let (dx, dy) = parktwin_dispersion::wind::downwind_unit(from);
        gizmos.arrow(
            at(0.0, 0.0) + Vec3::Y * 20.0,
            at(dx * 200.0, dy * 200.0) + Vec3::Y * 20.0,
            Color::WHITE,
        );
        gizmos.circle(
            Isometry3d::new(at(0.0, 0.0), Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            15.0,
            colours[0],
        );
        if shown.0.as_deref() == Some(id.as_str()) {
            for (k, z) in state.inside.iter().enumerate() {
                for o in &z.occupants {
                    gizmos.circle(
                        Isometry3d::new(
                            scene_point(frame.to_map(o.lon, o.lat), y + 1.0),
                            Quat::from_rotation_x(std::f32::consts::FRAC_PI_2),
                        ),
                        if o.kind == "enterprise" { 40.0 } else { 18.0 },
                        colours[k.min(2)],
                    );
                }
            }
        }
    }
}
