//! Activities and volunteer needs: OGC API – Features collections (read, filter, walk from a
//! point), JSON-LD for activities, and writes by organisations (OGC API – Features Part 4
//! style: POST to the items, PUT/PATCH/DELETE on an item), with bearer tokens, ETag and
//! If-Match. Offers of help are taken publicly and shown only to the need's organisation.
//!
//! `filter.rs` reads the residents' filters from a query, `wire.rs` writes items as GeoJSON
//! features and JSON-LD, `read.rs` serves lists and items, `write.rs` turns requests into
//! calls of the one write path ([`crate::edit::write_item`]), `offers.rs` takes and shows
//! offers of help.

mod filter;
mod offers;
mod read;
mod wire;
mod write;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::AppState;
use super::error::ApiError;
use crate::store::editing::Actor;

pub use crate::store::editing::token_sha256;
pub use filter::ActivityFilter;
pub use offers::{get_offers, post_offer};
pub(crate) use read::add_walk;
pub use read::{get_activity, get_collection, get_need, list_activities, list_needs};
pub use wire::{GEO_JSON, JSON_LD, activity_feature, collections_json, need_feature};
pub use write::{
    Activities, VolunteerNeeds, Writable, delete_item, patch_item, post_item, put_item,
};

pub(super) fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

pub(super) fn json_response(
    status: StatusCode,
    content_type: &'static str,
    body: &Value,
) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub(super) fn parse_id(fid: &str) -> Option<i64> {
    fid.parse().ok()
}

pub(super) fn store_down(e: crate::store::StoreError) -> ApiError {
    ApiError::StoreDown(e.to_string())
}

/// The actor behind `Authorization: Bearer …`, or a 401.
pub(super) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("send an API token as `Authorization: Bearer TOKEN` (made with `naermiljo token create`)".into()))?;
    let hash = token_sha256(token);
    match state.store.token(&hash).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(ApiError::Unauthorized(
            "the API token is unknown or revoked".into(),
        )),
        Err(e) => Err(ApiError::StoreDown(e.to_string())),
    }
}
