//! How each layer of the park is drawn: colours and sizes, and the legend that explains them.
//! Kept apart from the data (the GeoJSON) and from the meshes built from it.

use parktwin_api::model::RiskColour;

/// An sRGB colour.
pub type Srgb = [u8; 3];

pub use parktwin_api::descriptor::LegendItem;

fn item(label: &str, label_zh: &str, colour: Srgb) -> LegendItem {
    LegendItem {
        label: label.to_string(),
        label_zh: label_zh.to_string(),
        colour,
    }
}

/// Ground outside the park.
pub const GROUND: Srgb = [52, 58, 50];
/// Ground inside the fence.
pub const PARK_GROUND: Srgb = [78, 84, 74];
/// The fence line.
pub const FENCE: Srgb = [235, 235, 235];
/// Asphalt.
pub const ROAD: Srgb = [34, 34, 38];
/// Buildings.
pub const BUILDING: Srgb = [196, 192, 182];
/// Park service buildings (fire station, command centre).
pub const SERVICE_BUILDING: Srgb = [150, 200, 235];
/// Process units.
pub const UNIT: Srgb = [120, 140, 168];
/// Storage tanks (white shells, as painted in the field).
pub const TANK: Srgb = [238, 238, 232];
/// Structural steel: pipe racks, a sphere's columns, a bullet's saddles.
pub const STEEL: Srgb = [110, 110, 118];
/// Pipe racks (steel).
pub const RACK: Srgb = STEEL;
/// Tank roofs: the shells' white, a shade darker so that the roof reads apart in the sun.
pub const TANK_ROOF: Srgb = [222, 224, 220];
/// A floating roof's deck, seen inside the shell's rim.
pub const FLOATING_DECK: Srgb = [84, 88, 94];
/// The colour-coated steel sheet of workshops' and warehouses' pitched roofs.
pub const SHED_ROOF: Srgb = [86, 124, 170];
/// A pitched roof's rise per metre of its half-span: 1 in 10, inside the 1/8 to 1/20 that
/// GB 51022-2015 (portal-frame light steel buildings) gives for such roofs.
pub const SHED_ROOF_SLOPE: f32 = 0.1;

/// Whether a building of this `use` is a shed drawn with a pitched roof (workshops,
/// warehouses); others keep a flat roof.
pub fn pitched_roof(use_: &str) -> bool {
    matches!(
        use_.trim().to_ascii_lowercase().as_str(),
        "workshop" | "warehouse" | "shed" | "factory" | "industrial"
    )
}
/// Hazmat truck parking.
pub const PARKING: Srgb = [92, 92, 110];
/// Cameras.
pub const CAMERA: Srgb = [40, 40, 40];
/// Weather stations.
pub const WEATHER: Srgb = [0, 220, 230];
/// Sensitive targets.
pub const SENSITIVE: Srgb = [230, 60, 200];

/// The threat zones' colours, most severe first (level 3, 2, 1 of AEGL or ERPG): the zones'
/// lines on the map, the field shader's contour lines, the legend, the incident card and the
/// wall all take them from here.
pub const ZONE_LEVELS: [Srgb; 3] = [[217, 0, 0], [255, 128, 0], [255, 230, 0]];

/// The concentration field's log ramp, low, middle and high, in linear RGB (the field shader
/// mixes them in linear space, and the legend's ramp is drawn from the same stops).
pub const FIELD_RAMP: [[f32; 3]; 3] = [[1.0, 0.95, 0.45], [0.98, 0.45, 0.08], [0.45, 0.0, 0.25]];

/// An sRGB colour in linear RGB (IEC 61966-2-1's transfer function), as a shader outputs it.
///
/// ```
/// use parktwin_scene::style::linear;
/// assert_eq!(linear([255, 0, 0]), [1.0, 0.0, 0.0]);
/// assert!((linear([188, 188, 188])[0] - 0.5).abs() < 0.01);
/// ```
pub fn linear(c: Srgb) -> [f32; 3] {
    c.map(|v| {
        let v = f32::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    })
}

/// Colour of a major hazard source's outline by its GB 18218 level (1 worst).
pub fn hazard_level(level: u64) -> Srgb {
    match level {
        1 => [200, 0, 0],
        2 => [255, 110, 0],
        3 => [255, 210, 0],
        _ => [60, 120, 255],
    }
}

/// Colour of a pipe by its medium, after GB 7231-2003's basic identification colours
/// (water green, steam red, air grey, gases yellow, flammable liquids brown); toxic gases take
/// the standard's acid/alkali purple so that they stand out on the map, fire water its red.
pub fn pipe_medium(medium: &str) -> Srgb {
    match medium {
        "steam" => [200, 30, 30],
        "cooling water" => [0, 153, 68],
        "fire water" => [255, 40, 80],
        "instrument air" | "nitrogen" => [170, 170, 170],
        "natural gas" | "propane" | "hydrogen" => [240, 190, 0],
        "chlorine" | "ammonia" => [150, 60, 200],
        "methanol" | "benzene" => [150, 90, 40],
        _ => [20, 20, 20],
    }
}

/// The classes of [`pipe_medium`], for the legend.
pub const PIPE_CLASSES: &[(&str, &str, &str)] = &[
    ("Steam", "蒸汽", "steam"),
    ("Water", "水", "cooling water"),
    ("Fire water", "消防水", "fire water"),
    ("Air, nitrogen", "空气、氮气", "nitrogen"),
    ("Fuel gases", "燃气", "natural gas"),
    ("Toxic gases", "有毒气体", "chlorine"),
    ("Flammable liquids", "易燃液体", "methanol"),
];

/// Colour of a gate by kind.
pub fn gate(kind: &str) -> Srgb {
    match kind {
        "hazmat" => [255, 140, 0],
        "emergency" => [230, 20, 20],
        _ => [40, 200, 90],
    }
}

/// Colour of a gas detector by what it measures (live state colours come with live data).
pub fn detector(kind: &str) -> Srgb {
    match kind {
        "toxic_gas" => [180, 80, 255],
        _ => [255, 230, 0],
    }
}

/// Colour of an emergency resource by kind.
pub fn resource(kind: &str) -> Srgb {
    match kind {
        "fire_station" => [255, 30, 30],
        "supply_depot" => [0, 160, 255],
        "rescue_team" => [255, 120, 0],
        "medical" => [255, 255, 255],
        _ => [0, 200, 120],
    }
}

/// Colour of an enterprise parcel by its four-colour risk.
pub fn risk(r: RiskColour) -> Srgb {
    r.srgb()
}

/// The legend of a layer, derived from the same functions that colour it.
pub fn legend(layer: &str) -> Vec<LegendItem> {
    match layer {
        "boundary" => vec![
            item("Fence", "围栏", FENCE),
            item("Inside the fence", "园区内", PARK_GROUND),
        ],
        "roads" => vec![item("Road", "道路", ROAD)],
        "enterprises" => vec![
            item("Red: major risk", "红：重大风险", risk(RiskColour::Red)),
            item("Orange: considerable", "橙：较大风险", risk(RiskColour::Orange)),
            item("Yellow: moderate", "黄：一般风险", risk(RiskColour::Yellow)),
            item("Blue: low", "蓝：低风险", risk(RiskColour::Blue)),
        ],
        "buildings" => vec![
            item("Building", "建筑", BUILDING),
            item("Park services", "园区服务设施", SERVICE_BUILDING),
            item("Workshop, warehouse: pitched roof", "厂房、仓库：坡屋面", SHED_ROOF),
        ],
        "units" => vec![item("Process unit", "生产装置", UNIT)],
        "tanks" => vec![
            item("Storage tank", "储罐", TANK),
            item("Floating roof", "浮顶", FLOATING_DECK),
        ],
        "hazards" => (1..=4)
            .map(|l| item(&format!("Level {l}"), &format!("{l}级"), hazard_level(l)))
            .collect(),
        "pipe_racks" => vec![item("Pipe rack", "管廊", RACK)],
        "pipes" => PIPE_CLASSES
            .iter()
            .map(|(label, zh, m)| item(label, zh, pipe_medium(m)))
            .collect(),
        "gates" => vec![
            item("General", "普通卡口", gate("general")),
            item("Hazmat", "危化品卡口", gate("hazmat")),
            item("Emergency", "应急卡口", gate("emergency")),
        ],
        "parking" => vec![item("Hazmat parking", "危化品停车场", PARKING)],
        "cameras" => vec![item("Camera", "摄像头", CAMERA)],
        "detectors" => vec![
            item("Toxic gas (ppm)", "有毒气体（ppm）", detector("toxic_gas")),
            item(
                "Combustible gas (%LEL)",
                "可燃气体（%LEL）",
                detector("combustible_gas"),
            ),
        ],
        "weather_stations" => vec![item("Weather station", "气象站", WEATHER)],
        "emergency_resources" => vec![
            item("Fire station", "消防站", resource("fire_station")),
            item("Supply depot", "物资库", resource("supply_depot")),
            item("Rescue team", "救援队", resource("rescue_team")),
            item("Medical", "医疗", resource("medical")),
            item("Shelter", "避难场所", resource("shelter")),
        ],
        "sensitive_targets" => vec![item("School, hospital, village", "学校、医院、村庄", SENSITIVE)],
        _ => vec![item("Feature", "要素", [200, 200, 200])],
    }
}
