//! The log as the feed's clients read it: `/events` pages written from blocks of the log
//! rendered once each.
//!
//! Hundreds of map clients poll the same log. When the park is busy every one of them is a
//! page behind, and each page used to be read from the database and written as JSON for each
//! client: 200 clients, 200 times the same work. The log is append-only and its sequence
//! numbers are committed in order (one connection writes), so once the head has passed the end
//! of a block of [`BLOCK`] sequence numbers the block can never change: it is read and
//! rendered once, kept, and a page is cut from the kept blocks by copying bytes. The block
//! at the head, still filling, is read from the database as before.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// Sequence numbers to a block: blocks are `(k·BLOCK, (k+1)·BLOCK]`.
pub(crate) const BLOCK: i64 = 1000;

/// Blocks kept (the one kept longest goes first): 64,000 events, some 20 MB of JSON at the ingest's
/// 300 bytes an event, the last few seconds of a busy park or hours of a quiet one.
const KEPT: usize = 64;

/// One event of a block: its sequence number, its JSON's bytes in the block's text, and what a
/// page filters on.
#[derive(Debug)]
pub(crate) struct Piece {
    pub seq: i64,
    pub json: Range<usize>,
    pub payload: Range<usize>,
    pub channel: Box<str>,
    pub kind: Box<str>,
}

/// An event as a page writes it, its texts as stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventRow<'a> {
    pub seq: i64,
    pub time: &'a str,
    pub recorded: &'a str,
    pub channel: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
}

/// A complete block of the log, each event written as the page writes it.
#[derive(Debug, Default)]
pub(crate) struct Block {
    pub text: Vec<u8>,
    pub pieces: Vec<Piece>,
}

impl Block {
    /// Adds an event, written as [`write_event`] writes it.
    pub fn push(&mut self, e: &EventRow<'_>) -> Result<(), serde_json::Error> {
        let start = self.text.len();
        let payload_at = write_event(&mut self.text, e)?;
        self.pieces.push(Piece {
            seq: e.seq,
            json: start..self.text.len(),
            payload: payload_at,
            channel: e.channel.into(),
            kind: e.kind.into(),
        });
        Ok(())
    }

    /// The payload of `piece` as stored.
    pub fn payload(&self, piece: &Piece) -> &str {
        // Written from a `&str` (see `push`), so a whole character sequence.
        std::str::from_utf8(&self.text[piece.payload.clone()]).unwrap_or_default()
    }
}

/// The kept blocks, by block number.
#[derive(Debug, Default)]
pub(crate) struct Blocks {
    kept: Mutex<Kept>,
}

/// The blocks, and their numbers in the order they were kept.
#[derive(Debug, Default)]
struct Kept {
    blocks: HashMap<i64, Arc<Block>>,
    order: VecDeque<i64>,
}

impl Blocks {
    /// Block `k`, if kept.
    pub fn get(&self, k: i64) -> Option<Arc<Block>> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .blocks
            .get(&k)
            .cloned()
    }

    /// Keeps block `k`, letting the one kept longest go when full.
    pub fn keep(&self, k: i64, block: Arc<Block>) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.blocks.insert(k, block).is_none() {
            kept.order.push_back(k);
        }
        while kept.order.len() > KEPT {
            if let Some(old) = kept.order.pop_front() {
                kept.blocks.remove(&old);
            }
        }
    }
}

/// Writes one event as an [`parktwin_api::model::Event`]'s JSON, its fields in order: the
/// strings escaped, the payload as stored (JSON the store itself wrote: neither parsed nor
/// encoded again). Returns where the payload is in `out`.
pub(crate) fn write_event(out: &mut Vec<u8>, e: &EventRow<'_>) -> Result<Range<usize>, serde_json::Error> {
    out.extend_from_slice(b"{\"seq\":");
    serde_json::to_writer(&mut *out, &e.seq)?;
    for (name, value) in [
        (&b",\"time\":"[..], e.time),
        (b",\"recorded\":", e.recorded),
        (b",\"channel\":", e.channel),
        (b",\"kind\":", e.kind),
    ] {
        out.extend_from_slice(name);
        serde_json::to_writer(&mut *out, value)?;
    }
    out.extend_from_slice(b",\"payload\":");
    let at = out.len();
    out.extend_from_slice(e.payload.as_bytes());
    let payload_at = at..out.len();
    out.push(b'}');
    Ok(payload_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_block_is_served_until_newer_ones_push_it_out() {
        let blocks = Blocks::default();
        for k in 0..KEPT as i64 + 2 {
            blocks.keep(k, Arc::new(Block::default()));
        }
        assert!(blocks.get(0).is_none() && blocks.get(1).is_none());
        assert!(blocks.get(2).is_some() && blocks.get(KEPT as i64 + 1).is_some());
    }

    #[test]
    fn an_event_is_written_as_the_api_reads_it() {
        let mut block = Block::default();
        block
            .push(&EventRow {
                seq: 7,
                time: "2026-11-28T01:00:00.000Z",
                recorded: "2026-11-28T01:00:00.100Z",
                channel: "live",
                kind: "observation",
                payload: r#"{"v":"\"1\""}"#,
            })
            .expect("written");
        let piece = &block.pieces[0];
        let event: parktwin_api::model::Event =
            serde_json::from_slice(&block.text[piece.json.clone()]).expect("an event");
        assert_eq!(
            (event.seq, event.kind.as_str(), event.payload["v"].as_str()),
            (7, "observation", Some("\"1\""))
        );
        assert_eq!(block.payload(piece), r#"{"v":"\"1\""}"#);
    }
}
