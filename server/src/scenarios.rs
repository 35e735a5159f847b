//! Drill scenarios against this server's park: what a scenario is checked against, and the
//! scenario format's JSON Schema (published as `docs/scenario.schema.json`).

use parktwin_api::scenario::{ParkRefs, Scenario};

use crate::seed::SeedData;

/// The ids and extent a scenario is checked against, from the park's assets.
pub fn park_refs(seed: &SeedData) -> ParkRefs {
    let ids = |layer: &str| -> std::collections::HashSet<String> {
        seed.layers
            .iter()
            .filter(|(l, _)| l.id == layer)
            .flat_map(|(_, fs)| fs)
            .filter_map(|f| parktwin_api::validate::feature_id(f).map(str::to_string))
            .collect()
    };
    let stations = ids("weather_stations");
    let mut sensors = ids("detectors");
    sensors.extend(stations.iter().cloned());
    ParkRefs {
        park: seed.park.id.clone(),
        bbox: seed.park.bbox,
        sensors,
        stations,
        chemicals: seed.chemicals.clone(),
        devices: seed
            .devices
            .iter()
            .map(|d| (d.id.clone(), d.quantities.iter().map(|q| q.name.clone()).collect()))
            .collect(),
    }
}

/// The scenario format's JSON Schema (draft 2020-12), pretty-printed as it is published.
pub fn scenario_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
