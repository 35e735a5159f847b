//! `parktwin`: the 3D one-map client.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use parktwin::{AppConfig, Mode, build_app, check_display};

/// ParkTwin: the one map of a chemical park, in 3D.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The panel's language: en or zh (it can be switched on the panel too).
    #[arg(long, global = true, env = "PARKTWIN_LANG", default_value = "en")]
    lang: parktwin::i18n::Lang,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the map of a running ParkTwin server.
    View {
        /// The server's base URL.
        #[arg(long, env = "PARKTWIN_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// A token (see `parktwin-server token create`): an operator's acknowledges alarms and
        /// starts incidents; any role's reads a server that runs with `--private-reads`, and an
        /// enterprise viewer's shows that enterprise's detail and the park's shared picture.
        #[arg(long, env = "PARKTWIN_TOKEN")]
        token: Option<String>,
        /// Window size, WIDTHxHEIGHT.
        #[arg(long, default_value = "1600x900", value_parser = parse_size)]
        size: (u32, u32),
        /// A folder of layer descriptors to draw too; edited files reload while the map runs.
        #[arg(long)]
        layers: Option<PathBuf>,
    },
    /// Start the server (embedded database, demo park, live demo simulator) in this process and
    /// open the map.
    Demo {
        /// Folder for the demo database.
        #[arg(long, default_value = "parktwin-data")]
        data_dir: PathBuf,
        /// Address the embedded server listens on (others may open it too).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Window size, WIDTHxHEIGHT.
        #[arg(long, default_value = "1600x900", value_parser = parse_size)]
        size: (u32, u32),
        /// Seed of the demo simulator (the same seed plays the same story).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A folder of layer descriptors to draw too; edited files reload while the map runs.
        #[arg(long)]
        layers: Option<PathBuf>,
        /// Serve the browser client from this folder too (`scripts/build-web` makes it).
        #[arg(long, env = "PARKTWIN_WEB")]
        web: Option<PathBuf>,
    },
    /// The video wall: borderless, full screen or an exact canvas over several displays; it
    /// follows the view operators send (`PUT /api/v1/wall`), goes to new red alarms and
    /// incidents, and tours bookmarks when idle. Nothing on it needs a hand.
    Wall {
        /// The server's base URL.
        #[arg(long, env = "PARKTWIN_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// The canvas, WIDTHxHEIGHT: a borderless window of exactly this size at the desktop's
        /// top left, spanning the displays. Without it: borderless full screen.
        #[arg(long, value_parser = parse_size)]
        canvas: Option<(u32, u32)>,
        /// Displays across and down the canvas, COLSxROWS (e.g. 4x2).
        #[arg(long, default_value = "1x1", value_parser = parse_grid)]
        grid: (u32, u32),
        /// Pixels the frames hide between two displays, ACROSSxDOWN (e.g. 40x30); the map goes
        /// on behind them, so that lines stay straight across the seams.
        #[arg(long, default_value = "0x0", value_parser = parse_bezel)]
        bezel: (u32, u32),
        /// A token to read with, for a server that runs with `--private-reads` (any role's;
        /// an enterprise viewer's shows that enterprise's detail and the shared picture).
        #[arg(long, env = "PARKTWIN_TOKEN")]
        token: Option<String>,
    },
    /// Layer descriptors: check a folder of them.
    Layers {
        #[command(subcommand)]
        action: LayersAction,
    },
    /// Toxic plume: concentrations at points, a ground-level grid, or threat zones.
    Plume(Box<parktwin::plume::PlumeArgs>),
    /// Consequence models: a leak from a tank or a hole, a flash, a fireball, a pool fire, a
    /// vapour cloud explosion, with their zones (JSON out).
    Hazard {
        #[command(subcommand)]
        model: parktwin::hazard::HazardModel,
    },
    /// Render one frame of a view to a PNG and exit (non-zero when it cannot).
    Render {
        /// The server's base URL.
        #[arg(long, env = "PARKTWIN_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// A token to read with, for a server that runs with `--private-reads` (any role's;
        /// an enterprise viewer's shows that enterprise's detail and the shared picture).
        #[arg(long, env = "PARKTWIN_TOKEN")]
        token: Option<String>,
        /// The PNG to write.
        #[arg(long)]
        out: PathBuf,
        /// Image size, WIDTHxHEIGHT.
        #[arg(long, default_value = "1280x720", value_parser = parse_size)]
        size: (u32, u32),
        /// The view: `home` (the whole park from the south).
        #[arg(long, default_value = "home")]
        view: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
        /// Select a thing and fly to it before the frame is taken: a detector, gate or
        /// enterprise id, or a truck's plate.
        #[arg(long)]
        select: Option<String>,
        /// A folder of layer descriptors to draw too; edited files reload while the map runs.
        #[arg(long)]
        layers: Option<PathBuf>,
        /// Draw the incidents' concentration field as it is at this moment (RFC 3339); the rest
        /// of the map shows the latest state.
        #[arg(long, value_name = "TIME")]
        field_at: Option<String>,
        /// Show the park as it was at this moment (RFC 3339): detectors, trucks, alarms and
        /// incidents replayed from the event log to there, the field as it was then.
        #[arg(long, value_name = "TIME", conflicts_with = "drill")]
        at: Option<String>,
        /// Show a drill (its id, `drill-N`) as it stands — its readings, trucks, alarms and
        /// releases, folded from its own channel — under the amber DRILL band, instead of the
        /// park live.
        #[arg(long, value_name = "ID")]
        drill: Option<String>,
        /// Draw what each incident would have been with other weather or another release, as a
        /// ghost outline beside its real zones: the JSON of `POST /incidents/{id}/what-if`, e.g.
        /// '{"weather": {"wind_speed_ms": 3, "wind_from_deg": 45}}'.
        #[arg(long, value_name = "JSON")]
        what_if: Option<String>,
        /// Draw the field as read-out values (log10 mg/m³ coded in red and green, blue where the
        /// field is) with every other layer hidden: for checking the GPU against the CPU.
        #[arg(long)]
        field_readout: bool,
        /// Once the picture has settled, click the map at X,Y (window pixels), as an operator
        /// would, and render what the click brings up.
        #[arg(long, value_name = "X,Y", value_parser = parse_point)]
        click: Option<(f32, f32)>,
        /// Once the picture has settled, time N more frames and print their statistics
        /// (milliseconds) on stdout as one JSON line.
        #[arg(long, value_name = "N", default_value_t = 0)]
        time_frames: u32,
        /// Render the video wall's screen (the size is its canvas).
        #[arg(long)]
        wall: bool,
        /// With --wall: displays across and down, COLSxROWS.
        #[arg(long, default_value = "1x1", value_parser = parse_grid)]
        grid: (u32, u32),
        /// With --wall: pixels hidden between displays, ACROSSxDOWN.
        #[arg(long, default_value = "0x0", value_parser = parse_bezel)]
        bezel: (u32, u32),
        /// Draw into an image on the GPU with no window and no display (a server's GPU, or
        /// lavapipe on a machine without X): the same picture, without `xvfb-run`.
        #[arg(long, conflicts_with = "click")]
        offscreen: bool,
        /// Also write the map labels drawn in the frame to this file, as JSON (each text and
        /// its box in pixels): for checking that no two overlap.
        #[arg(long, value_name = "FILE")]
        labels_out: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum LayersAction {
    /// Validate every descriptor in a folder: print each layer's id, source, feature count and
    /// legend, or each error with file, line and field; exit non-zero on any error.
    Check {
        /// The folder of descriptors (.toml or .json).
        dir: PathBuf,
        /// Server for url and endpoint sources (fetched to check and count their features).
        #[arg(long, env = "PARKTWIN_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// Do not fetch url or endpoint sources.
        #[arg(long)]
        offline: bool,
    },
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size must be WIDTHxHEIGHT, got \"{s}\""))?;
    let w: u32 = w.trim().parse().map_err(|_| format!("width \"{w}\" is not a number"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("height \"{h}\" is not a number"))?;
    if !(64..=16384).contains(&w) || !(64..=16384).contains(&h) {
        return Err(format!("size {w}x{h} is out of range (64 to 16384 pixels each way)"));
    }
    Ok((w, h))
}

fn parse_pair(s: &str, what: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{what} must be AxB, got \"{s}\""))?;
    let num = |t: &str| {
        t.trim()
            .parse::<u32>()
            .map_err(|_| format!("\"{t}\" in {what} is not a number"))
    };
    Ok((num(a)?, num(b)?))
}

fn parse_grid(s: &str) -> Result<(u32, u32), String> {
    let (c, r) = parse_pair(s, "the grid (COLSxROWS)")?;
    if !(1..=16).contains(&c) || !(1..=16).contains(&r) {
        return Err(format!("a grid of {c}x{r} displays is out of range (1 to 16 each way)"));
    }
    Ok((c, r))
}

fn parse_bezel(s: &str) -> Result<(u32, u32), String> {
    let (x, y) = parse_pair(s, "the bezel (ACROSSxDOWN pixels)")?;
    if x > 1000 || y > 1000 {
        return Err(format!("a bezel of {x}x{y} pixels is out of range (0 to 1000)"));
    }
    Ok((x, y))
}

/// The wall's layout, checked against its canvas.
fn wall_config(
    size: (u32, u32),
    grid: (u32, u32),
    bezel: (u32, u32),
    fullscreen: bool,
) -> anyhow::Result<parktwin::wall::WallConfig> {
    use bevy::math::UVec2;
    let (grid, bezel) = (UVec2::new(grid.0, grid.1), UVec2::new(bezel.0, bezel.1));
    parktwin::wall::tiles::Tiling::new(UVec2::new(size.0, size.1), grid, bezel).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(parktwin::wall::WallConfig {
        grid,
        bezel,
        fullscreen,
    })
}

fn parse_point(s: &str) -> Result<(f32, f32), String> {
    let (x, y) = s
        .split_once(',')
        .ok_or_else(|| format!("a point must be X,Y in window pixels, got \"{s}\""))?;
    let x: f32 = x.trim().parse().map_err(|_| format!("x \"{x}\" is not a number"))?;
    let y: f32 = y.trim().parse().map_err(|_| format!("y \"{y}\" is not a number"))?;
    Ok((x, y))
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parktwin: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let cfg = match cli.command {
        Command::Plume(args) => {
            println!("{}", parktwin::plume::run(&args)?);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Hazard { model } => {
            println!("{}", parktwin::hazard::run(&model)?);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Layers {
            action: LayersAction::Check { dir, server, offline },
        } => {
            let report = parktwin::layercheck::check_dir(&dir, (!offline).then_some(server.as_str()));
            print!("{}", report.text);
            return Ok(if report.errors == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::View {
            server,
            token,
            size,
            layers,
        } => AppConfig {
            server,
            size,
            mode: Mode::Interactive,
            token,
            lang: cli.lang,
            select: None,
            layers_dir: layers,
            wall: None,
        },
        Command::Wall {
            server,
            token,
            canvas,
            grid,
            bezel,
        } => {
            if canvas.is_none() && (grid != (1, 1) || bezel != (0, 0)) {
                bail!("--grid and --bezel need --canvas: the exact size of the window over the displays");
            }
            let size = canvas.unwrap_or((1920, 1080));
            AppConfig {
                server,
                size,
                mode: Mode::Interactive,
                token,
                lang: cli.lang,
                select: None,
                layers_dir: None,
                wall: Some(wall_config(size, grid, bezel, canvas.is_none())?),
            }
        }
        Command::Demo {
            data_dir,
            listen,
            size,
            seed,
            layers,
            web,
        } => {
            let (addr, token) = start_embedded_server(data_dir, listen, seed, web)?;
            AppConfig {
                server: format!("http://{addr}"),
                size,
                mode: Mode::Interactive,
                token: Some(token),
                lang: cli.lang,
                select: None,
                layers_dir: layers,
                wall: None,
            }
        }
        Command::Render {
            server,
            token,
            out,
            size,
            view,
            timeout,
            select,
            layers,
            field_at,
            at,
            drill,
            what_if,
            field_readout,
            click,
            time_frames,
            wall,
            grid,
            bezel,
            offscreen,
            labels_out,
        } => {
            // The drill's name, for its band; an unknown one is refused before a window opens.
            let drill = match drill {
                Some(id) => {
                    let api = parktwin_api::client::ApiClient::new(&server).reading_with(token.clone());
                    let d: parktwin_api::scenario::Drill =
                        parktwin_api::client::block_on(api.get_json(&format!("/drills/{id}")))
                            .map_err(|e| anyhow::anyhow!("--drill {id}: {e}"))?;
                    Some((d.id, d.name))
                }
                None => None,
            };
            let at = match at {
                Some(t) => Some(
                    parktwin_api::clock::normalise_time(&t)
                        .map_err(|e| anyhow::anyhow!("--at \"{t}\" is not an RFC 3339 time: {e}"))?,
                ),
                None => None,
            };
            let what_if = match what_if {
                Some(j) => Some(Box::new(
                    parktwin_api::incident::WhatIf::parse(j.as_bytes())
                        .map_err(|e| anyhow::anyhow!("--what-if: {e}"))?,
                )),
                None => None,
            };
            // The field is drawn for the replayed moment unless another is asked for.
            let field_at = field_at.or_else(|| at.clone());
            let wall = if wall {
                Some(wall_config(size, grid, bezel, false)?)
            } else {
                None
            };
            let field_at = match field_at {
                Some(t) => Some(
                    time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
                        .map_err(|e| anyhow::anyhow!("--field-at \"{t}\" is not an RFC 3339 time: {e}"))?
                        .unix_timestamp_nanos() as f64
                        / 1e9,
                ),
                None => None,
            };
            if let Some((x, y)) = click
                && !(x >= 0.0 && y >= 0.0 && x < size.0 as f32 && y < size.1 as f32)
            {
                bail!("--click {x},{y} is outside the {}x{} window", size.0, size.1);
            }
            if view != "home" {
                bail!("unknown view \"{view}\"; the views are: home");
            }
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.is_dir()
            {
                bail!(
                    "cannot write {}: folder {} does not exist",
                    out.display(),
                    dir.display()
                );
            }
            AppConfig {
                server,
                size,
                mode: Mode::Render {
                    out,
                    timeout: Duration::from_secs(timeout),
                    field_at,
                    field_readout,
                    click: click.map(|(x, y)| bevy::math::Vec2::new(x, y)),
                    time_frames,
                    at,
                    what_if,
                    drill,
                    offscreen,
                    labels_out,
                },
                token,
                lang: cli.lang,
                select,
                layers_dir: layers,
                wall,
            }
        }
    };
    if !cfg.mode.is_offscreen() {
        check_display()?;
    }
    let mut app = build_app(&cfg);
    let exit = app.run();
    Ok(if exit.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts parktwin-server's code on a thread of its own and returns the address it serves and
/// an operator token made for this demo.
fn start_embedded_server(
    data_dir: PathBuf,
    listen: SocketAddr,
    seed: u64,
    web_dir: Option<PathBuf>,
) -> anyhow::Result<(SocketAddr, String)> {
    use parktwin_server::{ServerConfig, bind, default_assets_dir};
    if let Some(web) = &web_dir
        && !web.join("index.html").is_file()
    {
        bail!(
            "{} holds no browser client (no index.html): build it with scripts/build-web",
            web.display()
        );
    }
    let cfg = ServerConfig {
        data_dir,
        database: None,
        assets_dir: default_assets_dir(),
        listen,
        demo: Some(seed),
        web_dir,
        reads: parktwin_server::Reads::Open,
        tls: None,
        cors_origins: Vec::new(),
        smtp: None,
        mqtt: None,
        retention: Default::default(),
        tiles: None,
        basemap_url: None,
    };
    let rt = tokio::runtime::Runtime::new().context("cannot start the server's runtime")?;
    let server = rt.block_on(bind(&cfg))?;
    let addr = server.addr;
    let store = parktwin_server::Store::open(&cfg.data_dir.join("parktwin.sqlite"))?;
    let token = store.create_token(parktwin_api::model::Role::Operator, "demo operator")?;
    let feed = store.create_token(parktwin_api::model::Role::Ingest, "demo feed")?;
    // The browser signs in with a name and a password: a demo operator's, new at each start.
    let password = parktwin_server::random_password();
    let made = store.create_user("demo-operator", parktwin_api::model::Role::Operator, None, &password)?;
    if let Err(parktwin_server::Refusal::Conflict(_)) = made {
        store
            .reset_password("demo-operator", &password)?
            .map_err(|r| anyhow::anyhow!(r.to_string()))?;
    } else {
        made.map_err(|r| anyhow::anyhow!(r.to_string()))?;
    }
    println!(
        "ParkTwin server listening on http://{addr} (database in {})",
        cfg.data_dir.display()
    );
    if cfg.web_dir.is_some() {
        println!("The map in a browser: http://{addr}/ (sign in on the panel as demo-operator, password {password})");
    }
    println!("Operator token for this demo (the map uses it to acknowledge alarms and start incidents): {token}");
    println!(
        "Feed token for this demo (POST /api/v1/observations, /vehicles/positions, /weather, /gates/ID/passes, /waybills \
         with Authorization: Bearer TOKEN): {feed}"
    );
    std::thread::Builder::new()
        .name("parktwin-server".into())
        .spawn(move || {
            if let Err(e) = rt.block_on(server.serve()) {
                eprintln!("parktwin-server stopped: {e}");
            }
        })?;
    Ok((addr, token))
}
