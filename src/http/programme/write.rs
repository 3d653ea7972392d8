//! Writes by organisations over HTTP: the wire half of a write (bearer token, `If-Match`,
//! a GeoJSON Feature or plain object as the body, the reply with the new ETag). What a
//! write means is [`crate::edit::write_item`]'s, the one write path the pages and the CLI
//! use too.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

use super::super::error::ApiError;
use super::super::{AppState, BaseUrl};
use super::wire::{GEO_JSON, activity_feature, need_feature};
use super::{caller, etag, json_response, parse_id};
use crate::edit::{Change, EditError, Written};
use crate::store::editing::ItemCollection;

/// The version an `If-Match` header names; 428 when absent; 400 when it is not an entity
/// tag as RFC 9110 §8.8.3 writes one (a quoted string; `*` is refused too: it would match
/// whatever version is there, which is what If-Match exists to prevent); 412 when it is one
/// that cannot match (another tag, or a weak one: If-Match compares strongly).
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let v = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::PreconditionRequired(
            "send If-Match with the ETag of the item as you read it, so that no one's change is lost".into(),
        ))?;
    let t = v.trim();
    if t == "*" {
        return Err(ApiError::invalid(
            "If-Match",
            "* is not accepted: send the ETag of the item as you read it, e.g. \"v3\"",
        ));
    }
    let tag = t.strip_prefix("W/").unwrap_or(t);
    if tag.len() < 2
        || !tag.starts_with('"')
        || !tag.ends_with('"')
        || tag[1..tag.len() - 1].contains('"')
    {
        return Err(ApiError::invalid(
            "If-Match",
            format!(
                "{v:?} is not an entity tag: send the ETag as read, with its quotes, e.g. \"v3\""
            ),
        ));
    }
    if t.starts_with("W/") {
        return Err(ApiError::PreconditionFailed {
            detail: format!(
                "If-Match {v} is a weak tag, and If-Match compares strongly: send the ETag as read"
            ),
            current: None,
        });
    }
    tag.strip_prefix("\"v")
        .and_then(|r| r.strip_suffix('"'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiError::PreconditionFailed {
            detail: format!("If-Match {v} does not name a version of this item"),
            current: None,
        })
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> ApiError {
        match e {
            EditError::NotFound(detail) => ApiError::NotFound(detail),
            EditError::Forbidden(detail) => ApiError::Forbidden(detail),
            EditError::Stale { current_version } => ApiError::PreconditionFailed {
                detail: format!(
                    "the item changed since it was read (now version {current_version}); read it again and reapply the change"
                ),
                current: Some(etag(current_version)),
            },
            EditError::Invalid(errors) => ApiError::InvalidFeature(errors),
            EditError::Store(e) => e.into(),
        }
    }
}

/// Makes the change through the one write path, then answers from the new data: this
/// instance reloads before it replies.
async fn write(
    state: &AppState,
    c: ItemCollection,
    headers: &HeaderMap,
    base: &str,
    change: impl FnOnce() -> Result<Change, ApiError>,
) -> Result<Response, ApiError> {
    let caller = caller(state, headers, true).await?;
    let change = change()?;
    let created = matches!(change, Change::Create { .. });
    let Written { id, version, .. } = {
        let s = state.snapshot.load();
        // The organisation written for: the item's owner, or the one a new item names.
        let org = match &change {
            Change::Create { body, .. } => named_org(body),
            Change::Update { id, .. } | Change::Delete { id, .. } => owner(&s, c, *id),
        };
        let actor = caller.actor_for(org)?;
        crate::edit::write_item(state.store.as_ref(), &s, &actor, c, change).await?
    };
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %format!("{e:#}"), "refresh after a write failed; the next poll retries");
    }
    if version == 0 {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let s = state.snapshot.load();
    let feature = match c {
        ItemCollection::Activities => s
            .programme
            .activities
            .index_of(id)
            .map(|i| activity_feature(&s, i, Timestamp::now(), base)),
        ItemCollection::VolunteerNeeds => s
            .programme
            .needs
            .index_of(id)
            .map(|i| need_feature(&s, i, base)),
    }
    .unwrap_or_else(|| json!({ "id": id }));
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut r = json_response(status, GEO_JSON, &feature);
    let h = r.headers_mut();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag(version)).expect("ascii"),
    );
    if created {
        h.insert(
            header::LOCATION,
            HeaderValue::from_str(&format!("{base}/api/collections/{}/items/{id}", c.id()))
                .expect("ascii"),
        );
    }
    Ok(r)
}

/// The `org_id` a written body names (at its top or in a Feature's properties).
fn named_org(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("org_id")
        .or_else(|| v.get("properties")?.get("org_id"))
        .and_then(serde_json::Value::as_i64)
}

/// The organisation that owns an item, as this instance knows it.
fn owner(s: &crate::index::Snapshot, c: ItemCollection, id: i64) -> Option<i64> {
    let p = &s.programme;
    match c {
        ItemCollection::Activities => p
            .activities
            .index_of(id)
            .map(|i| p.activities.items[i as usize].org_id),
        ItemCollection::VolunteerNeeds => p
            .needs
            .index_of(id)
            .map(|i| p.needs.items[i as usize].org_id),
    }
}

/// The item id of a path, or a 404 naming it.
fn item_id(c: ItemCollection, fid: &str) -> Result<i64, ApiError> {
    parse_id(fid).ok_or_else(|| ApiError::NotFound(format!("no item {fid:?} in {}", c.id())))
}

/// Which collection a write handler serves, as a type: `post_item::<Activities>`.
pub trait Writable {
    const COLLECTION: ItemCollection;
}

pub struct Activities;
pub struct VolunteerNeeds;

impl Writable for Activities {
    const COLLECTION: ItemCollection = ItemCollection::Activities;
}

impl Writable for VolunteerNeeds {
    const COLLECTION: ItemCollection = ItemCollection::VolunteerNeeds;
}

pub async fn post_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    write(&state, C::COLLECTION, &headers, &base.0, || {
        Ok(Change::Create {
            body,
            example: false,
        })
    })
    .await
}

pub async fn put_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    update(state, C::COLLECTION, base, fid, headers, body, false).await
}

/// PATCH: a JSON Merge Patch (RFC 7396) of the item.
pub async fn patch_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    update(state, C::COLLECTION, base, fid, headers, body, true).await
}

async fn update(
    state: AppState,
    c: ItemCollection,
    base: BaseUrl,
    fid: String,
    headers: HeaderMap,
    body: Bytes,
    patch: bool,
) -> Result<Response, ApiError> {
    write(&state, c, &headers, &base.0, || {
        let id = item_id(c, &fid)?;
        let expected_version = if_match(&headers)?;
        Ok(Change::Update {
            id,
            expected_version,
            body,
            merge: patch,
        })
    })
    .await
}

pub async fn delete_item<C: Writable>(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    write(&state, C::COLLECTION, &headers, &base.0, || {
        Ok(Change::Delete {
            id: item_id(C::COLLECTION, &fid)?,
            expected_version: if_match(&headers)?,
        })
    })
    .await
}
