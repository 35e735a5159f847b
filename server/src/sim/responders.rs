//! The demo's responders: an emergency vehicle whose task is en route drives its road route
//! to the incident at the road's speed, reporting a fix each second by its plate as any
//! vehicle's tracker would, waits on scene, and drives back once its task is done. What it
//! drives is the route `GET /incidents/{id}/resources` answers; nothing here is shown as other
//! than the demo's.

/// A vehicle on its way along a path (park metres).
#[derive(Debug, Clone, PartialEq)]
pub struct Responder {
    /// Its plate.
    pub plate: String,
    /// The task it drives for.
    pub task: i64,
    /// The path, from its start to the incident.
    path: Vec<[f64; 2]>,
    /// m/s.
    speed: f64,
    /// How far along the path it is, m.
    along: f64,
    /// Whether it is on its way back.
    pub returning: bool,
}

/// Where a responder is, which way it heads and how fast it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// Park metres.
    pub at: [f64; 2],
    /// Degrees clockwise from north.
    pub heading_deg: f64,
    /// km/h.
    pub speed_kmh: f64,
}

fn length(path: &[[f64; 2]]) -> f64 {
    path.windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

impl Responder {
    /// A responder setting off along `path` at `speed_ms`.
    pub fn new(plate: &str, task: i64, path: Vec<[f64; 2]>, speed_ms: f64) -> Self {
        Self {
            plate: plate.to_string(),
            task,
            path,
            speed: speed_ms.max(1.0),
            along: 0.0,
            returning: false,
        }
    }

    /// Turns it back the way it came, from where it is.
    pub fn turn_back(&mut self) {
        if !self.returning {
            let total = length(&self.path);
            self.path.reverse();
            self.along = (total - self.along).max(0.0);
            self.returning = true;
        }
    }

    /// Whether it has reached its path's end.
    pub fn arrived(&self) -> bool {
        self.along >= length(&self.path)
    }

    /// Moves it on by `dt` seconds: its fix then.
    pub fn step(&mut self, dt: f64) -> Fix {
        let total = length(&self.path);
        let moving = self.along < total;
        self.along = (self.along + self.speed * dt).min(total);
        let mut left = self.along;
        for w in self.path.windows(2) {
            let d = (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]);
            if left <= d && d > 0.0 {
                let f = left / d;
                return Fix {
                    at: [w[0][0] + (w[1][0] - w[0][0]) * f, w[0][1] + (w[1][1] - w[0][1]) * f],
                    heading_deg: (w[1][0] - w[0][0])
                        .atan2(w[1][1] - w[0][1])
                        .to_degrees()
                        .rem_euclid(360.0),
                    speed_kmh: if moving { self.speed * 3.6 } else { 0.0 },
                };
            }
            left -= d;
        }
        Fix {
            at: self.path.last().copied().unwrap_or_default(),
            heading_deg: 0.0,
            speed_kmh: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_responder_drives_its_path_at_its_speed_waits_and_comes_back() {
        // 300 m east, then 400 m north, at 10 m/s: 70 s.
        let mut r = Responder::new("鲁E·9001应急", 1, vec![[0.0, 0.0], [300.0, 0.0], [300.0, 400.0]], 10.0);
        let f = r.step(10.0);
        assert_eq!((f.at, f.heading_deg, f.speed_kmh), ([100.0, 0.0], 90.0, 36.0));
        let f = r.step(25.0);
        assert_eq!(
            (f.at, f.heading_deg),
            ([300.0, 50.0], 0.0),
            "round the corner, heading north"
        );
        assert!(!r.arrived());
        r.step(35.0);
        assert!(r.arrived());
        let f = r.step(1.0);
        assert_eq!((f.at, f.speed_kmh), ([300.0, 400.0], 0.0), "on scene, standing");
        r.turn_back();
        let f = r.step(40.0);
        assert_eq!((f.at, f.heading_deg), ([300.0, 0.0], 180.0), "back down south");
        r.step(30.0);
        assert!(r.arrived() && r.returning);
        assert_eq!(r.step(1.0).at, [0.0, 0.0], "home");
    }
}
