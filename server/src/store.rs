//! The SQLite store. WAL journal so readers never wait for the writer; one connection behind
//! a mutex is plenty for the skeleton's read-mostly load.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::db::{Arg, BoxConn, Conn, DbError, Row, Tx, args};

use crate::seed::SeedData;
use parktwin_api::alarms::{
    AlarmAction, OFFLINE_AFTER_S, PARK_SPEED_LIMIT_KMH, detector_rule, distance_to_polyline, inside_ring,
    off_route_rule, offline_rule, speeding_rule, stopped_rule, waybill_rule,
};
use parktwin_api::model::{Acknowledgement, GatePass, PassDirection, Role, Waybill};
use parktwin_api::model::{
    Alarm, AlarmTier, ChemicalTable, Event, EventPage, HazardSource, IngestReceipt, LayerInfo, Observation, Park,
    SensorLevel, SensorState, VehiclePosition, WeatherReport,
};

/// Statements kept compiled per SQLite connection: more than the store has in its ingest and
/// read paths (rusqlite keeps 16 by default, fewer than one position's rules and the event use).
const STATEMENT_CACHE: usize = 128;

/// Seconds from one stored time to another (0 if either does not parse).
fn seconds_between(from: &str, to: &str) -> i64 {
    use time::format_description::well_known::Rfc3339;
    match (
        time::OffsetDateTime::parse(from, &Rfc3339),
        time::OffsetDateTime::parse(to, &Rfc3339),
    ) {
        (Ok(a), Ok(b)) => (b - a).whole_seconds(),
        _ => 0,
    }
}

/// Hex digits of a token's hash that name it in `token list` and `token revoke`.
pub const TOKEN_ID_LEN: usize = 12;

/// A token as `token list` shows it (never the token itself: only its hash is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// The first [`TOKEN_ID_LEN`] hex digits of its hash.
    pub id: String,
    /// viewer, ingest, operator or admin.
    pub role: String,
    /// Who or what it is for.
    pub name: String,
    /// When it was made.
    pub created: String,
    /// When it was revoked, if it was.
    pub revoked: Option<String>,
    /// The enterprise a viewer token is scoped to, if it is.
    pub enterprise: Option<String>,
}

/// Who a known, unrevoked token belongs to and what it may read.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// What it may do.
    pub role: Role,
    /// Who or what it was made for.
    pub name: String,
    /// What it may read: everything, or one enterprise's detail and the shared picture.
    pub access: parktwin_api::scope::Access,
}

/// An open alarm: its id and tier.
type OpenAlarm = (i64, AlarmTier);

/// What the rules know of one vehicle while a batch of positions is stored: read once for
/// the batch ([`Store::vehicles_now`]) and kept in step with what each fix writes, in the one
/// transaction that holds the write lock.
#[derive(Debug, Default)]
struct VehicleNow {
    /// The time of its newest stored fix.
    newest: Option<String>,
    /// Its newest fix of this batch, if it is newer than `newest` was: the fix's place in
    /// the batch and its event's seq (written to `vehicle_latest` once, as the batch ends).
    latest: Option<(usize, i64)>,
    /// While it stands still: the time of its last moving fix (its `vehicle_state` row).
    moving_at: Option<String>,
    /// Its open alarms, each with its rule.
    open: Vec<(String, OpenAlarm)>,
    /// Its waybills valid at some time of the batch.
    waybills: Vec<Waybill>,
}

impl VehicleNow {
    /// The waybill valid at `time`: the latest-starting one, if several.
    fn waybill_at(&self, time: &str) -> Option<&Waybill> {
        self.waybills
            .iter()
            .filter(|w| w.valid_from.as_str() <= time && time <= w.valid_to.as_str())
            .max_by(|a, b| a.valid_from.cmp(&b.valid_from))
    }
}

/// An event of a query of `seq, time, channel, kind, payload, recorded` (as [`PAGE_QUERY`]
/// selects them), its texts borrowed from the row, not copied.
fn event_of(r: &dyn crate::db::Row) -> Result<crate::pages::EventRow<'_>, crate::db::DbError> {
    Ok(crate::pages::EventRow {
        seq: r.int(0)?,
        time: r.text(1)?,
        channel: r.text(2)?,
        kind: r.text(3)?,
        payload: r.text(4)?,
        recorded: r.text(5)?,
    })
}

/// A tier as stored.
fn tier_of(text: &str) -> Result<AlarmTier, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(text.to_string()))?)
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
use parktwin_api::validate::feature_id;

/// A database error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[error("database: {}", crate::db::pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A column held what the store did not expect.
    #[error("database: {0}")]
    Column(String),
    /// A stored record no longer decodes.
    #[error("stored record does not decode: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored incident cannot be modelled.
    #[error("incident: {0}")]
    Incident(#[from] parktwin_dispersion::incident::IncidentError),
    /// The database was never seeded.
    #[error("the database has not been seeded")]
    NotSeeded,
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Sql(e) => StoreError::Sql(e),
            DbError::Postgres(e) => StoreError::Postgres(e),
            DbError::Column(c) => StoreError::Column(c),
            DbError::Json(e) => StoreError::Json(e),
            DbError::Stopped => StoreError::Column("a query was stopped without its error".into()),
        }
    }
}

/// Where the store's data lives: the embedded SQLite file (the default), or a PostgreSQL
/// database (for a platform that aggregates many parks on a database server).
#[derive(Debug, Clone, PartialEq)]
pub enum Database {
    /// A SQLite file, created when missing.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host/db` or `host=… dbname=…`).
    Postgres(String),
}

impl Database {
    /// The SQLite file of a data folder.
    pub fn in_dir(data_dir: &Path) -> Self {
        Database::Sqlite(data_dir.join("parktwin.sqlite"))
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(p) => write!(f, "{}", p.display()),
            // The connection string may hold a password: only where it points is shown.
            Database::Postgres(url) => write!(f, "PostgreSQL {}", redact(url)),
        }
    }
}

/// A connection string without its password.
fn redact(url: &str) -> String {
    match postgres::Config::from_str(url) {
        Ok(c) => format!(
            "{}@{}/{}",
            c.get_user().unwrap_or("?"),
            c.get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(h) => h.clone(),
                    postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            c.get_dbname().unwrap_or("?")
        ),
        Err(_) => "(a connection string that does not parse)".into(),
    }
}
use std::str::FromStr as _;

/// Opens another connection to the store's database: a reader's.
type Opener = Box<dyn Fn() -> Result<BoxConn, StoreError> + Send + Sync>;

/// The store.
pub struct Store {
    /// The one writing connection: every write of the process is serialized on it, so the
    /// log's sequence numbers are committed in order and a poll that has read up to one never
    /// misses an earlier one committed later.
    conn: Mutex<BoxConn>,
    /// Opens the readers' connections.
    open_reader: Opener,
    /// Idle read-only connections. In WAL mode a reader sees the last committed state and
    /// neither waits for the writer nor holds it up: the feed's polls (`GET /events`) read on
    /// these, not behind the one writing connection's lock, which the ingest holds for each
    /// batch's transaction. (PostgreSQL's readers are its MVCC snapshots.)
    readers: Mutex<Vec<BoxConn>>,
    /// The seeded park's index, read on first use (cleared by a new seed).
    index: Mutex<Option<std::sync::Arc<ParkIndex>>>,
    /// Layers described by descriptor files: configuration read at each start, not stored.
    described: Mutex<Described>,
    /// The open incidents' zones, read on first use and kept as they change, so that vehicle
    /// fixes can be checked against them without re-reading them.
    pub(crate) incident_zones: Mutex<Option<Vec<crate::incidents::OpenZones>>>,
    /// The log's complete blocks, rendered for the feed's pages.
    log_blocks: crate::pages::Blocks,
}

/// A page of the log: events after a sequence number, of a channel and of kinds when asked.
/// (An optional argument is cast where it is tested for NULL: PostgreSQL must know its type
/// there, before it meets the column it is compared with.)
const PAGE_QUERY: &str = "SELECT seq, time, channel, kind, payload, recorded FROM events
     WHERE seq > ?1 AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)
       AND (CAST(?4 AS TEXT) IS NULL OR instr(?4, ',' || kind || ',') > 0)
     ORDER BY seq LIMIT ?3";

/// The writer's page cache in KiB (SQLite's `cache_size` takes a negative number as KiB).
const WRITER_CACHE_KIB: i64 = -65536;
/// Seconds of a track read by one query (see [`Store::track`]).
const TRACK_SECONDS_A_QUERY: usize = 3600;
/// The longest track window read second by second (see [`Store::track`]).
const TRACK_BY_SECOND_MAX_S: i64 = 86_400;

/// Pages of write-ahead log between checkpoints (64 MiB of 4 KiB pages).
const WAL_CHECKPOINT_PAGES: i64 = 16384;

/// Most idle read-only connections kept.
const IDLE_READERS: usize = 8;

/// A read-only connection borrowed from the store's pool.
pub(crate) struct Reader<'a> {
    store: &'a Store,
    conn: Option<BoxConn>,
    /// The writer's connection, when no reader could be opened.
    writer: Option<std::sync::MutexGuard<'a, BoxConn>>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = dyn Conn + Send;
    fn deref(&self) -> &(dyn Conn + Send + 'static) {
        match (&self.conn, &self.writer) {
            (Some(c), _) => &**c,
            (None, Some(w)) => &***w,
            // One of the two is set until `drop`.
            (None, None) => unreachable!("a reader without a connection"),
        }
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut (dyn Conn + Send + 'static) {
        match (&mut self.conn, &mut self.writer) {
            (Some(c), _) => &mut **c,
            (None, Some(w)) => &mut ***w,
            (None, None) => unreachable!("a reader without a connection"),
        }
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut idle = self.store.readers.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < IDLE_READERS {
                idle.push(c);
            }
        }
    }
}

/// The server's descriptor layers: each catalog entry with the text of its features (for a
/// file source), and the descriptors that could not be used.
#[derive(Debug, Default)]
struct Described {
    layers: Vec<(LayerInfo, Option<String>)>,
    problems: Vec<parktwin_api::descriptor::DescriptorError>,
}

/// What ingest and the rules need of the seeded park: the map does not change once seeded, so
/// it is read once instead of on every batch.
#[derive(Debug, Default)]
pub struct ParkIndex {
    /// Sensors (detectors and weather stations) by id, with their warning and alarm thresholds.
    pub sensors: HashMap<String, (Option<f64>, Option<f64>)>,
    /// Weather station ids.
    pub stations: std::collections::HashSet<String>,
    /// Gate ids.
    pub gates: std::collections::HashSet<String>,
    /// The fence's outer ring (WGS84), if the park has a boundary.
    pub fence: Option<Vec<[f64; 2]>>,
    /// The parking lots' outer rings (WGS84), where trucks may stand.
    pub parking: Vec<Vec<[f64; 2]>>,
    /// The park's local frame, for distances in metres.
    pub frame: Option<parktwin_api::frame::LocalFrame>,
    /// Weather stations' positions (WGS84), to pick the nearest for an incident.
    pub station_at: HashMap<String, [f64; 2]>,
    /// What may be inside a threat zone besides vehicles: sensitive targets, detectors and
    /// enterprises' parcels.
    pub places: Vec<parktwin_api::incident::Candidate>,
    /// Which enterprise owns which feature, for enterprise-scoped readers.
    pub owners: parktwin_api::scope::Owners,
}

impl ParkIndex {
    /// Whether a WGS84 point is inside the fence (everywhere, for a park without one).
    pub fn inside_fence(&self, lon: f64, lat: f64) -> bool {
        self.fence.as_ref().is_none_or(|ring| inside_ring(ring, lon, lat))
    }

    /// Whether a WGS84 point is in a parking lot.
    pub fn in_parking(&self, lon: f64, lat: f64) -> bool {
        self.parking.iter().any(|ring| inside_ring(ring, lon, lat))
    }
}

/// The outer ring of a GeoJSON polygon feature, WGS84.
fn outer_ring(f: &serde_json::Value) -> Option<Vec<[f64; 2]>> {
    f["geometry"]["coordinates"][0]
        .as_array()
        .map(|pts| {
            pts.iter()
                .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                .collect::<Vec<_>>()
        })
        .filter(|r| r.len() >= 4)
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS layers (
    id TEXT PRIMARY KEY, ord INTEGER NOT NULL, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS features (
    layer_id TEXT NOT NULL REFERENCES layers(id), id TEXT NOT NULL, ord INTEGER NOT NULL,
    feature TEXT NOT NULL, PRIMARY KEY (layer_id, id));
CREATE TABLE IF NOT EXISTS hazards (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, channel TEXT NOT NULL,
    kind TEXT NOT NULL, payload TEXT NOT NULL, recorded TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS observations (
    sensor TEXT NOT NULL, time TEXT NOT NULL, value REAL NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS observations_by_sensor ON observations (sensor, time);
CREATE TABLE IF NOT EXISTS positions (
    plate TEXT NOT NULL, time TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
    speed_kmh REAL NOT NULL, heading_deg REAL NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS positions_by_second ON positions (substr(time, 1, 19), plate);
CREATE TABLE IF NOT EXISTS vehicle_latest (
    plate TEXT PRIMARY KEY, time TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
    speed_kmh REAL NOT NULL, heading_deg REAL NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL, source TEXT NOT NULL,
    tier TEXT NOT NULL, value REAL NOT NULL, raised TEXT NOT NULL, closed TEXT,
    acked_by TEXT, acked_at TEXT);
CREATE INDEX IF NOT EXISTS alarms_open ON alarms (rule, source) WHERE closed IS NULL;
CREATE INDEX IF NOT EXISTS alarms_open_by_source ON alarms (source) WHERE closed IS NULL;
CREATE TABLE IF NOT EXISTS drills (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT,
    enterprise TEXT);
CREATE TABLE IF NOT EXISTS passes (
    gate TEXT NOT NULL, time TEXT NOT NULL, plate TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS weather (
    station TEXT NOT NULL, time TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS weather_by_station ON weather (station, time);
CREATE TABLE IF NOT EXISTS waybills (
    id TEXT PRIMARY KEY, plate TEXT NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
    record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS waybills_by_plate ON waybills (plate, valid_from);
CREATE TABLE IF NOT EXISTS vehicle_state (plate TEXT PRIMARY KEY, moving_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
    n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL,
    zones TEXT NOT NULL, closed TEXT);
CREATE TABLE IF NOT EXISTS wall (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
";

/// The same tables in PostgreSQL: 64-bit integers, double-precision floats, identity columns
/// for SQLite's autoincrement, and every text column compared byte by byte (`COLLATE "C"`), as
/// SQLite compares: the stored times are RFC 3339 text, ordered and bisected as text, which a
/// language's collation (one that skips punctuation) would order otherwise.
const PG_SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS layers (
    id TEXT COLLATE "C" PRIMARY KEY, ord BIGINT NOT NULL, info TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS features (
    layer_id TEXT COLLATE "C" NOT NULL REFERENCES layers(id), id TEXT COLLATE "C" NOT NULL,
    ord BIGINT NOT NULL, feature TEXT NOT NULL, PRIMARY KEY (layer_id, id));
CREATE TABLE IF NOT EXISTS hazards (id TEXT COLLATE "C" PRIMARY KEY, ord BIGINT NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, time TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, payload TEXT NOT NULL,
    recorded TEXT COLLATE "C" NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS observations (
    sensor TEXT COLLATE "C" NOT NULL, time TEXT COLLATE "C" NOT NULL, value DOUBLE PRECISION NOT NULL,
    seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS observations_by_sensor ON observations (sensor, time);
CREATE TABLE IF NOT EXISTS positions (
    plate TEXT COLLATE "C" NOT NULL, time TEXT COLLATE "C" NOT NULL, lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL, speed_kmh DOUBLE PRECISION NOT NULL,
    heading_deg DOUBLE PRECISION NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS positions_by_second ON positions ((substr(time, 1, 19)), plate);
CREATE TABLE IF NOT EXISTS vehicle_latest (
    plate TEXT COLLATE "C" PRIMARY KEY, time TEXT COLLATE "C" NOT NULL, lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL, speed_kmh DOUBLE PRECISION NOT NULL,
    heading_deg DOUBLE PRECISION NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS alarms (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, rule TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL, tier TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
    raised TEXT COLLATE "C" NOT NULL, closed TEXT COLLATE "C", acked_by TEXT, acked_at TEXT);
CREATE INDEX IF NOT EXISTS alarms_open ON alarms (rule, source) WHERE closed IS NULL;
CREATE INDEX IF NOT EXISTS alarms_open_by_source ON alarms (source) WHERE closed IS NULL;
CREATE TABLE IF NOT EXISTS drills (n BIGINT PRIMARY KEY, id TEXT COLLATE "C" UNIQUE NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT COLLATE "C" PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL,
    created TEXT COLLATE "C" NOT NULL, revoked TEXT, enterprise TEXT);
CREATE TABLE IF NOT EXISTS passes (
    gate TEXT COLLATE "C" NOT NULL, time TEXT COLLATE "C" NOT NULL, plate TEXT COLLATE "C" NOT NULL,
    record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS weather (
    station TEXT COLLATE "C" NOT NULL, time TEXT COLLATE "C" NOT NULL, record TEXT NOT NULL,
    seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS weather_by_station ON weather (station, time);
CREATE TABLE IF NOT EXISTS waybills (
    id TEXT COLLATE "C" PRIMARY KEY, plate TEXT COLLATE "C" NOT NULL, valid_from TEXT COLLATE "C" NOT NULL,
    valid_to TEXT COLLATE "C" NOT NULL, record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS waybills_by_plate ON waybills (plate, valid_from);
CREATE TABLE IF NOT EXISTS vehicle_state (plate TEXT COLLATE "C" PRIMARY KEY, moving_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
    n BIGINT PRIMARY KEY, id TEXT COLLATE "C" NOT NULL UNIQUE, record TEXT NOT NULL,
    zones TEXT NOT NULL, closed TEXT);
CREATE TABLE IF NOT EXISTS wall (id BIGINT PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
"#;

/// The rule name of detector threshold alarms.
pub const DETECTOR_RULE: &str = "detector_threshold";
/// The rule name of detector-offline alarms.
pub const OFFLINE_RULE: &str = "detector_offline";
/// The rule name of hazmat-without-waybill alarms.
pub const WAYBILL_RULE: &str = "hazmat_without_waybill";
/// The rule name of hazmat speeding alarms.
pub const SPEEDING_RULE: &str = "vehicle_speeding";
/// The rule name of hazmat vehicles standing still outside the parking lot.
pub const STOPPED_RULE: &str = "vehicle_stopped";
/// The rule name of hazmat vehicles off their planned route.
pub const OFF_ROUTE_RULE: &str = "vehicle_off_route";

/// The layers whose features are sensors that take observations.
pub const SENSOR_LAYERS: [&str; 2] = ["detectors", "weather_stations"];

impl Store {
    /// Opens (creating) the SQLite database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Another writer on the same file (`token create` while the server runs, a test's
        // simulator) waits its turn instead of failing with "database is locked".
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The ingest looks up each record's vehicle or sensor in indexes that outgrow SQLite's
        // default 2 MB page cache within minutes of a busy feed: a bigger one reads them
        // without a system call per page.
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        // Checkpoints (the log's pages copied back into the database file) run on the writer,
        // after a commit. SQLite's default, every 1,000 pages (4 MB: two batches of a busy
        // feed), copied the same index pages again and again and took a fifth of the ingest's
        // time; every 16,384 pages, a page written by many batches is copied once. One such
        // checkpoint holds the writer 60-70 ms: the tail of the ingest's batch latency. Since
        // positions are indexed by second a batch writes mostly new pages, and a shorter
        // interval may cost little now (one run at 2,048 pages kept the same rate): to measure.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
        // Each ingested record runs a dozen statements (the event, the row, the rules): they
        // are compiled once and kept, not compiled again for every record.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.execute_batch(SCHEMA)?;
        let has_column = |conn: &Connection, table: &str, column: &str| -> Result<bool, StoreError> {
            Ok(conn
                .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
                .exists([table, column])?)
        };
        // Databases made before alarms could be acknowledged get the columns.
        if !has_column(&conn, "alarms", "acked_by")? {
            conn.execute_batch(
                "ALTER TABLE alarms ADD COLUMN acked_by TEXT; ALTER TABLE alarms ADD COLUMN acked_at TEXT;",
            )?;
        }
        // Logs written before events carried the time they were recorded: the record's own
        // time is the best there is.
        if !has_column(&conn, "events", "recorded")? {
            conn.execute_batch(
                "ALTER TABLE events ADD COLUMN recorded TEXT NOT NULL DEFAULT '';
                 UPDATE events SET recorded = time;",
            )?;
        }
        // Tokens made before viewers could be scoped to an enterprise are park-wide.
        if !has_column(&conn, "tokens", "enterprise")? {
            conn.execute_batch("ALTER TABLE tokens ADD COLUMN enterprise TEXT;")?;
        }
        Self::index_positions_by_second(
            &mut conn,
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'positions_by_plate'",
        )?;
        let path = path.to_path_buf();
        Ok(Self::with(
            Box::new(conn),
            Box::new(move || {
                // Opened as the writer is (a read-only open of a WAL file can fail where the
                // writer's succeeds) and kept from writing by `query_only`.
                let c = Connection::open(&path)?;
                c.pragma_update(None, "query_only", "ON")?;
                c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                // A checkpoint may hold the file a moment: wait rather than fail a poll.
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(Box::new(c) as BoxConn)
            }),
        ))
    }

    /// Connects to the PostgreSQL database at `url`, creating the tables when missing.
    pub fn connect_postgres(url: &str) -> Result<Self, StoreError> {
        let mut conn = crate::db::Postgres::connect(url)?;
        // `CREATE … IF NOT EXISTS` of a table that exists is a notice, logged for each: not
        // news at every start.
        conn.batch("SET client_min_messages = warning")?;
        conn.batch(PG_SCHEMA)?;
        Self::index_positions_by_second(
            &mut conn,
            "SELECT 1 FROM pg_indexes WHERE indexname = 'positions_by_plate'",
        )?;
        let url = url.to_string();
        Ok(Self::with(
            Box::new(conn),
            Box::new(move || {
                let mut c = crate::db::Postgres::connect(&url)?;
                c.batch("SET default_transaction_read_only = on")?;
                Ok(Box::new(c) as BoxConn)
            }),
        ))
    }

    /// Databases made when positions were indexed by plate (`positions_by_plate`, which
    /// `old_index` finds): each vehicle's latest fix is read through that index once, into
    /// `vehicle_latest`, and the index goes. It cost the ingest half its time: every batch
    /// wrote a page of it for each of its vehicles (see [`Store::ingest_positions`]).
    fn index_positions_by_second(conn: &mut dyn Conn, old_index: &str) -> Result<(), StoreError> {
        if row(conn, old_index, &[], |_| Ok(()))?.is_none() {
            return Ok(());
        }
        tracing::info!("positions are now indexed by second: keeping each vehicle's latest fix");
        conn.execute(
            "INSERT INTO vehicle_latest (plate, time, lon, lat, speed_kmh, heading_deg, seq)
             SELECT plate, time, lon, lat, speed_kmh, heading_deg, seq FROM positions p
             WHERE seq = (SELECT seq FROM positions q WHERE q.plate = p.plate ORDER BY time DESC, seq DESC LIMIT 1)
             ON CONFLICT (plate) DO NOTHING",
            &[],
        )?;
        Ok(conn.batch("DROP INDEX positions_by_plate")?)
    }

    /// Opens the store at `db`.
    pub fn open_database(db: &Database) -> Result<Self, StoreError> {
        match db {
            Database::Sqlite(path) => Self::open(path),
            Database::Postgres(url) => Self::connect_postgres(url),
        }
    }

    fn with(conn: BoxConn, open_reader: Opener) -> Self {
        Self {
            conn: Mutex::new(conn),
            open_reader,
            readers: Mutex::new(Vec::new()),
            index: Mutex::new(None),
            described: Mutex::default(),
            incident_zones: Mutex::new(None),
            log_blocks: crate::pages::Blocks::default(),
        }
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, BoxConn> {
        // A panic while holding the lock cannot leave the database half-written (transactions
        // roll back), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A read-only connection of the pool (opened when none is idle), given back when dropped.
    pub(crate) fn reader(&self) -> Result<Reader<'_>, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => Ok(c),
            None => (self.open_reader)(),
        };
        match conn {
            Ok(c) => Ok(Reader {
                store: self,
                conn: Some(c),
                writer: None,
            }),
            Err(e) => {
                // A page is never refused for want of a second connection: it is read on the
                // writer's, as before the pool.
                tracing::warn!("no reader connection ({e}); reading on the writer's");
                Ok(Reader {
                    store: self,
                    conn: None,
                    writer: Some(self.conn()),
                })
            }
        }
    }

    /// Whether the park has been seeded.
    pub fn is_seeded(&self) -> Result<bool, StoreError> {
        Ok(
            row(&mut self.conn(), "SELECT 1 FROM meta WHERE key = 'park'", &[], |_| {
                Ok(())
            })?
            .is_some(),
        )
    }

    /// Writes the whole seed in one transaction: all of it, or nothing.
    pub fn seed(&self, seed: &SeedData) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('park', ?1)",
            args![&serde_json::to_string(&seed.park)?],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('chemicals', ?1)",
            args![&serde_json::to_string(&seed.chemicals)?],
        )?;
        for (ord, (entry, features)) in seed.layers.iter().enumerate() {
            let info = LayerInfo {
                id: entry.id.clone(),
                title: entry.title.clone(),
                title_zh: entry.title_zh.clone(),
                group: entry.group,
                default_visible: entry.default_visible,
                feature_count: features.len(),
                descriptor: None,
            };
            tx.execute(
                "INSERT INTO layers (id, ord, info) VALUES (?1, ?2, ?3)",
                args![&entry.id, ord as i64, &serde_json::to_string(&info)?],
            )?;
            for (i, f) in features.iter().enumerate() {
                tx.execute(
                    "INSERT INTO features (layer_id, id, ord, feature) VALUES (?1, ?2, ?3, ?4)",
                    args![
                        &entry.id,
                        feature_id(f).unwrap_or_default(),
                        i as i64,
                        &serde_json::to_string(f)?
                    ],
                )?;
            }
        }
        for (ord, h) in seed.hazards.iter().enumerate() {
            tx.execute(
                "INSERT INTO hazards (id, ord, record) VALUES (?1, ?2, ?3)",
                args![&h.id, ord as i64, &serde_json::to_string(h)?],
            )?;
        }
        tx.commit()?;
        drop(conn);
        *self.index.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    fn meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, StoreError> {
        json_row(&mut self.conn(), "SELECT value FROM meta WHERE key = ?1", args![key])?.ok_or(StoreError::NotSeeded)
    }

    /// The park.
    pub fn park(&self) -> Result<Park, StoreError> {
        self.meta("park")
    }

    /// The chemical table.
    pub fn chemicals(&self) -> Result<ChemicalTable, StoreError> {
        self.meta("chemicals")
    }

    /// The layer catalog, in drawing order.
    pub fn layers(&self) -> Result<Vec<LayerInfo>, StoreError> {
        let mut out: Vec<LayerInfo> = json_rows(&mut self.conn(), "SELECT info FROM layers ORDER BY ord", &[])?;
        out.extend(self.described().layers.iter().map(|(info, _)| info.clone()));
        Ok(out)
    }

    fn described(&self) -> std::sync::MutexGuard<'_, Described> {
        self.described.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the descriptor layers of a folder into the catalog, after the stored layers. A
    /// file-sourced layer is served at `/api/v1/layers/{id}` and its descriptor says so; a
    /// descriptor whose id a stored layer has is refused. Returns the problems.
    pub fn set_descriptor_layers(
        &self,
        load: parktwin_api::descriptor::DirLoad,
    ) -> Result<Vec<parktwin_api::descriptor::DescriptorError>, StoreError> {
        let stored: Vec<LayerInfo> = json_rows(&mut self.conn(), "SELECT info FROM layers ORDER BY ord", &[])?;
        let mut problems = load.errors;
        let mut layers = Vec::new();
        for l in load.layers {
            let mut d = l.descriptor;
            if stored.iter().any(|s| s.id == d.id) {
                problems.push(parktwin_api::descriptor::DescriptorError {
                    file: l.path.display().to_string(),
                    line: None,
                    field: Some("id".into()),
                    reason: format!("the id \"{}\" is a layer of the park itself", d.id),
                });
                continue;
            }
            let (count, text) = match &l.features {
                Some(fc) => {
                    d.source = parktwin_api::descriptor::Source {
                        endpoint: Some(format!("/api/v1/layers/{}", d.id)),
                        refresh_s: d.source.refresh_s,
                        ..Default::default()
                    };
                    (fc.features.len(), Some(serde_json::to_string(fc)?))
                }
                None => (0, None),
            };
            layers.push((LayerInfo::from_descriptor(&d, count), text));
        }
        *self.described() = Described {
            layers,
            problems: problems.clone(),
        };
        Ok(problems)
    }

    /// The descriptors the server could not use, each naming file, line, field and reason.
    pub fn layer_problems(&self) -> Vec<parktwin_api::descriptor::DescriptorError> {
        self.described().problems.clone()
    }

    /// A layer as the text of a GeoJSON FeatureCollection, or `None` for an unknown id.
    pub fn layer_geojson(&self, id: &str) -> Result<Option<String>, StoreError> {
        if let Some((_, text)) = self.described().layers.iter().find(|(l, _)| l.id == id) {
            return Ok(Some(text.clone().unwrap_or_else(|| {
                r#"{"type":"FeatureCollection","features":[]}"#.to_string()
            })));
        }
        let mut conn = self.conn();
        if row(&mut conn, "SELECT 1 FROM layers WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
        let mut first = true;
        conn.each(
            "SELECT feature FROM features WHERE layer_id = ?1 ORDER BY ord",
            args![id],
            &mut |row| {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(row.text(0)?);
                Ok(())
            },
        )?;
        out.push_str("]}");
        Ok(Some(out))
    }

    /// The graded major hazard sources.
    pub fn hazards(&self) -> Result<Vec<HazardSource>, StoreError> {
        json_rows(&mut self.conn(), "SELECT record FROM hazards ORDER BY ord", &[])
    }

    /// One hazard source, or `None` for an unknown id.
    pub fn hazard(&self, id: &str) -> Result<Option<HazardSource>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM hazards WHERE id = ?1", args![id])
    }

    /// The park's index (sensors, stations, gates, fence), read from the features once.
    pub fn index(&self) -> Result<std::sync::Arc<ParkIndex>, StoreError> {
        let mut slot = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ix) = slot.as_ref() {
            return Ok(ix.clone());
        }
        let mut conn = self.conn();
        // Every feature, read and parsed once: the rules' layers below, and who owns what.
        let features: Vec<(String, String, serde_json::Value)> = rows(
            &mut conn,
            "SELECT layer_id, id, feature FROM features ORDER BY ord",
            &[],
            |r| Ok((r.string(0)?, r.string(1)?, serde_json::from_str(r.text(2)?)?)),
        )?;
        let mut ix = ParkIndex::default();
        const RULE_LAYERS: [&str; 7] = [
            "detectors",
            "weather_stations",
            "gates",
            "boundary",
            "parking",
            "sensitive_targets",
            "enterprises",
        ];
        for (layer, id, f) in features.iter().filter(|(l, ..)| RULE_LAYERS.contains(&l.as_str())) {
            let id = id.clone();
            if let Some(c) = parktwin_api::incident::Candidate::from_feature(layer, &id, f) {
                if layer == "weather_stations" {
                    ix.station_at.insert(id.clone(), [c.occupant.lon, c.occupant.lat]);
                } else {
                    ix.places.push(c);
                }
            }
            match layer.as_str() {
                "gates" => {
                    ix.gates.insert(id);
                }
                "boundary" => {
                    if ix.fence.is_none() {
                        ix.fence = outer_ring(f);
                    }
                }
                "parking" => ix.parking.extend(outer_ring(f)),
                "sensitive_targets" | "enterprises" => {}
                _ => {
                    if layer == "weather_stations" {
                        ix.stations.insert(id.clone());
                    }
                    ix.sensors.insert(
                        id,
                        (f["properties"]["warn"].as_f64(), f["properties"]["alarm"].as_f64()),
                    );
                }
            }
        }
        ix.owners = parktwin_api::scope::Owners::from_features(features.iter().map(|(l, _, f)| (l.as_str(), f)));
        let park: Option<Park> = json_row(&mut conn, "SELECT value FROM meta WHERE key = 'park'", &[])?;
        ix.frame = park.map(|p| p.frame());
        let ix = std::sync::Arc::new(ix);
        *slot = Some(ix.clone());
        Ok(ix)
    }

    /// Appends one event inside a transaction and returns its seq.
    pub(crate) fn append_event(tx: &mut dyn Conn, time: &str, kind: &str, payload: &str) -> Result<i64, StoreError> {
        Self::append_event_to(tx, "live", time, kind, payload)
    }

    /// Appends an event to a channel of the log (`live`, or a drill's `drill:<id>`).
    pub(crate) fn append_event_to(
        tx: &mut dyn Conn,
        channel: &str,
        time: &str,
        kind: &str,
        payload: &str,
    ) -> Result<i64, StoreError> {
        // Never earlier than the event before it (a clock stepped back must not reorder the
        // log's times): a replay finds the log's position at a time by bisection.
        let recorded = parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc());
        row(
            tx,
            "INSERT INTO events (time, channel, kind, payload, recorded)
             VALUES (?1, ?2, ?3, ?4, max(?5, coalesce((SELECT recorded FROM events ORDER BY seq DESC LIMIT 1), '')))
             RETURNING seq",
            args![time, channel, kind, payload, &recorded],
            |r| Ok(r.int(0)?),
        )?
        .ok_or_else(|| StoreError::Column("an insert returned no sequence number".into()))
    }

    /// Stores a checked batch of observations and their events, and applies the detector
    /// threshold rule to each reading newer than the sensor's last: all of it or, on any error,
    /// none.
    pub fn ingest_observations(&self, batch: &[Observation]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for o in batch {
            let newest = Self::newest(
                &mut tx,
                "SELECT max(time) FROM observations WHERE sensor = ?1",
                &o.sensor,
            )?;
            last = Self::append_event(&mut tx, &o.time, "observation", &serde_json::to_string(o)?)?;
            tx.execute(
                "INSERT INTO observations (sensor, time, value, seq) VALUES (?1, ?2, ?3, ?4)",
                args![&o.sensor, &o.time, o.value, last],
            )?;
            if newest.as_deref().is_some_and(|n| o.time.as_str() < n) {
                continue; // a late reading does not decide the sensor's present state
            }
            let (warn, alarm) = index.sensors.get(&o.sensor).copied().unwrap_or_default();
            // A reading ends the silence.
            if let Some(seq) = Self::apply_rule(&mut tx, OFFLINE_RULE, &o.sensor, &o.time, o.value, |open| {
                offline_rule(open, 0, OFFLINE_AFTER_S)
            })? {
                last = seq;
            }
            let level = SensorLevel::of(Some(o.value), warn, alarm);
            if let Some(seq) = Self::apply_rule(&mut tx, DETECTOR_RULE, &o.sensor, &o.time, o.value, |open| {
                detector_rule(open, level)
            })? {
                last = seq;
            }
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// The newest time a `max(time)` query of one key finds (`None` before the first).
    fn newest(tx: &mut dyn Conn, sql: &str, key: &str) -> Result<Option<String>, StoreError> {
        Ok(row(tx, sql, args![key], |r| Ok(r.opt_string(0)?))?.flatten())
    }

    /// Applies a rule's decision to the open alarm of (rule, source); returns the seq of the
    /// event it wrote, if any.
    pub(crate) fn apply_rule(
        tx: &mut dyn Conn,
        rule: &str,
        source: &str,
        time: &str,
        value: f64,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<i64>, StoreError> {
        let open = row(
            tx,
            "SELECT id, tier FROM alarms WHERE rule = ?1 AND source = ?2 AND closed IS NULL",
            args![rule, source],
            |r| Ok((r.int(0)?, tier_of(r.text(1)?)?)),
        )?;
        Ok(Self::decide_alarm(tx, rule, source, time, value, open, decide)?.map(|(seq, _)| seq))
    }

    /// [`Store::apply_rule`] with the open alarm of (rule, source) already looked up; the seq
    /// of the event written and the alarm as it now stands, if it changed.
    fn decide_alarm(
        tx: &mut dyn Conn,
        rule: &str,
        source: &str,
        time: &str,
        value: f64,
        open: Option<OpenAlarm>,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<(i64, Alarm)>, StoreError> {
        let tier_text = |t: AlarmTier| {
            serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let (id, kind) = match (decide(open.map(|o| o.1)), open) {
            (AlarmAction::Keep, _) => return Ok(None),
            (AlarmAction::Raise(t), _) => {
                let id = row(
                    tx,
                    "INSERT INTO alarms (rule, source, tier, value, raised) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    args![rule, source, &tier_text(t), value, time],
                    |r| Ok(r.int(0)?),
                )?
                .ok_or_else(|| StoreError::Column("an insert returned no alarm id".into()))?;
                (id, "alarm_raised")
            }
            (AlarmAction::Escalate(t), Some((id, _))) => {
                tx.execute(
                    "UPDATE alarms SET tier = ?1, value = ?2 WHERE id = ?3",
                    args![&tier_text(t), value, id],
                )?;
                (id, "alarm_escalated")
            }
            (AlarmAction::Close, Some((id, _))) => {
                tx.execute("UPDATE alarms SET closed = ?1 WHERE id = ?2", args![time, id])?;
                (id, "alarm_closed")
            }
            (AlarmAction::Escalate(_) | AlarmAction::Close, None) => return Ok(None),
        };
        let alarm = Self::alarm_row(tx, id)?;
        let seq = Self::append_event(tx, time, kind, &serde_json::to_string(&alarm)?)?;
        Ok(Some((seq, alarm)))
    }

    /// The alarm `id`, which must exist.
    fn alarm_row(conn: &mut dyn Conn, id: i64) -> Result<Alarm, StoreError> {
        row(
            conn,
            "SELECT tier, rule, source, value, raised, closed, acked_by, acked_at FROM alarms WHERE id = ?1",
            args![id],
            |r| {
                Ok(Alarm {
                    id,
                    tier: tier_of(r.text(0)?)?,
                    rule: r.string(1)?,
                    source: r.string(2)?,
                    value: r.real(3)?,
                    raised: r.string(4)?,
                    closed: r.opt_string(5)?,
                    acknowledged: r
                        .opt_string(6)?
                        .zip(r.opt_string(7)?)
                        .map(|(by, at)| Acknowledgement { by, at }),
                })
            },
        )?
        .ok_or_else(|| StoreError::Column(format!("alarm {id} is gone")))
    }

    /// Records an operator's acknowledgement and its event; `None` for an unknown alarm. An
    /// alarm acknowledged before keeps its first acknowledgement.
    pub fn ack_alarm(&self, id: i64, by: &str, at: &str) -> Result<Option<Alarm>, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let n = tx.execute(
            "UPDATE alarms SET acked_by = ?1, acked_at = ?2 WHERE id = ?3 AND acked_by IS NULL",
            args![by, at, id],
        )?;
        if row(&mut tx, "SELECT id FROM alarms WHERE id = ?1", args![id], |_| Ok(()))?.is_none() {
            return Ok(None);
        }
        let alarm = Self::alarm_row(&mut tx, id)?;
        if n == 1 {
            Self::append_event(&mut tx, at, "alarm_acked", &serde_json::to_string(&alarm)?)?;
        }
        tx.commit()?;
        Ok(Some(alarm))
    }

    /// Creates a token for `role` named `name` and returns it: it is shown this once, and only
    /// its SHA-256 is stored.
    pub fn create_token(&self, role: Role, name: &str) -> Result<String, StoreError> {
        self.insert_token(role, name, None)
    }

    /// Creates a viewer token scoped to the enterprise `enterprise` (an id of the park's
    /// `enterprises` layer): it reads that enterprise's detail and the park's shared picture
    /// only (see [`parktwin_api::scope`]). `Err` inside when the park has no such enterprise.
    pub fn create_enterprise_viewer(&self, name: &str, enterprise: &str) -> Result<Result<String, String>, StoreError> {
        if !self.is_seeded()? {
            return Ok(Err(
                "the database holds no park yet: start the server once, then make the token".into(),
            ));
        }
        let index = self.index()?;
        if !index.owners.is_enterprise(enterprise) {
            return Ok(Err(format!(
                "the park has no enterprise \"{enterprise}\" (its ids are those of the enterprises layer, e.g. {})",
                index
                    .owners
                    .enterprise_ids()
                    .into_iter()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        self.insert_token(Role::Viewer, name, Some(enterprise)).map(Ok)
    }

    fn insert_token(&self, role: Role, name: &str, enterprise: Option<&str>) -> Result<String, StoreError> {
        use rand::{RngCore, SeedableRng};
        let mut bytes = [0u8; 24];
        rand_chacha::ChaCha20Rng::from_os_rng().fill_bytes(&mut bytes);
        let token = format!("pt_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let role_text = serde_json::to_value(role)?.as_str().unwrap_or("viewer").to_string();
        self.conn().execute(
            "INSERT INTO tokens (hash, role, name, created, enterprise) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![
                &token_hash(&token),
                &role_text,
                name,
                &parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc()),
                enterprise
            ],
        )?;
        Ok(token)
    }

    /// Every token ever made, oldest first: its id (the first 12 hex digits of its hash, which
    /// is all that is stored), role, name, when it was made and, if it was, revoked.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        rows(
            &mut self.conn(),
            "SELECT hash, role, name, created, revoked, enterprise FROM tokens ORDER BY created, hash",
            &[],
            |r| {
                Ok(TokenInfo {
                    id: r.text(0)?.chars().take(TOKEN_ID_LEN).collect(),
                    role: r.string(1)?,
                    name: r.string(2)?,
                    created: r.string(3)?,
                    revoked: r.opt_string(4)?,
                    enterprise: r.opt_string(5)?,
                })
            },
        )
    }

    /// Revokes the token whose id (see [`Store::tokens`]) is `id`: from now on it is refused.
    /// `Ok(None)` when no token has that id; `Err` inside when it names more than one (a
    /// prefix too short) or the token was revoked already.
    pub fn revoke_token(&self, id: &str) -> Result<Option<Result<TokenInfo, String>>, StoreError> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() < 6 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Some(Err(format!(
                "\"{id}\" is not a token id (at least 6 hex digits, as `token list` shows)"
            ))));
        }
        let matching: Vec<TokenInfo> = self.tokens()?.into_iter().filter(|t| t.id.starts_with(&id)).collect();
        match matching.as_slice() {
            [] => Ok(None),
            [t] if t.revoked.is_some() => Ok(Some(Err(format!("token {} was revoked already", t.id)))),
            [t] => {
                let now = parktwin_api::ingest::format_utc(time::OffsetDateTime::now_utc());
                self.conn().execute(
                    "UPDATE tokens SET revoked = ?1 WHERE substr(hash, 1, ?2) = ?3",
                    args![&now, TOKEN_ID_LEN as i64, &t.id],
                )?;
                Ok(Some(Ok(TokenInfo {
                    revoked: Some(now),
                    ..t.clone()
                })))
            }
            _ => Ok(Some(Err(format!(
                "\"{id}\" names {} tokens: give more digits",
                matching.len()
            )))),
        }
    }

    /// The role and name of a token that is known and not revoked.
    pub fn token_role(&self, token: &str) -> Result<Option<(Role, String)>, StoreError> {
        Ok(self.caller(token)?.map(|c| (c.role, c.name)))
    }

    /// Who a token that is known and not revoked belongs to, and what it may read. Read on a
    /// reader's connection: every read that carries a token asks this.
    pub fn caller(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        let found: Option<(String, String, Option<String>)> = row(
            &mut *self.reader()?,
            "SELECT role, name, enterprise FROM tokens WHERE hash = ?1 AND revoked IS NULL",
            args![&token_hash(token)],
            |r| Ok((r.string(0)?, r.string(1)?, r.opt_string(2)?)),
        )?;
        Ok(match found {
            Some((role, name, enterprise)) => Some(Caller {
                role: serde_json::from_value(serde_json::Value::String(role))?,
                name,
                access: enterprise.map_or(
                    parktwin_api::scope::Access::Park,
                    parktwin_api::scope::Access::Enterprise,
                ),
            }),
            None => None,
        })
    }

    /// Alarms: the open ones (`open = Some(true)`), the closed ones, or all; newest first.
    pub fn alarms(&self, open: Option<bool>) -> Result<Vec<Alarm>, StoreError> {
        let mut conn = self.conn();
        let sql = match open {
            Some(true) => "SELECT id FROM alarms WHERE closed IS NULL ORDER BY id DESC",
            Some(false) => "SELECT id FROM alarms WHERE closed IS NOT NULL ORDER BY id DESC",
            None => "SELECT id FROM alarms ORDER BY id DESC",
        };
        let ids: Vec<i64> = rows(&mut conn, sql, &[], |r| Ok(r.int(0)?))?;
        ids.into_iter().map(|id| Self::alarm_row(&mut conn, id)).collect()
    }

    /// Stores a checked batch of vehicle positions and their events: all or none.
    ///
    /// The batch's vehicles are read once, before its first fix (see [`VehicleNow`]), and
    /// what each fix changes is kept in step: a fix costs its event and its row, and a write
    /// more only when a rule's state changes; each vehicle's latest fix is written once.
    ///
    /// Positions are indexed by second and plate, not by plate and time. An index by plate
    /// put each vehicle's newest entry on a page of its own, so a batch of 500 trucks wrote
    /// 500 index pages (2 MB) to the write-ahead log, half the ingest's time; by second, a
    /// batch's entries sit side by side, a few pages at the index's end.
    pub fn ingest_positions(&self, batch: &[VehiclePosition]) -> Result<IngestReceipt, StoreError> {
        let index = self.index()?;
        self.open_zones()?;
        // Encoded before the write lock is taken: that lock is the ingest's one lane.
        let payloads = batch.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut vehicles = Self::vehicles_now(&mut tx, batch)?;
        let mut last = 0;
        for (k, (p, payload)) in batch.iter().zip(&payloads).enumerate() {
            let v = vehicles
                .get_mut(&p.plate)
                .ok_or_else(|| StoreError::Column(format!("vehicle {} was not read back", p.plate)))?;
            let newest = v.newest.clone();
            last = Self::append_event(&mut tx, &p.time, "position", payload)?;
            tx.execute(
                "INSERT INTO positions (plate, time, lon, lat, speed_kmh, heading_deg, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                args![&p.plate, &p.time, p.lon, p.lat, p.speed_kmh, p.heading_deg, last],
            )?;
            if newest.as_deref().is_some_and(|n| p.time.as_str() < n) {
                continue; // a late fix does not decide the vehicle's present state
            }
            v.newest = Some(p.time.clone());
            v.latest = Some((k, last));
            // The park's rules hold inside the fence only.
            let inside = index.inside_fence(p.lon, p.lat);
            let speed = if inside { p.speed_kmh } else { 0.0 };
            let rule = |open| speeding_rule(open, speed, PARK_SPEED_LIMIT_KMH);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, SPEEDING_RULE, p, p.speed_kmh, rule)? {
                last = seq;
            }
            let stopped_s = Self::stopped_for(&mut tx, v, p, newest.as_deref())?;
            let exempt = !inside || index.in_parking(p.lon, p.lat);
            let stopped = (!exempt).then_some(stopped_s);
            let rule = |open| stopped_rule(open, stopped);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, STOPPED_RULE, p, stopped_s as f64, rule)? {
                last = seq;
            }
            let off = match (&index.frame, inside) {
                (Some(frame), true) => v.waybill_at(&p.time).map(|w| {
                    let route: Vec<[f64; 2]> = w.route.iter().map(|q| frame.to_map(q[0], q[1])).collect();
                    distance_to_polyline(frame.to_map(p.lon, p.lat), &route)
                }),
                _ => None,
            };
            let off_m = off.unwrap_or(0.0);
            let rule = |open| off_route_rule(open, off_m);
            if let Some(seq) = Self::vehicle_rule(&mut tx, v, OFF_ROUTE_RULE, p, off_m.round(), rule)? {
                last = seq;
            }
            if let Some(seq) = self.vehicle_in_zones(&mut tx, p)? {
                last = seq;
            }
        }
        for (k, seq) in vehicles.values().filter_map(|v| v.latest) {
            let p = &batch[k];
            tx.execute(
                "INSERT INTO vehicle_latest (plate, time, lon, lat, speed_kmh, heading_deg, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (plate) DO UPDATE SET time = excluded.time, lon = excluded.lon, lat = excluded.lat,
                   speed_kmh = excluded.speed_kmh, heading_deg = excluded.heading_deg, seq = excluded.seq",
                args![&p.plate, &p.time, p.lon, p.lat, p.speed_kmh, p.heading_deg, seq],
            )?;
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// What the rules need to know of each vehicle of `batch`, as stored: one query for the
    /// newest fixes and standing-still clocks of all its plates, one for their open alarms
    /// and one for their waybills, where reading each fix's vehicle took four.
    fn vehicles_now(tx: &mut dyn Conn, batch: &[VehiclePosition]) -> Result<HashMap<String, VehicleNow>, StoreError> {
        let plates: std::collections::BTreeSet<&str> = batch.iter().map(|p| p.plate.as_str()).collect();
        let plates = serde_json::to_string(&plates)?;
        let mut now = HashMap::new();
        tx.each(
            "SELECT value, (SELECT time FROM vehicle_latest WHERE plate = value),
                    (SELECT moving_at FROM vehicle_state WHERE plate = value)
             FROM json_each(?1)",
            args![&plates],
            &mut |r| {
                let v = VehicleNow {
                    newest: r.opt_string(1)?,
                    moving_at: r.opt_string(2)?,
                    ..VehicleNow::default()
                };
                now.insert(r.string(0)?, v);
                Ok(())
            },
        )?;
        let open = rows(
            tx,
            "SELECT source, rule, id, tier FROM alarms
             WHERE closed IS NULL AND source IN (SELECT value FROM json_each(?1))",
            args![&plates],
            |r| Ok((r.string(0)?, r.string(1)?, (r.int(2)?, tier_of(r.text(3)?)?))),
        )?;
        for (plate, rule, alarm) in open {
            if let Some(v) = now.get_mut(&plate) {
                v.open.push((rule, alarm));
            }
        }
        let (Some(from), Some(to)) = (batch.iter().map(|p| &p.time).min(), batch.iter().map(|p| &p.time).max()) else {
            return Ok(now);
        };
        let waybills: Vec<Waybill> = json_rows(
            tx,
            "SELECT record FROM waybills
             WHERE plate IN (SELECT value FROM json_each(?1)) AND valid_from <= ?3 AND valid_to >= ?2",
            args![&plates, from, to],
        )?;
        for w in waybills {
            if let Some(v) = now.get_mut(&w.plate) {
                v.waybills.push(w);
            }
        }
        Ok(now)
    }

    /// Applies a rule to the fix `p` of the vehicle `v`, with the open alarm the batch knows
    /// of, and keeps that up to date; the seq of the event written, if any.
    fn vehicle_rule(
        tx: &mut dyn Conn,
        v: &mut VehicleNow,
        rule: &str,
        p: &VehiclePosition,
        value: f64,
        decide: impl FnOnce(Option<AlarmTier>) -> AlarmAction,
    ) -> Result<Option<i64>, StoreError> {
        let open = v.open.iter().find(|(r, _)| r == rule).map(|(_, o)| *o);
        let Some((seq, alarm)) = Self::decide_alarm(tx, rule, &p.plate, &p.time, value, open, decide)? else {
            return Ok(None);
        };
        v.open.retain(|(r, _)| r != rule);
        if alarm.closed.is_none() {
            v.open.push((rule.to_string(), (alarm.id, alarm.tier)));
        }
        Ok(Some(seq))
    }

    /// How long (seconds) the vehicle `v` has stood still, as of its fix `p`: since its last
    /// fix at walking pace or faster (`previous` is the fix before `p`, if any); a vehicle's
    /// first fix starts the clock.
    ///
    /// `vehicle_state` holds a row only while a vehicle stands still: the time of its last
    /// moving fix. So a moving fix writes nothing unless the vehicle has just moved off (the
    /// row goes), and a still fix writes only when the vehicle has just stopped: the ingest's
    /// common case, a truck driving, costs no write. (A row written before this rule, for a
    /// vehicle then moving, reads the same: the time of its last moving fix.)
    fn stopped_for(
        tx: &mut dyn Conn,
        v: &mut VehicleNow,
        p: &VehiclePosition,
        previous: Option<&str>,
    ) -> Result<i64, StoreError> {
        let still = p.speed_kmh < 1.0;
        match (v.moving_at.as_deref(), still) {
            (Some(since), true) => Ok(seconds_between(since, &p.time)),
            (Some(_), false) => {
                tx.execute("DELETE FROM vehicle_state WHERE plate = ?1", args![&p.plate])?;
                v.moving_at = None;
                Ok(0)
            }
            (None, true) => {
                // Just stopped: it last moved at the fix before this one (or, for its first
                // fix, now).
                let since = previous.unwrap_or(&p.time);
                tx.execute(
                    "INSERT INTO vehicle_state (plate, moving_at) VALUES (?1, ?2)",
                    args![&p.plate, since],
                )?;
                v.moving_at = Some(since.to_string());
                Ok(seconds_between(since, &p.time))
            }
            (None, false) => Ok(0),
        }
    }

    /// The waybill of `plate` valid at `time`: the latest-starting one, if several.
    fn active_waybill(conn: &mut dyn Conn, plate: &str, time: &str) -> Result<Option<Waybill>, StoreError> {
        json_row(
            conn,
            "SELECT record FROM waybills WHERE plate = ?1 AND valid_from <= ?2 AND valid_to >= ?2
             ORDER BY valid_from DESC LIMIT 1",
            args![plate, time],
        )
    }

    /// Registers a checked batch of waybills (a number registered again is replaced) and their
    /// events: all or none.
    pub fn ingest_waybills(&self, batch: &[Waybill], now: &str) -> Result<IngestReceipt, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for w in batch {
            let record = serde_json::to_string(w)?;
            last = Self::append_event(&mut tx, now, "waybill", &record)?;
            tx.execute(
                "INSERT INTO waybills (id, plate, valid_from, valid_to, record, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET plate = excluded.plate, valid_from = excluded.valid_from,
                   valid_to = excluded.valid_to, record = excluded.record, seq = excluded.seq",
                args![&w.id, &w.plate, &w.valid_from, &w.valid_to, &record, last],
            )?;
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// The registered waybills, of one plate or all, and only those valid at `valid_at` if
    /// given; newest first.
    pub fn waybills(&self, plate: Option<&str>, valid_at: Option<&str>) -> Result<Vec<Waybill>, StoreError> {
        json_rows(
            &mut self.conn(),
            "SELECT record FROM waybills WHERE (CAST(?1 AS TEXT) IS NULL OR plate = ?1)
               AND (CAST(?2 AS TEXT) IS NULL OR (valid_from <= ?2 AND valid_to >= ?2))
             ORDER BY valid_from DESC, id",
            args![plate, valid_at],
        )
    }

    /// One waybill by number.
    pub fn waybill(&self, id: &str) -> Result<Option<Waybill>, StoreError> {
        json_row(&mut self.conn(), "SELECT record FROM waybills WHERE id = ?1", args![id])
    }

    /// Raises an offline alarm for each detector that has reported but has been silent for
    /// more than [`OFFLINE_AFTER_S`] at `now`; returns how many were raised.
    pub fn check_offline(&self, now: time::OffsetDateTime) -> Result<usize, StoreError> {
        let cutoff = parktwin_api::ingest::format_utc(now - time::Duration::seconds(OFFLINE_AFTER_S));
        let stamp = parktwin_api::ingest::format_utc(now);
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let silent: Vec<String> = rows(
            &mut tx,
            "SELECT o.sensor FROM observations o JOIN features f ON f.id = o.sensor AND f.layer_id = 'detectors'
             GROUP BY o.sensor HAVING max(o.time) < ?1",
            args![&cutoff],
            |r| Ok(r.string(0)?),
        )?;
        let mut raised = 0;
        for id in silent {
            let rule = |open| offline_rule(open, OFFLINE_AFTER_S + 1, OFFLINE_AFTER_S);
            if Self::apply_rule(&mut tx, OFFLINE_RULE, &id, &stamp, 0.0, rule)?.is_some() {
                raised += 1;
            }
        }
        tx.commit()?;
        Ok(raised)
    }

    /// Stores a checked batch of passes at `gate` and their events, and applies the waybill
    /// rule: all or none.
    pub fn ingest_passes(&self, gate: &str, batch: &[GatePass]) -> Result<IngestReceipt, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for p in batch {
            let mut record = serde_json::to_value(p)?;
            record["gate"] = serde_json::Value::String(gate.to_string());
            let text = record.to_string();
            last = Self::append_event(&mut tx, &p.time, "pass", &text)?;
            tx.execute(
                "INSERT INTO passes (gate, time, plate, record, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![gate, &p.time, &p.plate, &text, last],
            )?;
            // A hazmat truck coming in needs a registered waybill valid now, and the one it
            // shows (if it shows a number) must be that one.
            let breach = p.hazmat
                && p.direction == PassDirection::In
                && Self::active_waybill(&mut tx, &p.plate, &p.time)?
                    .is_none_or(|w| p.waybill.as_ref().is_some_and(|shown| *shown != w.id));
            if let Some(seq) = Self::apply_rule(
                &mut tx,
                WAYBILL_RULE,
                &p.plate,
                &p.time,
                p.tonnes.unwrap_or(0.0),
                |open| waybill_rule(open, breach),
            )? {
                last = seq;
            }
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// The passes at every gate between two stored times (inclusive), oldest first.
    pub fn passes(&self, from: &str, to: &str) -> Result<Vec<parktwin_api::model::PassRecord>, StoreError> {
        rows(
            &mut self.conn(),
            "SELECT seq, record FROM passes WHERE time >= ?1 AND time <= ?2 ORDER BY time, seq",
            args![from, to],
            |r| {
                Ok(parktwin_api::model::PassRecord::from_stored(
                    r.int(0)?,
                    &serde_json::from_str(r.text(1)?)?,
                )?)
            },
        )
    }

    /// Stores a checked batch of weather reports and their events: all or none.
    pub fn ingest_weather(&self, batch: &[WeatherReport]) -> Result<IngestReceipt, StoreError> {
        self.open_zones()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for w in batch {
            let record = serde_json::to_string(w)?;
            last = Self::append_event(&mut tx, &w.time, "weather", &record)?;
            tx.execute(
                "INSERT INTO weather (station, time, record, seq) VALUES (?1, ?2, ?3, ?4)",
                args![&w.station, &w.time, &record, last],
            )?;
            if let Some(seq) = self.follow_weather(&mut tx, w)? {
                last = seq;
            }
        }
        tx.commit()?;
        Ok(IngestReceipt {
            accepted: batch.len(),
            last_seq: last,
        })
    }

    /// Each station's latest report.
    pub fn weather_latest(&self) -> Result<Vec<WeatherReport>, StoreError> {
        json_rows(
            &mut self.conn(),
            "SELECT record FROM weather w
             WHERE seq = (SELECT seq FROM weather v WHERE v.station = w.station ORDER BY time DESC, seq DESC LIMIT 1)
             ORDER BY station",
            &[],
        )
    }

    /// Up to `limit` events after `since`, on one channel (all when `None`), of the `kinds`
    /// (all when `None`).
    pub fn events_since(
        &self,
        since: i64,
        limit: usize,
        channel: Option<&str>,
        kinds: Option<&[&str]>,
    ) -> Result<EventPage, StoreError> {
        let kinds = kinds.map(|k| format!(",{},", k.join(",")));
        let events = Self::event_rows(
            &mut *self.reader()?,
            PAGE_QUERY,
            args![since, channel, limit as i64, kinds.as_ref()],
        )?;
        let next = events.last().map_or(since, |e| e.seq);
        Ok(EventPage { events, next })
    }

    /// The page [`Store::events_since`] reads, as the JSON of an [`EventPage`], each payload
    /// written as stored: the feed's polls, hundreds a second, neither parse nor re-encode
    /// what the ingest already wrote as JSON. An enterprise-scoped reader's page leaves out
    /// what it may not see, and its `next` still passes every event the page read.
    ///
    /// The page is cut from the log's complete blocks, each read and written once for every
    /// client ([`crate::pages`]), and read from the database from the first block still
    /// filling. Either way it holds the same events: a test compares the page served with the
    /// events the store reads.
    pub fn events_page_json(
        &self,
        since: i64,
        limit: usize,
        channel: Option<&str>,
        kinds: Option<&[&str]>,
        access: &parktwin_api::scope::Access,
    ) -> Result<String, StoreError> {
        let owners = match access {
            parktwin_api::scope::Access::Park => None,
            parktwin_api::scope::Access::Enterprise(_) => Some(self.index()?),
        };
        let sees = |kind: &str, payload: &str| {
            owners
                .as_ref()
                .is_none_or(|ix| access.sees_event(&ix.owners, kind, payload))
        };
        let mut out: Vec<u8> = Vec::with_capacity(256 * limit.min(1000) + 32);
        out.extend_from_slice(b"{\"events\":[");
        let mut next = since;
        let mut read = 0;
        let mut first = true;
        let mut comma = |out: &mut Vec<u8>| {
            if !first {
                out.push(b',');
            }
            first = false;
        };
        // From the complete blocks: every event after `since` of the channel and kinds asked,
        // up to `limit` of them; `at` is how far the blocks were read.
        let mut at = since;
        while read < limit {
            let k = at.div_euclid(crate::pages::BLOCK);
            let Some(block) = self.log_block(k)? else { break };
            for piece in block.pieces.iter().filter(|p| p.seq > at) {
                if read == limit {
                    break;
                }
                if channel.is_some_and(|c| c != &*piece.channel) || kinds.is_some_and(|ks| !ks.contains(&&*piece.kind))
                {
                    continue;
                }
                read += 1;
                next = piece.seq;
                if sees(&piece.kind, block.payload(piece)) {
                    comma(&mut out);
                    out.extend_from_slice(&block.text[piece.json.clone()]);
                }
            }
            if read < limit {
                at = (k + 1) * crate::pages::BLOCK;
            }
        }
        // The rest from the database.
        if read < limit {
            let kinds = kinds.map(|k| format!(",{},", k.join(",")));
            self.reader()?.each(
                PAGE_QUERY,
                args![at, channel, (limit - read) as i64, kinds.as_ref()],
                &mut |r| {
                    let e = event_of(r)?;
                    next = e.seq;
                    if sees(e.kind, e.payload) {
                        comma(&mut out);
                        crate::pages::write_event(&mut out, &e)?;
                    }
                    Ok(())
                },
            )?;
        }
        out.extend_from_slice(b"],\"next\":");
        serde_json::to_writer(&mut out, &next)?;
        out.push(b'}');
        // Every piece was UTF-8 text.
        String::from_utf8(out).map_err(|e| StoreError::Column(format!("a page of the log: {e}")))
    }

    /// Block `k` of the log, once it is complete (the head has passed its end; sequence
    /// numbers commit in order, so it can no longer change): kept, or read and kept.
    fn log_block(&self, k: i64) -> Result<Option<std::sync::Arc<crate::pages::Block>>, StoreError> {
        if let Some(block) = self.log_blocks.get(k) {
            return Ok(Some(block));
        }
        let end = (k + 1) * crate::pages::BLOCK;
        // The head first: what it has passed was committed before the block is read.
        if self.head()? < end {
            return Ok(None);
        }
        let mut block = crate::pages::Block::default();
        self.reader()?.each(
            "SELECT seq, time, channel, kind, payload, recorded FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
            args![end - crate::pages::BLOCK, end],
            &mut |r| Ok(block.push(&event_of(r)?)?),
        )?;
        let block = std::sync::Arc::new(block);
        self.log_blocks.keep(k, block.clone());
        Ok(Some(block))
    }

    /// The events a query of `seq, time, channel, kind, payload, recorded` finds.
    pub(crate) fn event_rows(conn: &mut dyn Conn, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Event>, StoreError> {
        rows(conn, sql, args, |r| {
            Ok(Event {
                seq: r.int(0)?,
                time: r.string(1)?,
                channel: r.string(2)?,
                kind: r.string(3)?,
                payload: serde_json::from_str(r.text(4)?)?,
                recorded: r.string(5)?,
            })
        })
    }

    /// Every sensor with its latest reading and level.
    pub fn sensors(&self) -> Result<Vec<SensorState>, StoreError> {
        let found = rows(
            &mut self.conn(),
            "SELECT f.layer_id, f.id, f.feature,
                    (SELECT value FROM observations o WHERE o.sensor = f.id ORDER BY time DESC, seq DESC LIMIT 1),
                    (SELECT time FROM observations o WHERE o.sensor = f.id ORDER BY time DESC, seq DESC LIMIT 1)
             FROM features f WHERE f.layer_id IN (?1, ?2) ORDER BY f.layer_id, f.ord",
            args![SENSOR_LAYERS[0], SENSOR_LAYERS[1]],
            |r| {
                Ok((
                    r.string(0)?,
                    r.string(1)?,
                    serde_json::from_str::<serde_json::Value>(r.text(2)?)?,
                    r.opt_real(3)?,
                    r.opt_string(4)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for (layer, id, f, value, time) in found {
            let p = &f["properties"];
            let (warn, alarm) = (p["warn"].as_f64(), p["alarm"].as_f64());
            out.push(SensorState {
                id,
                layer,
                kind: p["kind"].as_str().unwrap_or("unknown").to_string(),
                unit: p["unit"].as_str().map(str::to_string),
                warn,
                alarm,
                value,
                time,
                level: SensorLevel::of(value, warn, alarm),
            });
        }
        Ok(out)
    }

    /// A sensor's readings between two stored times (inclusive), oldest first.
    pub fn observations(&self, sensor: &str, from: &str, to: &str) -> Result<Vec<Observation>, StoreError> {
        rows(
            &mut self.conn(),
            "SELECT sensor, time, value FROM observations WHERE sensor = ?1 AND time >= ?2 AND time <= ?3 ORDER BY time, seq",
            args![sensor, from, to],
            |r| {
                Ok(Observation {
                    sensor: r.string(0)?,
                    time: r.string(1)?,
                    value: r.real(2)?,
                })
            },
        )
    }

    fn position_rows(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<VehiclePosition>, StoreError> {
        rows(&mut *self.reader()?, sql, args, |r| {
            Ok(VehiclePosition {
                plate: r.string(0)?,
                time: r.string(1)?,
                lon: r.real(2)?,
                lat: r.real(3)?,
                speed_kmh: r.real(4)?,
                heading_deg: r.real(5)?,
            })
        })
    }

    /// Each vehicle's latest position.
    pub fn vehicles(&self) -> Result<Vec<VehiclePosition>, StoreError> {
        self.position_rows(
            "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM vehicle_latest ORDER BY plate",
            &[],
        )
    }

    /// Whether any fix of `plate` was ever stored.
    pub fn vehicle_seen(&self, plate: &str) -> Result<bool, StoreError> {
        Ok(row(
            &mut *self.reader()?,
            "SELECT 1 FROM vehicle_latest WHERE plate = ?1",
            args![plate],
            |_| Ok(()),
        )?
        .is_some())
    }

    /// A vehicle's positions between two stored times (inclusive), oldest first.
    ///
    /// Read through the index (second, plate). A window of up to a day is read second by
    /// second, one look-up each (an hour's seconds to a query), however many other vehicles
    /// there are; a longer one is read as a range of the index, whose cost grows with every
    /// vehicle's fixes in it.
    pub fn track(&self, plate: &str, from: &str, to: &str) -> Result<Vec<VehiclePosition>, StoreError> {
        let parse = |t: &str| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map_err(|e| StoreError::Column(format!("a stored time {t}: {e}")))
        };
        let (start, end) = (parse(from)?, parse(to)?);
        if end - start > time::Duration::seconds(TRACK_BY_SECOND_MAX_S) {
            let second = |t: &str| t.get(..19).unwrap_or(t).to_string();
            return self.position_rows(
                "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM positions
                 WHERE substr(time, 1, 19) >= ?2 AND substr(time, 1, 19) <= ?3 AND plate = ?1
                   AND time >= ?4 AND time <= ?5
                 ORDER BY time, seq",
                args![plate, &second(from), &second(to), from, to],
            );
        }
        let mut second = start.replace_nanosecond(0).unwrap_or(start);
        let mut fixes = Vec::new();
        while second <= end {
            let mut hour: Vec<String> = Vec::with_capacity(TRACK_SECONDS_A_QUERY);
            while second <= end && hour.len() < TRACK_SECONDS_A_QUERY {
                hour.push(parktwin_api::ingest::format_utc(second)[..19].to_string());
                second += time::Duration::SECOND;
            }
            fixes.extend(self.position_rows(
                "SELECT plate, time, lon, lat, speed_kmh, heading_deg FROM positions
                 WHERE substr(time, 1, 19) IN (SELECT value FROM json_each(?2)) AND plate = ?1
                   AND time >= ?3 AND time <= ?4
                 ORDER BY time, seq",
                args![plate, &serde_json::to_string(&hour)?, from, to],
            )?);
        }
        Ok(fixes)
    }

    /// The seq of the newest event (0 when the log is empty).
    pub fn head(&self) -> Result<i64, StoreError> {
        Ok(row(
            &mut *self.reader()?,
            "SELECT coalesce(max(seq), 0) FROM events",
            &[],
            |r| Ok(r.int(0)?),
        )?
        .unwrap_or(0))
    }

    /// The log's head as it was at `at` (a stored time): the last event recorded by then, 0
    /// before the first. The recorded times never go back along the log, so a bisection over
    /// the sequence numbers finds it in a few dozen lookups, without an index to slow the
    /// ingest down.
    pub fn head_at(&self, at: &str) -> Result<i64, StoreError> {
        let mut reader = self.reader()?;
        let conn: &mut dyn Conn = &mut *reader;
        let max = row(conn, "SELECT coalesce(max(seq), 0) FROM events", &[], |r| Ok(r.int(0)?))?.unwrap_or(0);
        // `lo` is an event recorded by `at` (or 0); nothing at or after `hi` is.
        let (mut lo, mut hi) = (0_i64, max + 1);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let first_from: Option<(i64, String)> = row(
                conn,
                "SELECT seq, recorded FROM events WHERE seq >= ?1 ORDER BY seq LIMIT 1",
                args![mid],
                |r| Ok((r.int(0)?, r.string(1)?)),
            )?;
            match first_from {
                Some((seq, recorded)) if seq < hi && recorded.as_str() <= at => lo = seq,
                _ => hi = mid,
            }
        }
        Ok(lo)
    }
}

/// Runs a query and hands each row to `f`, in order; an error of `f` stops the query and is
/// the answer.
pub(crate) fn each(
    c: &mut dyn Conn,
    sql: &str,
    args: &[Arg<'_>],
    mut f: impl FnMut(&dyn Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut failed = None;
    let done = c.each(sql, args, &mut |r| {
        f(r).map_err(|e| {
            failed = Some(e);
            DbError::Stopped
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(done?),
    }
}

/// Every row of a query, each mapped by `map`.
pub(crate) fn rows<T>(
    c: &mut dyn Conn,
    sql: &str,
    args: &[Arg<'_>],
    mut map: impl FnMut(&dyn Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    each(c, sql, args, |r| {
        out.push(map(r)?);
        Ok(())
    })?;
    Ok(out)
}

/// The first row of a query mapped by `map`, or `None` when it finds none.
pub(crate) fn row<T>(
    c: &mut dyn Conn,
    sql: &str,
    args: &[Arg<'_>],
    mut map: impl FnMut(&dyn Row) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut out = None;
    each(c, sql, args, |r| {
        if out.is_none() {
            out = Some(map(r)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Every row's first column, a stored JSON record, decoded.
pub(crate) fn json_rows<T: serde::de::DeserializeOwned>(
    c: &mut dyn Conn,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Vec<T>, StoreError> {
    rows(c, sql, args, |r| Ok(serde_json::from_str(r.text(0)?)?))
}

/// The first column of the first row, a stored JSON record, decoded; `None` when there is no
/// row.
pub(crate) fn json_row<T: serde::de::DeserializeOwned>(
    c: &mut dyn Conn,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<Option<T>, StoreError> {
    row(c, sql, args, |r| Ok(serde_json::from_str(r.text(0)?)?))
}
