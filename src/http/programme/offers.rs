//! Offers of help: anyone may offer to help with a volunteer need; only the need's
//! organisation (or an admin) sees the offers. They are personal data: never in a
//! snapshot, deleted once the need has expired.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::json;

use super::super::AppState;
use super::super::error::ApiError;
use super::{caller, json_response, parse_id};
use crate::domain::activity::{FieldError, HelpOffer, today};
use crate::store::editing::Role;

/// Offers taken from one client address within 15 minutes, at most: each one emails the
/// organisation's members, so no one may flood them.
pub const MAX_OFFERS_PER_ADDRESS: i64 = 20;

/// `POST …/volunteer-needs/items/{id}/offers`: anyone may offer help. The reply never
/// repeats what was sent.
pub async fn post_offer(
    State(state): State<AppState>,
    super::super::auth::ClientAddr(client): super::super::auth::ClientAddr,
    Path(fid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let offer: HelpOffer = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![FieldError {
            field: "body".into(),
            reason: format!("expected {{\"name\", \"contact\", \"message\"?}}: {e}"),
        }])
    })?;
    let errors = offer.validate();
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let id =
        parse_id(&fid).ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    let key = format!("offer:{client}");
    let now = crate::store::editing::now_ms();
    let since = now - crate::store::accounts::retention::FAILURES_MS;
    if state.store.failures(&key, since).await? >= MAX_OFFERS_PER_ADDRESS {
        return Err(ApiError::TooManyRequests(
            "many offers came from here lately; try again in 15 minutes".into(),
        ));
    }
    let today = today(Timestamp::now()).to_string();
    match state.store.add_offer(id, &offer, &today).await {
        Ok(true) => {
            state
                .store
                .note_failure(std::slice::from_ref(&key), now)
                .await?;
            // The organisation hears of it by email (sent from the outbox).
            let snapshot = state.snapshot.load();
            let base = state.public_url();
            if let Err(e) =
                crate::mail::notify_offer(state.store.as_ref(), &snapshot, id, &offer, &base).await
            {
                tracing::warn!(error = %e, need = id, "offer stored, but its email could not be queued");
            }
            Ok(json_response(
                StatusCode::ACCEPTED,
                "application/json",
                &json!({ "status": "received", "detail": "Takk! The organisation will contact you. Your name and contact are shown to no one else and are deleted when the need expires." }),
            ))
        }
        Ok(false) => Err(ApiError::NotFound(format!(
            "no current volunteer need {fid:?}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// `GET …/volunteer-needs/items/{id}/offers`: for the need's organisation (or an admin).
pub async fn get_offers(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers, false).await?;
    let id =
        parse_id(&fid).ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    let owner = {
        let s = state.snapshot.load();
        s.programme
            .needs
            .index_of(id)
            .map(|i| s.programme.needs.items[i as usize].org_id)
    }
    .ok_or_else(|| ApiError::NotFound(format!("no volunteer need {fid:?}")))?;
    let actor = caller.actor_for(Some(owner))?;
    if actor.role == Role::Editor && owner != actor.org_id {
        return Err(ApiError::Forbidden(
            "offers are shown only to the need's organisation".into(),
        ));
    }
    let offers = state.store.offers(id).await?;
    let mut r = json_response(
        StatusCode::OK,
        "application/json",
        &json!({ "need_id": id, "offers": offers }),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}
