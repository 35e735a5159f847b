//! `parktwin plume`: the dispersion engine on the command line, for planners' scripts and for
//! other tools to check against. Coordinates are metres east and north of the release point;
//! wind direction is where the wind comes FROM (270 = from the west, blowing east).

use anyhow::{anyhow, bail};
use clap::Args;
use parktwin_dispersion::chem::{LevelSet, levels_of_concern, mg_m3_to_ppm};
use parktwin_dispersion::grid::{GridSpec, puff_grid};
use parktwin_dispersion::incident::{Footprint, zones_collection};
use parktwin_dispersion::model::{Atmosphere, Plume, PuffTrain};
use parktwin_dispersion::sigma::SigmaSet;
use parktwin_dispersion::stability::{Insolation, Sky, Stability, pasquill_class};
use parktwin_dispersion::zones::threat_zones;
use serde_json::{Value, json};

/// Flags of `parktwin plume`.
#[derive(Args, Debug, Clone)]
#[command(allow_negative_numbers = true)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["rate", "mass"])))]
#[command(group(clap::ArgGroup::new("query").required(true).args(["point", "grid", "zones"])))]
pub struct PlumeArgs {
    /// Continuous release rate, kg/s.
    #[arg(long, value_name = "KG_S")]
    pub rate: Option<f64>,
    /// Instantaneous release: the mass released at once, kg (needs --time).
    #[arg(long, value_name = "KG")]
    pub mass: Option<f64>,
    /// How long a continuous release lasts, s (with --time; default: still going).
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Release height above ground, m.
    #[arg(long, value_name = "M", default_value_t = 0.0)]
    pub height: f64,
    /// Wind speed, m/s, measured at --wind-height.
    #[arg(long, value_name = "M_S")]
    pub wind_speed: f64,
    /// Where the wind comes FROM, degrees clockwise from north (270 = from the west).
    #[arg(long, value_name = "DEG")]
    pub wind_from: f64,
    /// Height the wind was measured at, m; the speed is carried to the release height by the
    /// power law (not below 10 m, as ISC3 does), and not adjusted when the heights are equal.
    #[arg(long, value_name = "M", default_value_t = 10.0)]
    pub wind_height: f64,
    /// Pasquill–Gifford stability class, A (very unstable) to F (moderately stable).
    #[arg(long, value_name = "A..F", conflicts_with_all = ["insolation", "night"])]
    pub stability: Option<Stability>,
    /// Daytime solar radiation, to derive the class: strong, moderate or slight.
    #[arg(long, value_name = "strong|moderate|slight", conflicts_with = "night")]
    pub insolation: Option<Insolation>,
    /// Cloud cover in oktas (0-8), to derive the class.
    #[arg(long, value_name = "OKTAS", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=8))]
    pub cloud: u8,
    /// Night, to derive the class.
    #[arg(long)]
    pub night: bool,
    /// The σ curves: briggs-rural, briggs-urban or isc3-rural.
    #[arg(long, value_name = "SET", default_value = "briggs-rural")]
    pub sigmas: SigmaSet,
    /// Height of the mixing layer, m (reflects the plume); none by default.
    #[arg(long, value_name = "M")]
    pub mixing_height: Option<f64>,
    /// The chemical (name or CAS number), for ppm and the levels of concern.
    #[arg(long, value_name = "NAME")]
    pub chemical: Option<String>,
    /// Levels of concern for --zones: aegl (60 min), erpg, or lel (a flammable cloud: the
    /// lower explosive limit and half of it, where a flash fire would burn).
    #[arg(long, value_name = "aegl|erpg|lel", default_value = "aegl")]
    pub levels: String,
    /// Air temperature, °C, for ppm.
    #[arg(long, value_name = "C", default_value_t = 25.0)]
    pub temperature: f64,
    /// Seconds after the release starts (puffs); without it a continuous release is the
    /// steady-state plume.
    #[arg(long, value_name = "S")]
    pub time: Option<f64>,
    /// A receptor, metres east and north of the release and height above ground (repeatable).
    #[arg(long, value_name = "E,N[,Z]", value_parser = parse_point, allow_hyphen_values = true)]
    pub point: Vec<(f64, f64, f64)>,
    /// Print the ground-level concentration grid (JSON, mg/m³).
    #[arg(long)]
    pub grid: bool,
    /// Print the threat zones (GeoJSON FeatureCollection, WGS84; needs --chemical).
    #[arg(long)]
    pub zones: bool,
    /// Grid cells each way.
    #[arg(long, value_name = "N", default_value_t = 401)]
    pub grid_cells: usize,
    /// Grid cell size, m. By default the grid is sized to hold the zones (or, with --grid,
    /// everywhere above 1 mg/m³ out to 50 km).
    #[arg(long, value_name = "M")]
    pub grid_step: Option<f64>,
    /// Where the release is, for GeoJSON: longitude,latitude (WGS84).
    #[arg(long, value_name = "LON,LAT", default_value = "118.45,37.57", value_parser = parse_lon_lat)]
    pub at: (f64, f64),
}

fn parse_point(s: &str) -> Result<(f64, f64, f64), String> {
    let v: Vec<f64> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>().map_err(|_| format!("\"{x}\" is not a number")))
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [e, n] => Ok((*e, *n, 0.0)),
        [e, n, z] if *z >= 0.0 => Ok((*e, *n, *z)),
        [_, _, z] => Err(format!("height {z} is below the ground; heights are 0 or more")),
        _ => Err("a point is E,N or E,N,Z in metres".into()),
    }
}

pub(crate) fn parse_lon_lat(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once(',').ok_or("give LON,LAT")?;
    let lon: f64 = a.trim().parse().map_err(|_| format!("\"{a}\" is not a longitude"))?;
    let lat: f64 = b.trim().parse().map_err(|_| format!("\"{b}\" is not a latitude"))?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("{lon},{lat} is not a WGS84 longitude,latitude"));
    }
    Ok((lon, lat))
}

pub(crate) fn positive(flag: &str, v: f64, what: &str) -> anyhow::Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        bail!("{flag} must be {what} greater than 0 (got {v})")
    }
}

/// What the model is: the steady plume, a puff's envelope (the most it brings anywhere as it
/// passes), or a puff train at a time.
enum Source {
    Footprint(Footprint),
    Puffs(PuffTrain, f64),
}

/// Runs the command and returns what it prints.
pub fn run(a: &PlumeArgs) -> anyhow::Result<Value> {
    let table = parktwin_layers::incident::chemicals();
    let chemical = match &a.chemical {
        Some(name) => Some(table.find(name).map_err(|e| anyhow!("--chemical {e}"))?.clone()),
        None => None,
    };
    let wind_speed = positive("--wind-speed", a.wind_speed, "a speed in m/s")?;
    if wind_speed < 0.5 {
        bail!("--wind-speed must be at least 0.5 m/s (got {wind_speed}): Gaussian models do not hold in calm air");
    }
    if !(0.0..=360.0).contains(&a.wind_from) {
        bail!(
            "--wind-from must be a direction in degrees from 0 to 360 (got {})",
            a.wind_from
        );
    }
    positive("--wind-height", a.wind_height, "a height in m")?;
    if !(a.height >= 0.0 && a.height.is_finite()) {
        bail!("--height must be 0 or more metres (got {})", a.height);
    }
    if let Some(m) = a.mixing_height {
        positive("--mixing-height", m, "a height in m")?;
    }
    let stability = match (a.stability, a.insolation, a.night) {
        (Some(s), _, _) => s,
        (None, Some(insolation), false) => pasquill_class(
            wind_speed,
            Sky::Day {
                insolation,
                cloud_oktas: a.cloud,
            },
        ),
        (None, None, true) => pasquill_class(wind_speed, Sky::Night { cloud_oktas: a.cloud }),
        _ => bail!(
            "give --stability A..F, or the sky to derive it: --insolation strong|moderate|slight by day, --night by night"
        ),
    };
    let atmosphere = Atmosphere {
        wind_speed,
        wind_from_deg: a.wind_from,
        wind_height: a.wind_height,
        stability,
        sigmas: a.sigmas,
        mixing_height: a.mixing_height,
    };
    let source = match (a.rate, a.mass, a.time) {
        (Some(rate), None, None) => Source::Footprint(Footprint::Steady(Plume {
            rate_kg_s: positive("--rate", rate, "a release rate in kg/s")?,
            height: a.height,
            atmosphere,
        })),
        (Some(rate), None, Some(t)) => {
            let rate = positive("--rate", rate, "a release rate in kg/s")?;
            let t = positive("--time", t, "a time in seconds")?;
            let duration = match a.duration {
                Some(d) => positive("--duration", d, "a duration in seconds")?,
                None => t,
            };
            // One puff every 5 s of release (at least 1, at most 2000).
            let puffs = ((duration / 5.0).ceil() as usize).clamp(1, 2000);
            Source::Puffs(PuffTrain::continuous(rate, duration, puffs, a.height, atmosphere), t)
        }
        (None, Some(mass), Some(t)) => Source::Puffs(
            PuffTrain::instantaneous(positive("--mass", mass, "a mass in kg")?, a.height, atmosphere),
            positive("--time", t, "a time in seconds")?,
        ),
        (None, Some(mass), None) if a.zones || a.grid => Source::Footprint(Footprint::Puff {
            mass_kg: positive("--mass", mass, "a mass in kg")?,
            height: a.height,
            atmosphere,
        }),
        (None, Some(_), None) => bail!(
            "an instantaneous release (--mass) at points needs --time: seconds after the release (--zones and --grid without it give the puff's envelope)"
        ),
        _ => bail!("give either --rate or --mass"),
    };
    let conc = |e: f64, n: f64, z: f64| match &source {
        Source::Footprint(Footprint::Steady(p)) => p.concentration(e, n, z),
        Source::Footprint(f) => f.concentration(e, n),
        Source::Puffs(train, t) => train.concentration(*t, e, n, z),
    };
    let meta = json!({"stability": stability.to_string(), "sigmas": a.sigmas});
    if !a.point.is_empty() {
        let points: Vec<Value> = a
            .point
            .iter()
            .map(|&(e, n, z)| {
                let c = conc(e, n, z);
                let mut p = json!({"east": e, "north": n, "height": z, "mg_m3": c});
                if let Some(chem) = &chemical {
                    p["ppm"] = json!(mg_m3_to_ppm(c, chem.molar_mass, a.temperature));
                }
                p
            })
            .collect();
        return Ok(json!({"points": points, "model": meta}));
    }
    if a.grid_cells < 3 || a.grid_cells > 4001 {
        bail!("--grid-cells must be from 3 to 4001 (got {})", a.grid_cells);
    }
    let levels = match (&chemical, a.zones) {
        (Some(chem), true) => {
            let set = LevelSet::parse(&a.levels).map_err(|e| anyhow!("--levels {e}"))?;
            set.required_ppm(chem)
                .map_err(|e| anyhow!("--levels {}: {e}", set.as_str()))?;
            levels_of_concern(chem, set, a.temperature)
                .into_iter()
                .map(|l| (l.name, l.mg_m3))
                .collect()
        }
        (None, true) => bail!("--zones needs --chemical: the levels of concern are the chemical's"),
        _ => Vec::new(),
    };
    if a.zones {
        let chem =
            chemical.ok_or_else(|| anyhow!("--zones needs --chemical: the levels of concern are the chemical's"))?;
        let zones = match &source {
            Source::Footprint(f) => f.zones(&levels, a.grid_cells, a.grid_step)?,
            Source::Puffs(..) => {
                let step = grid_step(a, &source, &levels)?;
                let grid = source_grid(&source, a.grid_cells, step);
                threat_zones(&grid, &levels, a.wind_from)?
                    .into_iter()
                    .map(|z| (z, step))
                    .collect()
            }
        };
        let mut extra = serde_json::Map::new();
        extra.insert("chemical".into(), json!(chem.name));
        extra.insert("stability".into(), json!(stability.to_string()));
        return Ok(zones_collection(&zones, a.at, &extra));
    }
    let step = grid_step(a, &source, &levels)?;
    let spec = GridSpec::centred(a.grid_cells, step);
    let grid = source_grid(&source, a.grid_cells, step);
    Ok(json!({
        "x0": spec.x0, "y0": spec.y0, "step": spec.step, "nx": spec.nx, "ny": spec.ny,
        "unit": "mg/m3", "model": meta, "values": grid.values,
    }))
}

/// The cell size: given, or one that holds the mildest level (or 1 mg/m³, for a bare grid).
fn grid_step(a: &PlumeArgs, source: &Source, levels: &[(String, f64)]) -> anyhow::Result<f64> {
    Ok(match (a.grid_step, source) {
        (Some(s), _) => positive("--grid-step", s, "a cell size in m")?,
        (None, Source::Footprint(f)) => f.zone_step(levels, a.grid_cells),
        (None, Source::Puffs(train, t)) => {
            (2.0 * 1.15 * puff_reach(train, *t).max(200.0) / (a.grid_cells - 1) as f64).max(0.5)
        }
    })
}

/// The ground-level grid of the source.
fn source_grid(source: &Source, cells: usize, step: f64) -> parktwin_dispersion::grid::Grid {
    match source {
        Source::Footprint(f) => f.grid(cells, step),
        Source::Puffs(train, t) => {
            let at = &train.atmosphere;
            puff_grid(
                &train.puffs_at(*t),
                at.sigmas,
                at.stability,
                at.mixing_height,
                GridSpec::centred(cells, step),
                0.0,
                true,
            )
        }
    }
}

/// How far from the source the puffs reach at time `t`: each centre plus 5 σy.
fn puff_reach(train: &PuffTrain, t: f64) -> f64 {
    let a = &train.atmosphere;
    train
        .puffs_at(t)
        .iter()
        .map(|p| {
            let (sy, _) = parktwin_dispersion::sigma::sigmas(a.sigmas, a.stability, p.travelled);
            p.east.hypot(p.north) + 5.0 * sy
        })
        .fold(0.0, f64::max)
}
