//! The enterprises on their parcels: buildings, process units and tank farms, with the major
//! hazard sources (GB 18218) and gas detectors that come with them, and the enterprises' risk
//! colours.

use anyhow::bail;
use parktwin_api::grading::hazard_from_feature;
use parktwin_api::model::{ChemicalTable, RiskColour};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::devices::detector;
use super::{Counts, HALVED, PARCEL_CHAMFER, Pt, Rect, WHOLE, Writer, block, clip_chamfer, round1};

/// A tank farm: `n` tanks of one chemical.
struct Farm {
    chem: &'static str,
    n: usize,
    d: f64,
    h: f64,
    q_each: f64,
    roof: &'static str,
}

/// A process unit with the chemicals held in it.
struct Unit {
    name: &'static str,
    height: f64,
    chems: &'static [(&'static str, f64)],
}

struct Ent {
    name: &'static str,
    zh: &'static str,
    industry: &'static str,
    /// People within 500 m (site survey), which sets GB 18218's α.
    people_500m: u32,
    farms: &'static [Farm],
    units: &'static [Unit],
}

const fn farm(chem: &'static str, n: usize, d: f64, h: f64, q_each: f64, roof: &'static str) -> Farm {
    Farm {
        chem,
        n,
        d,
        h,
        q_each,
        roof,
    }
}
const fn unit(name: &'static str, height: f64, chems: &'static [(&'static str, f64)]) -> Unit {
    Unit { name, height, chems }
}

/// The enterprises. The first three take a whole block, the rest half a block each.
const ENTS: &[Ent] = &[
    Ent {
        name: "Binhai Chlor-Alkali Co.",
        zh: "滨海氯碱化工有限公司",
        industry: "chlor-alkali",
        people_500m: 150,
        farms: &[farm("chlorine", 6, 4.0, 6.0, 30.0, "horizontal bullet")],
        units: &[
            unit("Membrane electrolysis unit", 18.0, &[]),
            unit("HCl synthesis unit", 28.0, &[("hydrogen chloride", 30.0)]),
        ],
    },
    Ent {
        name: "Delta Petrochemical Co.",
        zh: "黄河三角洲石化有限公司",
        industry: "refining",
        people_500m: 220,
        farms: &[
            farm("propane", 4, 14.0, 14.0, 600.0, "sphere"),
            farm("benzene", 6, 16.0, 12.0, 1500.0, "internal floating"),
        ],
        units: &[
            unit("Crude distillation unit", 45.0, &[]),
            unit("Hydrodesulfurisation unit", 32.0, &[("hydrogen sulfide", 6.0)]),
            unit("Catalytic reformer", 38.0, &[("benzene", 30.0)]),
        ],
    },
    Ent {
        name: "Yellow River Ammonia & Fertilizer Co.",
        zh: "黄河合成氨化肥有限公司",
        industry: "fertilizer",
        people_500m: 150,
        farms: &[farm("ammonia", 2, 26.0, 22.0, 5000.0, "refrigerated double wall")],
        units: &[
            unit("Ammonia synthesis unit", 40.0, &[("ammonia", 40.0)]),
            unit("Urea granulation tower", 60.0, &[]),
        ],
    },
    Ent {
        name: "Lubei Fluorochemicals Co.",
        zh: "鲁北氟化工有限公司",
        industry: "fluorochemicals",
        people_500m: 60,
        farms: &[farm("hydrogen fluoride", 2, 3.0, 4.0, 4.0, "horizontal bullet")],
        units: &[unit("HF reaction unit", 24.0, &[("hydrogen fluoride", 0.6)])],
    },
    Ent {
        name: "Dongying Polyurethane Co.",
        zh: "东营聚氨酯有限公司",
        industry: "isocyanates",
        people_500m: 35,
        farms: &[farm("chlorine", 2, 3.0, 5.0, 10.0, "horizontal bullet")],
        units: &[unit("Phosgenation unit", 30.0, &[("phosgene", 0.9)])],
    },
    Ent {
        name: "Kenli Acrylic Fibre Co.",
        zh: "垦利腈纶有限公司",
        industry: "acrylic fibre",
        people_500m: 20,
        farms: &[farm("acrylonitrile", 4, 11.0, 10.0, 600.0, "internal floating")],
        units: &[unit("Polymerisation unit", 26.0, &[("acrylonitrile", 20.0)])],
    },
    Ent {
        name: "Hekou Ethylene Oxide Co.",
        zh: "河口环氧乙烷有限公司",
        industry: "ethylene oxide",
        people_500m: 35,
        farms: &[farm("ethylene oxide", 4, 5.0, 6.0, 40.0, "pressurised")],
        units: &[unit("EO reactor unit", 34.0, &[("ethylene oxide", 8.0)])],
    },
    Ent {
        name: "Binhai Methanol Co.",
        zh: "滨海甲醇有限公司",
        industry: "methanol",
        people_500m: 60,
        farms: &[farm("methanol", 6, 22.0, 16.0, 4000.0, "internal floating")],
        units: &[unit("Methanol synthesis unit", 36.0, &[("methanol", 100.0)])],
    },
    Ent {
        name: "Guangrao Sulphuric Acid Co.",
        zh: "广饶硫酸有限公司",
        industry: "sulphuric acid",
        people_500m: 20,
        farms: &[farm("sulfur dioxide", 3, 4.5, 6.0, 60.0, "horizontal bullet")],
        units: &[unit("Sulphur burner and converter", 30.0, &[("sulfur dioxide", 5.0)])],
    },
    Ent {
        name: "Haiyun Tank Terminal Co.",
        zh: "海运罐区储运有限公司",
        industry: "tank storage",
        people_500m: 60,
        farms: &[
            farm("methanol", 6, 20.0, 14.0, 3000.0, "internal floating"),
            farm("benzene", 4, 12.0, 10.0, 800.0, "internal floating"),
        ],
        units: &[unit("Truck loading rack", 10.0, &[])],
    },
    Ent {
        name: "Lijin Fine Chemicals Co.",
        zh: "利津精细化工有限公司",
        industry: "fine chemicals",
        people_500m: 25,
        farms: &[
            farm("benzene", 3, 6.0, 6.0, 100.0, "fixed cone"),
            farm("methanol", 3, 7.0, 8.0, 200.0, "fixed cone"),
        ],
        units: &[unit(
            "Batch reactor hall",
            22.0,
            &[("benzene", 10.0), ("methanol", 20.0)],
        )],
    },
    Ent {
        name: "Shengli Pesticides Co.",
        zh: "胜利农药有限公司",
        industry: "agrochemicals",
        people_500m: 20,
        farms: &[farm("chlorine", 2, 3.0, 4.0, 8.0, "horizontal bullet")],
        units: &[unit("Chlorination unit", 24.0, &[("chlorine", 3.0)])],
    },
    Ent {
        name: "Delta Hazmat Logistics Co.",
        zh: "三角洲危化品物流有限公司",
        industry: "logistics",
        people_500m: 40,
        farms: &[],
        units: &[],
    },
    Ent {
        name: "Huanghe Water Services Co.",
        zh: "黄河水务有限公司",
        industry: "wastewater treatment",
        people_500m: 10,
        farms: &[farm("chlorine", 1, 2.0, 2.5, 2.0, "horizontal bullet")],
        units: &[unit("Disinfection house", 8.0, &[("chlorine", 0.5)])],
    },
    Ent {
        name: "Bohai New Materials Co.",
        zh: "渤海新材料有限公司",
        industry: "propane dehydrogenation",
        people_500m: 35,
        farms: &[farm("propane", 4, 11.0, 11.0, 300.0, "sphere")],
        units: &[unit("PDH reactor unit", 42.0, &[("propane", 40.0)])],
    },
    Ent {
        name: "Yongan Coatings Co.",
        zh: "永安涂料有限公司",
        industry: "coatings",
        people_500m: 30,
        farms: &[farm("methanol", 2, 6.0, 7.0, 150.0, "fixed cone")],
        units: &[unit("Mixing workshop", 14.0, &[])],
    },
    Ent {
        name: "Sanhe Industrial Gases Co.",
        zh: "三和工业气体有限公司",
        industry: "industrial gases",
        people_500m: 20,
        farms: &[],
        units: &[unit("Air separation unit", 48.0, &[])],
    },
    Ent {
        name: "Jinhai Pharmaceutical Intermediates Co.",
        zh: "金海医药中间体有限公司",
        industry: "pharmaceutical intermediates",
        people_500m: 25,
        farms: &[farm("methanol", 3, 9.0, 9.0, 400.0, "fixed cone")],
        units: &[unit("Synthesis workshop", 20.0, &[("methanol", 30.0)])],
    },
    Ent {
        name: "Hongyuan Plastics Co.",
        zh: "宏远塑料有限公司",
        industry: "plastics",
        people_500m: 45,
        farms: &[],
        units: &[unit("Extrusion workshop", 16.0, &[])],
    },
];

/// Lays out every enterprise on its parcel; returns the cameras its tank farms want.
pub(super) fn enterprises(
    w: &mut Writer,
    rng: &mut ChaCha8Rng,
    table: &ChemicalTable,
    n: &mut Counts,
) -> anyhow::Result<Vec<(Pt, String, &'static str)>> {
    // Blocks and parcels.
    let mut parcels: Vec<Rect> = WHOLE.iter().map(|b| block(*b)).collect();
    for b in HALVED {
        let r = block(b);
        let mid = (r.0 + r.2) / 2.0;
        parcels.push(Rect(r.0, r.1, mid - 10.0, r.3));
        parcels.push(Rect(mid + 10.0, r.1, r.2, r.3));
    }
    if parcels.len() < ENTS.len() {
        bail!("{} parcels for {} enterprises", parcels.len(), ENTS.len());
    }
    n.enterprises = ENTS.len();

    let mut cameras: Vec<(Pt, String, &str)> = Vec::new();
    let mut enterprise_features = Vec::new();

    for (ei, (ent, parcel)) in ENTS.iter().zip(&parcels).enumerate() {
        let eid = format!("ent-{:02}", ei + 1);
        let p = *parcel;
        let mut levels: Vec<u8> = Vec::new();
        let mut hazard_ids = Vec::new();

        // Buildings along the north edge of the parcel: offices, control room, workshops.
        let band = Rect(p.0 + 10.0, p.3 - 0.24 * p.h(), p.2 - 10.0, p.3 - 10.0);
        let mut y = band.3;
        let uses = [
            "office",
            "control room",
            "workshop",
            "warehouse",
            "laboratory",
            "substation",
            "canteen",
            "maintenance",
        ];
        let mut k = 0;
        let mut rows = 0;
        while y - 16.0 > band.1 && rows < 2 {
            rows += 1;
            let bh = rng.random_range(16.0..30.0_f64).round();
            let mut x = band.0;
            while x < band.2 {
                let bw = rng.random_range(22.0..50.0_f64).round();
                if x + bw > band.2 || y - bh < band.1 {
                    break;
                }
                let r = Rect(x, y - bh, x + bw, y);
                if r.inside_fence() {
                    n.buildings += 1;
                    let use_ = uses[k % uses.len()];
                    let height = match use_ {
                        "office" => rng.random_range(12.0..24.0_f64),
                        "control room" => 6.0,
                        "warehouse" | "workshop" => rng.random_range(8.0..14.0_f64),
                        _ => rng.random_range(5.0..10.0_f64),
                    };
                    let g = w.polygon(&r.ring());
                    w.add("buildings", format!("bld-{:03}", n.buildings), g, json!({"enterprise": eid, "use": use_, "height_m": round1(height), "floors": (height / 4.0).ceil()}));
                    k += 1;
                }
                x += bw + 12.0;
            }
            y -= 30.0 + 12.0;
        }

        // Process units in the middle band.
        let ub = Rect(p.0 + 15.0, p.3 - 0.5 * p.h(), p.2 - 15.0, p.3 - 0.26 * p.h());
        let n_units = ent.units.len().max(1) as f64;
        let slot = ub.w() / n_units;
        for (ui, u) in ent.units.iter().enumerate() {
            n.units += 1;
            let uid = format!("unit-{:02}", n.units);
            let uw = (slot - 20.0).min(140.0);
            let x0 = ub.0 + ui as f64 * slot + (slot - uw) / 2.0;
            let r = Rect(x0, ub.1 + 10.0, x0 + uw, ub.3 - 5.0);
            let chems: Vec<Value> = u.chems.iter().map(|(c, q)| json!({"name": c, "q_t": q})).collect();
            let g = w.polygon(&r.ring());
            w.add(
                "units",
                uid.clone(),
                g.clone(),
                json!({"name": u.name, "enterprise": eid, "height_m": u.height, "chemicals": chems}),
            );
            if let Some(hid) = hazard(
                w,
                table,
                &mut n.hazards,
                g,
                u.name,
                &eid,
                "production",
                ent.people_500m,
                &chems,
                &mut levels,
            )? {
                hazard_ids.push(hid);
            }
            // Detectors at the unit's corners for its first chemical.
            if let Some((chem, _)) = u.chems.first() {
                for corner in [(r.0, r.1), (r.2, r.1), (r.2, r.3), (r.0, r.3)] {
                    n.detectors += 1;
                    detector(w, table, n.detectors, corner, chem, &eid, &uid)?;
                }
            }
        }

        // Tank farms in the south part, side by side.
        let fz = Rect(p.0 + 15.0, p.1 + 15.0, p.2 - 15.0, p.3 - 0.52 * p.h());
        let n_farms = ent.farms.len().max(1) as f64;
        for (fi, f) in ent.farms.iter().enumerate() {
            let region = Rect(
                fz.0 + fi as f64 * fz.w() / n_farms,
                fz.1,
                fz.0 + (fi + 1) as f64 * fz.w() / n_farms,
                fz.3,
            );
            let spacing = f.d + (0.6 * f.d).max(6.0);
            let cols = (((region.w() - 20.0) / spacing).floor() as usize).clamp(1, f.n);
            let rows = f.n.div_ceil(cols);
            let (bw, bh) = (cols as f64 * spacing + 10.0, rows as f64 * spacing + 10.0);
            if bw > region.w() || bh > region.h() {
                bail!("tank farm of {} at {} does not fit its region", f.chem, ent.name);
            }
            let (cx, cy) = region.centre();
            let bund = Rect(cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0);
            let chems = vec![json!({"name": f.chem, "q_t": f.q_each * f.n as f64})];
            let farm_name = format!("{} tank farm", capitalise(f.chem));
            let g = w.polygon(&bund.ring());
            let hid = hazard(
                w,
                table,
                &mut n.hazards,
                g,
                &farm_name,
                &eid,
                "storage",
                ent.people_500m,
                &chems,
                &mut levels,
            )?;
            hazard_ids.extend(hid.clone());
            let farm_id = hid.clone().unwrap_or_else(|| format!("{eid}-farm-{}", fi + 1));
            for t in 0..f.n {
                let (c, r) = (t % cols, t / cols);
                let centre = (
                    bund.0 + 5.0 + spacing * (c as f64 + 0.5),
                    bund.1 + 5.0 + spacing * (r as f64 + 0.5),
                );
                n.tanks += 1;
                let tid = format!("tank-{:03}", n.tanks);
                let cap = std::f64::consts::PI * f.d * f.d / 4.0 * f.h;
                let g = w.point(centre);
                w.add("tanks", tid.clone(), g, json!({
                    "name": format!("{}-T{:02}", farm_name.split(' ').next().unwrap_or("T"), t + 1),
                    "enterprise": eid, "farm": farm_id, "hazard": hid, "chemical": f.chem,
                    "diameter_m": f.d, "height_m": f.h, "capacity_m3": cap.round(), "inventory_t": f.q_each, "roof": f.roof,
                }));
                for side in [-1.0, 1.0] {
                    n.detectors += 1;
                    detector(
                        w,
                        table,
                        n.detectors,
                        (centre.0 + side * (f.d / 2.0 + 3.0), centre.1),
                        f.chem,
                        &eid,
                        &tid,
                    )?;
                }
            }
            cameras.push(((bund.2, bund.3), format!("{farm_name}, {}", ent.name), "tank farm"));
        }

        let worst = levels.iter().min().copied();
        let risk = RiskColour::from_hazard_level(worst);
        let ring = clip_chamfer(&p.ring(), PARCEL_CHAMFER);
        let g = w.polygon(&ring);
        enterprise_features.push((eid.clone(), g, json!({
            "name": ent.name, "name_zh": ent.zh, "industry": ent.industry, "risk": risk,
            "hazard_count": hazard_ids.len(), "worst_hazard_level": worst, "hazards": hazard_ids, "people_500m": ent.people_500m,
        })));
    }
    for (id, g, props) in enterprise_features {
        w.add("enterprises", id, g, props);
    }
    Ok(cameras)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Adds a hazard source when the unit meets GB 18218's thresholds; returns its id.
#[allow(clippy::too_many_arguments)]
fn hazard(
    w: &mut Writer,
    table: &ChemicalTable,
    counter: &mut usize,
    geometry: Value,
    name: &str,
    eid: &str,
    unit_type: &str,
    people: u32,
    chems: &[Value],
    levels: &mut Vec<u8>,
) -> anyhow::Result<Option<String>> {
    if chems.is_empty() {
        return Ok(None);
    }
    let props =
        json!({"name": name, "enterprise": eid, "unit_type": unit_type, "people_500m": people, "chemicals": chems});
    let map: Map<String, Value> = props.as_object().cloned().unwrap_or_default();
    match hazard_from_feature("probe", &map, table) {
        Ok(h) => {
            *counter += 1;
            let id = format!("mhs-{:02}", *counter);
            levels.push(h.level);
            w.add("hazards", id.clone(), geometry, props);
            Ok(Some(id))
        }
        Err(reason) if reason.contains("below 1") => Ok(None),
        Err(reason) => bail!("{name}: {reason}"),
    }
}
