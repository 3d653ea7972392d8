//! Medvirkning over HTTP (issue 15, docs/PARTICIPATION.md): residents propose and support
//! with a participation code or a confirmed email (no accounts, no cookies); links confirm
//! an email; staff moderate, answer and make codes; everyone reads published proposals as an
//! OGC API – Features collection (GeoJSON, or CSV for the nærutvalg).
//!
//! Nothing here ever writes an email address or a code into a response: the moderation list
//! says only whether there is an email (`has_email`).

mod links;
mod propose;
mod read;
mod staff;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::LonLat;
use crate::domain::activity::FieldError;
use crate::http::auth::ClientAddr;
use crate::http::error::ApiError;
use crate::http::params::Params;
use crate::http::portal::private;
use crate::http::programme::GEO_JSON;
use crate::http::{AppState, BaseUrl};
use crate::participation::{
    self as p, ANSWER_CHARS, Category, State as PState, Status, TEXT_CHARS, TITLE_CHARS,
};
use crate::store::accounts::Person;
use crate::store::editing::{now_ms, token_sha256};
use crate::store::participation::{
    Confirmed, CreateOutcome, ModerateOutcome, Moderation, NewBatch, NewProposal, ProposalRow,
    SupportOutcome,
};

pub use links::{get_confirm, post_confirm};
pub use propose::{post_mine, post_proposal, post_support};
pub use read::{collection_json, get_collection, get_photo, get_proposal, list_proposals};
pub use staff::{get_batches, get_moderation, get_moderation_photo, post_batch, post_moderation};

/// Rate limits, per 15 minutes (the window the failure counters keep).
pub const MAX_PROPOSALS_PER_ADDRESS: i64 = 5;
pub const MAX_PROPOSALS_PER_EMAIL: i64 = 3;
pub const MAX_SUPPORTS_PER_ADDRESS: i64 = 30;
/// The most bytes a proposal's request may have: a photo of
/// [`crate::participation::PHOTO_MAX_BYTES`] in base64, and the rest.
pub const PROPOSAL_BODY_MAX_BYTES: usize =
    crate::participation::PHOTO_MAX_BYTES / 3 * 4 + 64 * 1024;
/// Wrong codes from one network address before it must wait: a class mistypes, but 30 tries
/// in 15 minutes find nothing among 28^10 codes.
pub const MAX_BAD_CODES_PER_ADDRESS: i64 = 30;

const CODE_REFUSED: &str = "the participation code is not valid: it is unknown, has expired or has been used as many times as it may";

fn field(name: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: name.into(),
        reason: reason.into(),
    }
}

fn chars_in(
    errors: &mut Vec<FieldError>,
    name: &str,
    text: &str,
    range: std::ops::RangeInclusive<usize>,
) {
    let n = p::visible_chars(text);
    if !range.contains(&n) {
        errors.push(field(
            name,
            format!(
                "must be {}–{} characters, is {n}",
                range.start(),
                range.end()
            ),
        ));
    }
}

/// Counts an event against a limit of `max` per 15 minutes; `Err` when it is reached.
async fn limited(state: &AppState, key: &str, max: i64, what: &str) -> Result<(), ApiError> {
    let since = now_ms() - crate::store::accounts::retention::FAILURES_MS;
    if state.store.failures(key, since).await? >= max {
        return Err(ApiError::TooManyRequests(format!(
            "too many {what} came from here lately; try again in 15 minutes"
        )));
    }
    Ok(())
}

async fn note(state: &AppState, keys: &[String]) -> Result<(), ApiError> {
    state.store.note_failure(keys, now_ms()).await?;
    Ok(())
}

/// A wrong code counts against the network address (and then 403s).
async fn bad_code(state: &AppState, client: &str) -> ApiError {
    if let Err(e) = note(state, &[format!("code:{client}")]).await {
        return e;
    }
    ApiError::Forbidden(CODE_REFUSED.into())
}

fn lang_of(lang: Option<&str>) -> String {
    if lang == Some("en") { "en" } else { "nb" }.to_string()
}

/// A link's secret: 32 random bytes, hex.
fn new_secret() -> String {
    crate::store::editing::new_token()
        .trim_start_matches("nm_")
        .to_string()
}

async fn reload(state: &AppState) {
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %e, "written, but the snapshot could not be rebuilt yet");
    }
}

fn date_oslo(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| crate::domain::activity::today(t).to_string())
        .unwrap_or_default()
}

fn district_json(s: &crate::index::Snapshot, d: Option<u32>) -> Value {
    match d {
        Some(i) => {
            let d = &s.districts[i as usize];
            json!({ "id": d.id, "name": d.name, "level": d.level })
        }
        None => Value::Null,
    }
}

/// The municipality's answers as the API writes them, oldest first.
fn answers_json(answers: &[crate::store::participation::Answer]) -> Value {
    answers
        .iter()
        .map(|a| json!({ "status": a.status.as_str(), "answer": a.answer, "at": date_oslo(a.at_ms) }))
        .collect()
}

/// A catchment as the API writes it (residents rounded to whole people).
fn catchment_json(c: Option<&crate::coverage::Catchment>) -> Value {
    match c {
        None => Value::Null,
        Some(c) => json!({
            "minutes": c.minutes, "homes": c.homes,
            "residents": c.residents.map(|r| r.round() as i64),
            "kind": c.kind.map(|k| k.as_str()), "homes_without": c.homes_without,
        }),
    }
}
