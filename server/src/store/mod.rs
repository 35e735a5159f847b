//! The store: the park, its live data and its log, in SQLite (WAL journal, so readers never
//! wait for the writer) or PostgreSQL, through the engine seam of [`crate::db`].
//!
//! One file per concern, each adding to `impl Store`:
//! - this file: the [`Store`] itself, its error, where its data lives, the writing connection
//!   and the pool of readers, and the row helpers the other files read with;
//! - `schema`: both engines' tables and the upgrades of databases made by older versions;
//! - `park`: the seed, the park, its layers (stored and described), chemicals and hazards;
//! - `index`: the park's index ([`ParkIndex`]), read once for ingest and the rules;
//! - `tokens`: tokens and who a token belongs to;
//! - `users`: people's accounts, their passwords' hashes, sign-in and its guard;
//! - `audit`: who did what, when and from where;
//! - `alarms`: the alarm engine every ingest path applies its rules through, the operators'
//!   steps of an alarm's lifecycle with its history, the policy, the escalation sweep, figures;
//! - `subscriptions`: who is told of alarms (webhooks, email) and the outbox of deliveries;
//! - `observations`, `positions`, `waybills`, `passes`, `weather`: the five ingest paths, each
//!   with its rules (`positions` holds the vehicle rules) and its plain reads;
//! - `log`: the event log, its pages and its head;
//! - `history`: sensors, readings, vehicles and tracks as they were.

mod alarms;
mod audit;
mod history;
mod index;
mod log;
mod observations;
mod park;
mod passes;
mod positions;
mod schema;
mod subscriptions;
mod tokens;
mod users;
mod waybills;
mod weather;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::db::{Arg, BoxConn, Conn, DbError, Row};

pub use alarms::{AlarmStep, AlarmWithHistory, StepOutcome, Swept};
pub use audit::{AuditFilter, AuditRecord};
pub use index::ParkIndex;
use park::Described;
pub use subscriptions::{Delivery, NewSubscription, Subscription, Via};
pub use tokens::{Caller, TOKEN_ID_LEN, TokenInfo};
pub use users::{Refusal, SESSION_HOURS, SignIn, SignInGuard, random_password};

/// Statements kept compiled per SQLite connection: more than the store has in its ingest and
/// read paths (rusqlite keeps 16 by default, fewer than one position's rules and the event use).
const STATEMENT_CACHE: usize = 128;

/// The writer's page cache in KiB (SQLite's `cache_size` takes a negative number as KiB).
const WRITER_CACHE_KIB: i64 = -65536;

/// Pages of write-ahead log between checkpoints (64 MiB of 4 KiB pages).
const WAL_CHECKPOINT_PAGES: i64 = 16384;

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
    /// Sign-in failures per account name.
    sign_in_guard: Mutex<SignInGuard>,
    /// Wakes the notifier when something may be waiting to be told (`notify_waiting`).
    wake: tokio::sync::Notify,
    /// What the MQTT subscriber has taken and refused (`crate::mqtt`).
    pub(crate) mqtt: crate::mqtt::Counters,
    /// Whether the demo's simulator makes the readings (its values are then marked so).
    pub(crate) demo: std::sync::atomic::AtomicBool,
}

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
        schema::sqlite(&mut conn)?;
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
        schema::postgres(&mut conn)?;
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
            sign_in_guard: Mutex::default(),
            wake: tokio::sync::Notify::new(),
            mqtt: crate::mqtt::Counters::default(),
            demo: std::sync::atomic::AtomicBool::new(false),
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
