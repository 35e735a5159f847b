//! People counted at the assembly points during an incident: each report an event of the log
//! (`head_count`) and a row; the latest count per point is what stands.

use parktwin_api::kinds::EventKind;
use parktwin_api::response::{HeadCount, NewHeadCount};

use crate::db::{Conn, Tx, args};
use crate::store::{Store, StoreError, json_rows};

/// Why a count is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountRefused {
    /// No such incident.
    UnknownIncident,
    /// No such assembly point (its words).
    UnknownPoint(String),
}

impl Store {
    /// Records a count at an assembly point of the incident `id`, by `by` at `at`.
    pub fn report_head_count(
        &self,
        id: &str,
        c: &NewHeadCount,
        by: &str,
        at: &str,
    ) -> Result<Result<HeadCount, CountRefused>, StoreError> {
        if self.incident(id)?.is_none() {
            return Ok(Err(CountRefused::UnknownIncident));
        }
        let points = crate::resources::features(self)?;
        if !points
            .iter()
            .any(|(fid, p, _)| *fid == c.point && p["kind"] == "shelter")
        {
            return Ok(Err(CountRefused::UnknownPoint(format!(
                "point: \"{}\" is not one of the park's assembly points (a shelter of the emergency_resources layer)",
                c.point
            ))));
        }
        let count = HeadCount {
            incident: id.to_string(),
            point: c.point.clone(),
            count: c.count,
            by: by.to_string(),
            time: at.to_string(),
        };
        let record = serde_json::to_string(&count)?;
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let seq = Self::append_event(&mut tx, at, EventKind::HeadCount, &record)?;
        tx.execute(
            "INSERT INTO head_counts (incident, point, record, seq) VALUES (?1, ?2, ?3, ?4)",
            args![id, &c.point, &record, seq],
        )?;
        tx.commit()?;
        Ok(Ok(count))
    }

    /// The latest count at each assembly point of the incident `id` (by point); `None` for an
    /// unknown incident.
    pub fn head_counts(&self, id: &str) -> Result<Option<Vec<HeadCount>>, StoreError> {
        if self.incident(id)?.is_none() {
            return Ok(None);
        }
        let mut conn = self.conn();
        Ok(Some(json_rows(
            &mut conn,
            "SELECT record FROM head_counts h WHERE incident = ?1
             AND seq = (SELECT max(seq) FROM head_counts g WHERE g.incident = h.incident AND g.point = h.point)
             ORDER BY point",
            args![id],
        )?))
    }
}
