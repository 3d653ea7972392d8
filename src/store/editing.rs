//! Writes by organisations: organisations, API tokens, activities, volunteer needs, offers
//! of help and the audit log. The SQL is the same on both stores but for JSON columns
//! (`TEXT` on SQLite, `JSONB` on PostgreSQL); `editing_impl!` writes it once for both.
//!
//! Every item write happens in one transaction that checks the owner and the expected
//! version of the row it changes, writes the audit row and bumps `data_version`, so that a
//! stale or foreign write changes nothing.

use jiff::Timestamp;
use serde::Serialize;

/// The stored form of an API token: SHA-256, hex. Only this is kept; the token itself is
/// shown once when it is made.
pub fn token_sha256(token: &str) -> String {
    bytes_sha256(token.as_bytes())
}

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn bytes_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new API token: `nm_` and 64 hex digits (32 random bytes from the operating system);
/// the prefix makes a leaked token easy to recognise.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives randomness");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("nm_{hex}")
}

/// Which collection an item write is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ItemCollection {
    Activities,
    VolunteerNeeds,
}

impl ItemCollection {
    pub fn table(self) -> &'static str {
        match self {
            ItemCollection::Activities => "activities",
            ItemCollection::VolunteerNeeds => "volunteer_needs",
        }
    }

    /// The collection's id in the API.
    pub fn id(self) -> &'static str {
        match self {
            ItemCollection::Activities => "activities",
            ItemCollection::VolunteerNeeds => "volunteer-needs",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who writes: an API token's row, or a signed-in person acting for one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for a person and for the system itself (the demo generator).
    pub token_id: Option<i64>,
    /// The person signed in, when the write comes from the portal.
    pub person_id: Option<i64>,
    pub org_id: i64,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub enum ItemWrite {
    Create {
        org_id: i64,
        example: bool,
        doc: serde_json::Value,
        valid_until: Option<String>,
    },
    Replace {
        id: i64,
        expected_version: i64,
        doc: serde_json::Value,
        valid_until: Option<String>,
    },
    /// As `Replace`, the whole document written, from a merge patch (PATCH): the audit log
    /// says `update`.
    Update {
        id: i64,
        expected_version: i64,
        doc: serde_json::Value,
        valid_until: Option<String>,
    },
    Delete {
        id: i64,
        expected_version: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Written: the item's id and new version (0 after a delete), and the data version.
    Done {
        id: i64,
        version: i64,
        data_version: i64,
    },
    NotFound,
    /// The row belongs to another organisation and the actor is an editor.
    Forbidden,
    /// The row's version is not the one the writer read.
    Stale {
        current_version: i64,
    },
}

/// What a batch of writes did: all written (each item's id and new version, and the data
/// version after them), or none, because the write at `index` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    Done {
        items: Vec<(i64, i64)>,
        data_version: i64,
    },
    Refused {
        index: usize,
        outcome: WriteOutcome,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredOffer {
    pub id: i64,
    pub need_id: i64,
    pub name: String,
    pub contact: String,
    pub message: Option<String>,
    pub created_ms: i64,
    /// The organisation's note: `new`, `contacted` or `declined`.
    pub state: String,
}

/// Which audit rows to read: each field that is set must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub collection: Option<String>,
    pub person_id: Option<i64>,
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub token_id: Option<i64>,
    /// The person who made the change through the portal.
    pub person_id: Option<i64>,
    pub org_id: Option<i64>,
    pub role: Option<String>,
    pub action: String,
    pub collection: String,
    pub item_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// The writing half of a store (a supertrait of [`super::Store`]).
#[async_trait::async_trait]
pub trait Editing: Send + Sync {
    /// A new organisation; `by` is the person who made it (`None`: the command line), for
    /// the audit row. A name taken already is `StoreError::Database` (unique).
    async fn create_organisation(
        &self,
        name: &str,
        kind: crate::domain::activity::OrgKind,
        contact: Option<&str>,
        example: bool,
        by: Option<i64>,
    ) -> Result<i64, super::StoreError>;

    /// Changes an organisation's profile or deactivates / reactivates it, with an audit
    /// row. A deactivated organisation's activities and needs are not shown, and its
    /// members cannot write, until it is active again.
    async fn update_organisation(
        &self,
        id: i64,
        change: &OrgChange,
        by: Option<i64>,
    ) -> Result<OrgOutcome, super::StoreError>;

    /// Moves everything of organisation `from` (activities, needs, API tokens, members,
    /// keeping the higher role of a person in both) to `into`, then deletes `from`; one
    /// transaction, one audit row (`delete` of `from`, with `merged_into` and the counts
    /// moved).
    async fn merge_organisations(
        &self,
        from: i64,
        into: i64,
        by: Option<i64>,
    ) -> Result<OrgOutcome, super::StoreError>;

    /// Stores a token's SHA-256 (hex) for an organisation and role; `by` as above.
    async fn create_token(
        &self,
        org_id: i64,
        role: Role,
        sha256: &str,
        label: Option<&str>,
        by: Option<i64>,
    ) -> Result<i64, super::StoreError>;

    /// The actor a token (by its SHA-256) stands for, unless unknown or revoked.
    async fn token(&self, sha256: &str) -> Result<Option<Actor>, super::StoreError>;

    /// Every token: (id, organisation, role, label, revoked), never the hashes.
    async fn tokens(&self) -> Result<Vec<TokenInfo>, super::StoreError>;

    /// Revokes a token; `false` when there is no such token or it was revoked already.
    async fn revoke_token(&self, id: i64, by: Option<i64>) -> Result<bool, super::StoreError>;

    /// Creates, replaces or deletes an item, checking owner and version in the same
    /// transaction, writing the audit row and bumping the data version.
    async fn write_item(
        &self,
        collection: ItemCollection,
        actor: &Actor,
        write: ItemWrite,
    ) -> Result<WriteOutcome, super::StoreError> {
        Ok(
            match self.write_items(collection, actor, vec![write]).await? {
                BatchOutcome::Done {
                    items,
                    data_version,
                } => WriteOutcome::Done {
                    id: items[0].0,
                    version: items[0].1,
                    data_version,
                },
                BatchOutcome::Refused { outcome, .. } => outcome,
            },
        )
    }

    /// Makes several writes in one transaction, each checked as [`Editing::write_item`]
    /// checks one: all of them, or none (the first refused one says why).
    async fn write_items(
        &self,
        collection: ItemCollection,
        actor: &Actor,
        writes: Vec<ItemWrite>,
    ) -> Result<BatchOutcome, super::StoreError>;

    /// Stores an offer of help; `false` when the need is unknown or expired (`today`
    /// as `YYYY-MM-DD`, Oslo).
    async fn add_offer(
        &self,
        need_id: i64,
        offer: &crate::domain::activity::HelpOffer,
        today: &str,
    ) -> Result<bool, super::StoreError>;

    async fn offers(&self, need_id: i64) -> Result<Vec<StoredOffer>, super::StoreError>;

    /// Notes how an organisation answered an offer (`new`, `contacted`, `declined`), with
    /// an audit row; `false` when there is no such offer.
    async fn set_offer_state(
        &self,
        offer_id: i64,
        state: &str,
        person_id: Option<i64>,
    ) -> Result<bool, super::StoreError>;

    /// The need an offer is for.
    async fn offer_need(&self, offer_id: i64) -> Result<Option<i64>, super::StoreError>;

    /// Deletes the offers of needs whose `valid_until` is before `today`.
    async fn purge_expired_offers(&self, today: &str) -> Result<u64, super::StoreError>;

    /// The newest audit rows first.
    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditRow>, super::StoreError> {
        self.audit_log_where(&AuditFilter::default(), limit).await
    }

    /// The newest audit rows that match `filter` (each field that is set), first; at most
    /// `limit`.
    async fn audit_log_where(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditRow>, super::StoreError>;

    /// Only organisations, activities and volunteer needs, with both versions: what a
    /// server reloads after an edit when no import came in between.
    async fn load_programme(&self) -> Result<ProgrammeContents, super::StoreError>;

    /// Staff's edit of facility `id` (issue 18): `fields` (`opening_hours`, `services`; a
    /// null value removes the field) merged into the facility's edit, which is kept apart
    /// from the imported row, keyed by its source and source id, and applied over it on
    /// every read, so that an import does not undo it. Writes an audit row (`update`,
    /// `facilities`, the fields as served before and as set) and moves the data and base
    /// versions (the snapshot is built anew). `Ok(None)`: no facility `id`.
    async fn edit_facility(
        &self,
        id: i64,
        fields: &serde_json::Map<String, serde_json::Value>,
        by: Option<i64>,
    ) -> Result<Option<i64>, super::StoreError>;
}

/// A token as listed: who it is for, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub org_id: i64,
    pub role: String,
    pub label: Option<String>,
    /// When it was made, in milliseconds since 1970 (UTC).
    pub created_ms: i64,
    /// When it was last used to write (to the hour), where it was.
    pub last_used_ms: Option<i64>,
    pub revoked: bool,
}

/// A change to an organisation: each field `None` is left as it is; `Some(None)` clears
/// an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgChange {
    pub name: Option<String>,
    pub kind: Option<crate::domain::activity::OrgKind>,
    pub contact: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub active: Option<bool>,
    /// The organisation's consent to open publication of its activities.
    pub open_data: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgOutcome {
    Done,
    /// No such organisation (or, for a merge, one of the two; or both the same).
    NotFound,
    /// Another organisation has the name.
    NameTaken,
}

/// What [`Editing::load_programme`] reads, from one moment of the store.
#[derive(Debug, Default)]
pub struct ProgrammeContents {
    pub data_version: i64,
    pub base_version: i64,
    pub organisations: Vec<crate::domain::activity::Organisation>,
    pub activities: Vec<crate::domain::activity::Activity>,
    /// The last change of each activity and organisation, and the activities deleted, from
    /// the audit log (what orders the open feed).
    pub feed_changes: crate::domain::activity::FeedChanges,
    pub volunteer_needs: Vec<crate::domain::activity::VolunteerNeed>,
    /// Residents' proposals that are published (issue 15).
    pub proposals: Vec<super::proposal_rows::PublishedProposal>,
}

/// Implements [`Editing`] for one store type. `$json` is the cast a JSON parameter needs
/// (`""` or `"::jsonb"`), `$text` the cast that reads one as text.
macro_rules! editing_impl {
    ($store:ty, $json:literal, $text:literal, $begin_write:literal, $lock:literal, $begin_read:literal) => {
        #[async_trait::async_trait]
        impl crate::store::editing::Editing for $store {
        async fn create_organisation(
            &self,
            name: &str,
            kind: crate::domain::activity::OrgKind,
            contact: Option<&str>,
            example: bool,
            by: Option<i64>,
        ) -> Result<i64, StoreError> {
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organisations (name, kind, contact, example, created_ms)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(kind.as_str())
            .bind(contact)
            .bind(example)
            .bind(crate::store::editing::now_ms())
            .fetch_one(&mut *tx)
            .await?;
            let after = serde_json::json!({ "name": name, "kind": kind.as_str(), "contact": contact, "example": example });
            crate::store::editing::audit!(tx, $json, by, "create", "organisations", id, None, Some(after), org: Some(id));
            bump(&mut tx).await?;
            tx.commit().await?;
            Ok(id)
        }

        async fn update_organisation(
            &self,
            id: i64,
            change: &crate::store::editing::OrgChange,
            by: Option<i64>,
        ) -> Result<crate::store::editing::OrgOutcome, StoreError> {
            use crate::store::editing::OrgOutcome;
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let Some(row) = sqlx::query(
                "SELECT name, kind, contact, website, deactivated_ms, open_data_ms
                 FROM organisations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(OrgOutcome::NotFound);
            };
            let name: String = match &change.name {
                Some(n) => n.clone(),
                None => row.try_get("name")?,
            };
            let kind: String = match change.kind {
                Some(k) => k.as_str().to_string(),
                None => row.try_get("kind")?,
            };
            let contact: Option<String> = match &change.contact {
                Some(c) => c.clone(),
                None => row.try_get("contact")?,
            };
            let website: Option<String> = match &change.website {
                Some(w) => w.clone(),
                None => row.try_get("website")?,
            };
            let was: Option<i64> = row.try_get("deactivated_ms")?;
            let deactivated: Option<i64> = match change.active {
                None => was,
                Some(true) => None,
                Some(false) => was.or(Some(crate::store::editing::now_ms())),
            };
            let consent_was: Option<i64> = row.try_get("open_data_ms")?;
            let consent: Option<i64> = match change.open_data {
                None => consent_was,
                Some(false) => None,
                Some(true) => consent_was.or(Some(crate::store::editing::now_ms())),
            };

            let taken: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1 AND id <> $2")
                    .bind(&name)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Ok(OrgOutcome::NameTaken);
            }
            sqlx::query(
                "UPDATE organisations SET name = $1, kind = $2, contact = $3, website = $4, deactivated_ms = $5,
                        open_data_ms = $6
                 WHERE id = $7",
            )
            .bind(&name)
            .bind(&kind)
            .bind(&contact)
            .bind(&website)
            .bind(deactivated)
            .bind(consent)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let before = serde_json::json!({
                "name": row.try_get::<String, _>("name")?, "kind": row.try_get::<String, _>("kind")?,
                "contact": row.try_get::<Option<String>, _>("contact")?,
                "website": row.try_get::<Option<String>, _>("website")?, "active": was.is_none(),
                "open_data": consent_was.is_some(),
            });
            let after = serde_json::json!({
                "name": name, "kind": kind, "contact": contact, "website": website,
                "active": deactivated.is_none(), "open_data": consent.is_some(),
            });
            crate::store::editing::audit!(tx, $json, by, "replace", "organisations", id, Some(before), Some(after), org: Some(id));
            bump(&mut tx).await?;
            tx.commit().await?;
            Ok(OrgOutcome::Done)
        }

        async fn merge_organisations(
            &self,
            from: i64,
            into: i64,
            by: Option<i64>,
        ) -> Result<crate::store::editing::OrgOutcome, StoreError> {
            use crate::store::editing::OrgOutcome;
            if from == into {
                return Ok(OrgOutcome::NotFound);
            }
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let found: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM organisations WHERE id = $1 OR id = $2",
            )
            .bind(from)
            .bind(into)
            .fetch_one(&mut *tx)
            .await?;
            if found != 2 {
                return Ok(OrgOutcome::NotFound);
            }
            let mut moved = serde_json::Map::new();
            for table in ["activities", "volunteer_needs", "api_tokens"] {
                let n = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET org_id = $1{} WHERE org_id = $2",
                    // A moved item has a new organiser: the feed sends it again.
                    if table == "api_tokens" { "" } else { ", updated_ms = $3" }
                )))
                .bind(into)
                .bind(from);
                let n = if table == "api_tokens" { n } else { n.bind(crate::store::editing::now_ms()) };
                let n = n
                .execute(&mut *tx)
                .await?
                .rows_affected();
                moved.insert(table.into(), n.into());
            }
            // A person in both keeps the higher role; a consent given to either counts.
            let members = sqlx::query(
                "INSERT INTO memberships (person_id, org_id, role, created_ms, accepted_ms)
                 SELECT person_id, $1, role, created_ms, accepted_ms FROM memberships WHERE org_id = $2
                 ON CONFLICT (person_id, org_id) DO UPDATE SET
                   role = CASE WHEN excluded.role = 'org_admin' THEN 'org_admin' ELSE memberships.role END,
                   accepted_ms = COALESCE(memberships.accepted_ms, excluded.accepted_ms)",
            )
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            moved.insert("memberships".into(), members.into());
            sqlx::query("DELETE FROM memberships WHERE org_id = $1")
                .bind(from)
                .execute(&mut *tx)
                .await?;
            let name: String = sqlx::query_scalar("DELETE FROM organisations WHERE id = $1 RETURNING name")
                .bind(from)
                .fetch_one(&mut *tx)
                .await?;
            let before = serde_json::json!({ "name": name });
            let after = serde_json::json!({ "merged_into": into, "moved": moved });
            // The audit log's actions are create, replace and delete: a merge deletes `from`,
            // and says where its contents went.
            crate::store::editing::audit!(tx, $json, by, "delete", "organisations", from, Some(before), Some(after.clone()), org: Some(from));
            // And `into` took them: its activities are changed for the open feed (a new
            // organiser for the moved ones) from this row on.
            crate::store::editing::audit!(tx, $json, by, "replace", "organisations", into, None, Some(serde_json::json!({ "merged_from": from, "moved": after["moved"] })), org: Some(into));
            bump(&mut tx).await?;
            tx.commit().await?;
            Ok(OrgOutcome::Done)
        }

        async fn create_token(
            &self,
            org_id: i64,
            role: crate::store::editing::Role,
            sha256: &str,
            label: Option<&str>,
            by: Option<i64>,
        ) -> Result<i64, StoreError> {
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
                    .bind(org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(StoreError::Invalid(format!("no organisation {org_id}")));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (org_id, role, sha256, label, created_ms)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(org_id)
            .bind(role.as_str())
            .bind(sha256)
            .bind(label)
            .bind(crate::store::editing::now_ms())
            .fetch_one(&mut *tx)
            .await?;
            let after = serde_json::json!({ "org_id": org_id, "role": role.as_str(), "label": label });
            crate::store::editing::audit!(tx, $json, by, "create", "api_tokens", id, None, Some(after), org: Some(org_id));
            tx.commit().await?;
            Ok(id)
        }

        async fn token(
            &self,
            sha256: &str,
        ) -> Result<Option<crate::store::editing::Actor>, StoreError> {
            let row = sqlx::query(
                "SELECT id, org_id, role FROM api_tokens WHERE sha256 = $1 AND revoked_ms IS NULL",
            )
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let id: i64 = row.try_get("id")?;
            let role: String = row.try_get("role")?;
            // When it was last used, to the hour: one small write an hour per token at most.
            // A store that cannot write now still lets the token be read.
            let now = crate::store::editing::now_ms();
            if let Err(e) = sqlx::query(
                "UPDATE api_tokens SET last_used_ms = $1
                 WHERE id = $2 AND (last_used_ms IS NULL OR last_used_ms < $1 - 3600000)",
            )
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await
            {
                tracing::warn!(error = %e, token = id, "could not note the token's use");
            }
            Ok(Some(crate::store::editing::Actor {
                token_id: Some(id),
                person_id: None,
                org_id: row.try_get("org_id")?,
                role: crate::store::editing::Role::parse(&role).ok_or_else(|| {
                    StoreError::Corrupt {
                        table: "api_tokens",
                        id,
                        reason: format!("role {role:?}"),
                    }
                })?,
            }))
        }

        async fn tokens(&self) -> Result<Vec<crate::store::editing::TokenInfo>, StoreError> {
            let rows = sqlx::query(
                "SELECT id, org_id, role, label, created_ms, last_used_ms, revoked_ms FROM api_tokens ORDER BY id",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(crate::store::editing::TokenInfo {
                        id: r.try_get("id")?,
                        org_id: r.try_get("org_id")?,
                        role: r.try_get("role")?,
                        label: r.try_get("label")?,
                        created_ms: r.try_get("created_ms")?,
                        last_used_ms: r.try_get("last_used_ms")?,
                        revoked: r.try_get::<Option<i64>, _>("revoked_ms")?.is_some(),
                    })
                })
                .collect()
        }

        async fn revoke_token(&self, id: i64, by: Option<i64>) -> Result<bool, StoreError> {
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let revoked = sqlx::query(
                "UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL
                 RETURNING org_id, role, label",
            )
            .bind(crate::store::editing::now_ms())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = revoked else {
                return Ok(false);
            };
            let org_id: i64 = row.try_get("org_id")?;
            let before = serde_json::json!({
                "org_id": org_id, "role": row.try_get::<String, _>("role")?,
                "label": row.try_get::<Option<String>, _>("label")?,
            });
            crate::store::editing::audit!(tx, $json, by, "delete", "api_tokens", id, Some(before), None, org: Some(org_id));
            tx.commit().await?;
            Ok(true)
        }

        async fn write_items(
            &self,
            collection: crate::store::editing::ItemCollection,
            actor: &crate::store::editing::Actor,
            writes: Vec<crate::store::editing::ItemWrite>,
        ) -> Result<crate::store::editing::BatchOutcome, StoreError> {
            use crate::store::editing::{BatchOutcome, ItemWrite, Role, WriteOutcome};
            let table = collection.table();
            let now = crate::store::editing::now_ms();
            // SQLite: take the write lock at BEGIN, so that two writers queue instead of
            // both reading and then failing to upgrade. PostgreSQL: lock the row read.
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let mut done = Vec::with_capacity(writes.len());
            for (index, write) in writes.into_iter().enumerate() {
            let replace_action = if matches!(write, ItemWrite::Update { .. }) {
                "update"
            } else {
                "replace"
            };
            let result: Result<(i64, i64), WriteOutcome> = 'one: {
            // The row as it is now, under this transaction: owner and version are checked
            // against it, and it goes to the audit log as `before`.
            let current = match &write {
                ItemWrite::Create { .. } => None,
                ItemWrite::Replace { id, .. }
                | ItemWrite::Update { id, .. }
                | ItemWrite::Delete { id, .. } => {
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT org_id, version, doc{} AS doc FROM {table} WHERE id = $1{}",
                        $text, $lock
                    )))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else {
                        break 'one Err(WriteOutcome::NotFound);
                    };
                    let org_id: i64 = row.try_get("org_id")?;
                    let version: i64 = row.try_get("version")?;
                    let doc: String = row.try_get("doc")?;
                    Some((org_id, version, doc))
                }
            };
            if let Some((org_id, version, _)) = &current {
                if actor.role == Role::Editor && *org_id != actor.org_id {
                    break 'one Err(WriteOutcome::Forbidden);
                }
                let expected = match &write {
                    ItemWrite::Replace {
                        expected_version, ..
                    }
                    | ItemWrite::Update {
                        expected_version, ..
                    }
                    | ItemWrite::Delete {
                        expected_version, ..
                    } => *expected_version,
                    ItemWrite::Create { .. } => unreachable!("creates have no current row"),
                };
                if *version != expected {
                    break 'one Err(WriteOutcome::Stale {
                        current_version: *version,
                    });
                }
            }
            let valid_until_column = collection == crate::store::editing::ItemCollection::VolunteerNeeds;
            let (action, id, version, after) = match write {
                ItemWrite::Create {
                    org_id,
                    example,
                    doc,
                    valid_until,
                } => {
                    if actor.role == Role::Editor && org_id != actor.org_id {
                        break 'one Err(WriteOutcome::Forbidden);
                    }
                    let doc = doc.to_string();
                    let id: i64 = if valid_until_column {
                        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO {table} (org_id, version, example, doc, valid_until, updated_ms)
                             VALUES ($1, 1, $2, $3{}, $4, $5) RETURNING id",
                            $json
                        )))
                        .bind(org_id)
                        .bind(example)
                        .bind(&doc)
                        .bind(valid_until.unwrap_or_default())
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    } else {
                        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "INSERT INTO {table} (org_id, version, example, doc, updated_ms)
                             VALUES ($1, 1, $2, $3{}, $4) RETURNING id",
                            $json
                        )))
                        .bind(org_id)
                        .bind(example)
                        .bind(&doc)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    };
                    ("create", id, 1, Some(doc))
                }
                ItemWrite::Replace {
                    id,
                    doc,
                    valid_until,
                    ..
                }
                | ItemWrite::Update {
                    id,
                    doc,
                    valid_until,
                    ..
                } => {
                    let doc = doc.to_string();
                    let version: i64 = if valid_until_column {
                        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "UPDATE {table} SET doc = $1{}, valid_until = $2, updated_ms = $3,
                                    version = version + 1
                             WHERE id = $4 RETURNING version",
                            $json
                        )))
                        .bind(&doc)
                        .bind(valid_until.unwrap_or_default())
                        .bind(now)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?
                    } else {
                        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "UPDATE {table} SET doc = $1{}, updated_ms = $2, version = version + 1
                             WHERE id = $3 RETURNING version",
                            $json
                        )))
                        .bind(&doc)
                        .bind(now)
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?
                    };
                    (replace_action, id, version, Some(doc))
                }
                ItemWrite::Delete { id, .. } => {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    ("delete", id, 0, None)
                }
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO audit_log (at_ms, token_id, org_id, role, action, collection, item_id, before, after, person_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8{json}, $9{json}, $10)",
                json = $json
            )))
            .bind(now)
            .bind(actor.token_id)
            .bind(actor.org_id)
            .bind(actor.role.as_str())
            .bind(action)
            .bind(collection.id())
            .bind(id)
            .bind(current.map(|(_, _, doc)| doc))
            .bind(after)
            .bind(actor.person_id)
            .execute(&mut *tx)
            .await?;
            Ok((id, version))
            };
            match result {
                Ok(item) => done.push(item),
                // Nothing of the batch is written: the transaction is dropped unfinished.
                Err(outcome) => return Ok(BatchOutcome::Refused { index, outcome }),
            }
            }
            let data_version = bump(&mut tx).await?;
            tx.commit().await?;
            Ok(BatchOutcome::Done {
                items: done,
                data_version,
            })
        }


        async fn add_offer(
            &self,
            need_id: i64,
            offer: &crate::domain::activity::HelpOffer,
            today: &str,
        ) -> Result<bool, StoreError> {
            let inserted = sqlx::query(
                "INSERT INTO help_offers (need_id, name, contact, message, created_ms)
                 SELECT id, $2, $3, $4, $5 FROM volunteer_needs WHERE id = $1 AND valid_until >= $6",
            )
            .bind(need_id)
            .bind(offer.name.trim())
            .bind(offer.contact.trim())
            .bind(offer.message.as_deref())
            .bind(crate::store::editing::now_ms())
            .bind(today)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        }

        async fn offers(
            &self,
            need_id: i64,
        ) -> Result<Vec<crate::store::editing::StoredOffer>, StoreError> {
            let rows = sqlx::query(
                "SELECT id, need_id, name, contact, message, created_ms, state FROM help_offers
                 WHERE need_id = $1 ORDER BY id",
            )
            .bind(need_id)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(crate::store::editing::StoredOffer {
                        id: r.try_get("id")?,
                        need_id: r.try_get("need_id")?,
                        name: r.try_get("name")?,
                        contact: r.try_get("contact")?,
                        message: r.try_get("message")?,
                        created_ms: r.try_get("created_ms")?,
                        state: r.try_get("state")?,
                    })
                })
                .collect()
        }

        async fn set_offer_state(
            &self,
            offer_id: i64,
            state: &str,
            person_id: Option<i64>,
        ) -> Result<bool, StoreError> {
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let before: Option<String> =
                sqlx::query_scalar("SELECT state FROM help_offers WHERE id = $1")
                    .bind(offer_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(before) = before else {
                return Ok(false);
            };
            sqlx::query("UPDATE help_offers SET state = $1 WHERE id = $2")
                .bind(state)
                .bind(offer_id)
                .execute(&mut *tx)
                .await?;
            crate::store::editing::audit!(
                tx,
                $json,
                person_id,
                "replace",
                "help_offers",
                offer_id,
                Some(serde_json::json!({ "state": before })),
                Some(serde_json::json!({ "state": state }))
            );
            tx.commit().await?;
            Ok(true)
        }

        async fn offer_need(&self, offer_id: i64) -> Result<Option<i64>, StoreError> {
            Ok(sqlx::query_scalar("SELECT need_id FROM help_offers WHERE id = $1")
                .bind(offer_id)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn purge_expired_offers(&self, today: &str) -> Result<u64, StoreError> {
            Ok(sqlx::query(
                "DELETE FROM help_offers WHERE need_id IN
                   (SELECT id FROM volunteer_needs WHERE valid_until < $1)",
            )
            .bind(today)
            .execute(&self.pool)
            .await?
            .rows_affected())
        }

        async fn load_programme(
            &self,
        ) -> Result<crate::store::editing::ProgrammeContents, StoreError> {
            // Every table and both versions from one moment.
            let mut tx = self.pool.begin_with($begin_read).await?;
            let (data_version, base_version) = crate::store::editing::versions!(tx);
            let (organisations, activities, volunteer_needs, proposals, feed_changes) =
                crate::store::editing::load_editing!(tx, $text);
            tx.commit().await?;
            Ok(crate::store::editing::ProgrammeContents {
                data_version,
                base_version,
                organisations,
                activities,
                feed_changes,
                volunteer_needs,
                proposals,
            })
        }

        async fn audit_log_where(
            &self,
            filter: &crate::store::editing::AuditFilter,
            limit: i64,
        ) -> Result<Vec<crate::store::editing::AuditRow>, StoreError> {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, at_ms, token_id, person_id, org_id, role, action, collection, item_id,
                        before{t} AS before, after{t} AS after
                 FROM audit_log
                 WHERE ($2 IS NULL OR collection = $2) AND ($3 IS NULL OR person_id = $3)
                   AND ($4 IS NULL OR org_id = $4)
                 ORDER BY id DESC LIMIT $1",
                t = $text
            )))
            .bind(limit)
            .bind(filter.collection.as_deref())
            .bind(filter.person_id)
            .bind(filter.org_id)
            .fetch_all(&self.pool)
            .await?;
            rows.into_iter()
                .map(|r| {
                    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
                    Ok(crate::store::editing::AuditRow {
                        id: r.try_get("id")?,
                        at_ms: r.try_get("at_ms")?,
                        token_id: r.try_get("token_id")?,
                        person_id: r.try_get("person_id")?,
                        org_id: r.try_get("org_id")?,
                        role: r.try_get("role")?,
                        action: r.try_get("action")?,
                        collection: r.try_get("collection")?,
                        item_id: r.try_get("item_id")?,
                        before: json(r.try_get("before")?),
                        after: json(r.try_get("after")?),
                    })
                })
                .collect()
        }

        async fn edit_facility(
            &self,
            id: i64,
            fields: &serde_json::Map<String, serde_json::Value>,
            by: Option<i64>,
        ) -> Result<Option<i64>, StoreError> {
            let mut tx = self.pool.begin_with($begin_write).await?;
            // Editing writes one at a time (PostgreSQL: the data version's row lock, taken
            // first): the audit log's ids then rise in commit order, the feed's change numbers.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *tx)
                .await?;
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT source, source_id, opening_hours, properties{t} AS properties
                 FROM facilities WHERE id = $1",
                t = $text
            )))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(None);
            };
            let corrupt = |reason: String| StoreError::Corrupt {
                table: "facility_edits",
                id,
                reason,
            };
            let source: String = row.try_get("source")?;
            let source_id: String = row.try_get("source_id")?;
            let imported_hours: Option<String> = row.try_get("opening_hours")?;
            let properties: serde_json::Value =
                serde_json::from_str(&row.try_get::<String, _>("properties")?)
                    .map_err(|e| corrupt(e.to_string()))?;
            let earlier: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT fields{t} FROM facility_edits WHERE source = $1 AND source_id = $2",
                t = $text
            )))
            .bind(&source)
            .bind(&source_id)
            .fetch_optional(&mut *tx)
            .await?;
            let mut merged: serde_json::Map<String, serde_json::Value> = match earlier {
                Some(text) => serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?,
                None => serde_json::Map::new(),
            };
            let before: serde_json::Map<String, serde_json::Value> = fields
                .keys()
                .map(|k| {
                    let served = merged.get(k).cloned().unwrap_or_else(|| match k.as_str() {
                        "opening_hours" => imported_hours.clone().into(),
                        other => properties.get(other).cloned().unwrap_or_default(),
                    });
                    (k.clone(), served)
                })
                .collect();
            merged.extend(fields.clone());
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO facility_edits (source, source_id, fields, updated_ms, person_id)
                 VALUES ($1, $2, $3{j}, $4, $5)
                 ON CONFLICT (source, source_id) DO UPDATE SET fields = excluded.fields,
                   updated_ms = excluded.updated_ms, person_id = excluded.person_id",
                j = $json
            )))
            .bind(&source)
            .bind(&source_id)
            .bind(serde_json::Value::Object(merged).to_string())
            .bind(crate::store::editing::now_ms())
            .bind(by)
            .execute(&mut *tx)
            .await?;
            crate::store::editing::audit!(
                tx, $json, by, "update", "facilities", id,
                Some(serde_json::Value::Object(before)),
                Some(serde_json::Value::Object(fields.clone()))
            );
            let version = bump(&mut tx).await?;
            // The facilities are part of the imported data: every server builds anew.
            sqlx::query(
                "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'data_version')
                 WHERE key = 'base_version'",
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(version))
        }
        }
    };
}

/// `(data_version, base_version)` read in transaction `$tx`: which edit and which import
/// the data read with them belongs to.
macro_rules! versions {
    ($tx:expr) => {{
        let data_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
                .fetch_one(&mut *$tx)
                .await?;
        let base_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'base_version'")
                .fetch_one(&mut *$tx)
                .await?;
        (data_version, base_version)
    }};
}

/// An audit row for a change made by a person (`$by`) in the portal, in transaction `$tx`.
macro_rules! audit {
    ($tx:expr, $json:literal, $by:expr, $action:literal, $collection:literal, $item:expr, $before:expr, $after:expr) => {
        crate::store::editing::audit!($tx, $json, $by, $action, $collection, $item, $before, $after, org: None::<i64>)
    };
    // `org`: the organisation the change concerns, so that the log filters by it.
    ($tx:expr, $json:literal, $by:expr, $action:literal, $collection:literal, $item:expr, $before:expr, $after:expr, org: $org:expr) => {{
        let before: Option<serde_json::Value> = $before;
        let after: Option<serde_json::Value> = $after;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_log (at_ms, person_id, action, collection, item_id, before, after, org_id)
             VALUES ($1, $2, $3, $4, $5, $6{json}, $7{json}, $8)",
            json = $json
        )))
        .bind(crate::store::editing::now_ms())
        .bind($by)
        .bind($action)
        .bind($collection)
        .bind($item)
        .bind(before.map(|v| v.to_string()))
        .bind(after.map(|v| v.to_string()))
        .bind($org)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Reads organisations, activities and needs for the snapshot (same SQL on both stores).
macro_rules! load_editing {
    ($tx:expr, $text:literal) => {{
        use crate::domain::activity::{Item, OrgKind, Organisation};
        let corrupt = |table: &'static str, id: i64, reason: String| StoreError::Corrupt {
            table,
            id,
            reason,
        };
        let mut organisations = Vec::new();
        for r in sqlx::query(
            "SELECT id, name, kind, contact, website, example, deactivated_ms, created_ms, open_data_ms
             FROM organisations ORDER BY id",
        )
            .fetch_all(&mut *$tx)
            .await?
        {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            organisations.push(Organisation {
                id,
                name: r.try_get("name")?,
                kind: OrgKind::parse(&kind)
                    .ok_or_else(|| corrupt("organisations", id, format!("kind {kind:?}")))?,
                contact: r.try_get("contact")?,
                website: r.try_get("website")?,
                example: r.try_get("example")?,
                active: r.try_get::<Option<i64>, _>("deactivated_ms")?.is_none(),
                created_ms: r.try_get("created_ms")?,
                open_data: r.try_get::<Option<i64>, _>("open_data_ms")?.is_some(),
            });
        }
        // One table of items (activities or volunteer needs) with their documents.
        macro_rules! items {
            ($table:literal) => {{
                let mut items = Vec::new();
                for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT id, org_id, version, example, doc{} AS doc, updated_ms FROM {} ORDER BY id",
                    $text, $table
                )))
                .fetch_all(&mut *$tx)
                .await?
                {
                    let id: i64 = r.try_get("id")?;
                    let doc: String = r.try_get("doc")?;
                    items.push(Item {
                        id,
                        org_id: r.try_get("org_id")?,
                        version: r.try_get("version")?,
                        example: r.try_get("example")?,
                        updated_at: jiff::Timestamp::from_millisecond(r.try_get("updated_ms")?)
                            .map_err(|e| corrupt($table, id, e.to_string()))?,
                        doc: serde_json::from_str(&doc)
                            .map_err(|e| corrupt($table, id, e.to_string()))?,
                    });
                }
                items
            }};
        }
        let activities = items!("activities");
        let needs = items!("volunteer_needs");
        let proposals = crate::store::proposal_rows::load_published!($tx);
        // Ids are never reused, so every activity the audit log saw deleted is gone.
        let mut changes = crate::domain::activity::FeedChanges::default();
        for r in sqlx::query(
            "SELECT collection, item_id, MAX(id) AS change,
                    MAX(CASE WHEN action = 'delete' THEN 1 ELSE 0 END) AS deleted
             FROM audit_log WHERE collection IN ('activities', 'organisations')
                OR (collection = 'facilities' AND role = 'import')
             GROUP BY collection, item_id",
        )
        .fetch_all(&mut *$tx)
        .await?
        {
            let id: i64 = r.try_get("item_id")?;
            let change: i64 = r.try_get("change")?;
            let deleted: i32 = r.try_get("deleted")?;
            match r.try_get::<String, _>("collection")?.as_str() {
                "organisations" => {
                    changes.organisations.insert(id, change);
                }
                // An import that renamed or moved the facility.
                "facilities" => {
                    changes.facilities.insert(id, change);
                }
                _ if deleted == 1 => changes
                    .deleted
                    .push(crate::domain::activity::Tombstone { id, change }),
                _ => {
                    changes.activities.insert(id, change);
                }
            }
        }
        (organisations, activities, needs, proposals, changes)
    }};
}

pub(crate) use {audit, editing_impl, load_editing, versions};
