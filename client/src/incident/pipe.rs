//! What a pipe segment on the map releases when it breaks, for the incident form: its bore,
//! length and pressure on record ([`PipeOnRecord`]) and the gas rushing out of it, closed off
//! or fed from upstream ([`Rupture`], ALOHA's gas pipeline).

use parktwin_api::model::ChemicalTable;
use parktwin_consequence::ATMOSPHERE_PA;
use parktwin_consequence::source::gas_pipeline::{ALOHA_HORIZON_S, GasPipeline, NORMAL_ROUGHNESS_M, Pipeline};

use super::form::{IncidentForm, PROFILE_POINTS};
use super::tank::RateCurve;

/// A pipe segment on the map as the rupture model needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PipeOnRecord {
    /// The nominal bore (DN), mm, taken as the inside diameter.
    pub dn_mm: f64,
    /// The segment's length, m: the gas between the break and the valves closing it off.
    pub length_m: f64,
    /// The design pressure, kPa gauge: the pressure before the break offered, which the
    /// operator lowers to the operating pressure.
    pub design_kpa: f64,
}

impl PipeOnRecord {
    /// The pipe of a segment's properties: `dn`, `length_m` and `design_pressure_mpa`; `None`
    /// where any is missing.
    pub fn of(props: &serde_json::Map<String, serde_json::Value>) -> Option<Self> {
        let num = |k: &str| props.get(k).and_then(|v| v.as_f64()).filter(|x| *x > 0.0);
        Some(Self {
            dn_mm: num("dn")?,
            length_m: num("length_m")?,
            design_kpa: num("design_pressure_mpa")? * 1000.0,
        })
    }
}

/// A pipe segment cut through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rupture {
    /// Whether the plant upstream keeps feeding it (else the valves have closed it off).
    pub fed: bool,
    /// The pressure before the break, kPa gauge.
    pub gauge_kpa: f64,
    /// The rate at the break's first moment, kg/s.
    pub rate_kg_s: f64,
    /// The gas the segment held, kg.
    pub inventory_kg: f64,
    /// How long the release is followed, minutes: until all but a thousandth of a closed-off
    /// segment's gas is out, or ALOHA's hour for one fed from upstream.
    pub minutes: f64,
}

impl IncidentForm {
    /// The segment on record cut through at `gauge_kpa` and the air's temperature, closed off
    /// or `fed` from upstream: ALOHA's gas pipeline. A medium that is liquid in the pipe is
    /// refused: give its rate.
    pub fn rupture(&self, fed: bool, gauge_kpa: f64, table: &ChemicalTable) -> Result<Rupture, String> {
        self.rupture_curve(fed, gauge_kpa, table).map(|(r, _)| r)
    }

    /// [`IncidentForm::rupture`] and its rate over time, as the request sends it.
    pub(super) fn rupture_curve(
        &self,
        fed: bool,
        gauge_kpa: f64,
        table: &ChemicalTable,
    ) -> Result<(Rupture, RateCurve), String> {
        let pipe = self.pipe.ok_or("no pipe on record here: give the rate")?;
        let c = table.find(&self.chemical)?;
        let t = self.weather.temperature_c + 273.15;
        let pressure = ATMOSPHERE_PA + gauge_kpa * 1000.0;
        c.gas_at(pressure, t).map_err(|e| format!("{e}: give its rate"))?;
        let release = GasPipeline::new(
            Pipeline {
                diameter_m: pipe.dn_mm / 1000.0,
                length_m: pipe.length_m,
                roughness_m: NORMAL_ROUGHNESS_M,
                pressure_pa: pressure,
                temperature_k: t,
                molar_mass_kg_mol: c.molar_mass / 1000.0,
                heat_capacity_ratio: c.heat_capacity_ratio()?,
            },
            None,
            fed,
        )
        .map_err(|e| format!("rupture: {e}"))?;
        let curve = release.curve(PROFILE_POINTS, ALOHA_HORIZON_S);
        let rupture = Rupture {
            fed,
            gauge_kpa,
            rate_kg_s: release.initial_rate_kg_s,
            inventory_kg: release.inventory_kg,
            minutes: curve.last().map_or(0.0, |p| p[0]) / 60.0,
        };
        Ok((rupture, curve))
    }

    /// Takes the rate and the duration from the segment on record cut through.
    pub fn set_rupture(&mut self, fed: bool, gauge_kpa: f64, table: &ChemicalTable) -> Result<Rupture, String> {
        let r = self.rupture(fed, gauge_kpa, table)?;
        self.rupture = Some(r);
        self.hole = None;
        self.pool = None;
        self.instantaneous = false;
        self.rate_kg_s = r.rate_kg_s;
        self.duration_min = r.minutes;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::form::tests::{now, props, report, table};
    use super::*;

    fn segment(medium: &str) -> IncidentForm {
        let pipe = props(serde_json::json!({"medium": medium, "line_number": "200-CL-1007-B2A",
            "dn": 200, "design_pressure_mpa": 1.6, "length_m": 800.0}));
        IncidentForm::from_feature("PS-0007", &pipe, 118.45, 37.57, 7.4, table())
            .with_nearest_weather(&[report("ws-1", 3.0)], |_| Some([118.46, 37.57]))
    }

    #[test]
    fn a_chlorine_vapour_line_cut_through_rushes_out_and_the_form_sends_the_rate_over_time() {
        let mut f = segment("chlorine");
        assert_eq!(f.pipe.map(|p| p.design_kpa), Some(1600.0));
        // At its design pressure and 6 °C chlorine is liquid in the pipe: refused, saying so.
        assert!(
            f.set_rupture(false, 1600.0, table())
                .expect_err("liquid")
                .contains("a liquid")
        );
        // A vapour line at 250 kPa: 800 m of 200 mm pipe holds about 250 kg.
        let closed = f.set_rupture(false, 250.0, table()).expect("a rupture");
        assert!(closed.inventory_kg > 200.0 && closed.inventory_kg < 300.0, "{closed:?}");
        let req = f.request(table(), now()).expect("a valid request");
        let profile = req.rate_profile.clone().expect("the rate over time");
        assert_eq!(req.rate_kg_s, Some(closed.rate_kg_s));
        assert_eq!(profile[0][1], closed.rate_kg_s, "the first moment is the largest");
        let carried: f64 = profile
            .windows(2)
            .map(|w| 0.5 * (w[0][1] + w[1][1]) * (w[1][0] - w[0][0]))
            .sum();
        assert!((carried / closed.inventory_kg - 1.0).abs() < 0.05, "{carried}");
        assert!(
            req.note.as_deref().is_some_and(|n| n.contains("closed off")),
            "{:?}",
            req.note
        );
        // Fed from upstream: it goes on for ALOHA's hour.
        let fed = f.set_rupture(true, 250.0, table()).expect("a rupture");
        assert_eq!(fed.minutes, 60.0);
        let req = f.request(table(), now()).expect("a valid request");
        assert_eq!(req.duration_s, Some(3600.0));
        // A tank has no pipe to cut.
        let tank = props(
            serde_json::json!({"chemical": "chlorine", "inventory_t": 30.0, "diameter_m": 4.0,
            "capacity_m3": 75.0, "roof": "horizontal bullet", "length_m": 6.0}),
        );
        let t = IncidentForm::from_feature("tank-040", &tank, 118.45, 37.57, 0.0, table());
        assert!(
            t.rupture(false, 250.0, table())
                .expect_err("no pipe")
                .contains("no pipe")
        );
    }
}
