//! Tokens: made, listed and revoked (only their hashes are kept), and who a token belongs to.

use parktwin_api::model::Role;

use super::{Store, StoreError, row, rows};
use crate::db::{Conn, args};

/// Hex digits of a token's hash that name it in `token list` and `token revoke`.
pub const TOKEN_ID_LEN: usize = 12;

/// A token as `token list` shows it (never the token itself: only its hash is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// The first [`TOKEN_ID_LEN`] hex digits of its hash.
    pub id: String,
    /// viewer, ingest, operator or admin.
    pub role: String,
    /// Who or what it is for.
    pub name: String,
    /// When it was made.
    pub created: String,
    /// When it was revoked, if it was.
    pub revoked: Option<String>,
    /// The enterprise a viewer token is scoped to, if it is.
    pub enterprise: Option<String>,
}

/// Who a known, unrevoked token belongs to and what it may read.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    /// What it may do.
    pub role: Role,
    /// Who or what it was made for.
    pub name: String,
    /// What it may read: everything, or one enterprise's detail and the shared picture.
    pub access: parktwin_api::scope::Access,
}

/// A role as the database keeps it, read back.
pub(super) fn stored_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(StoreError::Column)
}

/// Whether `enterprise` is an id of the park's enterprises layer: `Err` inside saying why not
/// (no park yet, or no such enterprise, naming some that are), for `what` ("the token").
pub(super) fn check_enterprise(store: &Store, enterprise: &str, what: &str) -> Result<Result<(), String>, StoreError> {
    if !store.is_seeded()? {
        return Ok(Err(format!(
            "the database holds no park yet: start the server once, then make {what}"
        )));
    }
    let index = store.index()?;
    if !index.owners.is_enterprise(enterprise) {
        return Ok(Err(format!(
            "the park has no enterprise \"{enterprise}\" (its ids are those of the enterprises layer, e.g. {})",
            index
                .owners
                .enterprise_ids()
                .into_iter()
                .take(3)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Ok(()))
}

/// SHA-256 of a token, hex: what the database keeps instead of the token.
fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Creates a token for `role` named `name` and returns it: it is shown this once, and only
    /// its SHA-256 is stored.
    pub fn create_token(&self, role: Role, name: &str) -> Result<String, StoreError> {
        self.insert_token(role, name, None)
    }

    /// Creates a viewer token scoped to the enterprise `enterprise` (an id of the park's
    /// `enterprises` layer): it reads that enterprise's detail and the park's shared picture
    /// only (see [`parktwin_api::scope`]). `Err` inside when the park has no such enterprise.
    pub fn create_enterprise_viewer(&self, name: &str, enterprise: &str) -> Result<Result<String, String>, StoreError> {
        if let Err(why) = check_enterprise(self, enterprise, "the token")? {
            return Ok(Err(why));
        }
        self.insert_token(Role::Viewer, name, Some(enterprise)).map(Ok)
    }

    fn insert_token(&self, role: Role, name: &str, enterprise: Option<&str>) -> Result<String, StoreError> {
        self.insert_token_row(role, name, enterprise, None)
    }

    /// Opens a session for an account that signed in: a token that is the account's (so that
    /// disabling it or a new password ends it) and that is refused after `expires`.
    pub(super) fn insert_session(&self, user: &parktwin_api::model::User, expires: &str) -> Result<String, StoreError> {
        self.insert_token_row(user.role, &user.name, user.enterprise.as_deref(), Some(expires))
    }

    fn insert_token_row(
        &self,
        role: Role,
        name: &str,
        enterprise: Option<&str>,
        session_expires: Option<&str>,
    ) -> Result<String, StoreError> {
        use rand::{RngCore, SeedableRng};
        let mut bytes = [0u8; 24];
        rand_chacha::ChaCha20Rng::from_os_rng().fill_bytes(&mut bytes);
        let token = format!("pt_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        self.conn().execute(
            "INSERT INTO tokens (hash, role, name, created, enterprise, user_name, expires) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![
                &token_hash(&token),
                role.as_str(),
                name,
                &parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc()),
                enterprise,
                session_expires.map(|_| name),
                session_expires
            ],
        )?;
        Ok(token)
    }

    /// Ends the session `token`: `Ok(true)` when it was an open session, `Ok(false)` when the
    /// token is not a session (a token made on the command line is revoked there).
    pub fn sign_out(&self, token: &str) -> Result<bool, StoreError> {
        let ended = self.conn().execute(
            "UPDATE tokens SET revoked = ?1 WHERE hash = ?2 AND user_name IS NOT NULL AND revoked IS NULL",
            args![
                &parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc()),
                &token_hash(token)
            ],
        )?;
        Ok(ended > 0)
    }

    /// Every token ever made, oldest first: its id (the first 12 hex digits of its hash, which
    /// is all that is stored), role, name, when it was made and, if it was, revoked. People's
    /// sessions are not listed: `user list` shows their accounts.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        rows(
            &mut self.conn(),
            "SELECT hash, role, name, created, revoked, enterprise FROM tokens WHERE user_name IS NULL \
             ORDER BY created, hash",
            &[],
            |r| {
                Ok(TokenInfo {
                    id: r.text(0)?.chars().take(TOKEN_ID_LEN).collect(),
                    role: r.string(1)?,
                    name: r.string(2)?,
                    created: r.string(3)?,
                    revoked: r.opt_string(4)?,
                    enterprise: r.opt_string(5)?,
                })
            },
        )
    }

    /// Revokes the token whose id (see [`Store::tokens`]) is `id`: from now on it is refused.
    /// `Ok(None)` when no token has that id; `Err` inside when it names more than one (a
    /// prefix too short) or the token was revoked already.
    pub fn revoke_token(&self, id: &str) -> Result<Option<Result<TokenInfo, String>>, StoreError> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() < 6 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Some(Err(format!(
                "\"{id}\" is not a token id (at least 6 hex digits, as `token list` shows)"
            ))));
        }
        let matching: Vec<TokenInfo> = self.tokens()?.into_iter().filter(|t| t.id.starts_with(&id)).collect();
        match matching.as_slice() {
            [] => Ok(None),
            [t] if t.revoked.is_some() => Ok(Some(Err(format!("token {} was revoked already", t.id)))),
            [t] => {
                let now = parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc());
                self.conn().execute(
                    "UPDATE tokens SET revoked = ?1 WHERE substr(hash, 1, ?2) = ?3",
                    args![&now, TOKEN_ID_LEN as i64, &t.id],
                )?;
                Ok(Some(Ok(TokenInfo {
                    revoked: Some(now),
                    ..t.clone()
                })))
            }
            _ => Ok(Some(Err(format!(
                "\"{id}\" names {} tokens: give more digits",
                matching.len()
            )))),
        }
    }

    /// The role and name of a token that is known and not revoked.
    pub fn token_role(&self, token: &str) -> Result<Option<(Role, String)>, StoreError> {
        Ok(self.caller(token)?.map(|c| (c.role, c.name)))
    }

    /// Who a token that is known, not revoked and, for a session, not expired belongs to, and
    /// what it may read. Read on a reader's connection: every read that carries a token asks
    /// this.
    pub fn caller(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        let now_t = time::OffsetDateTime::now_utc();
        let now = parktwin_api::clock::format_utc(now_t);
        let hash = token_hash(token);
        let found: Option<(String, String, Option<String>, Option<String>)> = row(
            &mut *self.reader()?,
            "SELECT role, name, enterprise, expires FROM tokens WHERE hash = ?1 AND revoked IS NULL \
             AND (expires IS NULL OR expires > ?2)",
            args![&hash, &now],
            |r| Ok((r.string(0)?, r.string(1)?, r.opt_string(2)?, r.opt_string(3)?)),
        )?;
        // A session in use goes on: once half of it has passed, it runs a whole session from
        // now (one write per half session, not one per request). One left unused ends.
        let hours = super::users::SESSION_HOURS;
        if let Some((_, _, _, Some(expires))) = &found
            && *expires < parktwin_api::clock::format_utc(now_t + time::Duration::hours(hours / 2))
        {
            self.conn().execute(
                "UPDATE tokens SET expires = ?1 WHERE hash = ?2 AND revoked IS NULL",
                args![
                    &parktwin_api::clock::format_utc(now_t + time::Duration::hours(hours)),
                    &hash
                ],
            )?;
        }
        Ok(match found {
            Some((role, name, enterprise, _)) => Some(Caller {
                role: stored_role(&role)?,
                name,
                access: enterprise.map_or(
                    parktwin_api::scope::Access::Park,
                    parktwin_api::scope::Access::Enterprise,
                ),
            }),
            None => None,
        })
    }
}
