//! `parktwin-server`: serves a park from an embedded SQLite database (or a PostgreSQL one),
//! seeding it on first start.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use parktwin_server::{ServerConfig, bind, default_assets_dir};

/// ParkTwin's REST backend.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Folder for the SQLite database (created and seeded from the assets on first start).
    #[arg(long, env = "PARKTWIN_DATA_DIR", default_value = "parktwin-data")]
    data_dir: PathBuf,
    /// Keep the park in this PostgreSQL database instead of the data folder's SQLite file
    /// (`postgres://user:password@host/db` or `host=… user=… dbname=…`): for a platform that
    /// aggregates many parks on a database server. The tables are made on first start.
    #[arg(long, env = "PARKTWIN_DATABASE")]
    database: Option<String>,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "PARKTWIN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Park assets to seed from (holds park/park.json and chemicals.json).
    #[arg(long, env = "PARKTWIN_ASSETS")]
    assets: Option<PathBuf>,
    /// Keep the park alive with simulated detector readings, trucks and the occasional alarm.
    #[arg(long)]
    demo: bool,
    /// Serve the browser client from this folder at / (`scripts/build-web` makes it).
    #[arg(long, env = "PARKTWIN_WEB")]
    web: Option<PathBuf>,
    /// Seed of the demo simulator (the same seed plays the same story).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Every read needs a token too (any role): what a viewer token scoped to an enterprise
    /// reads is then only that enterprise's detail and the park's shared picture. Without it,
    /// reads are open to whoever reaches the port.
    #[arg(long, env = "PARKTWIN_PRIVATE_READS")]
    private_reads: bool,
    /// Serve over TLS (https, HTTP/1.1 and HTTP/2) with this certificate chain (PEM); needs
    /// --tls-key.
    #[arg(long, env = "PARKTWIN_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, env = "PARKTWIN_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// An origin whose pages may call the API from a browser (CORS), e.g.
    /// https://portal.example.cn; repeat for more. None by default.
    #[arg(long = "cors-origin", env = "PARKTWIN_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// The SMTP relay for email notifications of alarms: smtp://host:port (STARTTLS when the
    /// relay offers it), smtp://host:port?tls=required, or smtps://host:port, a user and
    /// password before the host where the relay asks; needs --smtp-from.
    #[arg(long, env = "PARKTWIN_SMTP", requires = "smtp_from")]
    smtp: Option<String>,
    /// The sender's address of email notifications, e.g. parktwin@park.example.cn.
    #[arg(long, env = "PARKTWIN_SMTP_FROM", requires = "smtp")]
    smtp_from: Option<String>,
    /// The MQTT broker to take readings from: mqtt://host:port (port 1883 by default), a user
    /// and password before the host where the broker asks. Readings come on
    /// PREFIX/observations, as the same JSON batch POST /api/v1/observations takes.
    #[arg(long, env = "PARKTWIN_MQTT")]
    mqtt: Option<String>,
    /// The MQTT topics' prefix.
    #[arg(long, env = "PARKTWIN_MQTT_PREFIX", default_value = "parktwin")]
    mqtt_prefix: String,
    /// The MQTT client id, under which the broker keeps the server's session (and what comes
    /// while it is away): one per server of a park.
    #[arg(long, env = "PARKTWIN_MQTT_CLIENT_ID", default_value = "parktwin-server")]
    mqtt_client_id: String,
    /// An offline basemap to serve at /api/v1/tiles/{z}/{x}/{y}: an MBTiles or PMTiles file
    /// of raster tiles (PNG, JPEG or WebP), for a control room cut off from the internet.
    #[arg(long, env = "PARKTWIN_TILES", conflicts_with = "basemap_url")]
    tiles: Option<PathBuf>,
    /// Or an online basemap the maps fetch themselves: a URL template of Web Mercator tiles,
    /// {z}/{x}/{y} (OpenStreetMap's https://tile.openstreetmap.org/{z}/{x}/{y}.png), or a WMTS
    /// GetTile request with TILEMATRIX={z}&TILEROW={y}&TILECOL={x} (Tianditu's, with its tk key).
    #[arg(long, env = "PARKTWIN_BASEMAP_URL")]
    basemap_url: Option<String>,
    /// The online basemap's credit, shown beside the map (its terms ask for it).
    #[arg(long, env = "PARKTWIN_BASEMAP_CREDIT", default_value = "", requires = "basemap_url")]
    basemap_credit: String,
    /// The online basemap's lowest zoom level.
    #[arg(long, default_value_t = 0, requires = "basemap_url")]
    basemap_min_zoom: u8,
    /// The online basemap's highest zoom level.
    #[arg(long, default_value_t = 18, requires = "basemap_url")]
    basemap_max_zoom: u8,
    /// Days the raw readings are kept (each reading's event stays in the log for replays).
    #[arg(long, env = "PARKTWIN_KEEP_RAW_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    keep_raw_days: u32,
    /// Days the minute rollups are kept.
    #[arg(long, env = "PARKTWIN_KEEP_MINUTE_DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..))]
    keep_minute_days: u32,
    /// Days the hour and day rollups are kept; for ever when not given.
    #[arg(long, env = "PARKTWIN_KEEP_HOUR_DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    keep_hour_days: Option<u32>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Manage bearer tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Manage people's accounts (they sign in with a name and a password).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Drill scenario files.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
    /// A park's own GIS data.
    Park {
        #[command(subcommand)]
        action: ParkAction,
    },
    /// Print the API's OpenAPI 3.1 document (what the server serves at /api/v1/openapi.json;
    /// docs/openapi.json is this; with --private-reads, the document such a server serves).
    Openapi,
}

#[derive(clap::Subcommand, Debug)]
enum ParkAction {
    /// Import GIS files (GeoJSON, ESRI Shapefile) into a park folder that `--assets` serves:
    /// every position converted to WGS84, each source layer mapped to a park layer. Every
    /// problem is reported with its file, feature and field; on any, nothing is written.
    Import {
        /// The park folder to write (new, empty, or a park folder to replace).
        #[arg(long)]
        out: PathBuf,
        /// The park's name (the folder's name when absent).
        #[arg(long)]
        name: Option<String>,
        /// The coordinate system of sources that name none (a .prj or a GeoJSON "crs" names
        /// its own): EPSG:4548, a PROJ string, WKT, GCJ-02 or BD-09. WGS84 when absent.
        #[arg(long)]
        crs: Option<String>,
        /// A mapping file (TOML): which source becomes which park layer, and each field from.
        /// Sources named as park layers (buildings.shp, tanks.geojson) need none.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Report what would be imported and every problem; write nothing.
        #[arg(long)]
        check: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// The source files.
        #[arg(required = true)]
        sources: Vec<PathBuf>,
    },
}

#[derive(clap::Subcommand, Debug)]
enum ScenarioAction {
    /// Check scenario files against the park (the assets'): every error with its file, event
    /// and field; exit non-zero on any.
    Check {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the scenario format's JSON Schema (docs/scenario.schema.json is this).
    Schema,
}

#[derive(clap::Subcommand, Debug)]
enum UserAction {
    /// Make an account; its password is read from standard input (one line).
    Create {
        /// The name the person signs in with.
        #[arg(long)]
        name: String,
        /// viewer, operator or admin.
        #[arg(long)]
        role: parktwin_api::model::Role,
        /// Scope a viewer or an operator to one enterprise (an id of the enterprises layer).
        #[arg(long)]
        enterprise: Option<String>,
    },
    /// List the accounts: name, role, enterprise, when made, when disabled.
    List,
    /// Disable an account: it cannot sign in, and its sessions end at once.
    Disable {
        /// The account's name.
        name: String,
    },
    /// Give an account a new password, read from standard input (one line); its sessions end.
    ResetPassword {
        /// The account's name.
        name: String,
    },
}

#[derive(clap::Subcommand, Debug)]
enum TokenAction {
    /// Create a token and print it (it is shown once; only its hash is stored).
    Create {
        /// viewer, ingest, operator or admin.
        #[arg(long)]
        role: parktwin_api::model::Role,
        /// Who or what it is for (shown as who acknowledged an alarm).
        #[arg(long)]
        name: String,
        /// Scope a viewer token to one enterprise (an id of the park's enterprises layer, e.g.
        /// ent-03): it reads that enterprise's detail and the park's shared picture only.
        #[arg(long)]
        enterprise: Option<String>,
    },
    /// List the tokens: id, role, name, when made, when revoked (never the tokens themselves).
    List,
    /// Revoke a token by its id (as `token list` shows it): it is refused from then on.
    Revoke {
        /// The token's id, or its first 6 or more hex digits.
        id: String,
    },
}

/// The database the command line names: `--database`, or the data folder's SQLite file.
fn database(cli: &Cli) -> parktwin_server::Database {
    match &cli.database {
        Some(url) => parktwin_server::Database::Postgres(url.clone()),
        None => parktwin_server::Database::in_dir(&cli.data_dir),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    if let Some(Command::User { action }) = &cli.command {
        std::fs::create_dir_all(&cli.data_dir)?;
        let db = database(&cli);
        let store =
            parktwin_server::Store::open_database(&db).with_context(|| format!("cannot open the database {db}"))?;
        return user_command(&store, action);
    }
    if let Some(Command::Token { action }) = &cli.command {
        std::fs::create_dir_all(&cli.data_dir)?;
        let db = database(&cli);
        let store =
            parktwin_server::Store::open_database(&db).with_context(|| format!("cannot open the database {db}"))?;
        match action {
            TokenAction::Create {
                role,
                name,
                enterprise: None,
            } => {
                println!("{}", store.create_token(*role, name)?);
                audit_command(&store, "token create", name, format!("a {role:?} token"))?;
            }
            TokenAction::Create {
                role,
                name,
                enterprise: Some(e),
            } => {
                if *role != parktwin_api::model::Role::Viewer {
                    anyhow::bail!(
                        "only a viewer token can be scoped to an enterprise: operators, feeds and admins act for the whole park"
                    );
                }
                match store.create_enterprise_viewer(name, e)? {
                    Ok(token) => {
                        println!("{token}");
                        audit_command(&store, "token create", name, format!("a viewer token scoped to {e}"))?;
                    }
                    Err(why) => anyhow::bail!(why),
                }
            }
            TokenAction::List => {
                println!(
                    "id            role      created                   revoked                   enterprise  name"
                );
                for t in store.tokens()? {
                    println!(
                        "{:<13} {:<9} {:<25} {:<25} {:<11} {}",
                        t.id,
                        t.role,
                        t.created,
                        t.revoked.as_deref().unwrap_or("-"),
                        t.enterprise.as_deref().unwrap_or("(park)"),
                        t.name
                    );
                }
            }
            TokenAction::Revoke { id } => match store.revoke_token(id)? {
                Some(Ok(t)) => {
                    println!("revoked {} ({} token \"{}\")", t.id, t.role, t.name);
                    audit_command(&store, "token revoke", &t.name, format!("token {}", t.id))?;
                }
                Some(Err(why)) => anyhow::bail!(why),
                None => anyhow::bail!("no token has id {id} (`token list` shows them)"),
            },
        }
        return Ok(());
    }
    if let Some(Command::Park {
        action:
            ParkAction::Import {
                out,
                name,
                crs,
                mapping,
                check,
                json,
                sources,
            },
    }) = &cli.command
    {
        let options = parktwin_import::Options {
            out: out.clone(),
            name: name.clone(),
            crs: crs.clone(),
            mapping: mapping.clone(),
            check: *check,
            sources: sources.clone(),
        };
        match parktwin_import::import(&options) {
            Ok(summary) if *json => println!("{}", serde_json::to_string_pretty(&summary)?),
            Ok(summary) => println!("{summary}"),
            Err(e) => {
                eprint!("{e}");
                std::process::exit(1);
            }
        }
        return Ok(());
    }
    if let Some(Command::Openapi) = &cli.command {
        let reads = if cli.private_reads {
            parktwin_server::Reads::Private
        } else {
            parktwin_server::Reads::Open
        };
        println!("{:#}", parktwin_server::openapi_document_for(reads));
        return Ok(());
    }
    if let Some(Command::Scenario { action }) = &cli.command {
        match action {
            ScenarioAction::Schema => print!("{}", parktwin_server::scenario_schema()),
            ScenarioAction::Check { files } => {
                let assets = cli.assets.clone().unwrap_or_else(default_assets_dir);
                let seed = parktwin_server::load_assets(&assets)?;
                let refs = parktwin_server::park_refs(&seed);
                let mut bad = 0;
                for f in files {
                    let name = f.display().to_string();
                    let outcome = std::fs::read_to_string(f)
                        .map_err(|e| vec![format!("{name}: cannot read: {e}")])
                        .and_then(|text| parktwin_api::scenario::Scenario::parse(&name, &text, &refs));
                    match outcome {
                        Ok(s) => println!("{name}: ok, \"{}\", {} events", s.name, s.events.len()),
                        Err(errors) => {
                            bad += 1;
                            for e in errors {
                                eprintln!("{e}");
                            }
                        }
                    }
                }
                if bad > 0 {
                    anyhow::bail!("{bad} of {} scenario file(s) have errors", files.len());
                }
            }
        }
        return Ok(());
    }
    let db = database(&cli);
    let cfg = ServerConfig {
        database: Some(db.clone()),
        data_dir: cli.data_dir,
        assets_dir: cli.assets.unwrap_or_else(default_assets_dir),
        listen: cli.listen,
        demo: cli.demo.then_some(cli.seed),
        web_dir: cli.web,
        reads: if cli.private_reads {
            parktwin_server::Reads::Private
        } else {
            parktwin_server::Reads::Open
        },
        tls: match (cli.tls_cert, cli.tls_key) {
            (Some(cert), Some(key)) => Some(parktwin_server::Tls { cert, key }),
            _ => None,
        },
        cors_origins: cli.cors_origins,
        smtp: match (cli.smtp, cli.smtp_from) {
            (Some(url), Some(from)) => {
                if let Err(e) = from.parse::<lettre::Address>() {
                    anyhow::bail!("--smtp-from {from}: not an email address ({e})");
                }
                Some(parktwin_server::notify::Smtp { url, from })
            }
            _ => None,
        },
        tiles: cli.tiles,
        basemap_url: cli.basemap_url.map(|template| parktwin_server::OnlineBasemap {
            template,
            credit: cli.basemap_credit,
            min_zoom: cli.basemap_min_zoom,
            max_zoom: cli.basemap_max_zoom,
        }),
        retention: parktwin_server::Retention {
            raw_days: cli.keep_raw_days,
            minute_days: cli.keep_minute_days,
            hour_days: cli.keep_hour_days,
        },
        mqtt: cli.mqtt.map(|url| parktwin_server::mqtt::Mqtt {
            url,
            prefix: cli.mqtt_prefix,
            client_id: cli.mqtt_client_id,
        }),
    };
    if let Some(web) = &cfg.web_dir
        && !web.join("index.html").is_file()
    {
        anyhow::bail!(
            "{} holds no browser client (no index.html): build it with scripts/build-web",
            web.display()
        );
    }
    let server = bind(&cfg).await?;
    let scheme = if server.is_tls() { "https" } else { "http" };
    println!(
        "ParkTwin server listening on {scheme}://{} (database: {db})",
        server.addr
    );
    if cfg.web_dir.is_some() {
        println!("The map in a browser: {scheme}://{}/", server.addr);
    }
    server.serve().await?;
    Ok(())
}

/// Records a command's change in the audit trail, as the person at this machine's.
fn audit_command(store: &parktwin_server::Store, action: &str, target: &str, detail: String) -> anyhow::Result<()> {
    let who = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "(command line)".into());
    store.audit(&parktwin_server::AuditRecord {
        who,
        role: None,
        from: "command line".into(),
        action: action.into(),
        target: target.into(),
        status: 0,
        detail,
    })?;
    Ok(())
}

/// A password from standard input: its first line, without the line's end.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        anyhow::bail!(
            "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PW\" | parktwin-server user create …`"
        );
    }
    Ok(password)
}

fn user_command(store: &parktwin_server::Store, action: &UserAction) -> anyhow::Result<()> {
    let refused = |r: parktwin_server::Refusal| anyhow::anyhow!(r.to_string());
    match action {
        UserAction::Create { name, role, enterprise } => {
            let password = read_password()?;
            let user = store
                .create_user(name, *role, enterprise.as_deref(), &password)?
                .map_err(refused)?;
            println!("made the {:?} account \"{}\"", user.role, user.name);
            let scope = user.enterprise.map_or(String::new(), |e| format!(" scoped to {e}"));
            audit_command(store, "user create", name, format!("a {:?} account{scope}", user.role))?;
        }
        UserAction::List => {
            println!(
                "{:<24} {:<9} {:<11} {:<25} disabled",
                "name", "role", "enterprise", "created"
            );
            for u in store.users()? {
                println!(
                    "{:<24} {:<9} {:<11} {:<25} {}",
                    u.name,
                    u.role.as_str(),
                    u.enterprise.as_deref().unwrap_or("(park)"),
                    u.created,
                    u.disabled.as_deref().unwrap_or("-")
                );
            }
        }
        UserAction::Disable { name } => {
            let user = store.disable_user(name)?.map_err(refused)?;
            println!("disabled \"{}\": its sessions have ended", user.name);
            audit_command(store, "user disable", name, "disabled; its sessions ended".into())?;
        }
        UserAction::ResetPassword { name } => {
            let password = read_password()?;
            let user = store.reset_password(name, &password)?.map_err(refused)?;
            println!("a new password for \"{}\": its sessions have ended", user.name);
            audit_command(
                store,
                "user reset-password",
                name,
                "a new password; its sessions ended".into(),
            )?;
        }
    }
    Ok(())
}
