//! Grading of major hazard sources by GB 18218-2018, *Identification of major hazard
//! installations for dangerous chemicals* (危险化学品重大危险源辨识).
//!
//! - A unit is a major hazard source when Σ qᵢ/Qᵢ ≥ 1 (clause 4.2.2).
//! - R = α · Σ βᵢ · qᵢ/Qᵢ (clause 4.3, formula 2).
//! - α from the number of people within 500 m of the unit (Table 5): ≥100 → 2.0; 50–99 → 1.5;
//!   30–49 → 1.2; 1–29 → 1.0; 0 → 0.5.
//! - Level from R (Table 6): R ≥ 100 → level 1; 50 ≤ R < 100 → 2; 10 ≤ R < 50 → 3; R < 10 → 4.

use crate::model::HeldChemical;

/// α, the correction factor for the people within 500 m of the unit (GB 18218-2018 Table 5).
///
/// ```
/// assert_eq!(parktwin_api::grading::alpha(120), 2.0);
/// assert_eq!(parktwin_api::grading::alpha(0), 0.5);
/// ```
pub fn alpha(people_within_500m: u32) -> f64 {
    match people_within_500m {
        100.. => 2.0,
        50..=99 => 1.5,
        30..=49 => 1.2,
        1..=29 => 1.0,
        0 => 0.5,
    }
}

/// Σ q/Q over the chemicals of a unit.
pub fn sum_q_over_q(chemicals: &[HeldChemical]) -> f64 {
    chemicals.iter().map(|c| c.q_t / c.threshold_t).sum()
}

/// R = α·Σβ·q/Q.
pub fn r_value(alpha: f64, chemicals: &[HeldChemical]) -> f64 {
    alpha * chemicals.iter().map(|c| c.beta * c.q_t / c.threshold_t).sum::<f64>()
}

/// The level (1 worst … 4) for a value of R (GB 18218-2018 Table 6).
///
/// ```
/// use parktwin_api::grading::level;
/// assert_eq!((level(100.0), level(99.9), level(10.0), level(9.99)), (1, 2, 3, 4));
/// ```
pub fn level(r: f64) -> u8 {
    if r >= 100.0 {
        1
    } else if r >= 50.0 {
        2
    } else if r >= 10.0 {
        3
    } else {
        4
    }
}

/// The grade of one unit: Σq/Q, α, R and level; `None` when the unit is below the
/// thresholds (Σq/Q < 1) and so is not a major hazard source at all.
pub fn grade(people_within_500m: u32, chemicals: &[HeldChemical]) -> Option<Grade> {
    let s = sum_q_over_q(chemicals);
    if s < 1.0 {
        return None;
    }
    let a = alpha(people_within_500m);
    let r = r_value(a, chemicals);
    Some(Grade {
        sum_q_over_q: s,
        alpha: a,
        r,
        level: level(r),
    })
}

/// The result of [`grade`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grade {
    /// Σ q/Q.
    pub sum_q_over_q: f64,
    /// α.
    pub alpha: f64,
    /// R.
    pub r: f64,
    /// Level 1 (worst) to 4.
    pub level: u8,
}

/// Builds a graded [`HazardSource`](crate::model::HazardSource) from a feature of the
/// `hazards` layer, whose properties give `name`, `enterprise`, `unit_type`, `people_500m` and
/// `chemicals: [{name, q_t}]`; Q and β come from the chemical table.
pub fn hazard_from_feature(
    id: &str,
    props: &serde_json::Map<String, serde_json::Value>,
    table: &crate::model::ChemicalTable,
) -> Result<crate::model::HazardSource, String> {
    use crate::model::{HazardSource, UnitType};
    let text = |k: &str| -> Result<String, String> {
        props
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("property \"{k}\" must be a string"))
    };
    let unit_type: UnitType = serde_json::from_value(props.get("unit_type").cloned().unwrap_or_default())
        .map_err(|_| "property \"unit_type\" must be \"production\" or \"storage\"".to_string())?;
    let people = props
        .get("people_500m")
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok())
        .ok_or("property \"people_500m\" must be a whole number of people")?;
    let list = props
        .get("chemicals")
        .and_then(|v| v.as_array())
        .ok_or("property \"chemicals\" must be a list")?;
    let mut chemicals = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let name = c
            .get("name")
            .and_then(|v| v.as_str())
            .ok_or(format!("chemicals[{i}].name must be a string"))?;
        let q_t = c
            .get("q_t")
            .and_then(|v| v.as_f64())
            .filter(|q| q.is_finite() && *q >= 0.0)
            .ok_or(format!("chemicals[{i}].q_t must be a quantity in tonnes, 0 or more"))?;
        let chem = table
            .get(name)
            .ok_or(format!("chemicals[{i}]: \"{name}\" is not in the chemical table"))?;
        chemicals.push(HeldChemical {
            name: chem.name.clone(),
            cas: chem.cas.clone(),
            q_t,
            threshold_t: chem.gb18218_threshold_t,
            beta: chem.gb18218_beta,
        });
    }
    let g = grade(people, &chemicals).ok_or_else(|| {
        format!(
            "Σq/Q = {:.2} is below 1, so by GB 18218-2018 this unit is not a major hazard source",
            sum_q_over_q(&chemicals)
        )
    })?;
    Ok(HazardSource {
        id: id.to_string(),
        name: text("name")?,
        enterprise: text("enterprise")?,
        unit_type,
        chemicals,
        people_500m: people,
        alpha: g.alpha,
        sum_q_over_q: g.sum_q_over_q,
        r: g.r,
        level: g.level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(q: f64, threshold: f64, beta: f64) -> HeldChemical {
        HeldChemical {
            name: "x".into(),
            cas: "0".into(),
            q_t: q,
            threshold_t: threshold,
            beta,
        }
    }

    #[test]
    fn chlorine_store_worked_example() {
        // 200 t of chlorine (Q = 5 t, β = 4) with 60 people around: R = 1.5 · 4 · 40 = 240.
        let g = grade(60, &[held(200.0, 5.0, 4.0)]).expect("major hazard");
        assert!((g.r - 240.0).abs() < 1e-9);
        assert_eq!(g.level, 1);
    }

    #[test]
    fn mixture_sums_every_chemical() {
        // Methanol 300 t (Q 500, β 1) + benzene 30 t (Q 50, β 1): Σq/Q = 1.2, R = 1.0·1.2.
        let g = grade(10, &[held(300.0, 500.0, 1.0), held(30.0, 50.0, 1.0)]).expect("major");
        assert!((g.sum_q_over_q - 1.2).abs() < 1e-9);
        assert_eq!(g.level, 4);
    }

    #[test]
    fn below_threshold_is_not_a_major_hazard() {
        assert!(grade(500, &[held(4.0, 5.0, 4.0)]).is_none());
    }

    #[test]
    fn alpha_band_edges() {
        assert_eq!(
            [
                alpha(1),
                alpha(29),
                alpha(30),
                alpha(49),
                alpha(50),
                alpha(99),
                alpha(100)
            ],
            [1.0, 1.0, 1.2, 1.2, 1.5, 1.5, 2.0]
        );
    }
}
