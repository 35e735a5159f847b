//! The one seam between the store and its database engine.
//!
//! The store's logic (the alarm rules, the log, the incidents' zones) is written once, against
//! [`Conn`]: a connection that runs SQL with positional arguments and hands each row to a
//! callback. Two engines implement it:
//!
//! - **SQLite** (rusqlite), the embedded default: one file in the data folder, nothing to run.
//! - **PostgreSQL** (the `postgres` crate), for a provincial platform that aggregates many parks
//!   on a database server of its own.
//!
//! The seam is at the connection rather than at the store's forty-odd operations so that no
//! rule is written twice: the engines differ in their schema's DDL (each has its own) and in a
//! few spellings, which [`pg_sql`] translates from the SQLite text the store is written in.
//! Every engine keeps its statements compiled per connection.
//!
//! The seam depends on nothing of the crate above it: it speaks [`DbError`], which the store
//! turns into its own error (`From<DbError> for StoreError`).

use std::collections::HashMap;

/// An error of the database engine, or a row that does not hold what was asked of it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite said no.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// PostgreSQL said no.
    #[error("database: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A column held what was not expected.
    #[error("database: {0}")]
    Column(String),
    /// A stored JSON record no longer decodes.
    #[error("stored record does not decode: {0}")]
    Json(#[from] serde_json::Error),
    /// The row callback of [`Conn::each`] stopped the query with an error of its own, which
    /// the caller kept (see the store's `each`).
    #[error("a query was stopped by its row callback")]
    Stopped,
}

/// What PostgreSQL said, with its detail (the client's own text is only "db error").
pub fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

/// An argument of a statement.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'a str),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}
impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s)
    }
}
impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Real(v)
    }
}
impl<'a, T: Into<Arg<'a>>> From<Option<T>> for Arg<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Arg::Null, Into::into)
    }
}

/// The arguments of a statement, each converted with [`Arg::from`].
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$($crate::db::Arg::from($a)),*] };
}
pub(crate) use args;

/// A value of a row, borrowed from it.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(&'a str),
}

/// One row of a result, read by column index.
pub trait Row {
    /// The value of column `i`.
    fn val(&self, i: usize) -> Result<Val<'_>, DbError>;
}

fn wrong(i: usize, want: &str, got: Val<'_>) -> DbError {
    DbError::Column(format!("column {i}: {want} expected, {got:?} found"))
}

impl dyn Row + '_ {
    /// Column `i` as an integer.
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        self.opt_int(i)?.ok_or_else(|| wrong(i, "an integer", Val::Null))
    }
    /// Column `i` as an integer, or `None` for NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.val(i)? {
            Val::Null => Ok(None),
            Val::Int(v) => Ok(Some(v)),
            v => Err(wrong(i, "an integer", v)),
        }
    }
    /// Column `i` as a float.
    pub fn real(&self, i: usize) -> Result<f64, DbError> {
        self.opt_real(i)?.ok_or_else(|| wrong(i, "a number", Val::Null))
    }
    /// Column `i` as a float (an integer is widened), or `None` for NULL.
    pub fn opt_real(&self, i: usize) -> Result<Option<f64>, DbError> {
        match self.val(i)? {
            Val::Null => Ok(None),
            Val::Real(v) => Ok(Some(v)),
            Val::Int(v) => Ok(Some(v as f64)),
            v => Err(wrong(i, "a number", v)),
        }
    }
    /// Column `i` as text, borrowed from the row.
    pub fn text(&self, i: usize) -> Result<&str, DbError> {
        self.opt_text(i)?.ok_or_else(|| wrong(i, "text", Val::Null))
    }
    /// Column `i` as text, or `None` for NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<&str>, DbError> {
        match self.val(i)? {
            Val::Null => Ok(None),
            Val::Text(s) => Ok(Some(s)),
            v => Err(wrong(i, "text", v)),
        }
    }
    /// Column `i` as owned text.
    pub fn string(&self, i: usize) -> Result<String, DbError> {
        self.text(i).map(str::to_string)
    }
    /// Column `i` as owned text, or `None` for NULL.
    pub fn opt_string(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.opt_text(i)?.map(str::to_string))
    }
}

/// The callback [`Conn::each`] hands every row to.
pub type EachRow<'f> = dyn FnMut(&dyn Row) -> Result<(), DbError> + 'f;

/// A connection to the store's database.
pub trait Conn {
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<usize, DbError>;
    /// Runs a query and hands each row to `f`, in order.
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut EachRow<'_>) -> Result<(), DbError>;
    /// Runs statements with no arguments and no results (schema, transaction control).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
    /// Starts a transaction that will write: on SQLite it takes the write lock at once, so that
    /// one that read first cannot fail at its write when another writer committed in between.
    fn begin(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN")
    }
}

/// The most rows one statement of [`each_of_rows`] carries.
pub const MAX_ROWS_A_STATEMENT: usize = 256;

/// `head VALUES row, row, … tail` for `n` rows: `row` is one row's values, its placeholders
/// `?1`…`?width`, numbered on for each row after the first (the second row's `?1` is
/// `?{width + 1}`). Placeholders inside quotes are left alone.
pub fn values_sql(head: &str, row: &str, width: usize, n: usize, tail: &str) -> String {
    let mut out = format!("{head} VALUES ");
    for k in 0..n {
        if k > 0 {
            out.push_str(", ");
        }
        let mut chars = row.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            if c == '\'' {
                quoted = !quoted;
            }
            out.push(c);
            if c == '?' && !quoted {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                match digits.parse::<usize>() {
                    Ok(i) => out.push_str(&(i + k * width).to_string()),
                    Err(_) => out.push_str(&digits),
                }
            }
        }
    }
    if !tail.is_empty() {
        out.push(' ');
        out.push_str(tail);
    }
    out
}

/// The sizes of the statements [`each_of_rows`] cuts `n` rows into: as many of
/// [`MAX_ROWS_A_STATEMENT`] as fit, then the rest as powers of two, largest first, so that a
/// connection compiles at most nine statements of a kind whatever the batches' sizes.
pub fn chunk_sizes(n: usize) -> Vec<usize> {
    let mut sizes = vec![MAX_ROWS_A_STATEMENT; n / MAX_ROWS_A_STATEMENT];
    let rest = n % MAX_ROWS_A_STATEMENT;
    sizes.extend((0..usize::BITS).rev().map(|b| 1 << b).filter(|bit| rest & bit != 0));
    sizes
}

/// Runs a multi-row statement (`head VALUES row, … tail`, see [`values_sql`]) over `args`,
/// `width` to a row, in as few statements as [`chunk_sizes`] allows, and hands each row it
/// returns (a `RETURNING` tail's) to `f`. One statement a chunk instead of one a row: on
/// PostgreSQL each statement is a round trip to the server, and a batch's rows are many.
fn each_of_rows(
    c: &mut dyn Conn,
    head: &str,
    row: &str,
    tail: &str,
    width: usize,
    args: &[Arg<'_>],
    f: &mut EachRow<'_>,
) -> Result<(), DbError> {
    debug_assert_eq!(args.len() % width.max(1), 0, "{head}: whole rows of {width}");
    let mut at = 0;
    for n in chunk_sizes(args.len() / width.max(1)) {
        let sql = values_sql(head, row, width, n, tail);
        c.each(&sql, &args[at..at + n * width], f)?;
        at += n * width;
    }
    Ok(())
}

/// Writes rows many a statement (see [`each_of_rows`]); `tail` may be an `ON CONFLICT` clause.
pub fn write_rows(
    c: &mut dyn Conn,
    head: &str,
    row: &str,
    tail: &str,
    width: usize,
    args: &[Arg<'_>],
) -> Result<(), DbError> {
    each_of_rows(c, head, row, tail, width, args, &mut |_| Ok(()))
}

/// Inserts rows many a statement (see [`each_of_rows`]) and reads back the key the table
/// numbers each with (`key`: its column), in the order the rows were given. The engine numbers
/// rows as it inserts them, in the statement's order, so the keys sorted are the rows' keys
/// whatever order `RETURNING` gives them in; anything but one key a row is an error.
pub fn insert_rows_numbered(
    c: &mut dyn Conn,
    head: &str,
    row: &str,
    key: &str,
    width: usize,
    args: &[Arg<'_>],
) -> Result<Vec<i64>, DbError> {
    let mut keys = Vec::with_capacity(args.len() / width.max(1));
    each_of_rows(c, head, row, &format!("RETURNING {key}"), width, args, &mut |r| {
        keys.push(r.int(0)?);
        Ok(())
    })?;
    keys.sort_unstable();
    if keys.len() * width != args.len() {
        return Err(DbError::Column(format!(
            "{head}: {} rows inserted, {} {key}s returned",
            args.len() / width.max(1),
            keys.len()
        )));
    }
    Ok(keys)
}

/// A transaction on a connection: rolled back when dropped uncommitted (an error returned
/// half-way leaves nothing behind).
pub struct Tx<'a> {
    conn: &'a mut dyn Conn,
    open: bool,
}

impl<'a> Tx<'a> {
    /// Starts a writing transaction.
    pub fn begin(conn: &'a mut dyn Conn) -> Result<Self, DbError> {
        conn.begin()?;
        Ok(Self { conn, open: true })
    }

    /// Commits it.
    pub fn commit(mut self) -> Result<(), DbError> {
        self.open = false;
        self.conn.batch("COMMIT")
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.batch("ROLLBACK")
        {
            tracing::error!("rollback failed: {e}");
        }
    }
}

impl Conn for Tx<'_> {
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<usize, DbError> {
        self.conn.execute(sql, args)
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut EachRow<'_>) -> Result<(), DbError> {
        self.conn.each(sql, args, f)
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.batch(sql)
    }
}

/// A connection the store keeps (and may hand to another thread).
pub type BoxConn = Box<dyn Conn + Send>;

/// The store's connection while its lock is held.
impl Conn for std::sync::MutexGuard<'_, BoxConn> {
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<usize, DbError> {
        (***self).execute(sql, args)
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut EachRow<'_>) -> Result<(), DbError> {
        (***self).each(sql, args, f)
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        (***self).batch(sql)
    }
    fn begin(&mut self) -> Result<(), DbError> {
        (***self).begin()
    }
}

// ---- SQLite ----

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Arg::Null => ValueRef::Null,
            Arg::Int(v) => ValueRef::Integer(v),
            Arg::Real(v) => ValueRef::Real(v),
            Arg::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

impl Row for rusqlite::Row<'_> {
    fn val(&self, i: usize) -> Result<Val<'_>, DbError> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            ValueRef::Real(v) => Val::Real(v),
            ValueRef::Text(t) => {
                Val::Text(std::str::from_utf8(t).map_err(|e| DbError::Column(format!("column {i}: {e}")))?)
            }
            ValueRef::Blob(_) => return Err(DbError::Column(format!("column {i}: a blob"))),
        })
    }
}

impl Conn for rusqlite::Connection {
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<usize, DbError> {
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))?)
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut EachRow<'_>) -> Result<(), DbError> {
        let mut q = self.prepare_cached(sql)?;
        let mut rows = q.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            f(r)?;
        }
        Ok(())
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.execute_batch(sql)?)
    }
    fn begin(&mut self) -> Result<(), DbError> {
        self.batch("BEGIN IMMEDIATE")
    }
}

// ---- PostgreSQL ----

/// The store's SQL, written for SQLite, as PostgreSQL spells it: `?N` placeholders become
/// `$N`, `instr(` becomes `strpos(` (the same arguments, the same answer), the two-argument
/// scalar `max(?N, …)` becomes `greatest(`, `json_each(?N)` (a JSON array's elements, as
/// rows of `value`) becomes `json_array_elements_text`, and `IN (SELECT value FROM json_each(?N))`
/// becomes `= ANY(ARRAY(…))`. The store's SQL keeps to what the two
/// engines share besides these (`ON CONFLICT … excluded`, `RETURNING`, `coalesce`, `substr`).
pub fn pg_sql(sql: &str) -> String {
    let sql = sql.replace("instr(", "strpos(").replace("max(?", "greatest(?");
    // `x IN (SELECT value FROM json_each(?N))`: `x = ANY(ARRAY(…))`, which PostgreSQL looks up
    // in x's index element by element whatever its statistics say. As a semi-join, a table
    // that had grown since it was last analysed was scanned once for each element.
    const IN_JSON: &str = "IN (SELECT value FROM json_each(?";
    let mut sql = sql;
    while let Some(at) = sql.find(IN_JSON) {
        let start = at + IN_JSON.len();
        let end = start + sql[start..].chars().take_while(char::is_ascii_digit).count();
        if end == start || !sql[end..].starts_with("))") {
            break;
        }
        let call = format!(
            "= ANY(ARRAY(SELECT json_array_elements_text(CAST(?{} AS json))))",
            &sql[start..end]
        );
        sql.replace_range(at..end + 2, &call);
    }
    // `json_each(?N)`, the elements of a JSON array passed as text: PostgreSQL's
    // `json_array_elements_text`, which names its column `value` as SQLite's does.
    const JSON_EACH: &str = "json_each(?";
    while let Some(at) = sql.find(JSON_EACH) {
        let start = at + JSON_EACH.len();
        let end = start + sql[start..].chars().take_while(char::is_ascii_digit).count();
        if end == start || !sql[end..].starts_with(')') {
            break;
        }
        let call = format!("json_array_elements_text(CAST(?{} AS json))", &sql[start..end]);
        sql.replace_range(at..=end, &call);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// A PostgreSQL connection with its statements compiled once each.
pub struct Postgres {
    /// Always `Some` until dropped (see `Drop`).
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
}

impl Drop for Postgres {
    /// Closing the connection blocks on the client's runtime too: it must not happen on a tokio
    /// worker thread as is (a reader given back to a full pool is dropped in a handler).
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            off_runtime(move || drop(client));
        }
    }
}

/// Runs `f`, which blocks on the `postgres` crate's own runtime, where that is allowed: a
/// tokio worker thread may not block on another runtime, so there it runs as a blocking
/// section of the worker (or, on a single-threaded runtime, on a thread of its own).
fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| s.spawn(f).join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
        Err(_) => f(),
    }
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://user@host/db` or `host=… dbname=…`).
    pub fn connect(url: &str) -> Result<Self, DbError> {
        let client = off_runtime(|| postgres::Client::connect(url, postgres::NoTls))?;
        Ok(Self {
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    fn client(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("a connection is open until dropped")
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let client = self.client();
        let s = off_runtime(|| client.prepare(&pg_sql(sql)))?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

impl postgres::types::ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        // PostgreSQL infers each parameter's type from where it stands; the value is written
        // as that type.
        match *self {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(v) => match *ty {
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().as_str().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Arg::Real(v) => match *ty {
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Arg::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Row for postgres::Row {
    fn val(&self, i: usize) -> Result<Val<'_>, DbError> {
        use postgres::types::Type;
        let ty = self
            .columns()
            .get(i)
            .ok_or_else(|| DbError::Column(format!("no column {i}")))?
            .type_();
        Ok(match *ty {
            Type::INT8 => self.try_get::<_, Option<i64>>(i)?.map_or(Val::Null, Val::Int),
            Type::INT4 => self
                .try_get::<_, Option<i32>>(i)?
                .map_or(Val::Null, |v| Val::Int(v.into())),
            Type::INT2 => self
                .try_get::<_, Option<i16>>(i)?
                .map_or(Val::Null, |v| Val::Int(v.into())),
            Type::BOOL => self
                .try_get::<_, Option<bool>>(i)?
                .map_or(Val::Null, |v| Val::Int(v.into())),
            Type::FLOAT8 => self.try_get::<_, Option<f64>>(i)?.map_or(Val::Null, Val::Real),
            Type::FLOAT4 => self
                .try_get::<_, Option<f32>>(i)?
                .map_or(Val::Null, |v| Val::Real(v.into())),
            _ => self.try_get::<_, Option<&str>>(i)?.map_or(Val::Null, Val::Text),
        })
    }
}

fn pg_args<'a>(args: &'a [Arg<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect()
}

impl Conn for Postgres {
    fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<usize, DbError> {
        let st = self.statement(sql)?;
        let client = self.client();
        let n = off_runtime(|| client.execute(&st, &pg_args(args)))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
    fn each(&mut self, sql: &str, args: &[Arg<'_>], f: &mut EachRow<'_>) -> Result<(), DbError> {
        let st = self.statement(sql)?;
        let client = self.client();
        let rows = off_runtime(|| client.query(&st, &pg_args(args)))?;
        for r in &rows {
            f(r)?;
        }
        Ok(())
    }
    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        let client = self.client();
        Ok(off_runtime(|| client.batch_execute(sql))?)
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_ROWS_A_STATEMENT, chunk_sizes, pg_sql, values_sql};

    #[test]
    fn rows_of_a_multi_row_statement_number_their_placeholders_on() {
        assert_eq!(
            values_sql("INSERT INTO t (a, b)", "(?1, max(?2, '?1'))", 2, 3, "RETURNING n"),
            "INSERT INTO t (a, b) VALUES (?1, max(?2, '?1')), (?3, max(?4, '?1')), (?5, max(?6, '?1')) RETURNING n"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a)", "(?1)", 1, 1, ""),
            "INSERT INTO t (a) VALUES (?1)"
        );
    }

    #[test]
    fn a_batch_is_cut_into_few_sizes_of_statement() {
        assert_eq!(
            chunk_sizes(600),
            vec![MAX_ROWS_A_STATEMENT, MAX_ROWS_A_STATEMENT, 64, 16, 8]
        );
        assert_eq!(chunk_sizes(1), vec![1]);
        assert!(chunk_sizes(0).is_empty());
        for n in [1, 7, 255, 256, 257, 1000, 10_000] {
            let sizes = chunk_sizes(n);
            assert_eq!(sizes.iter().sum::<usize>(), n, "{n}");
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= MAX_ROWS_A_STATEMENT));
        }
    }

    #[test]
    fn placeholders_and_spellings_become_postgres() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ?1 AND instr(?2, c) > 0 AND d = '?3'"),
            "SELECT a FROM t WHERE b = $1 AND strpos($2, c) > 0 AND d = '?3'"
        );
        assert_eq!(
            pg_sql("VALUES (max(?5, coalesce((SELECT max(x) FROM e), '')))"),
            "VALUES (greatest($5, coalesce((SELECT max(x) FROM e), '')))"
        );
        assert_eq!(
            pg_sql(
                "SELECT value, (SELECT max(t) FROM p WHERE k = value) FROM json_each(?1) WHERE x IN (SELECT value FROM json_each(?12))"
            ),
            "SELECT value, (SELECT max(t) FROM p WHERE k = value) FROM json_array_elements_text(CAST($1 AS json)) \
             WHERE x = ANY(ARRAY(SELECT json_array_elements_text(CAST($12 AS json))))"
        );
    }
}
