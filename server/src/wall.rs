//! The video wall's view, one row: each view sent replaces it and raises its revision, so that
//! every wall knows a new one when it polls.

use parktwin_api::clock::format_utc;
use parktwin_api::wall::{WallRequest, WallView};

use crate::db::{Conn as _, Tx, args};
use crate::store::{Store, StoreError, json_row};

impl Store {
    /// The wall's view: the default (revision 0) until one is sent.
    pub fn wall(&self) -> Result<WallView, StoreError> {
        Ok(json_row(&mut self.conn(), "SELECT record FROM wall WHERE id = 1", &[])?.unwrap_or_default())
    }

    /// Replaces the wall's view (checked by [`WallRequest::parse`]) and returns it with its new
    /// revision.
    pub fn set_wall(&self, view: WallRequest, by: &str) -> Result<WallView, StoreError> {
        let mut conn = self.conn();
        let mut tx = Tx::begin(&mut **conn)?;
        let old: WallView = json_row(&mut tx, "SELECT record FROM wall WHERE id = 1", &[])?.unwrap_or_default();
        let new = WallView {
            rev: old.rev + 1,
            set_at: format_utc(time::OffsetDateTime::now_utc()),
            set_by: by.to_string(),
            view,
        };
        tx.execute(
            "INSERT INTO wall (id, record) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET record = excluded.record",
            args![&serde_json::to_string(&new)?],
        )?;
        tx.commit()?;
        Ok(new)
    }
}
