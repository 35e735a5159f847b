//! The audit trail: every write and every sign-in, who made it, when, from where and how the
//! server answered, kept in the database beside what it changed.

use parktwin_api::model::{AuditEntry, Role};

use super::{Store, StoreError, rows};
use crate::db::{Conn, args};

/// What [`Store::audit`] is given: one audit line before it has a number and a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Who (see [`AuditEntry::who`]).
    pub who: String,
    /// Their role, where known.
    pub role: Option<Role>,
    /// Where from.
    pub from: String,
    /// What.
    pub action: String,
    /// On what.
    pub target: String,
    /// The status answered.
    pub status: u16,
    /// What the server said.
    pub detail: String,
}

/// Which lines [`Store::audit_entries`] reads: a period, and optionally one name and one action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// From this time (stored form, inclusive).
    pub from: String,
    /// Up to this time (inclusive).
    pub to: String,
    /// Only this caller's.
    pub who: Option<String>,
    /// Only this action's (`POST`, `user create`, …).
    pub action: Option<String>,
    /// Only lines whose target begins with this (`/api/v1/alarms`).
    pub target: Option<String>,
    /// At most this many, the oldest first.
    pub limit: usize,
}

impl Store {
    /// Records one line of the audit trail, now. A NUL character (which a client may send in
    /// a name it tries, and PostgreSQL's text cannot hold) is kept as `\0`.
    pub fn audit(&self, r: &AuditRecord) -> Result<(), StoreError> {
        let clean = |t: &str| t.replace('\0', "\\0");
        let r = &AuditRecord {
            who: clean(&r.who),
            from: clean(&r.from),
            action: clean(&r.action),
            target: clean(&r.target),
            detail: clean(&r.detail),
            ..r.clone()
        };
        self.conn().execute(
            "INSERT INTO audit (time, who, role, remote, action, target, status, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            args![
                &parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc()),
                &r.who,
                r.role.map(Role::as_str),
                &r.from,
                &r.action,
                &r.target,
                i64::from(r.status),
                &r.detail
            ],
        )?;
        Ok(())
    }

    /// The audit lines a filter asks for, the oldest first.
    pub fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let prefix = f
            .target
            .as_deref()
            .map(|t| format!("{}%", t.replace(['%', '_', '\\'], "")));
        // Only the filters asked for are in the statement: PostgreSQL cannot type a parameter
        // that is only ever compared with NULL.
        let mut sql = String::from(
            "SELECT n, time, who, role, remote, action, target, status, detail FROM audit \
             WHERE time >= ?1 AND time <= ?2",
        );
        let mut args: Vec<crate::db::Arg<'_>> = vec![f.from.as_str().into(), f.to.as_str().into()];
        for (column, op, value) in [
            ("who", "=", f.who.as_deref()),
            ("action", "=", f.action.as_deref()),
            ("target", "LIKE", prefix.as_deref()),
        ] {
            if let Some(v) = value {
                args.push(v.into());
                sql.push_str(&format!(" AND {column} {op} ?{}", args.len()));
            }
        }
        args.push((f.limit.min(i64::MAX as usize) as i64).into());
        sql.push_str(&format!(" ORDER BY n LIMIT ?{}", args.len()));
        rows(&mut *self.reader()?, &sql, &args, |r| {
            Ok(AuditEntry {
                n: r.int(0)? as u64,
                time: r.string(1)?,
                who: r.string(2)?,
                role: r
                    .opt_string(3)?
                    .map(|role| super::tokens::stored_role(&role))
                    .transpose()?,
                from: r.string(4)?,
                action: r.string(5)?,
                target: r.string(6)?,
                status: u16::try_from(r.int(7)?).unwrap_or_default(),
                detail: r.string(8)?,
            })
        })
    }
}
