//! The store's half of medvirkning (issue 15, docs/PARTICIPATION.md): batches of
//! participation codes (kept as SHA-256), proposals, supports, answers and the links that
//! confirm an email. `participation_impl!` writes the SQL once for both stores. Every change
//! writes an audit row (collection `proposals` or `participation_batches`); none of them
//! holds an email address, a code or text a moderator removed.

use serde::Serialize;

use super::StoreError;
pub use super::proposal_rows::{Answer, ProposalRow, PublishedProposal};
use crate::participation::{Flag, State, Status};

/// A batch of codes as listed for staff (never the codes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRow {
    pub id: i64,
    pub label: String,
    /// How many codes.
    pub count: i64,
    /// Proposals and supports each code may make.
    pub proposals: i64,
    pub supports: i64,
    pub expires_ms: i64,
    pub created_ms: i64,
    pub proposals_used: i64,
    pub supports_used: i64,
}

/// A new batch: the codes' SHA-256, and what each may do until when.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub label: String,
    pub code_sha256: Vec<String>,
    pub proposals: i64,
    pub supports: i64,
    pub expires_ms: i64,
}

/// A proposal as a resident sends it, checked.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub category: String,
    pub title: String,
    pub body: String,
    pub lon: f64,
    pub lat: f64,
    /// `nb` or `en`: the language of the emails the proposer gets.
    pub lang: String,
    pub flags: Vec<Flag>,
    /// The SHA-256 of the participation code it is made with.
    pub code_sha256: Option<String>,
    /// Lower-cased; with `link_sha256`, the link that confirms it.
    pub email: Option<String>,
    pub link_sha256: Option<String>,
    /// A JPEG made by [`crate::participation::prepare_photo`].
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    Created {
        id: i64,
        state: State,
    },
    /// The code is unknown, expired or used up (one answer for all three).
    CodeRefused,
}

/// What a moderator does to a proposal.
#[derive(Debug, Clone, PartialEq)]
pub enum Moderation {
    Publish,
    Reject {
        reason: String,
    },
    Edit {
        title: Option<String>,
        body: Option<String>,
        /// Takes the photo away (it shows a person, a licence plate, …).
        remove_photo: bool,
    },
    Answer {
        status: Status,
        answer: String,
    },
    Merge {
        into: i64,
    },
}

impl Moderation {
    pub fn name(&self) -> &'static str {
        match self {
            Moderation::Publish => "publish",
            Moderation::Reject { .. } => "reject",
            Moderation::Edit { .. } => "edit",
            Moderation::Answer { .. } => "answer",
            Moderation::Merge { .. } => "merge",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ModerateOutcome {
    Done(Box<ProposalRow>),
    NotFound,
    Stale {
        current_version: i64,
    },
    /// The action does not fit the proposal's state (the reason in words).
    Refused(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupportOutcome {
    /// Counted: the proposal's supports now.
    Counted {
        supports: i64,
    },
    /// Waits for the email's link.
    AwaitingEmail,
    /// This participant supports it already.
    Already,
    /// No published proposal with the id.
    NotFound,
    CodeRefused,
    /// The participant made the proposal (with this code or email).
    Own,
}

/// What following a link confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// A proposal made with an email, now waiting for moderation.
    Proposal(i64),
    /// The email of a proposal made with a code: notices will go there.
    Notices(i64),
    /// A support, now counted.
    Support(i64),
    /// The link was used before, or has expired, or its proposal is gone.
    Gone,
    /// A support link of someone who supports the proposal already (by another link).
    SupportedAlready(i64),
}

/// The participation half of a store (a supertrait of [`super::Store`]).
#[async_trait::async_trait]
pub trait Participation: Send + Sync {
    /// Stores a batch and its codes' hashes; `by` the staff member (audit row).
    async fn create_batch(&self, batch: &NewBatch, by: i64) -> Result<i64, StoreError>;

    /// Every batch, newest first, with what its codes used.
    async fn batches(&self) -> Result<Vec<BatchRow>, StoreError>;

    /// Stores a proposal in one transaction, counting it against its code.
    async fn create_proposal(
        &self,
        p: &NewProposal,
        now_ms: i64,
    ) -> Result<CreateOutcome, StoreError>;

    /// Counts a support: with a code at once (against its quota), with an email once its
    /// link (`link_sha256`) is followed.
    async fn add_support(
        &self,
        proposal_id: i64,
        participant: &str,
        code_sha256: Option<&str>,
        link_sha256: Option<&str>,
        now_ms: i64,
    ) -> Result<SupportOutcome, StoreError>;

    /// The participant key of a valid code (unknown, expired and used-up codes are `None`).
    async fn code_participant(
        &self,
        code_sha256: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError>;

    /// Follows a link (by its SHA-256); used once.
    async fn confirm(&self, link_sha256: &str, now_ms: i64) -> Result<Confirmed, StoreError>;

    /// What a link would confirm, without using it: its purpose (`proposal`, `notices`,
    /// `support`) and the proposal's title; `None` when it is unknown, used or expired.
    async fn link_about(
        &self,
        link_sha256: &str,
        now_ms: i64,
    ) -> Result<Option<(String, String)>, StoreError>;

    /// One proposal in any state.
    async fn proposal(&self, id: i64) -> Result<Option<ProposalRow>, StoreError>;

    /// A proposal's photo (a JPEG), if it has one; with `published_only`, only a published
    /// proposal's.
    async fn proposal_photo(
        &self,
        id: i64,
        published_only: bool,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// The proposals made with a code (by its SHA-256), newest first; `None` when no such
    /// code is kept (unknown, or deleted 90 days after its batch expired).
    async fn proposals_of_code(
        &self,
        code_sha256: &str,
    ) -> Result<Option<Vec<ProposalRow>>, StoreError>;

    /// Proposals in `state` (every state when `None`), newest first.
    async fn proposals(&self, state: Option<State>) -> Result<Vec<ProposalRow>, StoreError>;

    /// A moderator's action, if the proposal is still at `version`.
    async fn moderate(
        &self,
        id: i64,
        version: i64,
        action: &Moderation,
        by: i64,
    ) -> Result<ModerateOutcome, StoreError>;

    /// Deletes what is kept no longer (docs/PARTICIPATION.md): unconfirmed proposals,
    /// supports and links after 48 hours, emails 90 days after their proposal closed,
    /// codes 90 days after their batch expired. The number of rows changed.
    async fn purge_participation(&self, now_ms: i64) -> Result<u64, StoreError>;
}

/// Implements [`Participation`] for one store type. `$json`: the cast a JSON parameter needs;
/// `$begin_write`: how a write transaction begins; `$lock`: the row lock of a read to write.
macro_rules! participation_impl {
    ($store:ty, $json:literal, $begin_write:literal, $lock:literal) => {
        #[async_trait::async_trait]
        impl crate::store::participation::Participation for $store {
            async fn create_batch(
                &self,
                batch: &crate::store::participation::NewBatch,
                by: i64,
            ) -> Result<i64, StoreError> {
                let now = crate::store::editing::now_ms();
                let mut tx = self.pool.begin_with($begin_write).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO participation_batches (label, codes, proposals, supports, expires_ms, created_by, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&batch.label)
                .bind(batch.code_sha256.len() as i64)
                .bind(batch.proposals)
                .bind(batch.supports)
                .bind(batch.expires_ms)
                .bind(by)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                for sha in &batch.code_sha256 {
                    sqlx::query("INSERT INTO participation_codes (batch_id, sha256) VALUES ($1, $2)")
                        .bind(id)
                        .bind(sha)
                        .execute(&mut *tx)
                        .await?;
                }
                let after = serde_json::json!({
                    "label": batch.label, "codes": batch.code_sha256.len(),
                    "proposals": batch.proposals, "supports": batch.supports, "expires_ms": batch.expires_ms,
                });
                crate::store::editing::audit!(tx, $json, Some(by), "create", "participation_batches", id, None, Some(after));
                tx.commit().await?;
                Ok(id)
            }

            async fn batches(&self) -> Result<Vec<crate::store::participation::BatchRow>, StoreError> {
                let rows = sqlx::query(
                    "SELECT b.id, b.label, b.codes, b.proposals, b.supports, b.expires_ms, b.created_ms,
                            COALESCE(SUM(c.proposals_used), 0) AS proposals_used,
                            COALESCE(SUM(c.supports_used), 0) AS supports_used
                     FROM participation_batches b LEFT JOIN participation_codes c ON c.batch_id = b.id
                     GROUP BY b.id, b.label, b.codes, b.proposals, b.supports, b.expires_ms, b.created_ms
                     ORDER BY b.id DESC",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(crate::store::participation::BatchRow {
                            id: r.try_get("id")?,
                            label: r.try_get("label")?,
                            count: r.try_get("codes")?,
                            proposals: r.try_get("proposals")?,
                            supports: r.try_get("supports")?,
                            expires_ms: r.try_get("expires_ms")?,
                            created_ms: r.try_get("created_ms")?,
                            proposals_used: r.try_get("proposals_used")?,
                            supports_used: r.try_get("supports_used")?,
                        })
                    })
                    .collect()
            }

            async fn create_proposal(
                &self,
                p: &crate::store::participation::NewProposal,
                now_ms: i64,
            ) -> Result<crate::store::participation::CreateOutcome, StoreError> {
                use crate::participation::State;
                use crate::store::participation::CreateOutcome;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let mut code: Option<(i64, String)> = None;
                if let Some(sha) = &p.code_sha256 {
                    let Some(taken) = crate::store::participation::take_code!(tx, $lock, sha, now_ms, "proposals") else {
                        return Ok(CreateOutcome::CodeRefused);
                    };
                    code = Some(taken);
                }
                let state = if code.is_some() { State::Pending } else { State::Unconfirmed };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO proposals (category, title, body, lon, lat, state, status, code_id, batch_label,
                                            email, lang, flags, created_ms, updated_ms, photo)
                     VALUES ($1, $2, $3, $4, $5, $6, 'received', $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id",
                )
                .bind(&p.category)
                .bind(&p.title)
                .bind(&p.body)
                .bind(p.lon)
                .bind(p.lat)
                .bind(state.as_str())
                .bind(code.as_ref().map(|c| c.0))
                .bind(code.as_ref().map(|c| c.1.clone()))
                .bind(&p.email)
                .bind(&p.lang)
                .bind(serde_json::to_string(&p.flags).expect("flags serialise"))
                .bind(now_ms)
                .bind(p.photo.as_deref())
                .fetch_one(&mut *tx)
                .await?;
                if let Some(link) = &p.link_sha256 {
                    let purpose = if code.is_some() { "notices" } else { "proposal" };
                    sqlx::query(
                        "INSERT INTO participation_links (sha256, purpose, proposal_id, created_ms, expires_ms)
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(link)
                    .bind(purpose)
                    .bind(id)
                    .bind(now_ms)
                    .bind(now_ms + crate::participation::LINK_MS)
                    .execute(&mut *tx)
                    .await?;
                }
                let after = serde_json::json!({
                    "state": state.as_str(), "category": p.category, "via": if code.is_some() { "code" } else { "email" },
                    "flags": p.flags.len(),
                });
                crate::store::editing::audit!(tx, $json, None::<i64>, "create", "proposals", id, None, Some(after));
                tx.commit().await?;
                Ok(CreateOutcome::Created { id, state })
            }

            async fn code_participant(
                &self,
                code_sha256: &str,
                now_ms: i64,
            ) -> Result<Option<String>, StoreError> {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT c.id FROM participation_codes c JOIN participation_batches b ON b.id = c.batch_id
                     WHERE c.sha256 = $1 AND b.expires_ms > $2",
                )
                .bind(code_sha256)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(crate::participation::participant_of_code))
            }

            async fn add_support(
                &self,
                proposal_id: i64,
                participant: &str,
                code_sha256: Option<&str>,
                link_sha256: Option<&str>,
                now_ms: i64,
            ) -> Result<crate::store::participation::SupportOutcome, StoreError> {
                use crate::store::participation::SupportOutcome;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let published = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT code_id, email FROM proposals WHERE id = $1 AND state = 'published'{lock}",
                    lock = $lock
                )))
                .bind(proposal_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(published) = published else {
                    return Ok(SupportOutcome::NotFound);
                };
                let own_code = published
                    .try_get::<Option<i64>, _>("code_id")?
                    .map(crate::participation::participant_of_code);
                let own_email = published
                    .try_get::<Option<String>, _>("email")?
                    .map(|e| crate::participation::participant_of_email(&e));
                if own_code.as_deref() == Some(participant) || own_email.as_deref() == Some(participant) {
                    return Ok(SupportOutcome::Own);
                }
                let existing: Option<Option<i64>> = sqlx::query_scalar(
                    "SELECT confirmed_ms FROM proposal_supports WHERE proposal_id = $1 AND participant = $2",
                )
                .bind(proposal_id)
                .bind(participant)
                .fetch_optional(&mut *tx)
                .await?;
                if matches!(existing, Some(Some(_))) {
                    return Ok(SupportOutcome::Already);
                }
                if let Some(sha) = code_sha256 {
                    if crate::store::participation::take_code!(tx, $lock, sha, now_ms, "supports").is_none() {
                        return Ok(SupportOutcome::CodeRefused);
                    }
                    sqlx::query(
                        "INSERT INTO proposal_supports (proposal_id, participant, created_ms, confirmed_ms)
                         VALUES ($1, $2, $3, $3)",
                    )
                    .bind(proposal_id)
                    .bind(participant)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    let supports: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = $1 AND confirmed_ms IS NOT NULL",
                    )
                    .bind(proposal_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let after = serde_json::json!({ "supports": supports, "via": "code" });
                    crate::store::editing::audit!(tx, $json, None::<i64>, "replace", "proposals", proposal_id, None, Some(after));
                    bump(&mut tx).await?;
                    tx.commit().await?;
                    return Ok(SupportOutcome::Counted { supports });
                }
                let Some(link) = link_sha256 else {
                    return Ok(SupportOutcome::CodeRefused);
                };
                if existing.is_none() {
                    sqlx::query(
                        "INSERT INTO proposal_supports (proposal_id, participant, created_ms) VALUES ($1, $2, $3)",
                    )
                    .bind(proposal_id)
                    .bind(participant)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO participation_links (sha256, purpose, proposal_id, participant, created_ms, expires_ms)
                     VALUES ($1, 'support', $2, $3, $4, $5)",
                )
                .bind(link)
                .bind(proposal_id)
                .bind(participant)
                .bind(now_ms)
                .bind(now_ms + crate::participation::LINK_MS)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(SupportOutcome::AwaitingEmail)
            }

            async fn confirm(
                &self,
                link_sha256: &str,
                now_ms: i64,
            ) -> Result<crate::store::participation::Confirmed, StoreError> {
                use crate::store::participation::Confirmed;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT purpose, proposal_id, participant FROM participation_links
                     WHERE sha256 = $1 AND used_ms IS NULL AND expires_ms > $2{lock}",
                    lock = $lock
                )))
                .bind(link_sha256)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(Confirmed::Gone);
                };
                let purpose: String = row.try_get("purpose")?;
                let id: i64 = row.try_get("proposal_id")?;
                sqlx::query("UPDATE participation_links SET used_ms = $1 WHERE sha256 = $2")
                    .bind(now_ms)
                    .bind(link_sha256)
                    .execute(&mut *tx)
                    .await?;
                let confirmed = match purpose.as_str() {
                    "proposal" => {
                        let n = sqlx::query(
                            "UPDATE proposals SET state = 'pending', email_confirmed_ms = $1, updated_ms = $1,
                                    version = version + 1
                             WHERE id = $2 AND state = 'unconfirmed'",
                        )
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if n == 0 { Confirmed::Gone } else { Confirmed::Proposal(id) }
                    }
                    "notices" => {
                        sqlx::query("UPDATE proposals SET email_confirmed_ms = $1 WHERE id = $2 AND email IS NOT NULL")
                            .bind(now_ms)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        Confirmed::Notices(id)
                    }
                    _ => {
                        let participant: Option<String> = row.try_get("participant")?;
                        let n = sqlx::query(
                            "UPDATE proposal_supports SET confirmed_ms = $1
                             WHERE proposal_id = $2 AND participant = $3 AND confirmed_ms IS NULL
                               AND EXISTS (SELECT 1 FROM proposals WHERE id = $2 AND state = 'published')",
                        )
                        .bind(now_ms)
                        .bind(id)
                        .bind(&participant)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if n > 0 {
                            Confirmed::Support(id)
                        } else {
                            let counted: Option<Option<i64>> = sqlx::query_scalar(
                                "SELECT confirmed_ms FROM proposal_supports WHERE proposal_id = $1 AND participant = $2",
                            )
                            .bind(id)
                            .bind(&participant)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if matches!(counted, Some(Some(_))) { Confirmed::SupportedAlready(id) } else { Confirmed::Gone }
                        }
                    }
                };
                if matches!(confirmed, Confirmed::Proposal(_) | Confirmed::Notices(_) | Confirmed::Support(_)) {
                    let after = serde_json::json!({ "confirmed": purpose });
                    crate::store::editing::audit!(tx, $json, None::<i64>, "replace", "proposals", id, None, Some(after));
                    bump(&mut tx).await?;
                }
                tx.commit().await?;
                Ok(confirmed)
            }

            async fn link_about(
                &self,
                link_sha256: &str,
                now_ms: i64,
            ) -> Result<Option<(String, String)>, StoreError> {
                let row = sqlx::query(
                    "SELECT l.purpose, p.title FROM participation_links l JOIN proposals p ON p.id = l.proposal_id
                     WHERE l.sha256 = $1 AND l.used_ms IS NULL AND l.expires_ms > $2",
                )
                .bind(link_sha256)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| Ok((r.try_get("purpose")?, r.try_get("title")?))).transpose()
            }

            async fn proposals_of_code(
                &self,
                code_sha256: &str,
            ) -> Result<Option<Vec<crate::store::participation::ProposalRow>>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                let code: Option<i64> = sqlx::query_scalar("SELECT id FROM participation_codes WHERE sha256 = $1")
                    .bind(code_sha256)
                    .fetch_optional(&mut *conn)
                    .await?;
                let Some(code) = code else {
                    return Ok(None);
                };
                crate::store::proposal_rows::read_proposals!(&mut *conn, "WHERE p.code_id = $1", Some(code)).map(Some)
            }

            async fn proposal(
                &self,
                id: i64,
            ) -> Result<Option<crate::store::participation::ProposalRow>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                crate::store::proposal_rows::read_proposals!(&mut *conn, "WHERE p.id = $1", Some(id))
                    .map(|v| v.into_iter().next())
            }

            async fn proposal_photo(
                &self,
                id: i64,
                published_only: bool,
            ) -> Result<Option<Vec<u8>>, StoreError> {
                let photo: Option<Option<Vec<u8>>> = sqlx::query_scalar(
                    "SELECT photo FROM proposals WHERE id = $1 AND (state = 'published' OR NOT $2)",
                )
                .bind(id)
                .bind(published_only)
                .fetch_optional(&self.pool)
                .await?;
                Ok(photo.flatten())
            }

            async fn proposals(
                &self,
                state: Option<crate::participation::State>,
            ) -> Result<Vec<crate::store::participation::ProposalRow>, StoreError> {
                let mut conn = self.pool.acquire().await?;
                match state {
                    Some(s) => {
                        crate::store::proposal_rows::read_proposals!(&mut *conn, "WHERE p.state = $1", Some(s.as_str()))
                    }
                    None => crate::store::proposal_rows::read_proposals!(&mut *conn, "", None::<i64>),
                }
            }

            async fn moderate(
                &self,
                id: i64,
                version: i64,
                action: &crate::store::participation::Moderation,
                by: i64,
            ) -> Result<crate::store::participation::ModerateOutcome, StoreError> {
                use crate::participation::State;
                use crate::store::participation::{ModerateOutcome, Moderation};
                let now = crate::store::editing::now_ms();
                let mut tx = self.pool.begin_with($begin_write).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT state, status, version, title, body FROM proposals WHERE id = $1{lock}",
                    lock = $lock
                )))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(ModerateOutcome::NotFound);
                };
                let current: i64 = row.try_get("version")?;
                if current != version {
                    return Ok(ModerateOutcome::Stale { current_version: current });
                }
                let state_s: String = row.try_get("state")?;
                let state = State::parse(&state_s).ok_or_else(|| StoreError::Corrupt {
                    table: "proposals",
                    id,
                    reason: format!("state {state_s:?}"),
                })?;
                let before = serde_json::json!({ "state": state.as_str(), "status": row.try_get::<String, _>("status")? });
                let refuse = |why: &str| Ok(ModerateOutcome::Refused(why.to_string()));
                let after = match action {
                    Moderation::Publish => {
                        if state != State::Pending {
                            return refuse("only a proposal waiting for moderation can be published");
                        }
                        sqlx::query(
                            "UPDATE proposals SET state = 'published', status = 'received', published_ms = $1
                             WHERE id = $2",
                        )
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        serde_json::json!({ "action": "publish", "state": "published", "status": "received" })
                    }
                    Moderation::Reject { reason } => {
                        if !matches!(state, State::Pending | State::Published) {
                            return refuse("only a proposal waiting for moderation or published can be rejected");
                        }
                        sqlx::query(
                            "UPDATE proposals SET state = 'rejected', reject_reason = $1, closed_ms = $2 WHERE id = $3",
                        )
                        .bind(reason)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        serde_json::json!({ "action": "reject", "state": "rejected", "reason": reason })
                    }
                    Moderation::Edit { title, body, remove_photo } => {
                        if matches!(state, State::Merged | State::Unconfirmed) {
                            return refuse("a merged or unconfirmed proposal cannot be edited");
                        }
                        let old_title: String = row.try_get("title")?;
                        let old_body: String = row.try_get("body")?;
                        let new_title = title.clone().unwrap_or_else(|| old_title.clone());
                        let new_body = body.clone().unwrap_or_else(|| old_body.clone());
                        sqlx::query("UPDATE proposals SET title = $1, body = $2, flags = '[]' WHERE id = $3")
                            .bind(&new_title)
                            .bind(&new_body)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        if *remove_photo {
                            sqlx::query("UPDATE proposals SET photo = NULL WHERE id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        // What was edited out may be personal data: the log says that and how
                        // much changed, not the text itself.
                        serde_json::json!({
                            "action": "edit",
                            "photo_removed": remove_photo,
                            "title_changed": new_title != old_title,
                            "text_changed": new_body != old_body,
                            "chars_before": old_title.chars().count() + old_body.chars().count(),
                            "chars_after": new_title.chars().count() + new_body.chars().count(),
                        })
                    }
                    Moderation::Answer { status, answer } => {
                        if state != State::Published {
                            return refuse("only a published proposal can be answered");
                        }
                        sqlx::query(
                            "INSERT INTO proposal_answers (proposal_id, status, answer, person_id, created_ms)
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(status.as_str())
                        .bind(answer)
                        .bind(by)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        let closed = status.closes().then_some(now);
                        sqlx::query("UPDATE proposals SET status = $1, closed_ms = $2 WHERE id = $3")
                            .bind(status.as_str())
                            .bind(closed)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        serde_json::json!({ "action": "answer", "status": status.as_str(), "answer": answer })
                    }
                    Moderation::Merge { into } => {
                        if *into == id || !matches!(state, State::Pending | State::Published) {
                            return refuse("only a proposal waiting or published can be merged, into another one");
                        }
                        let target: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT state FROM proposals WHERE id = $1{lock}",
                            lock = $lock
                        )))
                        .bind(into)
                        .fetch_optional(&mut *tx)
                        .await?;
                        if target.as_deref() != Some("published") {
                            return refuse("a proposal is merged into a published one");
                        }
                        // Each participant counts once: a support of both stays one.
                        let moved = sqlx::query(
                            "INSERT INTO proposal_supports (proposal_id, participant, created_ms, confirmed_ms)
                             SELECT $1, participant, created_ms, confirmed_ms FROM proposal_supports
                             WHERE proposal_id = $2 AND confirmed_ms IS NOT NULL
                             ON CONFLICT (proposal_id, participant) DO NOTHING",
                        )
                        .bind(into)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        sqlx::query("DELETE FROM proposal_supports WHERE proposal_id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query(
                            "UPDATE proposals SET state = 'merged', merged_into = $1, closed_ms = $2 WHERE id = $3",
                        )
                        .bind(into)
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query("UPDATE proposals SET updated_ms = $1, version = version + 1 WHERE id = $2")
                            .bind(now)
                            .bind(into)
                            .execute(&mut *tx)
                            .await?;
                        serde_json::json!({ "action": "merge", "state": "merged", "into": into, "supports_moved": moved })
                    }
                };
                sqlx::query("UPDATE proposals SET updated_ms = $1, version = version + 1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                crate::store::editing::audit!(tx, $json, Some(by), "replace", "proposals", id, Some(before), Some(after));
                bump(&mut tx).await?;
                let row = crate::store::proposal_rows::read_proposals!(&mut *tx, "WHERE p.id = $1", Some(id))?
                    .into_iter()
                    .next()
                    .expect("the row just written");
                tx.commit().await?;
                Ok(ModerateOutcome::Done(Box::new(row)))
            }

            async fn purge_participation(&self, now_ms: i64) -> Result<u64, StoreError> {
                use crate::participation::{CODES_AFTER_EXPIRY_MS, EMAIL_AFTER_CLOSE_MS, LINK_MS};
                let mut tx = self.pool.begin_with($begin_write).await?;
                let mut n = 0;
                for (sql, at) in [
                    ("DELETE FROM participation_links WHERE expires_ms < $1 OR used_ms IS NOT NULL", now_ms),
                    ("DELETE FROM proposals WHERE state = 'unconfirmed' AND created_ms < $1", now_ms - LINK_MS),
                    ("DELETE FROM proposal_supports WHERE confirmed_ms IS NULL AND created_ms < $1", now_ms - LINK_MS),
                    ("UPDATE proposals SET email = NULL, email_confirmed_ms = NULL
                      WHERE email IS NOT NULL AND closed_ms < $1", now_ms - EMAIL_AFTER_CLOSE_MS),
                    ("UPDATE proposals SET email = NULL WHERE email IS NOT NULL AND email_confirmed_ms IS NULL
                      AND state <> 'unconfirmed' AND created_ms < $1", now_ms - LINK_MS),
                    ("DELETE FROM participation_batches WHERE expires_ms < $1", now_ms - CODES_AFTER_EXPIRY_MS),
                ] {
                    n += sqlx::query(sql).bind(at).execute(&mut *tx).await?.rows_affected();
                }
                // Codes of batches gone (SQLite keeps foreign keys off unless asked).
                n += sqlx::query("DELETE FROM participation_codes WHERE batch_id NOT IN (SELECT id FROM participation_batches)")
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n)
            }
        }
    };
}

/// Uses one of a valid code's `proposals` or `supports` (the column names) in a write
/// transaction: the code's id and batch label, or `None` when the code is unknown, expired
/// or used up.
macro_rules! take_code {
    ($tx:expr, $lock:literal, $sha:expr, $now:expr, $what:literal) => {{
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, b.label FROM participation_codes c JOIN participation_batches b ON b.id = c.batch_id
             WHERE c.sha256 = $1 AND b.expires_ms > $2 AND c.{what}_used < b.{what}{lock}",
            what = $what,
            lock = $lock
        )))
        .bind($sha)
        .bind($now)
        .fetch_optional(&mut *$tx)
        .await?;
        match row {
            None => None,
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE participation_codes SET {what}_used = {what}_used + 1 WHERE id = $1",
                    what = $what
                )))
                .bind(id)
                .execute(&mut *$tx)
                .await?;
                Some((id, row.try_get::<String, _>("label")?))
            }
        }
    }};
}

pub(crate) use {participation_impl, take_code};
