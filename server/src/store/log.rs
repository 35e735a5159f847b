//! The event log: appending to it, its pages for the feed (cut from complete blocks, see
//! [`crate::pages`]), its head and the head at a time.

use parktwin_api::kinds::EventKind;
use parktwin_api::model::{Event, EventPage};

use super::{Store, StoreError, row, rows};
use crate::db::{Arg, Conn, args};

/// A page of the log: events after a sequence number, of a channel and of kinds when asked.
/// (An optional argument is cast where it is tested for NULL: PostgreSQL must know its type
/// there, before it meets the column it is compared with.)
const PAGE_QUERY: &str = "SELECT seq, time, channel, kind, payload, recorded FROM events
     WHERE seq > ?1 AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)
       AND (CAST(?4 AS TEXT) IS NULL OR instr(?4, ',' || kind || ',') > 0)
     ORDER BY seq LIMIT ?3";

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

impl Store {
    /// Appends one event inside a transaction and returns its seq.
    pub(crate) fn append_event(
        tx: &mut dyn Conn,
        time: &str,
        kind: EventKind,
        payload: &str,
    ) -> Result<i64, StoreError> {
        Self::append_event_to(tx, "live", time, kind, payload)
    }

    /// Appends an event to a channel of the log (`live`, or a drill's `drill:<id>`).
    pub(crate) fn append_event_to(
        tx: &mut dyn Conn,
        channel: &str,
        time: &str,
        kind: EventKind,
        payload: &str,
    ) -> Result<i64, StoreError> {
        // Never earlier than the event before it (a clock stepped back must not reorder the
        // log's times): a replay finds the log's position at a time by bisection.
        let recorded = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
        row(
            tx,
            "INSERT INTO events (time, channel, kind, payload, recorded)
             VALUES (?1, ?2, ?3, ?4, max(?5, coalesce((SELECT recorded FROM events ORDER BY seq DESC LIMIT 1), '')))
             RETURNING seq",
            args![time, channel, kind.as_str(), payload, &recorded],
            |r| Ok(r.int(0)?),
        )?
        .ok_or_else(|| StoreError::Column("an insert returned no sequence number".into()))
    }

    /// Appends events to a channel, a batch's many in a few statements: their seqs in the
    /// order given (see [`crate::db::insert_rows_numbered`]).
    pub(crate) fn append_events(
        tx: &mut dyn Conn,
        channel: &str,
        events: &[(&str, EventKind, &str)],
    ) -> Result<Vec<i64>, StoreError> {
        let recorded = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
        let args: Vec<Arg> = events
            .iter()
            .flat_map(|(time, kind, payload)| {
                [
                    Arg::Text(time),
                    Arg::Text(channel),
                    Arg::Text(kind.as_str()),
                    Arg::Text(payload),
                    Arg::Text(&recorded),
                ]
            })
            .collect();
        let seqs = crate::db::insert_rows_numbered(
            tx,
            "INSERT INTO events (time, channel, kind, payload, recorded)",
            "(?1, ?2, ?3, ?4, max(?5, coalesce((SELECT recorded FROM events ORDER BY seq DESC LIMIT 1), '')))",
            "seq",
            5,
            &args,
        )?;
        Ok(seqs)
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
                at = (k + 1).saturating_mul(crate::pages::BLOCK);
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
        // Saturating: a `since` near the largest sequence number asks for a block past any head.
        let end = (k + 1).saturating_mul(crate::pages::BLOCK);
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
