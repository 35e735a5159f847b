//! The demo's devices other than the gas detectors (which [`super::Simulator::step`] reads):
//! every registered device in service that measures something is read once a minute, each
//! quantity following a daily cycle of the park's hours with noise, and now and then one
//! quantity with a high threshold goes past it for a quarter of an hour and comes back. A
//! device registered at runtime is read from its next minute on.
//!
//! The profiles are the demo's, plausible for a coastal chemical park in winter; none is a
//! measurement.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use parktwin_api::device::{Device, DeviceKind, DeviceState, Quantity};
use parktwin_api::model::Observation;

/// Seconds between two readings of a device.
pub const READ_EVERY_S: u64 = 60;
/// How long an excursion lasts, in readings.
const EXCURSION_READINGS: u32 = 15;

/// A quantity's daily cycle: its mean (its `nominal` where the device has one), the swing of
/// the cycle, the park hour of its peak, and the noise (each a fraction of the mean, the hour
/// in hours).
fn profile(kind: DeviceKind, q: &Quantity) -> (f64, f64, f64, f64) {
    let (mean, swing, peak, noise) = match q.name.as_str() {
        // Particles and NO₂ peak with the morning traffic; ozone in the afternoon sun.
        "pm25" => (38.0, 0.35, 8.0, 0.08),
        "pm10" => (70.0, 0.3, 8.0, 0.08),
        "so2" => (14.0, 0.25, 10.0, 0.1),
        "no2" => (36.0, 0.4, 8.5, 0.08),
        "co" => (0.7, 0.3, 8.0, 0.08),
        "o3" => (55.0, 0.7, 15.0, 0.06),
        "voc" | "tvoc" | "nmhc" => (0.9, 0.4, 14.0, 0.1),
        "cod" => (32.0, 0.15, 11.0, 0.05),
        "nh3n" => (2.8, 0.15, 11.0, 0.05),
        "ph" => (7.4, 0.02, 13.0, 0.005),
        "flow" => (120.0, 0.2, 11.0, 0.03),
        // The plants' draw follows the day shift; a substation's load less so.
        "energy" | "power" => (420.0, 0.3, 11.0, 0.04),
        "load" => (60.0, 0.15, 11.0, 0.02),
        "steam" => (18.0, 0.2, 10.0, 0.04),
        "water" => (35.0, 0.25, 10.0, 0.05),
        // Tanks fill and empty slowly; a refrigerated tank's cold barely moves.
        "level" => (55.0, 0.12, 4.0, 0.003),
        "temperature" if q.nominal.is_some_and(|n| n < 0.0) => (-33.0, 0.02, 15.0, 0.002),
        "temperature" if kind == DeviceKind::PipeTemperature => (200.0, 0.02, 15.0, 0.003),
        "temperature" => (14.0, 0.3, 15.0, 0.01),
        "pressure" => (0.35, 0.05, 12.0, 0.01),
        // Anything else sits at two fifths of its high threshold, or at 1.
        _ => (q.thresholds.high.map_or(1.0, |h| 0.4 * h), 0.1, 12.0, 0.03),
    };
    (q.nominal.unwrap_or(mean), swing, peak, noise)
}

/// The value of a quantity at a park hour (0–24), before noise.
fn cycle(mean: f64, swing: f64, peak_hour: f64, hour: f64) -> f64 {
    mean * (1.0 + swing * ((hour - peak_hour) / 24.0 * std::f64::consts::TAU).cos())
}

/// The demo's device readings.
#[derive(Debug, Default)]
pub struct DeviceFeed {
    /// The quantity in an excursion (device, quantity) and how many readings it has had.
    excursion: Option<(String, String, u32)>,
}

impl DeviceFeed {
    /// The readings of the minute at `now` for `devices` (the park's hour from `offset`); none
    /// between minutes.
    pub fn read(
        &mut self,
        rng: &mut ChaCha8Rng,
        devices: &[&Device],
        tick: u64,
        now: time::OffsetDateTime,
        offset: time::UtcOffset,
    ) -> Vec<Observation> {
        if !tick.is_multiple_of(READ_EVERY_S) {
            return Vec::new();
        }
        let local = now.to_offset(offset);
        let hour = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
        let read: Vec<&&Device> = devices
            .iter()
            .filter(|d| d.state == DeviceState::InService && d.kind != DeviceKind::GasDetector)
            .collect();
        if self.excursion.is_none() && rng.random_bool(0.04) {
            let candidates: Vec<(String, String)> = read
                .iter()
                .flat_map(|d| {
                    d.quantities
                        .iter()
                        .filter(|q| q.thresholds.high.is_some())
                        .map(|q| (d.id.clone(), q.name.clone()))
                })
                .collect();
            if !candidates.is_empty() {
                let (d, q) = candidates[rng.random_range(0..candidates.len())].clone();
                self.excursion = Some((d, q, 0));
            }
        }
        let time = parktwin_api::clock::format_utc(now);
        let mut out = Vec::new();
        for d in read {
            for (i, q) in d.quantities.iter().enumerate() {
                let (mean, swing, peak, noise) = profile(d.kind, q);
                let mut v = cycle(mean, swing, peak, hour) * (1.0 + rng.random_range(-noise..noise));
                if let Some((xd, xq, n)) = &self.excursion
                    && *xd == d.id
                    && *xq == q.name
                    && let Some(high) = q.thresholds.high
                {
                    // Up past the high threshold by a third, then back down.
                    let k = f64::from(*n) / f64::from(EXCURSION_READINGS);
                    let bump = (k * std::f64::consts::PI).sin();
                    v = v.max(v + bump * (high * 1.33 - v));
                }
                out.push(Observation {
                    sensor: d.id.clone(),
                    quantity: (i > 0).then(|| q.name.clone()),
                    time: time.clone(),
                    // A positive quantity (a concentration, a flow) never reads below nothing.
                    value: (if mean > 0.0 { v.max(0.0) } else { v } * 1000.0).round() / 1000.0,
                });
            }
        }
        if let Some((_, _, n)) = &mut self.excursion {
            *n += 1;
            if *n > EXCURSION_READINGS {
                self.excursion = None;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parktwin_api::device::Thresholds;
    use rand::SeedableRng;

    #[test]
    fn each_quantity_of_each_device_in_service_is_read_once_a_minute_with_its_daily_cycle() {
        let mut station = Device::new("aq-01", DeviceKind::AirQuality, "Station 1");
        for q in ["pm25", "o3"] {
            station
                .quantities
                .push(Quantity::new(q, "μg/m³", Thresholds::default()));
        }
        let mut resting = Device::new("of-1", DeviceKind::Outfall, "Outfall 1");
        resting
            .quantities
            .push(Quantity::new("cod", "mg/L", Thresholds::default()));
        resting.state = DeviceState::Maintenance;
        let mut feed = DeviceFeed::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let utc = time::UtcOffset::UTC;
        let noon = parktwin_api::clock::parse_utc("2026-12-07T12:00:00Z").expect("a time");
        assert!(
            feed.read(&mut rng, &[&station, &resting], 59, noon, utc).is_empty(),
            "between minutes"
        );
        let got = feed.read(&mut rng, &[&station, &resting], 60, noon, utc);
        let keys: Vec<(&str, Option<&str>)> = got.iter().map(|o| (o.sensor.as_str(), o.quantity.as_deref())).collect();
        assert_eq!(
            keys,
            [("aq-01", None), ("aq-01", Some("o3"))],
            "its first quantity unnamed; none in maintenance"
        );
        // Ozone is higher in the afternoon than before dawn.
        let mut at = |h: u8| {
            let t = noon.replace_hour(h).expect("an hour");
            feed.read(&mut rng, &[&station], 120, t, utc)[1].value
        };
        let (afternoon, dawn) = (at(15), at(3));
        assert!(afternoon > 1.5 * dawn, "{afternoon} vs {dawn}");
    }
}
