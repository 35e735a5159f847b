//! The demo simulator (`parktwin-server --demo`): keeps the demo park alive. Detectors read
//! plausible backgrounds with noise, and now and then one has an excursion through its warning
//! and alarm thresholds and back; hazmat trucks come in by the hazmat gate, drive the avenues
//! to a tank farm, stop to load, go to the hazmat parking and leave. Each registers its
//! electronic waybill, with its planned route, before it reaches the gate. Now and then a rule
//! breaks: one driver in five is too fast, one in ten has no waybill, one in eight takes the
//! wrong avenue, one in ten breaks down on the road. An emergency vehicle whose task an
//! operator marks en route drives its road route to the incident ([`responders`]). Every other
//! device in service is read once a minute with a daily cycle and the odd excursion
//! ([`devices`]).
//! Deterministic for a seed (what happens, not when: times are the wall clock's).

pub mod devices;
pub mod responders;

use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::store::Store;
use parktwin_api::clock::format_utc;
use parktwin_api::frame::LocalFrame;
use parktwin_api::model::{GatePass, Observation, PassDirection, SensorState, VehiclePosition, Waybill, WeatherReport};

/// Seconds between two rounds of detector readings.
const READ_EVERY_S: u64 = 5;
/// Speed of trucks inside the park, m/s (30 km/h).
const TRUCK_SPEED: f64 = 30.0 / 3.6;

/// A truck on its way through the park: waypoints in park metres, and how long it stops at
/// each.
#[derive(Debug, Clone)]
struct Truck {
    plate: String,
    route: Vec<([f64; 2], f64)>,
    leg: usize,
    pos: [f64; 2],
    wait: f64,
    /// m/s; now and then a driver is in a hurry.
    speed: f64,
    /// The electronic waybill (one truck in ten comes without).
    waybill: Option<String>,
    cargo: (&'static str, &'static str),
}

/// The simulator's state.
pub struct Simulator {
    rng: ChaCha8Rng,
    frame: LocalFrame,
    detectors: Vec<SensorState>,
    excursion: Option<(usize, u32)>,
    trucks: Vec<Truck>,
    next_plate: u32,
    tick: u64,
    stations: Vec<String>,
    passes: Vec<GatePass>,
    waybills: Vec<Waybill>,
    /// Wind speed (m/s) and direction (from, degrees), drifting.
    wind: (f64, f64),
    /// The emergency vehicles driving for a task.
    responders: Vec<responders::Responder>,
    /// The other devices' readings.
    device_feed: devices::DeviceFeed,
}

/// The avenues' x (north–south) and y (east–west) in park metres, as the demo park lays them.
const AVENUES_X: [f64; 3] = [-800.0, 0.0, 800.0];
const AVENUES_Y: [f64; 2] = [-400.0, 400.0];
const HAZMAT_GATE: [f64; 2] = [1600.0, -400.0];
const OUTSIDE: [f64; 2] = [2400.0, -400.0];
/// A bay inside the hazmat parking lot (the lot spans about x 1140–1510, y −1110 to −710).
const PARKING: [f64; 2] = [1250.0, -800.0];
/// What the trucks carry: UN number and name.
const CARGOES: [(&str, &str); 5] = [
    ("UN1017", "liquid chlorine"),
    ("UN1005", "anhydrous ammonia"),
    ("UN1230", "methanol"),
    ("UN1114", "benzene"),
    ("UN1978", "propane"),
];

impl Simulator {
    /// A simulator over the store's park, seeded.
    pub fn new(store: &Store, seed: u64) -> Result<Self, crate::StoreError> {
        // From now on the devices' readings are the demo's, and their layers say so.
        store.demo.store(true, std::sync::atomic::Ordering::Relaxed);
        let park = store.park()?;
        let detectors = store
            .sensors()?
            .into_iter()
            .filter(|s| s.layer == "detectors")
            .collect();
        let mut sim = Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            frame: park.frame(),
            detectors,
            excursion: None,
            trucks: Vec::new(),
            next_plate: 1,
            tick: 0,
            stations: {
                let mut v: Vec<String> = store.index()?.stations.iter().cloned().collect();
                v.sort();
                v
            },
            wind: (3.0, 250.0),
            passes: Vec::new(),
            waybills: Vec::new(),
            responders: Vec::new(),
            device_feed: devices::DeviceFeed::default(),
        };
        // The park is busy from the start: trucks already on their way in, at different legs.
        for leg in [1, 3, 7] {
            let mut t = sim.new_truck();
            t.leg = leg;
            t.pos = t.route[leg - 1].0;
            sim.trucks.push(t);
        }
        Ok(sim)
    }

    /// A route in by the hazmat gate, to a tank farm by the avenues, to the parking, and out.
    fn new_truck(&mut self) -> Truck {
        let ax = AVENUES_X[self.rng.random_range(0..AVENUES_X.len())];
        let ay = AVENUES_Y[self.rng.random_range(0..AVENUES_Y.len())];
        let dy = if self.rng.random_bool(0.5) { 250.0 } else { -250.0 };
        let load_s = self.rng.random_range(60.0..240.0);
        let planned = vec![
            (HAZMAT_GATE, 10.0),
            ([ax, -400.0], 0.0),
            ([ax, ay], 0.0),
            ([ax, ay + dy], load_s),
            ([ax, ay], 0.0),
            ([ax, -400.0], 0.0),
            ([PARKING[0], -400.0], 0.0),
            (PARKING, 120.0),
            ([PARKING[0], -400.0], 0.0),
            (HAZMAT_GATE, 10.0),
            (OUTSIDE, 0.0),
        ];
        let mut route = planned.clone();
        // One driver in eight takes the wrong avenue to the tank farm and comes back to it
        // along the cross avenue.
        if self.rng.random_bool(0.125) {
            let others: Vec<f64> = AVENUES_X.iter().copied().filter(|x| *x != ax).collect();
            let wrong = others[self.rng.random_range(0..others.len())];
            route.splice(1..2, [([wrong, -400.0], 0.0), ([wrong, ay], 0.0)]);
        }
        // One truck in ten breaks down for eleven minutes at the crossing after the tank farm.
        if self.rng.random_bool(0.1)
            && let Some(farm) = route.iter().position(|(p, _)| *p == [ax, ay + dy])
        {
            route[farm + 1].1 = 660.0;
        }
        let plate = format!("鲁E·{:05}", 10_000 + self.next_plate * 37 % 90_000);
        self.next_plate += 1;
        // One driver in five is in a hurry (55 km/h on a 30 km/h park road).
        let speed = if self.rng.random_bool(0.2) {
            55.0 / 3.6
        } else {
            TRUCK_SPEED
        };
        let waybill =
            (!self.rng.random_bool(0.1)).then(|| format!("YD{:010}", self.rng.random_range(0..10_000_000_000u64)));
        let cargo = CARGOES[self.rng.random_range(0..CARGOES.len())];
        if let Some(id) = &waybill {
            let now = time::OffsetDateTime::now_utc();
            let route = std::iter::once(OUTSIDE)
                .chain(planned.iter().map(|(p, _)| *p))
                .map(|p| {
                    let (lon, lat) = self.frame.to_wgs84(p[0], p[1]);
                    [lon, lat]
                })
                .collect();
            self.waybills.push(Waybill {
                id: id.clone(),
                plate: plate.clone(),
                un_number: cargo.0.to_string(),
                cargo: cargo.1.to_string(),
                tonnes: 25.0,
                valid_from: format_utc(now - time::Duration::hours(1)),
                valid_to: format_utc(now + time::Duration::hours(12)),
                destination: Some(format!("tank farm at ({ax:.0}, {:.0})", ay + dy)),
                route,
            });
        }
        Truck {
            plate,
            route,
            leg: 0,
            pos: OUTSIDE,
            wait: 0.0,
            speed,
            waybill,
            cargo,
        }
    }

    /// The waybills registered since the last call.
    pub fn take_waybills(&mut self) -> Vec<Waybill> {
        std::mem::take(&mut self.waybills)
    }

    /// The passes at the hazmat gate since the last call.
    pub fn take_passes(&mut self) -> Vec<GatePass> {
        std::mem::take(&mut self.passes)
    }

    /// Weather every ten seconds: the wind drifts in speed and direction.
    pub fn weather(&mut self, now: time::OffsetDateTime) -> Vec<WeatherReport> {
        if !self.tick.is_multiple_of(10) {
            return Vec::new();
        }
        let (speed, dir) = self.wind;
        self.wind = (
            (speed + self.rng.random_range(-0.3..0.3)).clamp(0.8, 9.0),
            (dir + self.rng.random_range(-4.0..4.0)).rem_euclid(360.0),
        );
        let t = format_utc(now);
        self.stations
            .iter()
            .map(|st| WeatherReport {
                station: st.clone(),
                time: t.clone(),
                wind_speed_ms: (self.wind.0 * 10.0).round() / 10.0,
                wind_from_deg: self.wind.1.round(),
                temperature_c: 12.5,
                cloud_oktas: Some(3),
            })
            .collect()
    }

    /// One second of the park: returns the readings and fixes to store.
    pub fn step(&mut self, now: time::OffsetDateTime) -> (Vec<Observation>, Vec<VehiclePosition>) {
        self.tick += 1;
        let t = format_utc(now);
        let mut obs = Vec::new();
        if self.tick.is_multiple_of(READ_EVERY_S) {
            // An excursion every few minutes: one detector rises past its alarm level and back.
            if self.excursion.is_none() && !self.detectors.is_empty() && self.rng.random_bool(0.05) {
                self.excursion = Some((self.rng.random_range(0..self.detectors.len()), 0));
            }
            for (i, d) in self.detectors.iter().enumerate() {
                let warn = d.warn.unwrap_or(1.0);
                let background = warn * 0.05;
                let mut v = (background + self.rng.random_range(-0.5..0.5) * background).max(0.0);
                if let Some((k, age)) = self.excursion
                    && k == i
                {
                    // Up over 60 s to 1.5× the alarm level, then down over 60 s.
                    let peak = d.alarm.unwrap_or(warn * 2.0) * 1.5;
                    let a = f64::from(age) * READ_EVERY_S as f64;
                    v += peak
                        * if a < 60.0 {
                            a / 60.0
                        } else {
                            (120.0 - a).max(0.0) / 60.0
                        };
                }
                obs.push(Observation {
                    sensor: d.id.clone(),
                    quantity: None,
                    time: t.clone(),
                    value: (v * 1000.0).round() / 1000.0,
                });
            }
            if let Some((k, age)) = self.excursion {
                self.excursion = if age >= 26 { None } else { Some((k, age + 1)) };
            }
        }
        if self.trucks.len() < 8 && self.rng.random_bool(0.03) {
            let truck = self.new_truck();
            self.trucks.push(truck);
        }
        let mut fixes = Vec::new();
        for truck in &mut self.trucks {
            let mut speed = 0.0;
            let mut heading: f64 = 0.0;
            if truck.wait > 0.0 {
                truck.wait -= 1.0;
            } else if let Some(&(to, stop)) = truck.route.get(truck.leg) {
                let (dx, dy) = (to[0] - truck.pos[0], to[1] - truck.pos[1]);
                let d = dx.hypot(dy);
                heading = dx.atan2(dy).to_degrees().rem_euclid(360.0);
                if d <= truck.speed {
                    truck.pos = to;
                    // The hazmat gate is the first waypoint in and the last but one out.
                    let direction = match truck.leg {
                        0 => Some(PassDirection::In),
                        l if l + 2 == truck.route.len() => Some(PassDirection::Out),
                        _ => None,
                    };
                    if let Some(direction) = direction {
                        self.passes.push(GatePass {
                            time: t.clone(),
                            plate: truck.plate.clone(),
                            direction,
                            hazmat: true,
                            cargo: Some(truck.cargo.1.to_string()),
                            un_number: Some(truck.cargo.0.to_string()),
                            tonnes: Some(25.0),
                            waybill: truck.waybill.clone(),
                        });
                    }
                    truck.leg += 1;
                    truck.wait = stop;
                } else {
                    truck.pos = [truck.pos[0] + dx / d * truck.speed, truck.pos[1] + dy / d * truck.speed];
                    speed = truck.speed * 3.6;
                }
            }
            let (lon, lat) = self.frame.to_wgs84(truck.pos[0], truck.pos[1]);
            fixes.push(VehiclePosition {
                plate: truck.plate.clone(),
                time: t.clone(),
                lon,
                lat,
                speed_kmh: (speed * 10.0_f64).round() / 10.0,
                heading_deg: (heading * 10.0).round() / 10.0,
            });
        }
        self.trucks.retain(|t| t.leg < t.route.len());
        (obs, fixes)
    }
}

impl Simulator {
    /// Plays one second of the park at `now` into the store, as the machine feeds would post
    /// it (waybills, readings, fixes, weather, gate passes); returns how many records. A soak
    /// test calls it with a clock running faster than the wall's.
    pub fn feed(&mut self, store: &Store, now: time::OffsetDateTime) -> Result<usize, crate::StoreError> {
        let (mut obs, mut fixes) = self.step(now);
        fixes.extend(self.respond(store, now)?);
        let index = store.index()?;
        let mut devices: Vec<&parktwin_api::device::Device> = index.devices.values().collect();
        devices.sort_by(|a, b| a.id.cmp(&b.id));
        obs.extend(
            self.device_feed
                .read(&mut self.rng, &devices, self.tick, now, index.offset()),
        );
        let weather = self.weather(now);
        let passes = self.take_passes();
        let waybills = self.take_waybills();
        if !waybills.is_empty() {
            store.ingest_waybills(&waybills, &format_utc(now))?;
        }
        if !obs.is_empty() {
            store.ingest_observations(&obs)?;
        }
        if !fixes.is_empty() {
            store.ingest_positions(&fixes)?;
        }
        if !weather.is_empty() {
            store.ingest_weather(&weather)?;
        }
        if !passes.is_empty() {
            store.ingest_passes("gate-hazmat", &passes)?;
        }
        Ok(obs.len() + fixes.len() + weather.len() + passes.len() + waybills.len())
    }
}

impl Simulator {
    /// The responders' fixes this second: every 5 s, the vehicles of tasks newly en route set
    /// off along their routes and those whose task is done (or whose incident closed) turn
    /// back; each reports where it is.
    fn respond(&mut self, store: &Store, now: time::OffsetDateTime) -> Result<Vec<VehiclePosition>, crate::StoreError> {
        use parktwin_api::emergency::TaskStatus;
        if self.tick.is_multiple_of(READ_EVERY_S) {
            let tasks = store.open_tasks()?;
            for r in &mut self.responders {
                if tasks
                    .iter()
                    .find(|t| t.id == r.task)
                    .is_none_or(|t| t.status == TaskStatus::Done)
                {
                    r.turn_back();
                }
            }
            for t in tasks
                .iter()
                .filter(|t| t.status == TaskStatus::EnRoute && !t.resources.is_empty())
            {
                if self.responders.iter().any(|r| r.task == t.id) {
                    continue;
                }
                let Some(routes) = store.incident_resources(&t.incident, now)? else {
                    continue;
                };
                for r in routes.iter().filter(|r| t.resources.contains(&r.id)) {
                    let Some(plate) = &r.plate else { continue };
                    if self.responders.iter().any(|x| &x.plate == plate) {
                        continue; // driving for another task
                    }
                    let path: Vec<[f64; 2]> = r.route["coordinates"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|c| Some(self.frame.to_map(c[0].as_f64()?, c[1].as_f64()?)))
                        .collect();
                    let speed = if r.time_s > 0.0 {
                        r.distance_m / r.time_s
                    } else {
                        TRUCK_SPEED
                    };
                    self.responders
                        .push(responders::Responder::new(plate, t.id, path, speed));
                }
            }
        }
        let t = format_utc(now);
        let fixes = self
            .responders
            .iter_mut()
            .map(|r| {
                let f = r.step(1.0);
                let (lon, lat) = self.frame.to_wgs84(f.at[0], f.at[1]);
                VehiclePosition {
                    plate: r.plate.clone(),
                    time: t.clone(),
                    lon,
                    lat,
                    speed_kmh: (f.speed_kmh * 10.0).round() / 10.0,
                    heading_deg: (f.heading_deg * 10.0).round() / 10.0,
                }
            })
            .collect();
        self.responders.retain(|r| !(r.returning && r.arrived()));
        Ok(fixes)
    }
}

/// Runs the simulator against the store, once a second, until the process ends.
pub async fn run(store: Arc<Store>, seed: u64) {
    let sim = match Simulator::new(&store, seed) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("demo simulator cannot start: {e}");
            return;
        }
    };
    let mut every = tokio::time::interval(Duration::from_secs(1));
    let sim = Arc::new(std::sync::Mutex::new(sim));
    loop {
        every.tick().await;
        let now = time::OffsetDateTime::now_utc();
        let (s, sim) = (store.clone(), sim.clone());
        // SQLite blocks: off the async workers.
        let stored = tokio::task::spawn_blocking(move || -> Result<usize, crate::StoreError> {
            // A panic in an earlier second leaves the simulator as it was: go on with it.
            let mut sim = sim.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            sim.feed(&s, now)
        })
        .await;
        match stored {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("demo simulator: {e}"),
            Err(e) => tracing::error!("demo simulator stopped: {e}"),
        }
    }
}
