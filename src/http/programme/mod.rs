//! Activities and volunteer needs: OGC API – Features collections (read, filter, walk from a
//! point), JSON-LD for activities, and writes by organisations (OGC API – Features Part 4
//! style: POST to the items, PUT/PATCH/DELETE on an item), with bearer tokens, ETag and
//! If-Match. Offers of help are taken publicly and shown only to the need's organisation.
//!
//! `filter.rs` reads the residents' filters from a query, `wire.rs` writes items as GeoJSON
//! features and JSON-LD, `read.rs` serves lists and items, `write.rs` turns requests into
//! calls of the one write path ([`crate::edit::write_item`]), `offers.rs` takes and shows
//! offers of help.

mod calendar;
mod feed;
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
use crate::store::accounts::{Membership, Person, StaffRole};
use crate::store::editing::{Actor, Role};

pub use crate::store::editing::token_sha256;
pub use calendar::get_calendar;
pub use feed::{get_activity_categories, get_dataset, get_session_series};
pub use filter::ActivityFilter;
pub use offers::{MAX_OFFERS_PER_ADDRESS, get_offers, post_offer};
pub(crate) use read::add_walk;
pub(in crate::http) use read::collection_page;
pub use read::{get_activity, get_collection, get_need, list_activities, list_needs};
pub use wire::{GEO_JSON, JSON_LD, activity_feature, collections_json, need_feature};
pub use write::{
    Activities, VolunteerNeeds, Writable, delete_item, patch_item, post_item, put_item,
};

pub(super) fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

pub(in crate::http) fn json_response(
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

/// Who calls: a machine with an API token, or a person signed in to the portal (whose
/// session's CSRF token came with a request that changes something).
pub(in crate::http) enum Caller {
    Token(Actor),
    Person {
        person: Person,
        memberships: Vec<Membership>,
    },
}

impl Caller {
    /// The actor that writes for organisation `org` (the item's owner, or the one a new
    /// item names). A token is what it is; a person writes as an editor of an organisation
    /// they belong to (the only one, when `org` is not known), or as admin when staff admin.
    pub(in crate::http) fn actor_for(&self, org: Option<i64>) -> Result<Actor, ApiError> {
        let (person, memberships) = match self {
            Caller::Token(actor) => return Ok(actor.clone()),
            Caller::Person {
                person,
                memberships,
            } => (person, memberships),
        };
        let member_of = |o: i64| memberships.iter().any(|m| m.org_id == o);
        let as_editor = |org_id| Actor {
            token_id: None,
            person_id: Some(person.id),
            org_id,
            role: Role::Editor,
        };
        if person.staff_role == Some(StaffRole::Admin) {
            let org_id = org.or(memberships.first().map(|m| m.org_id)).unwrap_or(0);
            return Ok(Actor {
                role: Role::Admin,
                ..as_editor(org_id)
            });
        }
        match (org, memberships.as_slice()) {
            (Some(o), _) if member_of(o) => Ok(as_editor(o)),
            (None, [only]) => Ok(as_editor(only.org_id)),
            (None, []) | (Some(_), _) => Err(ApiError::Forbidden(
                "you are not a member of this organisation".into(),
            )),
            (None, _) => Err(ApiError::InvalidBody(vec![
                crate::domain::activity::FieldError {
                    field: "org_id".into(),
                    reason: "you belong to several organisations: name the one this is for".into(),
                },
            ])),
        }
    }
}

/// The caller behind `Authorization: Bearer …` or the session cookie, or a 401. `changes`:
/// the request changes something, so a session must send its CSRF token. A deactivated
/// organisation's token is refused (403), and its members act as if not members.
pub(in crate::http) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    changes: bool,
) -> Result<Caller, ApiError> {
    let active = |org: i64| {
        state
            .snapshot
            .load()
            .programme
            .organisation(org)
            .is_some_and(|o| o.active)
    };
    if headers.get(header::AUTHORIZATION).is_none() {
        if let Some(person) = super::auth::person_of(state, headers, changes).await? {
            let mut memberships = state.store.memberships(person.id).await?;
            memberships.retain(|m| active(m.org_id));
            return Ok(Caller::Person {
                person,
                memberships,
            });
        }
        if super::auth::session_cookie(state, headers).is_some() {
            return Err(ApiError::Unauthorized(
                "your session has ended (signed out, or unused for 30 minutes): sign in again"
                    .into(),
            ));
        }
    }
    let actor = authenticate(state, headers).await?;
    if !active(actor.org_id) {
        return Err(ApiError::Forbidden(
            "this token's organisation is deactivated: ask the municipality's staff".into(),
        ));
    }
    Ok(Caller::Token(actor))
}

/// The actor behind `Authorization: Bearer …`, or a 401.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("sign in on the organisations' page (/org), or send an API token as `Authorization: Bearer TOKEN` (made on /admin or with `naermiljo token create`)".into()))?;
    let hash = token_sha256(token);
    match state.store.token(&hash).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(ApiError::Unauthorized(
            "the API token is unknown or revoked".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
