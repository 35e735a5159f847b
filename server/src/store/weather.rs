//! Weather reports: the ingest (which moves the open incidents' zones with the wind) and each
//! station's latest report.

use parktwin_api::kinds::EventKind;
use parktwin_api::model::{IngestReceipt, WeatherReport};

use super::{Store, StoreError, json_rows};
use crate::db::{Conn, Tx, args};

impl Store {
    /// Stores a checked batch of weather reports and their events: all or none.
    pub fn ingest_weather(&self, batch: &[WeatherReport]) -> Result<IngestReceipt, StoreError> {
        self.open_zones()?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let mut last = 0;
        for w in batch {
            let record = serde_json::to_string(w)?;
            last = Self::append_event(&mut tx, &w.time, EventKind::Weather, &record)?;
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
}
