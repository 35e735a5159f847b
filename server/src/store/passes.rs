//! Gate passes: the ingest with the waybill rule, and the passes of a time window.

use parktwin_api::alarms::{AtTheGate, waybill_rule};
use parktwin_api::kinds::{AlarmRule, EventKind};
use parktwin_api::model::{GatePass, IngestReceipt, PassDirection};

use super::{Store, StoreError, rows};
use crate::db::{Conn, Tx, args};

impl Store {
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
            last = Self::append_event(&mut tx, &p.time, EventKind::Pass, &text)?;
            tx.execute(
                "INSERT INTO passes (gate, time, plate, record, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![gate, &p.time, &p.plate, &text, last],
            )?;
            // A hazmat truck coming in needs a registered waybill valid now, and the one it
            // shows (if it shows a number) must be that one.
            let pass = if p.direction == PassDirection::Out {
                AtTheGate::Out
            } else if p.hazmat
                && Self::active_waybill(&mut tx, &p.plate, &p.time)?
                    .is_none_or(|w| p.waybill.as_ref().is_some_and(|shown| *shown != w.id))
            {
                AtTheGate::InWithoutWaybill
            } else {
                AtTheGate::Other
            };
            if let Some(seq) = Self::apply_rule(
                &mut tx,
                AlarmRule::HazmatWithoutWaybill,
                &p.plate,
                &p.time,
                p.tonnes.unwrap_or(0.0),
                |open| waybill_rule(open, pass),
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
}
