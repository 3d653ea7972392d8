//! People, memberships, sessions, one-time links, failed sign-ins and the email outbox: the
//! store's half of the portal's accounts (issue 14). The SQL is the same on both stores but
//! for JSON casts; `accounts_impl!` writes it once. Secrets are stored as SHA-256 (sessions,
//! links) or Argon2id (passwords), never as they are. Every change to a person, a membership
//! or a session writes an audit row with the person who made it.

use serde::Serialize;

use super::StoreError;

/// A municipal staff role, beside any organisation memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    /// Answers residents' proposals and checks content.
    Moderator,
    /// Everything, organisations and people included.
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Moderator => "moderator",
            StaffRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        match s {
            "moderator" => Some(StaffRole::Moderator),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }
}

/// A person's role in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Keeps the organisation's activities and volunteer needs.
    Editor,
    /// An editor who also invites members and keeps the organisation's profile.
    OrgAdmin,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Editor => "editor",
            OrgRole::OrgAdmin => "org_admin",
        }
    }

    pub fn parse(s: &str) -> Option<OrgRole> {
        match s {
            "editor" => Some(OrgRole::Editor),
            "org_admin" => Some(OrgRole::OrgAdmin),
            _ => None,
        }
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    /// Argon2id, PHC string; `None` until the person sets one (sign-in by link works).
    pub password_hash: Option<String>,
    pub staff_role: Option<StaffRole>,
    /// `nb` or `en`: the language of the emails the person gets.
    pub lang: String,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub person: Person,
    pub role: OrgRole,
    /// Invited and not yet accepted: not yet a member in any check.
    pub pending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub org_id: i64,
    pub role: OrgRole,
}

/// A session as stored: whose, its CSRF token, when it began and was last used (Unix ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub person_id: i64,
    pub csrf: String,
    pub created_ms: i64,
    pub seen_ms: i64,
    /// Until when the session may set a password without giving the current one.
    pub reset_until_ms: Option<i64>,
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    SignIn,
    Invitation,
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SignIn => "sign_in",
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password_reset",
        }
    }

    pub fn parse(s: &str) -> Option<LinkPurpose> {
        match s {
            "sign_in" => Some(LinkPurpose::SignIn),
            "invitation" => Some(LinkPurpose::Invitation),
            "password_reset" => Some(LinkPurpose::PasswordReset),
            _ => None,
        }
    }
}

/// An email to send: it goes to the outbox first, and a worker sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    pub recipient: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// What it is (`sign_in`, `invitation`, …), for staff reading the outbox.
    pub kind: String,
}

/// An email in the outbox and how its sending went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
    /// `queued` or `sent`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub last_error: Option<String>,
    pub created_ms: i64,
    pub sent_ms: Option<i64>,
}

/// How long what the accounts keep is kept (Unix ms durations); the purge uses them.
pub mod retention {
    /// Failed sign-ins count towards the rate limit for this long.
    pub const FAILURES_MS: i64 = 15 * 60 * 1000;
    /// Sent email (recipient, subject and state; the body is emptied once sent) is kept
    /// for staff to see, then deleted.
    pub const SENT_MAIL_MS: i64 = 30 * 24 * 3600 * 1000;
    /// Email never sent (no relay) is deleted after this long: its links expired long ago.
    pub const UNSENT_MAIL_MS: i64 = 7 * 24 * 3600 * 1000;
}

/// The accounts half of a store (a supertrait of [`super::Store`]).
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    /// Adds a person; `None` when the email has an account already. `by` is the person
    /// who did it (`None`: the command line).
    async fn create_person(
        &self,
        email: &str,
        name: &str,
        staff_role: Option<StaffRole>,
        lang: &str,
        by: Option<i64>,
    ) -> Result<Option<i64>, StoreError>;

    async fn person(&self, id: i64) -> Result<Option<Person>, StoreError>;

    async fn person_by_email(&self, email: &str) -> Result<Option<Person>, StoreError>;

    /// Everyone with an account, by name.
    async fn people(&self) -> Result<Vec<Person>, StoreError>;

    /// Changes a person's staff role and whether the account is disabled (`None`: left
    /// as it is); disabling also ends their sessions. `false` when there is no such person.
    async fn update_person(
        &self,
        person_id: i64,
        staff_role: Option<Option<StaffRole>>,
        disabled: Option<bool>,
        by: Option<i64>,
    ) -> Result<bool, StoreError>;

    /// Sets a person's password hash (Argon2id PHC string).
    async fn set_password(
        &self,
        person_id: i64,
        hash: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Makes a person a member of an organisation, or changes the role they have there.
    async fn set_membership(
        &self,
        person_id: i64,
        org_id: i64,
        role: OrgRole,
        by: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Invites a person to an organisation: a membership that counts only once they
    /// accept it by opening the invitation link ([`Accounts::accept_memberships`]). When
    /// they are a member already, only the role changes.
    async fn invite_membership(
        &self,
        person_id: i64,
        org_id: i64,
        role: OrgRole,
        by: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Accepts every invitation waiting for the person; how many there were.
    async fn accept_memberships(&self, person_id: i64) -> Result<u64, StoreError>;

    /// Ends a membership (accepted or waiting); `false` when there was none.
    async fn remove_membership(
        &self,
        person_id: i64,
        org_id: i64,
        by: Option<i64>,
    ) -> Result<bool, StoreError>;

    /// The organisations a person is an accepted member of.
    async fn memberships(&self, person_id: i64) -> Result<Vec<Membership>, StoreError>;

    /// An organisation's members with their roles, by name; those invited and not yet
    /// accepted too, marked `pending`.
    async fn members(&self, org_id: i64) -> Result<Vec<Member>, StoreError>;

    /// Stores a new session (its cookie's SHA-256) for a person; `reset_until_ms`: until
    /// when it may set a password without the current one.
    async fn create_session(
        &self,
        sha256: &str,
        person_id: i64,
        csrf: &str,
        now_ms: i64,
        reset_until_ms: Option<i64>,
    ) -> Result<(), StoreError>;

    /// The session behind a cookie's SHA-256 if it is still valid at `now_ms` (used within
    /// `idle_ms`, begun within `absolute_ms`); marks it used. An expired one is deleted.
    async fn session(
        &self,
        sha256: &str,
        now_ms: i64,
        idle_ms: i64,
        absolute_ms: i64,
    ) -> Result<Option<SessionRow>, StoreError>;

    /// Ends one session; `false` when there was none.
    async fn end_session(&self, sha256: &str) -> Result<bool, StoreError>;

    /// Ends every session of a person ("sign out everywhere") but `keep` (a cookie's
    /// SHA-256); how many were ended.
    async fn end_sessions_of(&self, person_id: i64, keep: Option<&str>) -> Result<u64, StoreError>;

    /// Stores a one-time link (its token's SHA-256).
    async fn create_link(
        &self,
        sha256: &str,
        person_id: i64,
        purpose: LinkPurpose,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError>;

    /// Uses a one-time link: its person and purpose when it exists, is unused and has not
    /// expired; it cannot be used again.
    async fn use_link(
        &self,
        sha256: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, LinkPurpose)>, StoreError>;

    /// Counts a failed sign-in against each key (an account, an address).
    async fn note_failure(&self, keys: &[String], now_ms: i64) -> Result<(), StoreError>;

    /// Failed sign-ins against `key` since `since_ms`.
    async fn failures(&self, key: &str, since_ms: i64) -> Result<i64, StoreError>;

    /// Claims the one reminder a volunteer need gets before it expires: `true` for the
    /// first caller only (so one instance of several sends it).
    async fn claim_reminder(&self, need_id: i64, now_ms: i64) -> Result<bool, StoreError>;

    /// Puts an email in the outbox, to be sent at once.
    async fn enqueue_mail(&self, mail: &NewMail, now_ms: i64) -> Result<i64, StoreError>;

    /// Queued emails due at `now_ms`, oldest first.
    async fn due_mail(&self, now_ms: i64, limit: i64) -> Result<Vec<MailRow>, StoreError>;

    async fn mail_sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;

    /// A failed attempt: counted, with its error, tried again at `next_attempt_ms`.
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_ms: i64,
    ) -> Result<(), StoreError>;

    /// The newest emails first, queued and sent.
    async fn outbox(&self, limit: i64) -> Result<Vec<MailRow>, StoreError>;

    /// Deletes what is kept no longer: sessions past their expiry, used or expired links,
    /// old failed sign-ins and sent email past [`retention`]. Returns how many rows.
    async fn purge_accounts(
        &self,
        now_ms: i64,
        idle_ms: i64,
        absolute_ms: i64,
    ) -> Result<u64, StoreError>;
}

/// `impl Accounts` for a backend; `$json` casts a text parameter to the JSON column type;
/// `$begin_write`: how a write transaction begins.
macro_rules! accounts_impl {
    ($store:ty, $json:literal, $begin_write:literal) => {
        #[async_trait::async_trait]
        impl crate::store::accounts::Accounts for $store {
            async fn create_person(
                &self,
                email: &str,
                name: &str,
                staff_role: Option<crate::store::accounts::StaffRole>,
                lang: &str,
                by: Option<i64>,
            ) -> Result<Option<i64>, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO people (email, name, staff_role, lang, created_ms)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
                )
                .bind(email)
                .bind(name)
                .bind(staff_role.map(|r| r.as_str()))
                .bind(lang)
                .bind(crate::store::editing::now_ms())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = id {
                    let after = serde_json::json!({
                        "email": email, "name": name,
                        "staff_role": staff_role.map(|r| r.as_str()), "lang": lang,
                    });
                    crate::store::editing::audit!(tx, $json, by, "create", "people", id, None, Some(after));
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn person(
                &self,
                id: i64,
            ) -> Result<Option<crate::store::accounts::Person>, StoreError> {
                crate::store::accounts::person_where!(self, "id = $1", id)
            }

            async fn person_by_email(
                &self,
                email: &str,
            ) -> Result<Option<crate::store::accounts::Person>, StoreError> {
                crate::store::accounts::person_where!(self, "email = $1", email)
            }

            async fn people(&self) -> Result<Vec<crate::store::accounts::Person>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, email, name, password_hash, staff_role, lang, disabled_ms FROM people ORDER BY name, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(crate::store::accounts::person_of).collect()
            }

            async fn update_person(
                &self,
                person_id: i64,
                staff_role: Option<Option<crate::store::accounts::StaffRole>>,
                disabled: Option<bool>,
                by: Option<i64>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let row = sqlx::query("SELECT staff_role, disabled_ms FROM people WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(row) = row else { return Ok(false) };
                let old_role: Option<String> = row.try_get("staff_role")?;
                let old_disabled = row.try_get::<Option<i64>, _>("disabled_ms")?.is_some();
                let role = staff_role.map_or(old_role.clone(), |r| r.map(|r| r.as_str().to_string()));
                let now_disabled = disabled.unwrap_or(old_disabled);
                sqlx::query(
                    "UPDATE people SET staff_role = $1,
                        disabled_ms = CASE WHEN $2 THEN COALESCE(disabled_ms, $3) ELSE NULL END
                     WHERE id = $4",
                )
                .bind(&role)
                .bind(now_disabled)
                .bind(crate::store::editing::now_ms())
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
                if now_disabled {
                    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                }
                let before = serde_json::json!({ "staff_role": old_role, "disabled": old_disabled });
                let after = serde_json::json!({ "staff_role": role, "disabled": now_disabled });
                crate::store::editing::audit!(tx, $json, by, "replace", "people", person_id, Some(before), Some(after));
                tx.commit().await?;
                Ok(true)
            }

            async fn set_password(
                &self,
                person_id: i64,
                hash: &str,
                by: Option<i64>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(person_id)
                    .execute(&mut *tx)
                    .await?;
                let after = serde_json::json!({ "password": "set" });
                crate::store::editing::audit!(tx, $json, by, "replace", "people", person_id, None, Some(after));
                tx.commit().await?;
                Ok(())
            }

            async fn set_membership(
                &self,
                person_id: i64,
                org_id: i64,
                role: crate::store::accounts::OrgRole,
                by: Option<i64>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                sqlx::query(
                    "INSERT INTO memberships (person_id, org_id, role, created_ms, accepted_ms) VALUES ($1, $2, $3, $4, $4)
                     ON CONFLICT (person_id, org_id) DO UPDATE SET role = excluded.role",
                )
                .bind(person_id)
                .bind(org_id)
                .bind(role.as_str())
                .bind(crate::store::editing::now_ms())
                .execute(&mut *tx)
                .await?;
                let after = serde_json::json!({ "person_id": person_id, "org_id": org_id, "role": role.as_str() });
                crate::store::editing::audit!(tx, $json, by, "create", "memberships", person_id, None, Some(after), org: Some(org_id));
                tx.commit().await?;
                Ok(())
            }

            async fn invite_membership(
                &self,
                person_id: i64,
                org_id: i64,
                role: crate::store::accounts::OrgRole,
                by: Option<i64>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                sqlx::query(
                    "INSERT INTO memberships (person_id, org_id, role, created_ms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (person_id, org_id) DO UPDATE SET role = excluded.role",
                )
                .bind(person_id)
                .bind(org_id)
                .bind(role.as_str())
                .bind(crate::store::editing::now_ms())
                .execute(&mut *tx)
                .await?;
                let after = serde_json::json!({ "person_id": person_id, "org_id": org_id, "role": role.as_str(), "invited": true });
                crate::store::editing::audit!(tx, $json, by, "create", "memberships", person_id, None, Some(after), org: Some(org_id));
                tx.commit().await?;
                Ok(())
            }

            async fn accept_memberships(&self, person_id: i64) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let orgs: Vec<i64> = sqlx::query_scalar(
                    "UPDATE memberships SET accepted_ms = $1 WHERE person_id = $2 AND accepted_ms IS NULL
                     RETURNING org_id",
                )
                .bind(crate::store::editing::now_ms())
                .bind(person_id)
                .fetch_all(&mut *tx)
                .await?;
                for org_id in &orgs {
                    let after = serde_json::json!({ "person_id": person_id, "org_id": org_id, "accepted": true });
                    crate::store::editing::audit!(tx, $json, Some(person_id), "replace", "memberships", person_id, None, Some(after), org: Some(*org_id));
                }
                tx.commit().await?;
                Ok(orgs.len() as u64)
            }

            async fn remove_membership(
                &self,
                person_id: i64,
                org_id: i64,
                by: Option<i64>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let role: Option<String> = sqlx::query_scalar(
                    "DELETE FROM memberships WHERE person_id = $1 AND org_id = $2 RETURNING role",
                )
                .bind(person_id)
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(role) = role else {
                    return Ok(false);
                };
                let before = serde_json::json!({ "person_id": person_id, "org_id": org_id, "role": role });
                crate::store::editing::audit!(tx, $json, by, "delete", "memberships", person_id, Some(before), None, org: Some(org_id));
                tx.commit().await?;
                Ok(true)
            }

            async fn memberships(
                &self,
                person_id: i64,
            ) -> Result<Vec<crate::store::accounts::Membership>, StoreError> {
                let rows = sqlx::query(
                    "SELECT org_id, role FROM memberships WHERE person_id = $1 AND accepted_ms IS NOT NULL
                     ORDER BY org_id",
                )
                .bind(person_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let org_id: i64 = r.try_get("org_id")?;
                        let role: String = r.try_get("role")?;
                        Ok(crate::store::accounts::Membership {
                            org_id,
                            role: crate::store::accounts::org_role(&role, person_id)?,
                        })
                    })
                    .collect()
            }

            async fn members(
                &self,
                org_id: i64,
            ) -> Result<Vec<crate::store::accounts::Member>, StoreError> {
                let rows = sqlx::query(
                    "SELECT p.id, p.email, p.name, p.password_hash, p.staff_role, p.lang, p.disabled_ms, m.role,
                            m.accepted_ms
                     FROM memberships m JOIN people p ON p.id = m.person_id
                     WHERE m.org_id = $1 ORDER BY p.name, p.id",
                )
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let person = crate::store::accounts::person_of(r)?;
                        let role: String = r.try_get("role")?;
                        let role = crate::store::accounts::org_role(&role, person.id)?;
                        let pending = r.try_get::<Option<i64>, _>("accepted_ms")?.is_none();
                        Ok(crate::store::accounts::Member { person, role, pending })
                    })
                    .collect()
            }

            async fn create_session(
                &self,
                sha256: &str,
                person_id: i64,
                csrf: &str,
                now_ms: i64,
                reset_until_ms: Option<i64>,
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                sqlx::query(
                    "INSERT INTO sessions (sha256, person_id, csrf, created_ms, seen_ms, reset_until_ms)
                     VALUES ($1, $2, $3, $4, $4, $5)",
                )
                .bind(sha256)
                .bind(person_id)
                .bind(csrf)
                .bind(now_ms)
                .bind(reset_until_ms)
                .execute(&mut *tx)
                .await?;
                crate::store::editing::audit!(tx, $json, Some(person_id), "create", "sessions", person_id, None, None);
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                sha256: &str,
                now_ms: i64,
                idle_ms: i64,
                absolute_ms: i64,
            ) -> Result<Option<crate::store::accounts::SessionRow>, StoreError> {
                let row = sqlx::query(
                    "SELECT person_id, csrf, created_ms, seen_ms, reset_until_ms FROM sessions WHERE sha256 = $1",
                )
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok(None) };
                let s = crate::store::accounts::SessionRow {
                    person_id: r.try_get("person_id")?,
                    csrf: r.try_get("csrf")?,
                    created_ms: r.try_get("created_ms")?,
                    seen_ms: r.try_get("seen_ms")?,
                    reset_until_ms: r.try_get("reset_until_ms")?,
                };
                if now_ms - s.seen_ms > idle_ms || now_ms - s.created_ms > absolute_ms {
                    sqlx::query("DELETE FROM sessions WHERE sha256 = $1")
                        .bind(sha256)
                        .execute(&self.pool)
                        .await?;
                    return Ok(None);
                }
                // Marked used at most once a minute: a page's many requests write once.
                if now_ms - s.seen_ms > 60_000 {
                    sqlx::query("UPDATE sessions SET seen_ms = $1 WHERE sha256 = $2")
                        .bind(now_ms)
                        .bind(sha256)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(Some(s))
            }

            async fn end_session(&self, sha256: &str) -> Result<bool, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let person: Option<i64> =
                    sqlx::query_scalar("DELETE FROM sessions WHERE sha256 = $1 RETURNING person_id")
                        .bind(sha256)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(p) = person {
                    crate::store::editing::audit!(tx, $json, Some(p), "delete", "sessions", p, None, None);
                }
                tx.commit().await?;
                Ok(person.is_some())
            }

            async fn end_sessions_of(&self, person_id: i64, keep: Option<&str>) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                let n = sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND sha256 <> $2")
                    .bind(person_id)
                    .bind(keep.unwrap_or(""))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let before = serde_json::json!({ "sessions": n });
                crate::store::editing::audit!(tx, $json, Some(person_id), "delete", "sessions", person_id, Some(before), None);
                tx.commit().await?;
                Ok(n)
            }

            async fn create_link(
                &self,
                sha256: &str,
                person_id: i64,
                purpose: crate::store::accounts::LinkPurpose,
                now_ms: i64,
                expires_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO one_time_links (sha256, person_id, purpose, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(sha256)
                .bind(person_id)
                .bind(purpose.as_str())
                .bind(now_ms)
                .bind(expires_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn use_link(
                &self,
                sha256: &str,
                now_ms: i64,
            ) -> Result<Option<(i64, crate::store::accounts::LinkPurpose)>, StoreError> {
                // One statement: two requests with the same link cannot both use it.
                let row = sqlx::query(
                    "UPDATE one_time_links SET used_ms = $1
                     WHERE sha256 = $2 AND used_ms IS NULL AND expires_ms > $1
                     RETURNING person_id, purpose",
                )
                .bind(now_ms)
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok(None) };
                let purpose: String = r.try_get("purpose")?;
                let person_id: i64 = r.try_get("person_id")?;
                let purpose = crate::store::accounts::LinkPurpose::parse(&purpose).ok_or_else(|| {
                    StoreError::Corrupt {
                        table: "one_time_links",
                        id: person_id,
                        reason: format!("purpose {purpose:?}"),
                    }
                })?;
                Ok(Some((person_id, purpose)))
            }

            async fn note_failure(&self, keys: &[String], now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.pool.begin_with($begin_write).await?;
                for key in keys {
                    sqlx::query("INSERT INTO sign_in_failures (key, at_ms) VALUES ($1, $2)")
                        .bind(key)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn failures(&self, key: &str, since_ms: i64) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at_ms >= $2",
                )
                .bind(key)
                .bind(since_ms)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn claim_reminder(&self, need_id: i64, now_ms: i64) -> Result<bool, StoreError> {
                Ok(sqlx::query(
                    "INSERT INTO need_reminders (need_id, sent_ms) VALUES ($1, $2) ON CONFLICT (need_id) DO NOTHING",
                )
                .bind(need_id)
                .bind(now_ms)
                .execute(&self.pool)
                .await?
                .rows_affected()
                    == 1)
            }

            async fn enqueue_mail(
                &self,
                mail: &crate::store::accounts::NewMail,
                now_ms: i64,
            ) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO outbox (recipient, subject, body, kind, state, next_attempt_ms, created_ms)
                     VALUES ($1, $2, $3, $4, 'queued', $5, $5) RETURNING id",
                )
                .bind(&mail.recipient)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(&mail.kind)
                .bind(now_ms)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn due_mail(
                &self,
                now_ms: i64,
                limit: i64,
            ) -> Result<Vec<crate::store::accounts::MailRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, recipient, subject, body, kind, state, attempts, next_attempt_ms, last_error,
                            created_ms, sent_ms
                     FROM outbox WHERE state = 'queued' AND next_attempt_ms <= $1 ORDER BY id LIMIT $2",
                )
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(crate::store::accounts::mail_of).collect()
            }

            async fn mail_sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE outbox SET state = 'sent', sent_ms = $1, attempts = attempts + 1, last_error = NULL, body = ''
                     WHERE id = $2",
                )
                .bind(now_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn mail_failed(
                &self,
                id: i64,
                error: &str,
                next_attempt_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_ms = $2 WHERE id = $3",
                )
                .bind(error)
                .bind(next_attempt_ms)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn outbox(
                &self,
                limit: i64,
            ) -> Result<Vec<crate::store::accounts::MailRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, recipient, subject, body, kind, state, attempts, next_attempt_ms, last_error,
                            created_ms, sent_ms
                     FROM outbox ORDER BY id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(crate::store::accounts::mail_of).collect()
            }

            async fn purge_accounts(
                &self,
                now_ms: i64,
                idle_ms: i64,
                absolute_ms: i64,
            ) -> Result<u64, StoreError> {
                use crate::store::accounts::retention;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let mut n = 0;
                for (sql, a, b) in [
                    ("DELETE FROM sessions WHERE seen_ms < $1 OR created_ms < $2", now_ms - idle_ms, now_ms - absolute_ms),
                    ("DELETE FROM one_time_links WHERE expires_ms < $1 OR used_ms < $2", now_ms, now_ms),
                    ("DELETE FROM sign_in_failures WHERE at_ms < $1 OR at_ms < $2", now_ms - retention::FAILURES_MS, now_ms - retention::FAILURES_MS),
                    ("DELETE FROM outbox WHERE state = 'sent' AND (sent_ms < $1 OR sent_ms < $2)", now_ms - retention::SENT_MAIL_MS, now_ms - retention::SENT_MAIL_MS),
                    ("DELETE FROM outbox WHERE state = 'queued' AND (created_ms < $1 OR created_ms < $2)", now_ms - retention::UNSENT_MAIL_MS, now_ms - retention::UNSENT_MAIL_MS),
                ] {
                    n += sqlx::query(sql).bind(a).bind(b).execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(n)
            }
        }
    };
}

/// The person a `WHERE` clause with one parameter finds, if any.
macro_rules! person_where {
    ($store:expr, $clause:literal, $value:expr) => {{
        let row = sqlx::query(concat!(
            "SELECT id, email, name, password_hash, staff_role, lang, disabled_ms FROM people WHERE ",
            $clause
        ))
        .bind($value)
        .fetch_optional(&$store.pool)
        .await?;
        row.map(|r| crate::store::accounts::person_of(&r)).transpose()
    }};
}

pub(crate) use {accounts_impl, person_where};

/// A membership's role as stored, or the row is corrupt.
pub(crate) fn org_role(role: &str, person_id: i64) -> Result<OrgRole, StoreError> {
    OrgRole::parse(role).ok_or_else(|| StoreError::Corrupt {
        table: "memberships",
        id: person_id,
        reason: format!("role {role:?}"),
    })
}

pub(crate) fn person_of<R: sqlx::Row>(r: &R) -> Result<Person, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: i64 = r.try_get("id")?;
    let staff: Option<String> = r.try_get("staff_role")?;
    let staff_role = match staff {
        None => None,
        Some(s) => Some(StaffRole::parse(&s).ok_or_else(|| StoreError::Corrupt {
            table: "people",
            id,
            reason: format!("staff_role {s:?}"),
        })?),
    };
    Ok(Person {
        id,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        staff_role,
        lang: r.try_get("lang")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_ms")?.is_some(),
    })
}

pub(crate) fn mail_of<R: sqlx::Row>(r: &R) -> Result<MailRow, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(MailRow {
        id: r.try_get("id")?,
        recipient: r.try_get("recipient")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_ms: r.try_get("next_attempt_ms")?,
        last_error: r.try_get("last_error")?,
        created_ms: r.try_get("created_ms")?,
        sent_ms: r.try_get("sent_ms")?,
    })
}
