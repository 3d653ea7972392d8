//! Accounts of the organisations' and staff's portal: signing in with a password (Argon2id)
//! or a one-time link sent by email, server-side sessions, CSRF tokens and the rate limit
//! on sign-in. Follows OWASP ASVS level 1: the same answer for an unknown address and a
//! wrong password, secrets stored only as hashes, sessions that expire when idle and after
//! a fixed time, and an audit row (written by the store) for every change.
//!
//! The pages and the API call these functions; the store keeps the rows, [`crate::mail`]
//! sends what they put in the outbox.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::mail;
use crate::store::accounts::{LinkPurpose, Person, SessionRow, StaffRole};
use crate::store::editing::{now_ms, token_sha256};
use crate::store::{Store, StoreError};

/// A session ends after this long without a request (OWASP: 15–30 minutes for low risk).
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// And this long after sign-in, used or not.
pub const SESSION_ABSOLUTE_MS: i64 = 12 * 3600 * 1000;
/// A sign-in link works once, for this long.
pub const SIGN_IN_LINK_MS: i64 = 20 * 60 * 1000;
/// An invitation or password-reset link works once, for this long.
pub const INVITATION_LINK_MS: i64 = 24 * 3600 * 1000;
/// Failed sign-ins allowed per account, and per client address, within
/// [`retention::FAILURES_MS`](crate::store::accounts::retention::FAILURES_MS).
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// The shortest password taken (ASVS 2.1.1: at least 12 characters).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Argon2id with 64 MiB of memory (RFC 9106's second recommended size; above OWASP's
/// minimum of 19 MiB), 2 passes, 1 lane: about 100 ms per hash on the 2-core machine the
/// tests run on (docs/BENCHMARKS.md), slow for anyone guessing, quick for a person.
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(64 * 1024, 2, 1, None).expect("valid Argon2 parameters"),
    )
}

/// At most this many hashes at once (each takes 64 MiB): a burst of sign-ins queues
/// instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs Argon2 work off the async threads, a bounded number at a time.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let _permit = HASHING
        .acquire()
        .await
        .expect("the semaphore is never closed");
    tokio::task::spawn_blocking(work)
        .await
        .expect("hashing does not panic")
}

/// [`verify_password`] off the async threads.
pub async fn verify_password_async(password: String, hash: String) -> bool {
    hashing(move || verify_password(&password, &hash)).await
}

/// [`hash_password`] off the async threads.
pub async fn hash_password_async(password: String) -> String {
    hashing(move || hash_password(&password)).await
}

/// A password's Argon2id hash as a PHC string (`$argon2id$v=19$m=65536,t=2,p=1$…`), with a
/// random salt. CPU work of about a tenth of a second: in async code, use
/// [`hash_password_async`].
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system gives randomness");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing with valid parameters cannot fail")
        .to_string()
}

/// Whether `password` matches a PHC hash (any Argon2 parameters it names).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A new secret for a cookie, a link or a CSRF token: 32 random bytes, hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a normalised address can be delivered to at all: `local@domain.tld`, 3–254
/// characters, no spaces (RFC 5321's limits; no attempt at the full grammar).
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    (3..=254).contains(&email.len())
        && !local.is_empty()
        && !email.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Email addresses are compared lower-cased and trimmed.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Why a sign-in failed. The message is the same for an unknown address, a wrong password
/// and a disabled account, so that no one learns which addresses have accounts.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the email address or the password is wrong")]
    Refused,
    #[error("too many failed sign-ins; try again in 15 minutes or ask for a sign-in link")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session just begun: the cookie's value (the secret; only its hash is stored) and the
/// CSRF token its forms and scripts send back.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub person_id: i64,
}

/// A session begun from an emailed link (sign-in, invitation, reset) may set a password without
/// the current one for this long.
pub const RESET_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Begins a session for a person; `reset`: begun from an emailed link.
pub async fn begin_session(
    store: &dyn Store,
    person_id: i64,
    reset: bool,
) -> Result<NewSession, StoreError> {
    let cookie = new_secret();
    let csrf = new_secret();
    let now = now_ms();
    store
        .create_session(
            &token_sha256(&cookie),
            person_id,
            &csrf,
            now,
            reset.then_some(now + RESET_WINDOW_MS),
        )
        .await?;
    Ok(NewSession {
        cookie,
        csrf,
        person_id,
    })
}

/// Signs in with a password. `client` is the client's address, for the rate limit.
/// Argon2 runs even for an unknown address, so that timing does not tell either.
pub async fn sign_in(
    store: &dyn Store,
    email: &str,
    password: &str,
    client: &str,
) -> Result<NewSession, SignInError> {
    let email = normalise_email(email);
    // The count, the check and the note of a failure happen while holding one of the two
    // hashing permits, so that a flood of parallel guesses cannot all pass the count
    // before any failure is written. Waiting long for a permit is itself a refusal.
    let _permit = tokio::time::timeout(std::time::Duration::from_secs(10), HASHING.acquire())
        .await
        .map_err(|_| SignInError::RateLimited)?
        .expect("the semaphore is never closed");
    let since = now_ms() - crate::store::accounts::retention::FAILURES_MS;
    let account_key = format!("account:{email}");
    let address_key = format!("address:{client}");
    if store.failures(&account_key, since).await? >= MAX_FAILURES_PER_ACCOUNT
        || store.failures(&address_key, since).await? >= MAX_FAILURES_PER_ADDRESS
    {
        return Err(SignInError::RateLimited);
    }
    let person = store.person_by_email(&email).await?;
    let hash = person
        .as_ref()
        .and_then(|p| p.password_hash.clone())
        // A hash of nothing anyone can type: the work is done, and it never matches.
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match person {
        Some(p) if matches && !p.disabled => Ok(begin_session(store, p.id, false).await?),
        _ => {
            store
                .note_failure(&[account_key, address_key], now_ms())
                .await?;
            Err(SignInError::Refused)
        }
    }
}

/// An Argon2id hash of a random string nobody knows, for unknown addresses.
/// Same parameters as [`argon2`], so that checking it takes as long as a real one.
const DUMMY_HASH: &str = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2oGDozVqcvYSWv7cTF/tFS6pL2UTO8c5HhDQ9ePB2wE";

/// Sign-in links sent to one address within
/// [`FAILURES_MS`](crate::store::accounts::retention::FAILURES_MS), at most.
pub const MAX_LINKS_PER_ADDRESS: i64 = 3;

/// Sends a one-time sign-in link to an address if it has an account and has not had
/// [`MAX_LINKS_PER_ADDRESS`] lately; says nothing either way (the caller answers the same
/// to everyone, before this runs). `base` is the service's public origin.
pub async fn send_sign_in_link(
    store: &dyn Store,
    email: &str,
    base: &str,
) -> Result<(), StoreError> {
    let email = normalise_email(email);
    // Noted first, then counted with this one: requests at the same moment may all stay
    // silent, but never more than the limit get a link.
    let key = format!("link:{email}");
    let since = now_ms() - crate::store::accounts::retention::FAILURES_MS;
    store
        .note_failure(std::slice::from_ref(&key), now_ms())
        .await?;
    if store.failures(&key, since).await? > MAX_LINKS_PER_ADDRESS {
        return Ok(());
    }
    let Some(person) = store.person_by_email(&email).await? else {
        return Ok(());
    };
    if person.disabled {
        return Ok(());
    }
    let link = new_link(store, &person, LinkPurpose::SignIn, base).await?;
    store
        .enqueue_mail(&mail::sign_in_link(&person, &link), now_ms())
        .await?;
    Ok(())
}

/// Makes a one-time link for a person and returns its URL (`{base}/auth/link/{secret}`).
pub async fn new_link(
    store: &dyn Store,
    person: &Person,
    purpose: LinkPurpose,
    base: &str,
) -> Result<String, StoreError> {
    let secret = new_secret();
    let now = now_ms();
    let lifetime = match purpose {
        LinkPurpose::SignIn => SIGN_IN_LINK_MS,
        LinkPurpose::Invitation | LinkPurpose::PasswordReset => INVITATION_LINK_MS,
    };
    store
        .create_link(
            &token_sha256(&secret),
            person.id,
            purpose,
            now,
            now + lifetime,
        )
        .await?;
    Ok(format!("{}/auth/link/{secret}", base.trim_end_matches('/')))
}

/// Uses a one-time link: a new session for its person, what the link was for, and whether
/// the person has to choose a password now (a reset, or an invitation to someone without
/// one). Opening an invitation accepts the memberships waiting for the person: that is
/// their consent. `None`: unknown, used or expired.
pub async fn open_link(
    store: &dyn Store,
    secret: &str,
) -> Result<Option<(NewSession, LinkPurpose, bool)>, StoreError> {
    let Some((person_id, purpose)) = store.use_link(&token_sha256(secret), now_ms()).await? else {
        return Ok(None);
    };
    match store.person(person_id).await? {
        Some(p) if !p.disabled => {
            let choose_password = match purpose {
                LinkPurpose::SignIn => false,
                LinkPurpose::PasswordReset => true,
                LinkPurpose::Invitation => p.password_hash.is_none(),
            };
            if purpose == LinkPurpose::Invitation {
                store.accept_memberships(person_id).await?;
            }
            // Any emailed link proves the address, as a reset link would: for a while the
            // session may choose a new password without the forgotten one.
            Ok(Some((
                begin_session(store, person_id, true).await?,
                purpose,
                choose_password,
            )))
        }
        _ => Ok(None),
    }
}

/// The person behind a session cookie, with the session, if it is valid now.
pub async fn session_person(
    store: &dyn Store,
    cookie: &str,
) -> Result<Option<(Person, SessionRow)>, StoreError> {
    let Some(session) = store
        .session(
            &token_sha256(cookie),
            now_ms(),
            SESSION_IDLE_MS,
            SESSION_ABSOLUTE_MS,
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(store
        .person(session.person_id)
        .await?
        .filter(|p| !p.disabled)
        .map(|p| (p, session)))
}

/// Whether a password may be set: long enough, not only spaces. The reason when not.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.chars().count() > 256 {
        return Err("a password may have at most 256 characters".into());
    }
    if password.trim().is_empty() {
        return Err("a password cannot be only spaces".into());
    }
    Ok(())
}

/// Makes a staff account (the first admin: `naermiljo admin create`) and puts an
/// invitation in the outbox. Returns the person's id and the invitation link, or `None`
/// when the address has an account already.
pub async fn create_staff(
    store: &dyn Store,
    email: &str,
    name: &str,
    role: StaffRole,
    lang: &str,
    base: &str,
    by: Option<i64>,
) -> Result<Option<(i64, String)>, StoreError> {
    let email = normalise_email(email);
    let Some(id) = store
        .create_person(&email, name.trim(), Some(role), lang, by)
        .await?
    else {
        return Ok(None);
    };
    let person = store.person(id).await?.ok_or_else(|| StoreError::Corrupt {
        table: "people",
        id,
        reason: "missing right after it was made".into(),
    })?;
    let link = new_link(store, &person, LinkPurpose::Invitation, base).await?;
    let inviter = match by {
        Some(id) => store.person(id).await?.map(|p| p.name),
        None => None,
    };
    store
        .enqueue_mail(
            &mail::invitation(&person, None, inviter.as_deref(), &link),
            now_ms(),
        )
        .await?;
    Ok(Some((id, link)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery staple");
        assert!(
            hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("correct horse battery stapl", &hash));
        assert!(!verify_password("anything", "not a hash"));
        // Two hashes of one password differ (random salt).
        assert_ne!(hash, hash_password("correct horse battery staple"));
    }

    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash_that_matches_nothing_typed() {
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
        let real = hash_password("x");
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!(
            dummy.params, real.params,
            "checked with the same cost as a real hash"
        );
        assert!(!verify_password("", DUMMY_HASH));
        assert!(!verify_password("password", DUMMY_HASH));
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("            ").is_err());
        assert!(check_new_password("tolv tegn ok").is_ok());
    }
}
