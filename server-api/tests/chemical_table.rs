//! The chemical table the park ships (`assets/chemicals.json`) checked against physics the
//! consequence models rely on: what the correlations say at the boiling point, and that what
//! burns carries what a fire model needs.

use parktwin_api::model::{Chemical, ChemicalTable};

fn table() -> ChemicalTable {
    serde_json::from_str(include_str!("../../assets/chemicals.json")).expect("assets/chemicals.json reads")
}

fn each(check: impl Fn(&Chemical) -> Result<(), String>) {
    let failures: Vec<String> = table()
        .chemicals
        .iter()
        .filter_map(|c| check(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_vapour_pressure_is_one_atmosphere_at_the_boiling_point() {
    // Two independent sources meet here: the boiling point (CRC Handbook) and the vapour
    // pressure correlation (Perry's, VDI). A miscopied coefficient moves it by far more.
    each(|c| {
        let tb = c.boiling_point_k.ok_or("no boiling point")?;
        let p = c.vapour_pressure.ok_or("no vapour pressure")?.pa_at(tb)?;
        let off = (p / 101_325.0 - 1.0).abs();
        (off < 0.04).then_some(()).ok_or(format!(
            "{p:.0} Pa at its boiling point {tb} K, {:.1} % off",
            off * 100.0
        ))
    });
}

#[test]
fn every_liquid_is_denser_than_its_vapour_and_boils_with_a_plausible_heat() {
    each(|c| {
        let tb = c.boiling_point_k.ok_or("no boiling point")?;
        let rho = c
            .liquid_density
            .ok_or("no liquid density")?
            .kg_m3_at(tb, c.molar_mass)?;
        if !(500.0..2_000.0).contains(&rho) {
            return Err(format!("liquid density {rho:.0} kg/m³ at the boiling point"));
        }
        // Trouton's rule: ΔHv/Tb ≈ 85–110 J/(mol·K) for most liquids, more for hydrogen-bonded
        // ones (ammonia, methanol, water); hydrogen fluoride associates in the vapour and has
        // far less. A value off by a unit (kJ for J) falls far outside.
        let hv = c.heat_of_vaporisation_j_kg.ok_or("no heat of vaporisation")?;
        let trouton = hv * c.molar_mass / 1000.0 / tb;
        let range = if c.name == "hydrogen fluoride" {
            20.0..40.0
        } else {
            70.0..125.0
        };
        range
            .contains(&trouton)
            .then_some(())
            .ok_or(format!("ΔHv/Tb = {trouton:.1} J/(mol·K)"))
    });
}

#[test]
fn what_burns_has_a_heat_of_combustion_and_an_upper_limit_above_its_lower() {
    each(|c| match (c.lel_vol_pct, c.uel_vol_pct, c.heat_of_combustion_j_kg) {
        (None, None, None) => Ok(()),
        (Some(lel), Some(uel), Some(hc)) if uel > lel && (5e6..6e7).contains(&hc) => Ok(()),
        other => Err(format!("LEL, UEL, heat of combustion: {other:?}")),
    });
}
