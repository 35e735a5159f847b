//! The tables, in each engine's DDL, and the upgrades of databases made by older versions.

use rusqlite::Connection;

use super::{StoreError, row};
use crate::db::Conn;

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
    sensor TEXT NOT NULL, time TEXT NOT NULL, value REAL NOT NULL, seq INTEGER NOT NULL,
    quantity TEXT NOT NULL DEFAULT '');
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
DROP INDEX IF EXISTS alarms_open;
DROP INDEX IF EXISTS alarms_open_by_source;
CREATE INDEX IF NOT EXISTS alarms_open_by_source_rule ON alarms (source, rule) WHERE closed IS NULL;
CREATE TABLE IF NOT EXISTS alarm_steps (
    alarm INTEGER NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL, step TEXT NOT NULL, by_name TEXT,
    note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alarm_steps_by_alarm ON alarm_steps (alarm, seq);
CREATE INDEX IF NOT EXISTS alarm_steps_by_time ON alarm_steps (step, time);
CREATE INDEX IF NOT EXISTS alarm_steps_by_seq ON alarm_steps (seq);
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, record TEXT NOT NULL, secret TEXT, created TEXT NOT NULL,
    by_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    n INTEGER PRIMARY KEY AUTOINCREMENT, subscription INTEGER NOT NULL, seq INTEGER NOT NULL,
    kind TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL, next_at TEXT NOT NULL,
    delivered TEXT, failed TEXT, last_error TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_at) WHERE delivered IS NULL AND failed IS NULL;
CREATE INDEX IF NOT EXISTS outbox_by_subscription ON outbox (subscription, n);
CREATE TABLE IF NOT EXISTS drills (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT,
    enterprise TEXT, user_name TEXT, expires TEXT);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, enterprise TEXT, hash TEXT NOT NULL, created TEXT NOT NULL,
    disabled TEXT);
CREATE TABLE IF NOT EXISTS audit (
    n INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, who TEXT NOT NULL, role TEXT,
    remote TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, status INTEGER NOT NULL,
    detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (time);
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
CREATE TABLE IF NOT EXISTS head_counts (
    incident TEXT NOT NULL, point TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS head_counts_by_incident ON head_counts (incident, point, seq);
CREATE TABLE IF NOT EXISTS plans (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, incident TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_incident ON tasks (incident, id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, incident TEXT NOT NULL, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_incident ON messages (incident, id);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, record TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS device_latest (
    device TEXT NOT NULL, quantity TEXT NOT NULL, time TEXT NOT NULL, value REAL NOT NULL,
    band INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (device, quantity));
CREATE TABLE IF NOT EXISTS rollups (
    device TEXT NOT NULL, quantity TEXT NOT NULL, step TEXT NOT NULL, bucket TEXT NOT NULL,
    n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
    PRIMARY KEY (device, quantity, step, bucket));
";

/// A reading is found by its sensor, quantity (`''`: the first) and time; made after the
/// quantity column, which databases from before devices had many quantities lack.
const OBSERVATIONS_INDEX: &str = "
CREATE INDEX IF NOT EXISTS observations_by_quantity ON observations (sensor, quantity, time);
DROP INDEX IF EXISTS observations_by_sensor;
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
ALTER TABLE observations ADD COLUMN IF NOT EXISTS quantity TEXT COLLATE "C" NOT NULL DEFAULT '';
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
ALTER TABLE alarms ADD COLUMN IF NOT EXISTS cleared TEXT COLLATE "C";
ALTER TABLE alarms ADD COLUMN IF NOT EXISTS life TEXT NOT NULL DEFAULT '{}';
DROP INDEX IF EXISTS alarms_open;
DROP INDEX IF EXISTS alarms_open_by_source;
CREATE INDEX IF NOT EXISTS alarms_open_by_source_rule ON alarms (source, rule) WHERE closed IS NULL;
CREATE TABLE IF NOT EXISTS alarm_steps (
    alarm BIGINT NOT NULL, seq BIGINT NOT NULL, time TEXT COLLATE "C" NOT NULL, step TEXT COLLATE "C" NOT NULL,
    by_name TEXT, note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alarm_steps_by_alarm ON alarm_steps (alarm, seq);
CREATE INDEX IF NOT EXISTS alarm_steps_by_time ON alarm_steps (step, time);
CREATE INDEX IF NOT EXISTS alarm_steps_by_seq ON alarm_steps (seq);
CREATE TABLE IF NOT EXISTS subscriptions (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, record TEXT NOT NULL, secret TEXT,
    created TEXT COLLATE "C" NOT NULL, by_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, subscription BIGINT NOT NULL, seq BIGINT NOT NULL,
    kind TEXT COLLATE "C" NOT NULL, payload TEXT NOT NULL, attempts BIGINT NOT NULL,
    next_at TEXT COLLATE "C" NOT NULL, delivered TEXT COLLATE "C", failed TEXT COLLATE "C", last_error TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_at) WHERE delivered IS NULL AND failed IS NULL;
CREATE INDEX IF NOT EXISTS outbox_by_subscription ON outbox (subscription, n);
CREATE TABLE IF NOT EXISTS drills (n BIGINT PRIMARY KEY, id TEXT COLLATE "C" UNIQUE NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT COLLATE "C" PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL,
    created TEXT COLLATE "C" NOT NULL, revoked TEXT, enterprise TEXT);
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS user_name TEXT COLLATE "C";
ALTER TABLE tokens ADD COLUMN IF NOT EXISTS expires TEXT COLLATE "C";
CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens (user_name) WHERE user_name IS NOT NULL;
CREATE TABLE IF NOT EXISTS users (
    name TEXT COLLATE "C" PRIMARY KEY, role TEXT NOT NULL, enterprise TEXT, hash TEXT NOT NULL,
    created TEXT COLLATE "C" NOT NULL, disabled TEXT);
CREATE TABLE IF NOT EXISTS audit (
    n BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, time TEXT COLLATE "C" NOT NULL,
    who TEXT COLLATE "C" NOT NULL, role TEXT, remote TEXT NOT NULL, action TEXT COLLATE "C" NOT NULL,
    target TEXT NOT NULL, status BIGINT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (time);
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
CREATE TABLE IF NOT EXISTS head_counts (
    incident TEXT COLLATE "C" NOT NULL, point TEXT COLLATE "C" NOT NULL, record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS head_counts_by_incident ON head_counts (incident, point, seq);
CREATE TABLE IF NOT EXISTS plans (id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, incident TEXT COLLATE "C" NOT NULL,
    record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_by_incident ON tasks (incident, id);
CREATE TABLE IF NOT EXISTS messages (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, incident TEXT COLLATE "C" NOT NULL,
    record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_incident ON messages (incident, id);
CREATE TABLE IF NOT EXISTS devices (id TEXT COLLATE "C" PRIMARY KEY, record TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS device_latest (
    device TEXT COLLATE "C" NOT NULL, quantity TEXT COLLATE "C" NOT NULL, time TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL, band BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (device, quantity));
CREATE TABLE IF NOT EXISTS rollups (
    device TEXT COLLATE "C" NOT NULL, quantity TEXT COLLATE "C" NOT NULL, step TEXT COLLATE "C" NOT NULL,
    bucket TEXT COLLATE "C" NOT NULL, n BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL,
    min DOUBLE PRECISION NOT NULL, max DOUBLE PRECISION NOT NULL, PRIMARY KEY (device, quantity, step, bucket));
"#;
/// Creates the SQLite tables that are missing and upgrades a database made by an older
/// version.
pub(super) fn sqlite(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA)?;
    let has_column = |conn: &Connection, table: &str, column: &str| -> Result<bool, StoreError> {
        Ok(conn
            .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
            .exists([table, column])?)
    };
    // Databases made before alarms could be acknowledged get the columns.
    if !has_column(conn, "alarms", "acked_by")? {
        conn.execute_batch(
            "ALTER TABLE alarms ADD COLUMN acked_by TEXT; ALTER TABLE alarms ADD COLUMN acked_at TEXT;",
        )?;
    }
    // Alarms made before their lifecycle: latched alarms' clearing and the rest of it.
    if !has_column(conn, "alarms", "life")? {
        conn.execute_batch(
            "ALTER TABLE alarms ADD COLUMN cleared TEXT; ALTER TABLE alarms ADD COLUMN life TEXT NOT NULL DEFAULT '{}';",
        )?;
    }
    // Logs written before events carried the time they were recorded: the record's own
    // time is the best there is.
    if !has_column(conn, "events", "recorded")? {
        conn.execute_batch(
            "ALTER TABLE events ADD COLUMN recorded TEXT NOT NULL DEFAULT '';
                 UPDATE events SET recorded = time;",
        )?;
    }
    // Tokens made before viewers could be scoped to an enterprise are park-wide.
    if !has_column(conn, "tokens", "enterprise")? {
        conn.execute_batch("ALTER TABLE tokens ADD COLUMN enterprise TEXT;")?;
    }
    // Tokens made before people had accounts are nobody's session and never expire.
    if !has_column(conn, "tokens", "expires")? {
        conn.execute_batch(
            "ALTER TABLE tokens ADD COLUMN user_name TEXT; ALTER TABLE tokens ADD COLUMN expires TEXT;",
        )?;
    }
    conn.execute_batch("CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens (user_name) WHERE user_name IS NOT NULL;")?;
    // Readings stored before devices had many quantities are of their sensor's first.
    if !has_column(conn, "observations", "quantity")? {
        conn.execute_batch("ALTER TABLE observations ADD COLUMN quantity TEXT NOT NULL DEFAULT '';")?;
    }
    conn.execute_batch(OBSERVATIONS_INDEX)?;
    alarm_history_from_before(conn)?;
    index_positions_by_second(
        conn,
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'positions_by_plate'",
    )?;
    Ok(())
}

/// Creates the PostgreSQL tables that are missing and upgrades a database made by an older
/// version.
pub(super) fn postgres(conn: &mut dyn Conn) -> Result<(), StoreError> {
    conn.batch(PG_SCHEMA)?;
    conn.batch(OBSERVATIONS_INDEX)?;
    alarm_history_from_before(conn)?;
    index_positions_by_second(conn, "SELECT 1 FROM pg_indexes WHERE indexname = 'positions_by_plate'")
}

/// Databases made before alarms had a history: each alarm's raising (and closing) becomes its
/// first lines, so that the alarm figures count the alarms raised before the upgrade. Runs
/// while the history is empty (on a new database there are no alarms to copy).
fn alarm_history_from_before(conn: &mut dyn Conn) -> Result<(), StoreError> {
    if row(conn, "SELECT 1 FROM alarm_steps LIMIT 1", &[], |_| Ok(()))?.is_some() {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO alarm_steps (alarm, seq, time, step, by_name, note)
         SELECT id, 0, raised, 'alarm_raised', NULL, 'from before the alarms had a history' FROM alarms",
        &[],
    )?;
    conn.execute(
        "INSERT INTO alarm_steps (alarm, seq, time, step, by_name, note)
         SELECT id, 0, closed, 'alarm_closed', NULL, 'from before the alarms had a history' FROM alarms
         WHERE closed IS NOT NULL",
        &[],
    )?;
    Ok(())
}

/// Databases made when positions were indexed by plate (`positions_by_plate`, which
/// `old_index` finds): each vehicle's latest fix is read through that index once, into
/// `vehicle_latest`, and the index goes. It cost the ingest half its time: every batch
/// wrote a page of it for each of its vehicles (see [`Store::ingest_positions`](super::Store::ingest_positions)).
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
