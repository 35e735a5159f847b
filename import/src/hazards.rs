//! Major hazard sources from the tanks, where the data give what each holds but no hazards
//! layer: GB 18218-2018's storage units are the tank farms (§3.4: a farm inside its bund), so
//! tanks are grouped by the hazard source or the farm they name (a tank naming neither is a
//! unit of its own, and the summary says so), their inventories summed per chemical, and a unit
//! whose Σq/Q reaches 1 becomes a hazard source graded as the server grades the hazards layer
//! (`parktwin_api::grading`). The people within 500 m are the sensitive targets' populations
//! there, where the park has them.

use std::collections::BTreeMap;

use geojson::Feature;
use parktwin_api::frame::LocalFrame;
use parktwin_api::model::ChemicalTable;
use serde_json::{Map, Value, json};

use crate::problem::Problem;

/// GB 18218-2018 §4.3, Table 5: α counts the people within 500 m of the unit.
const PEOPLE_RADIUS_M: f64 = 500.0;
/// The outline drawn round a unit's tanks: their bounding box this much wider on each side.
const MARGIN_M: f64 = 10.0;

fn text<'a>(f: &'a Feature, k: &str) -> Option<&'a str> {
    f.properties.as_ref()?.get(k)?.as_str().filter(|s| !s.trim().is_empty())
}

fn number(f: &Feature, k: &str) -> Option<f64> {
    let v = f.properties.as_ref()?.get(k)?;
    v.as_f64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn point(f: &Feature) -> Option<(f64, f64)> {
    match f.geometry.as_ref().map(|g| &g.value) {
        Some(geojson::Value::Point(p)) if p.len() >= 2 => Some((p[0], p[1])),
        _ => None,
    }
}

fn id(f: &Feature) -> String {
    parktwin_api::validate::feature_id(f).unwrap_or_default().to_string()
}

/// Adds a `hazards` layer made from the tanks, where there is none and the tanks say what they
/// hold; each tank of a unit that is a major hazard source names it in `hazard`. Returns the
/// notes on what the data lacked.
pub fn derive(layers: &mut BTreeMap<&'static str, Vec<Feature>>, table: &ChemicalTable) -> Vec<Problem> {
    let mut notes = Vec::new();
    if layers.contains_key("hazards") {
        return notes;
    }
    let Some(tanks) = layers.get("tanks") else { return notes };
    let people: Vec<((f64, f64), f64)> = layers
        .get("sensitive_targets")
        .into_iter()
        .flatten()
        .filter_map(|f| Some((point(f)?, number(f, "population")?)))
        .collect();
    // Units: the hazard or farm each tank names, else the tank itself.
    let mut units: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, t) in tanks.iter().enumerate() {
        let (Some(_), Some(_)) = (text(t, "chemical"), number(t, "inventory_t")) else {
            continue;
        };
        let key = match (text(t, "hazard"), text(t, "farm")) {
            (Some(h), _) => h.to_string(),
            (None, Some(farm)) => format!("mhs-{farm}"),
            (None, None) => {
                notes.push(
                    Problem::file(
                        "layer tanks",
                        "names no farm (farm) or hazard source (hazard): graded as a storage unit of its own",
                    )
                    .at(format!("id \"{}\"", id(t))),
                );
                format!("mhs-{}", id(t))
            }
        };
        units.entry(key).or_default().push(i);
    }
    let mut hazards = Vec::new();
    let mut named: Vec<(usize, String)> = Vec::new();
    for (key, members) in units {
        let mut held: BTreeMap<String, f64> = BTreeMap::new();
        let mut unknown = Vec::new();
        for &i in &members {
            let t = &tanks[i];
            let (Some(c), Some(q)) = (text(t, "chemical"), number(t, "inventory_t")) else {
                continue;
            };
            match table.get(c) {
                Some(chem) => *held.entry(chem.name.clone()).or_default() += q,
                None => unknown.push(c.to_string()),
            }
        }
        for c in unknown {
            notes.push(
                Problem::file(
                    "layer tanks",
                    format!("holds \"{c}\", which the chemical table does not know: left out of the grading"),
                )
                .at(format!("unit \"{key}\"")),
            );
        }
        let sum: f64 = held
            .iter()
            .filter_map(|(c, q)| Some(q / table.get(c)?.gb18218_threshold_t))
            .sum();
        if sum < 1.0 {
            continue;
        }
        let points: Vec<(f64, f64)> = members.iter().filter_map(|&i| point(&tanks[i])).collect();
        let Some(&first) = points.first() else { continue };
        let frame = LocalFrame::new(first.0, first.1);
        let local: Vec<[f64; 2]> = points.iter().map(|&(lon, lat)| frame.to_map(lon, lat)).collect();
        let reach = members
            .iter()
            .filter_map(|&i| number(&tanks[i], "diameter_m"))
            .fold(0.0_f64, f64::max)
            / 2.0
            + MARGIN_M;
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &local {
            lo = [lo[0].min(p[0] - reach), lo[1].min(p[1] - reach)];
            hi = [hi[0].max(p[0] + reach), hi[1].max(p[1] + reach)];
        }
        let corner = |e: f64, n: f64| {
            let (lon, lat) = frame.to_wgs84(e, n);
            vec![(lon * 1e9).round() / 1e9, (lat * 1e9).round() / 1e9]
        };
        let ring = vec![
            corner(lo[0], lo[1]),
            corner(hi[0], lo[1]),
            corner(hi[0], hi[1]),
            corner(lo[0], hi[1]),
            corner(lo[0], lo[1]),
        ];
        let within = |(lon, lat): (f64, f64)| {
            let [e, n] = frame.to_map(lon, lat);
            local.iter().any(|p| (p[0] - e).hypot(p[1] - n) <= PEOPLE_RADIUS_M)
        };
        let people_500m: f64 = people.iter().filter(|(p, _)| within(*p)).map(|(_, n)| n).sum();
        if people.is_empty() {
            notes.push(
                Problem::file("layer hazards", "the park has no sensitive targets with populations: the people within 500 m are counted as none (α = 0.5); give them to grade it fully")
                    .at(format!("id \"{key}\"")),
            );
        }
        let enterprise = members
            .iter()
            .find_map(|&i| text(&tanks[i], "enterprise"))
            .unwrap_or_default();
        let farm = members.iter().find_map(|&i| text(&tanks[i], "farm"));
        let mut props = Map::new();
        props.insert(
            "name".into(),
            json!(farm.map_or_else(|| format!("Storage unit {key}"), |f| format!("Tank farm {f}"))),
        );
        props.insert("enterprise".into(), json!(enterprise));
        props.insert("unit_type".into(), json!("storage"));
        props.insert("people_500m".into(), json!(people_500m.round() as u64));
        props.insert(
            "chemicals".into(),
            Value::Array(
                held.iter()
                    .map(|(c, q)| json!({"name": c, "q_t": (q * 1000.0).round() / 1000.0}))
                    .collect(),
            ),
        );
        props.insert("derived_from".into(), json!("tanks"));
        hazards.push(Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geojson::Value::Polygon(vec![ring]))),
            id: Some(geojson::feature::Id::String(key.clone())),
            properties: Some(props),
            foreign_members: None,
        });
        named.extend(members.iter().map(|&i| (i, key.clone())));
    }
    if let Some(tanks) = layers.get_mut("tanks") {
        for (i, key) in named {
            if let Some(p) = tanks[i].properties.as_mut() {
                p.entry("hazard").or_insert_with(|| json!(key));
            }
        }
    }
    if !hazards.is_empty() {
        layers.insert("hazards", hazards);
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tank(id: &str, lon: f64, chemical: &str, t: f64, farm: Option<&str>) -> Feature {
        let mut p = json!({"chemical": chemical, "inventory_t": t, "diameter_m": 8.0, "enterprise": "ent-9"});
        if let Some(f) = farm {
            p["farm"] = json!(f);
        }
        serde_json::from_value(json!({"type": "Feature", "id": id, "properties": p,
            "geometry": {"type": "Point", "coordinates": [lon, 37.5]}}))
        .expect("feature")
    }

    #[test]
    fn a_farms_tanks_make_one_graded_unit_and_a_small_tank_none() {
        let table: ChemicalTable = serde_json::from_str(crate::park::CHEMICALS_JSON).expect("table");
        let mut layers = BTreeMap::new();
        layers.insert(
            "tanks",
            vec![
                tank("t1", 118.40, "chlorine", 3.0, Some("A")),
                tank("t2", 118.4002, "chlorine", 4.0, Some("A")),
                tank("t3", 118.4004, "ammonia", 8.0, Some("A")),
                // 1 t of ammonia alone is below its 10 t: no major hazard source.
                tank("t4", 118.41, "ammonia", 1.0, None),
            ],
        );
        layers.insert(
            "sensitive_targets",
            vec![
                serde_json::from_value(json!({"type": "Feature", "id": "v", "properties": {"population": 120},
                "geometry": {"type": "Point", "coordinates": [118.4030, 37.5]}}))
                .expect("feature"),
            ],
        );
        let notes = derive(&mut layers, &table);
        let hazards = &layers["hazards"];
        assert_eq!(hazards.len(), 1, "{hazards:?}");
        assert_eq!(id(&hazards[0]), "mhs-A");
        // The village is 230 m from t3: 120 people, α = 2.0 (Table 5, 100 or more).
        let graded =
            parktwin_api::grading::hazard_from_feature("mhs-A", hazards[0].properties.as_ref().expect("props"), &table)
                .expect("a major hazard source");
        assert_eq!(graded.people_500m, 120);
        let (cl, nh3) = (table.get("chlorine").expect("Cl2"), table.get("ammonia").expect("NH3"));
        let r =
            2.0 * (cl.gb18218_beta * 7.0 / cl.gb18218_threshold_t + nh3.gb18218_beta * 8.0 / nh3.gb18218_threshold_t);
        assert!((graded.r - r).abs() < 1e-9, "{} vs {r}", graded.r);
        assert!(layers["tanks"][..3].iter().all(|t| text(t, "hazard") == Some("mhs-A")));
        assert_eq!(text(&layers["tanks"][3], "hazard"), None);
        // The lone tank is named as graded alone.
        assert!(
            notes.iter().any(|n| n.feature.as_deref() == Some("id \"t4\"")),
            "{notes:?}"
        );
    }
}
