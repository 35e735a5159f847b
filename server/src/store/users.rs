//! People's accounts: made, listed, disabled and given a new password (by an admin, on the
//! command line or over the API); a sign-in checks a password against its Argon2id hash and
//! opens a session, a token of the `tokens` table that belongs to the account and expires.
//!
//! Passwords are hashed with Argon2id at the `argon2` crate's defaults (19 MiB, 2 passes, one
//! lane: OWASP's Password Storage Cheat Sheet's first Argon2id configuration), each with its
//! own 16-byte salt, stored as the PHC string. Repeated failures for one name slow the answers
//! down and then lock the name for a while ([`SignInGuard`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use parktwin_api::model::{Role, SignedIn, User};

use super::{Store, StoreError, row, rows};
use crate::db::{Conn, Tx, args};

/// How long a session lasts: a shift and its handover.
pub const SESSION_HOURS: i64 = 12;

/// The shortest password taken (NIST SP 800-63B §5.1.1.2 asks at least 8; a park's accounts
/// open its command functions).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The longest account name taken.
pub const MAX_NAME_CHARS: usize = 64;

/// Failures in a row for one name before it is locked.
pub const FAILURES_BEFORE_LOCK: u32 = 5;

/// The first lock's length; each further failure doubles it up to [`MAX_LOCK`].
pub const FIRST_LOCK: Duration = Duration::from_secs(60);

/// The longest lock.
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);

/// What an admin or a person asked that cannot be done, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request itself is wrong (a short password, a role an account cannot have).
    Invalid(String),
    /// It clashes with what is stored (the name is taken, the account is disabled already).
    Conflict(String),
    /// No account has that name.
    NotFound(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Invalid(s) | Refusal::Conflict(s) | Refusal::NotFound(s) => f.write_str(s),
        }
    }
}

/// How a sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The password was right: a session.
    Signed(SignedIn),
    /// Unknown name, wrong password or a disabled account.
    Refused {
        /// Which, said plainly only to whoever knew the password (a disabled account).
        why: String,
        /// How long to wait before answering: it grows with each failure in a row.
        delay: Duration,
    },
    /// Too many failures in a row for this name: none is checked until then.
    Throttled {
        /// How long until the name may try again.
        retry_after: Duration,
    },
}

/// Failures in a row per account name, kept in memory: a restart forgets them, which costs an
/// attacker a restart per lock. Keyed by the name tried, known or not, so that a lock does not
/// say whether the account exists.
#[derive(Debug, Default)]
pub struct SignInGuard {
    names: HashMap<String, Failures>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

/// Names remembered before the ones whose failures are old are forgotten.
const GUARD_NAMES: usize = 10_000;

impl SignInGuard {
    /// How long until `name` may try again, when it is locked now.
    pub fn locked(&self, name: &str, now: Instant) -> Option<Duration> {
        self.names
            .get(name)
            .and_then(|f| f.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Counts a failure for `name`: the delay to answer it after, or the lock it starts.
    pub fn fail(&mut self, name: &str, now: Instant) -> Result<Duration, Duration> {
        if self.names.len() >= GUARD_NAMES {
            self.names
                .retain(|_, f| now.duration_since(f.last) < MAX_LOCK || f.locked_until.is_some_and(|u| u > now));
        }
        let f = self.names.entry(name.to_string()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        f.count += 1;
        f.last = now;
        if f.count >= FAILURES_BEFORE_LOCK {
            let doublings = (f.count - FAILURES_BEFORE_LOCK).min(10);
            let lock = (FIRST_LOCK * 2u32.pow(doublings)).min(MAX_LOCK);
            f.locked_until = Some(now + lock);
            Err(lock)
        } else {
            Ok(Duration::from_millis(250) * f.count)
        }
    }

    /// A right password: the name's failures are forgotten.
    pub fn succeed(&mut self, name: &str) {
        self.names.remove(name);
    }
}

/// A password of 16 random letters and digits, for an account a program makes (the demo's).
pub fn random_password() -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::from_os_rng();
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// The Argon2id hash of a password, as a PHC string with its own random salt.
fn hash_password(password: &str) -> Result<String, StoreError> {
    use rand::{RngCore, SeedableRng};
    let mut salt = [0u8; 16];
    rand_chacha::ChaCha20Rng::from_os_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Column(format!("salt: {e}")))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Column(format!("hashing a password: {e}")))
}

/// Whether `password` is the one `phc` is the hash of.
fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password matches, checked for unknown names so that a sign-in takes as long
/// whether or not the account exists.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

fn check_password(password: &str) -> Result<(), Refusal> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Refusal::Invalid(format!(
            "the password has {n} characters: it needs at least {MIN_PASSWORD_CHARS}"
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), Refusal> {
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS {
        return Err(Refusal::Invalid(format!(
            "an account's name has 1 to {MAX_NAME_CHARS} characters, \"{name}\" has {n}"
        )));
    }
    if name.trim() != name || name.chars().any(char::is_control) {
        return Err(Refusal::Invalid(format!(
            "the name \"{}\" begins or ends with a space or holds a control character",
            name.escape_debug()
        )));
    }
    Ok(())
}

fn now_text() -> String {
    parktwin_api::clock::format_utc(time::OffsetDateTime::now_utc())
}

const USER_COLUMNS: &str = "name, role, enterprise, created, disabled";

fn user_row(r: &dyn crate::db::Row) -> Result<User, StoreError> {
    Ok(User {
        name: r.string(0)?,
        role: super::tokens::stored_role(r.text(1)?)?,
        enterprise: r.opt_string(2)?,
        created: r.string(3)?,
        disabled: r.opt_string(4)?,
    })
}

impl Store {
    /// Makes an account. Viewers and operators may be scoped to an enterprise of the park;
    /// feeds are machines and keep their ingest tokens.
    pub fn create_user(
        &self,
        name: &str,
        role: Role,
        enterprise: Option<&str>,
        password: &str,
    ) -> Result<Result<User, Refusal>, StoreError> {
        if let Err(r) = check_name(name).and_then(|()| check_password(password)) {
            return Ok(Err(r));
        }
        if role == Role::Ingest {
            return Ok(Err(Refusal::Invalid(
                "ingest is a machine feed's role, not a person's: make the feed a token \
                 (parktwin-server token create --role ingest)"
                    .into(),
            )));
        }
        if let Some(e) = enterprise {
            if !matches!(role, Role::Viewer | Role::Operator) {
                return Ok(Err(Refusal::Invalid(
                    "only viewers and operators are scoped to an enterprise: an admin acts for the whole park".into(),
                )));
            }
            if let Err(why) = super::tokens::check_enterprise(self, e, "the account")? {
                return Ok(Err(Refusal::Invalid(why)));
            }
        }
        let hash = hash_password(password)?;
        let user = User {
            name: name.to_string(),
            role,
            enterprise: enterprise.map(str::to_string),
            created: now_text(),
            disabled: None,
        };
        let mut c = self.conn();
        if self.user_in(&mut **c, name)?.is_some() {
            return Ok(Err(Refusal::Conflict(format!(
                "an account named \"{name}\" exists already"
            ))));
        }
        c.execute(
            "INSERT INTO users (name, role, enterprise, hash, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![name, role.as_str(), enterprise, &hash, &user.created],
        )?;
        Ok(Ok(user))
    }

    fn user_in(&self, c: &mut dyn Conn, name: &str) -> Result<Option<User>, StoreError> {
        row(
            c,
            &format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"),
            args![name],
            user_row,
        )
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        rows(
            &mut *self.reader()?,
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"),
            &[],
            user_row,
        )
    }

    /// Disables an account: it cannot sign in, and every session it has ends now.
    pub fn disable_user(&self, name: &str) -> Result<Result<User, Refusal>, StoreError> {
        let mut c = self.conn();
        let Some(user) = self.user_in(&mut **c, name)? else {
            return Ok(Err(no_account(name)));
        };
        if let Some(when) = &user.disabled {
            return Ok(Err(Refusal::Conflict(format!(
                "the account \"{name}\" was disabled at {when}"
            ))));
        }
        let now = now_text();
        let mut tx = Tx::begin(&mut **c)?;
        tx.execute("UPDATE users SET disabled = ?1 WHERE name = ?2", args![&now, name])?;
        end_sessions(&mut tx, name, &now)?;
        tx.commit()?;
        Ok(Ok(User {
            disabled: Some(now),
            ..user
        }))
    }

    /// Gives an account a new password; every session it has ends now.
    pub fn reset_password(&self, name: &str, password: &str) -> Result<Result<User, Refusal>, StoreError> {
        if let Err(r) = check_password(password) {
            return Ok(Err(r));
        }
        let hash = hash_password(password)?;
        let mut c = self.conn();
        let Some(user) = self.user_in(&mut **c, name)? else {
            return Ok(Err(no_account(name)));
        };
        let now = now_text();
        let mut tx = Tx::begin(&mut **c)?;
        tx.execute("UPDATE users SET hash = ?1 WHERE name = ?2", args![&hash, name])?;
        end_sessions(&mut tx, name, &now)?;
        tx.commit()?;
        Ok(Ok(user))
    }

    /// Checks a name and a password; when they are right, opens a session of
    /// [`SESSION_HOURS`]. Repeated failures for a name lock it (see [`SignInGuard`]).
    pub fn sign_in(&self, name: &str, password: &str) -> Result<SignIn, StoreError> {
        let guard = || self.sign_in_guard.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(retry_after) = guard().locked(name, Instant::now()) {
            return Ok(SignIn::Throttled { retry_after });
        }
        // A name no account can have (a control character: PostgreSQL's text cannot even hold
        // a NUL) is unknown without asking the database.
        let found: Option<(User, String)> = match check_name(name) {
            Ok(()) => row(
                &mut *self.reader()?,
                &format!("SELECT {USER_COLUMNS}, hash FROM users WHERE name = ?1"),
                args![name],
                |r| Ok((user_row(r)?, r.string(5)?)),
            )?,
            Err(_) => None,
        };
        let right = verify_password(password, found.as_ref().map_or(decoy_hash(), |(_, h)| h.as_str()));
        let user = match found {
            Some((user, _)) if right && user.disabled.is_none() => user,
            found => {
                let why = match found {
                    Some((u, _)) if right => format!("the account \"{}\" is disabled", u.name),
                    _ => "unknown name or wrong password".to_string(),
                };
                return Ok(match guard().fail(name, Instant::now()) {
                    Ok(delay) => SignIn::Refused { why, delay },
                    Err(retry_after) => SignIn::Throttled { retry_after },
                });
            }
        };
        guard().succeed(name);
        let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
        let expires = parktwin_api::clock::format_utc(expires);
        let token = self.insert_session(&user, &expires)?;
        Ok(SignIn::Signed(SignedIn {
            token,
            role: user.role,
            name: user.name,
            enterprise: user.enterprise,
            expires,
        }))
    }
}

fn no_account(name: &str) -> Refusal {
    Refusal::NotFound(format!("no account is named \"{name}\""))
}

/// Ends every open session of the account `name`.
fn end_sessions(c: &mut dyn Conn, name: &str, now: &str) -> Result<(), StoreError> {
    c.execute(
        "UPDATE tokens SET revoked = ?1 WHERE user_name = ?2 AND revoked IS NULL",
        args![now, name],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_a_row_lock_a_name_and_each_further_one_doubles_the_lock() {
        let mut g = SignInGuard::default();
        let t = Instant::now();
        for n in 1..FAILURES_BEFORE_LOCK {
            assert_eq!(g.fail("ops", t), Ok(Duration::from_millis(250) * n));
            assert_eq!(g.locked("ops", t), None);
        }
        assert_eq!(g.fail("ops", t), Err(FIRST_LOCK));
        assert_eq!(
            g.locked("ops", t + Duration::from_secs(59)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(g.locked("ops", t + FIRST_LOCK), None);
        assert_eq!(g.locked("other", t), None, "another name is not locked");
        assert_eq!(g.fail("ops", t + FIRST_LOCK), Err(FIRST_LOCK * 2));
        for _ in 0..10 {
            let _ = g.fail("ops", t + FIRST_LOCK);
        }
        assert_eq!(g.fail("ops", t + FIRST_LOCK), Err(MAX_LOCK));
        g.succeed("ops");
        assert_eq!(g.locked("ops", t + FIRST_LOCK), None);
        assert_eq!(
            g.fail("ops", t),
            Ok(Duration::from_millis(250)),
            "a success starts the count again"
        );
    }

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse battery").expect("hashes");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert_ne!(
            h,
            hash_password("correct horse battery").expect("hashes"),
            "each hash has its own salt"
        );
        assert!(!verify_password("no account has this password ", decoy_hash()));
    }

    #[test]
    fn names_and_passwords_are_checked_with_the_reason() {
        assert!(check_name("张伟").is_ok());
        assert!(matches!(check_name(" ops"), Err(Refusal::Invalid(_))));
        assert!(matches!(check_name(""), Err(Refusal::Invalid(_))));
        assert!(matches!(check_name("a\u{0}b"), Err(Refusal::Invalid(_))));
        let Err(Refusal::Invalid(why)) = check_password("short") else {
            panic!()
        };
        assert!(why.contains("at least 10"), "{why}");
    }
}
