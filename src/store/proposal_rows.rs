//! Residents' proposals as stored and read (issue 15): the rows both the participation
//! half of a store (`store::participation`) and the snapshot's load (`store::editing`) read,
//! with the SQL to read them written once for both stores.

use serde::Serialize;

use crate::participation::{Flag, State, Status};

/// One public answer of the municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub status: Status,
    pub answer: String,
    pub at_ms: i64,
}

/// A proposal as stored. `email` is for sending notices only: no response carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub lon: f64,
    pub lat: f64,
    pub state: State,
    pub status: Status,
    /// `code` or `email`.
    pub via: &'static str,
    pub batch_label: Option<String>,
    pub email: Option<String>,
    pub email_confirmed: bool,
    pub lang: String,
    pub flags: Vec<Flag>,
    pub reject_reason: Option<String>,
    pub merged_into: Option<i64>,
    pub created_ms: i64,
    pub published_ms: Option<i64>,
    pub updated_ms: i64,
    pub version: i64,
    /// Confirmed supports.
    pub supports: i64,
    pub has_photo: bool,
    /// Oldest first.
    pub answers: Vec<Answer>,
}

impl ProposalRow {
    /// Where notices go: the proposer's confirmed email and language.
    pub fn notice_to(&self) -> Option<(String, String)> {
        self.email
            .clone()
            .filter(|_| self.email_confirmed)
            .map(|e| (e, self.lang.clone()))
    }
}

/// Published proposals as the snapshot holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedProposal {
    pub id: i64,
    pub category: crate::participation::Category,
    pub title: String,
    pub body: String,
    pub lon: f64,
    pub lat: f64,
    pub status: Status,
    pub supports: i64,
    pub has_photo: bool,
    pub published_ms: i64,
    pub updated_ms: i64,
    pub answers: Vec<Answer>,
}

/// Proposals with their supports and answers, from one connection or transaction; `$where`
/// with at most one parameter.
macro_rules! read_proposals {
    ($conn:expr, $where:literal, $param:expr) => {{
        async {
            use crate::participation::{State, Status};
            use crate::store::proposal_rows::{Answer, ProposalRow};
            let corrupt = |id: i64, reason: String| StoreError::Corrupt {
                table: "proposals",
                id,
                reason,
            };
            let sql = concat!(
                "SELECT p.id, p.category, p.title, p.body, p.lon, p.lat, p.state, p.status, p.code_id, p.batch_label,
                        p.email, p.email_confirmed_ms, p.lang, p.flags, p.reject_reason, p.merged_into, p.created_ms,
                        p.published_ms, p.updated_ms, p.version,
                        (SELECT COUNT(*) FROM proposal_supports s WHERE s.proposal_id = p.id AND s.confirmed_ms IS NOT NULL) AS supports,
                        CASE WHEN p.photo IS NULL THEN 0 ELSE 1 END AS has_photo
                 FROM proposals p ",
                $where,
                " ORDER BY p.id DESC"
            );
            let mut q = sqlx::query(sql);
            if let Some(v) = $param {
                q = q.bind(v);
            }
            let rows = q.fetch_all(&mut *$conn).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let state: String = r.try_get("state")?;
                let status: String = r.try_get("status")?;
                let flags: String = r.try_get("flags")?;
                out.push(ProposalRow {
                    id,
                    category: r.try_get("category")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    lon: r.try_get("lon")?,
                    lat: r.try_get("lat")?,
                    state: State::parse(&state).ok_or_else(|| corrupt(id, format!("state {state:?}")))?,
                    status: Status::parse(&status).ok_or_else(|| corrupt(id, format!("status {status:?}")))?,
                    via: if r.try_get::<Option<String>, _>("batch_label")?.is_some()
                        || r.try_get::<Option<i64>, _>("code_id")?.is_some()
                    {
                        "code"
                    } else {
                        "email"
                    },
                    batch_label: r.try_get("batch_label")?,
                    email: r.try_get("email")?,
                    email_confirmed: r.try_get::<Option<i64>, _>("email_confirmed_ms")?.is_some(),
                    lang: r.try_get("lang")?,
                    flags: serde_json::from_str(&flags).map_err(|e| corrupt(id, e.to_string()))?,
                    reject_reason: r.try_get("reject_reason")?,
                    merged_into: r.try_get("merged_into")?,
                    created_ms: r.try_get("created_ms")?,
                    published_ms: r.try_get("published_ms")?,
                    updated_ms: r.try_get("updated_ms")?,
                    version: r.try_get("version")?,
                    supports: r.try_get("supports")?,
                    has_photo: r.try_get::<i32, _>("has_photo")? == 1,
                    answers: Vec::new(),
                });
            }
            if !out.is_empty() {
                let answers = sqlx::query(
                    "SELECT proposal_id, status, answer, created_ms FROM proposal_answers ORDER BY id",
                )
                .fetch_all(&mut *$conn)
                .await?;
                let index: std::collections::HashMap<i64, usize> =
                    out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
                for a in &answers {
                    let pid: i64 = a.try_get("proposal_id")?;
                    let Some(&i) = index.get(&pid) else { continue };
                    let status: String = a.try_get("status")?;
                    out[i].answers.push(Answer {
                        status: Status::parse(&status).ok_or_else(|| corrupt(pid, format!("answer status {status:?}")))?,
                        answer: a.try_get("answer")?,
                        at_ms: a.try_get("created_ms")?,
                    });
                }
            }
            Ok::<_, StoreError>(out)
        }
        .await
    }};
}

/// Published proposals for the snapshot (same SQL on both stores).
macro_rules! load_published {
    ($tx:expr) => {{
        crate::store::proposal_rows::read_proposals!(
            &mut *$tx,
            "WHERE p.state = $1",
            Some("published")
        )?
        .into_iter()
        .filter_map(|p| {
            Some(crate::store::proposal_rows::PublishedProposal {
                id: p.id,
                category: crate::participation::Category::parse(&p.category)?,
                title: p.title,
                body: p.body,
                lon: p.lon,
                lat: p.lat,
                status: p.status,
                supports: p.supports,
                has_photo: p.has_photo,
                published_ms: p.published_ms.unwrap_or(p.created_ms),
                updated_ms: p.updated_ms,
                answers: p.answers,
            })
        })
        .collect::<Vec<_>>()
    }};
}

pub(crate) use {load_published, read_proposals};
