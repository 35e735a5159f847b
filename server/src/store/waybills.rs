//! Electronic waybills: registered, read, and the one a vehicle holds at a time.

use parktwin_api::kinds::EventKind;
use parktwin_api::model::{IngestReceipt, Waybill};

use super::{Store, StoreError, json_row, json_rows};
use crate::db::{Conn, Tx, args};

impl Store {
    /// The waybill of `plate` valid at `time`: the latest-starting one, if several.
    pub(super) fn active_waybill(conn: &mut dyn Conn, plate: &str, time: &str) -> Result<Option<Waybill>, StoreError> {
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
            last = Self::append_event(&mut tx, now, EventKind::Waybill, &record)?;
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
}
