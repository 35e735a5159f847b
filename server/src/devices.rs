//! The device registry in the store: devices of any kind added, changed and removed at
//! runtime (no re-seeding), one by one or from a CSV at once, each change an event of the log
//! (`device_added`, `device_changed`, `device_removed`). Every device is checked by itself
//! (`parktwin_api::device`) and against the park (its enterprise, the feature it sits on)
//! before anything is stored; a CSV is stored whole or not at all.

use parktwin_api::device::{Device, DeviceKind, DeviceState, Location, Quantity, QuantityRules, Thresholds};
use parktwin_api::kinds::EventKind;

use crate::db::{Conn, Tx, args};
use crate::emergency::{Outcome, Refused};
use crate::store::{Store, StoreError, json_row, json_rows};

/// The columns of a devices CSV, in any order (the header names them): one row per quantity;
/// the rows of one id after its first add its other quantities.
pub const CSV_COLUMNS: [&str; 23] = [
    "id",
    "kind",
    "name",
    "name_zh",
    "lon",
    "lat",
    "layer",
    "feature",
    "enterprise",
    "state",
    "stream_url",
    "quantity",
    "unit",
    "low_low",
    "low",
    "high",
    "high_high",
    "deadband",
    "max_rate_per_min",
    "stale_after_s",
    "daily_budget",
    "permit_daily_mean",
    "nominal",
];

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ImportReceipt {
    /// Devices new to the registry.
    pub added: usize,
    /// Devices replaced.
    pub changed: usize,
}

/// The devices of a CSV, or every problem naming its row (the header is row 1) and field.
pub fn parse_csv(text: &str) -> Result<Vec<Device>, Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match r.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => return Err(vec![format!("row 1: {e}")]),
    };
    let mut problems: Vec<String> = header
        .iter()
        .filter(|h| !CSV_COLUMNS.contains(&h.as_str()))
        .map(|h| format!("row 1: \"{h}\" is not a column ({})", CSV_COLUMNS.join(", ")))
        .collect();
    for need in ["id", "kind", "name"] {
        if !header.iter().any(|h| h == need) {
            problems.push(format!("row 1: the column \"{need}\" is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out: Vec<Device> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let row = i + 2;
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                problems.push(format!("row {row}: {e}"));
                continue;
            }
        };
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|k| rec.get(k))
                .filter(|v| !v.is_empty())
        };
        let mut number = |name: &str| -> Option<f64> {
            let v = cell(name)?;
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    problems.push(format!("row {row}, {name}: \"{v}\" is not a number"));
                    None
                }
            }
        };
        let (lon, lat) = (number("lon"), number("lat"));
        let thresholds = Thresholds {
            low_low: number("low_low"),
            low: number("low"),
            high: number("high"),
            high_high: number("high_high"),
        };
        let rules = QuantityRules {
            deadband: number("deadband"),
            max_rate_per_min: number("max_rate_per_min"),
            // A negative or fractional stale time is left for the device's own check to name.
            stale_after_s: number("stale_after_s").map(|s| s.clamp(0.0, f64::from(u32::MAX)) as u32),
            daily_budget: number("daily_budget"),
            permit_daily_mean: number("permit_daily_mean"),
        };
        let id = cell("id").unwrap_or_default().to_string();
        let nominal = number("nominal");
        let quantity = cell("quantity").map(|q| Quantity {
            rules,
            nominal,
            ..Quantity::new(q, cell("unit").unwrap_or_default(), thresholds)
        });
        if let Some(d) = out.iter_mut().find(|d| d.id == id) {
            match quantity {
                Some(q) => d.quantities.push(q),
                None => problems.push(format!(
                    "row {row}, quantity: device \"{id}\" is listed again without one"
                )),
            }
            continue;
        }
        let Some(kind) = cell("kind").and_then(DeviceKind::of) else {
            problems.push(format!(
                "row {row}, kind: \"{}\" is not a device kind",
                cell("kind").unwrap_or_default()
            ));
            continue;
        };
        let state = match cell("state") {
            None => DeviceState::InService,
            Some(s) => match DeviceState::of(s) {
                Some(s) => s,
                None => {
                    problems.push(format!(
                        "row {row}, state: \"{s}\" is not in_service, maintenance or retired"
                    ));
                    continue;
                }
            },
        };
        let mut d = Device::new(&id, kind, cell("name").unwrap_or_default());
        d.name_zh = cell("name_zh").unwrap_or_default().to_string();
        d.location = Location {
            lon,
            lat,
            layer: cell("layer").map(str::to_string),
            feature: cell("feature").map(str::to_string),
        };
        d.enterprise = cell("enterprise").map(str::to_string);
        d.state = state;
        d.stream_url = cell("stream_url").map(str::to_string);
        d.quantities.extend(quantity);
        out.push(d);
    }
    if out.is_empty() && problems.is_empty() {
        problems.push("the file lists no device".into());
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

impl Store {
    /// Every problem of a device against the park: besides its own, an enterprise or a
    /// feature the park does not have.
    pub(crate) fn device_problems(&self, d: &Device) -> Result<Vec<String>, StoreError> {
        let mut out = d.problems();
        let index = self.index()?;
        if let Some(e) = &d.enterprise
            && !index.owners.is_enterprise(e)
        {
            out.push(format!("enterprise: \"{e}\" is not one of the park's enterprises"));
        }
        if let (Some(layer), Some(feature)) = (&d.location.layer, &d.location.feature) {
            let fc: serde_json::Value = match self.layer_geojson(layer)? {
                Some(text) => serde_json::from_str(&text)?,
                None => {
                    out.push(format!("location.layer: \"{layer}\" is not a layer of the park"));
                    return Ok(out);
                }
            };
            let found = fc["features"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["id"] == feature.as_str());
            if !found {
                out.push(format!(
                    "location.feature: \"{feature}\" is not a feature of the {layer} layer"
                ));
            }
        }
        Ok(out)
    }

    /// Every device, by id.
    pub fn devices(&self) -> Result<Vec<Device>, StoreError> {
        json_rows(&mut self.conn(), "SELECT record FROM devices ORDER BY id", &[])
    }

    /// One device.
    pub fn device(&self, id: &str) -> Result<Option<Device>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM devices WHERE id = ?1", args![id])
    }

    /// Stores `d` in `tx` with its event: added, or changed when `known`.
    /// Changes the registry in one transaction, then has the park's index read it again (after
    /// the writer is let go: the index is read on a connection of its own).
    fn change_devices(&self, change: impl FnOnce(&mut Tx<'_>) -> Result<(), StoreError>) -> Result<(), StoreError> {
        {
            let mut conn = self.conn();
            let mut tx = Tx::begin(&mut **conn)?;
            change(&mut tx)?;
            tx.commit()?;
        }
        self.forget_index();
        Ok(())
    }

    fn write_device(tx: &mut Tx<'_>, d: &Device, known: bool, at: &str) -> Result<(), StoreError> {
        let record = serde_json::to_string(d)?;
        let kind = if known {
            EventKind::DeviceChanged
        } else {
            EventKind::DeviceAdded
        };
        let seq = Self::append_event(tx, at, kind, &record)?;
        tx.execute(
            "INSERT INTO devices (id, record, seq) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, seq = excluded.seq",
            args![&d.id, &record, seq],
        )?;
        Ok(())
    }

    /// Adds a device; refused when its id is taken or it has problems.
    pub fn add_device(&self, d: &Device, at: &str) -> Outcome<Device> {
        let problems = self.device_problems(d)?;
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        if self.device(&d.id)?.is_some() {
            return Ok(Err(Refused::Conflict(format!(
                "device \"{}\" is registered already: PUT /devices/{} changes it",
                d.id, d.id
            ))));
        }
        self.change_devices(|tx| Self::write_device(tx, d, false, at))?;
        Ok(Ok(d.clone()))
    }

    /// Replaces the device `id` (added when new); refused when the body's id is another or it
    /// has problems.
    pub fn put_device(&self, id: &str, d: &Device, at: &str) -> Outcome<Device> {
        if d.id != id {
            return Ok(Err(Refused::Invalid(vec![format!(
                "id: \"{}\" in the body, \"{id}\" in the path",
                d.id
            )])));
        }
        let problems = self.device_problems(d)?;
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let known = self.device(id)?.is_some();
        self.change_devices(|tx| Self::write_device(tx, d, known, at))?;
        Ok(Ok(d.clone()))
    }

    /// Removes the device `id` with its event; whether there was one.
    pub fn remove_device(&self, id: &str, at: &str) -> Result<bool, StoreError> {
        let Some(d) = self.device(id)? else {
            return Ok(false);
        };
        self.change_devices(|tx| {
            Self::append_event(tx, at, EventKind::DeviceRemoved, &serde_json::to_string(&d)?)?;
            tx.execute("DELETE FROM devices WHERE id = ?1", args![id])?;
            Ok(())
        })?;
        Ok(true)
    }

    /// Imports the devices of a CSV in one transaction: all of them, or none with every
    /// problem named (its row, or its device's id and field).
    pub fn import_devices(&self, csv_text: &str, at: &str) -> Outcome<ImportReceipt> {
        let devices = match parse_csv(csv_text) {
            Ok(d) => d,
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        };
        let mut problems = Vec::new();
        for d in &devices {
            problems.extend(
                self.device_problems(d)?
                    .into_iter()
                    .map(|p| format!("device \"{}\", {p}", d.id)),
            );
        }
        if !problems.is_empty() {
            return Ok(Err(Refused::Invalid(problems)));
        }
        let known: Vec<String> = self.devices()?.into_iter().map(|d| d.id).collect();
        let mut receipt = ImportReceipt { added: 0, changed: 0 };
        self.change_devices(|tx| {
            for d in &devices {
                let was = known.contains(&d.id);
                Self::write_device(tx, d, was, at)?;
                if was {
                    receipt.changed += 1;
                } else {
                    receipt.added += 1;
                }
            }
            Ok(())
        })?;
        Ok(Ok(receipt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_of_devices_reads_with_one_row_per_quantity_and_its_problems_name_row_and_field() {
        let text = "id,kind,name,lon,lat,stream_url,quantity,unit,high,high_high\n\
                    lt-101,tank_level,T01 level,118.454,37.568,,level,%,85,95\n\
                    lt-101,,,,,,temperature,°C,40,50\n\
                    cam-1,camera,Gate,118.46,37.56,rtsp://cam/1,,,,\n";
        let got = parse_csv(text).expect("devices");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].quantities.len(), 2);
        assert_eq!(got[0].quantities[1].thresholds.high_high, Some(50.0));
        assert_eq!(got[1].stream_url.as_deref(), Some("rtsp://cam/1"));
        let bad = "id,kind,name,lon,colour\nx,toaster,X,abc,red\n";
        assert_eq!(
            parse_csv(bad).expect_err("refused"),
            [
                "row 1: \"colour\" is not a column (id, kind, name, name_zh, lon, lat, layer, feature, enterprise, state, stream_url, quantity, unit, low_low, low, high, high_high, deadband, max_rate_per_min, stale_after_s, daily_budget, permit_daily_mean, nominal)"
            ]
        );
        let bad = "id,kind,name,lon\nx,toaster,X,1\ny,camera,Y,abc\n";
        assert_eq!(
            parse_csv(bad).expect_err("refused"),
            [
                "row 2, kind: \"toaster\" is not a device kind",
                "row 3, lon: \"abc\" is not a number"
            ]
        );
        assert!(parse_csv("id,kind,name\n").is_err(), "no device");
    }
}
