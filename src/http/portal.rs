//! What the organisations' and staff's pages need beyond the items: an organisation's
//! members and invitations, answering offers of help, new organisations, and the email
//! outbox. For signed-in people (a session; the CSRF token on every change). Writes of
//! activities and needs are the items' own endpoints, the same as for API tokens.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use crate::domain::activity::FieldError;
use crate::store::accounts::{LinkPurpose, OrgRole, Person, StaffRole};
use crate::store::editing::now_ms;

pub(super) fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::InvalidBody(vec![FieldError {
        field: field.into(),
        reason: reason.into(),
    }])
}

pub(super) fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| invalid("body", e.to_string()))
}

/// Whether `p` may work for organisation `org` (any member; with `as_admin`, only its
/// `org_admin`s), or is staff admin.
pub(super) async fn member(
    state: &AppState,
    p: &Person,
    org: i64,
    as_admin: bool,
) -> Result<bool, ApiError> {
    if p.staff_role == Some(StaffRole::Admin) {
        return Ok(true);
    }
    Ok(state
        .store
        .memberships(p.id)
        .await?
        .iter()
        .any(|m| m.org_id == org && (!as_admin || m.role == OrgRole::OrgAdmin)))
}

pub(super) fn org_exists(state: &AppState, org: i64) -> Result<String, ApiError> {
    state
        .snapshot
        .load()
        .programme
        .organisation(org)
        .map(|o| o.name.clone())
        .ok_or_else(|| ApiError::NotFound(format!("no organisation {org}")))
}

/// `GET /api/organisations/{id}/members`: for the organisation's admins and staff admins.
pub async fn get_members(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, false).await?;
    org_exists(&state, org)?;
    if !member(&state, &p, org, true).await? {
        return Err(ApiError::Forbidden(
            "only the organisation's admins see its members".into(),
        ));
    }
    let members: Vec<_> = state
        .store
        .members(org)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "person_id": m.person.id,
                "name": m.person.name,
                "email": m.person.email,
                "role": m.role.as_str(),
                "pending": m.pending,
                "has_password": m.person.password_hash.is_some(),
            })
        })
        .collect();
    Ok(private(axum::Json(
        json!({ "org_id": org, "members": members }),
    )))
}

#[derive(Deserialize)]
struct Invitation {
    email: String,
    name: String,
    #[serde(default = "editor")]
    role: String,
    #[serde(default = "nb")]
    lang: String,
}

fn editor() -> String {
    "editor".into()
}

fn nb() -> String {
    "nb".into()
}

/// `POST /api/organisations/{id}/invitations` with `email`, `name`, `role` (`editor` or
/// `org_admin`), `lang`: makes the account when the address has none, a membership that
/// waits for the invitee's yes, and an invitation email whose link is that yes (and leads
/// to choosing a password when the account has none).
pub async fn post_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, true).await?;
    let org_name = org_exists(&state, org)?;
    if !member(&state, &p, org, true).await? {
        return Err(ApiError::Forbidden(
            "only the organisation's admins invite members".into(),
        ));
    }
    let inv: Invitation = json_body(&body)?;
    let email = crate::accounts::normalise_email(&inv.email);
    let mut errors = Vec::new();
    if !crate::accounts::plausible_email(&email) {
        errors.push(FieldError {
            field: "email".into(),
            reason: "an email address".into(),
        });
    }
    if !(1..=120).contains(&inv.name.trim().chars().count()) {
        errors.push(FieldError {
            field: "name".into(),
            reason: "1–120 characters".into(),
        });
    }
    let role = OrgRole::parse(&inv.role);
    if role.is_none() {
        errors.push(FieldError {
            field: "role".into(),
            reason: "editor or org_admin".into(),
        });
    }
    if !["nb", "en"].contains(&inv.lang.as_str()) {
        errors.push(FieldError {
            field: "lang".into(),
            reason: "nb or en".into(),
        });
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };
    let store = state.store.as_ref();
    let invitee = match store.person_by_email(&email).await? {
        Some(existing) => {
            // A member already: their role is changed in the members list, not by a new
            // invitation (which would change it without a word).
            if store
                .members(org)
                .await?
                .iter()
                .any(|m| m.person.id == existing.id && !m.pending)
            {
                return Err(invalid(
                    "email",
                    "already a member of this organisation: change the role in the members list",
                ));
            }
            existing
        }
        None => {
            let id = store
                .create_person(&email, inv.name.trim(), None, &inv.lang, Some(p.id))
                .await?
                .ok_or_else(|| ApiError::Internal("an account appeared meanwhile".into()))?;
            store
                .person(id)
                .await?
                .ok_or_else(|| ApiError::Internal("an account vanished".into()))?
        }
    };
    // The membership counts once the invitee opens the emailed link: someone with an
    // account is never added to an organisation without saying yes.
    store
        .invite_membership(invitee.id, org, role, Some(p.id))
        .await?;
    let link = crate::accounts::new_link(
        store,
        &invitee,
        LinkPurpose::Invitation,
        &state.public_url(),
    )
    .await?;
    store
        .enqueue_mail(
            &crate::mail::invitation(&invitee, Some(&org_name), Some(&p.name), &link),
            now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "person_id": invitee.id, "org_id": org, "role": role.as_str() })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct OfferState {
    state: String,
}

/// `PATCH /api/offers/{id}` with `state` (`new`, `contacted`, `declined`): the need's
/// organisation notes how it answered.
pub async fn patch_offer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, true).await?;
    let new: OfferState = json_body(&body)?;
    if !["new", "contacted", "declined"].contains(&new.state.as_str()) {
        return Err(invalid("state", "new, contacted or declined"));
    }
    let not_found = || ApiError::NotFound(format!("no offer {id}"));
    let need = state.store.offer_need(id).await?.ok_or_else(not_found)?;
    let org = {
        let s = state.snapshot.load();
        s.programme
            .needs
            .index_of(need)
            .map(|i| s.programme.needs.items[i as usize].org_id)
    }
    .ok_or_else(not_found)?;
    if !member(&state, &p, org, false).await? {
        return Err(ApiError::Forbidden(
            "offers are answered only by the need's organisation".into(),
        ));
    }
    state
        .store
        .set_offer_state(id, &new.state, Some(p.id))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/outbox`: the newest email, queued and sent, without bodies (they hold links
/// that sign in): staff admins only.
pub async fn get_outbox(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    staff_admin(&state, &headers, false, "see the outbox").await?;
    let rows: Vec<_> = state
        .store
        .outbox(200)
        .await?
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id, "recipient": m.recipient, "subject": m.subject, "kind": m.kind,
                "state": m.state, "attempts": m.attempts, "last_error": m.last_error,
                "created_ms": m.created_ms, "sent_ms": m.sent_ms,
            })
        })
        .collect();
    Ok(private(axum::Json(json!({ "messages": rows }))))
}

pub(super) fn private(body: impl IntoResponse) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    r
}

/// `GET /api/activities/template.csv`: the columns of a season's activities, with one
/// example row (see [`crate::edit::csv`]).
pub async fn get_activities_template() -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"aktiviteter.csv\"",
            ),
        ],
        crate::edit::csv::template(),
    )
        .into_response()
}

/// `POST /api/organisations/{id}/activities.csv`: a season's activities from a CSV file,
/// all validated before any is written, then all written or none. 201 with the new ids, or
/// 422 with `errors: [{row, column, reason}]`.
pub async fn post_activities_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    use crate::edit::csv::UploadError;
    let caller = super::programme::caller(&state, &headers, true).await?;
    org_exists(&state, org)?;
    let actor = caller.actor_for(Some(org))?;
    let snapshot = state.snapshot.load();
    let result =
        crate::edit::csv::upload(state.store.as_ref(), &snapshot, &actor, org, &body).await;
    drop(snapshot);
    match result {
        Ok(ids) => {
            if let Err(e) = state.reload.reload().await {
                tracing::warn!(error = %e, "reload after an upload failed; the next poll retries");
            }
            Ok((
                StatusCode::CREATED,
                axum::Json(json!({ "org_id": org, "created": ids })),
            )
                .into_response())
        }
        Err(UploadError::Rows(errors)) => Err(ApiError::InvalidRows(errors)),
        Err(UploadError::Edit(e)) => Err(e.into()),
    }
}

/// The signed-in staff admin; anyone else is refused, told that only staff admins `what`.
pub(super) async fn staff_admin(
    state: &AppState,
    headers: &HeaderMap,
    changes: bool,
    what: &str,
) -> Result<Person, ApiError> {
    let p = super::auth::signed_in_person(state, headers, changes).await?;
    if p.staff_role != Some(StaffRole::Admin) {
        return Err(ApiError::Forbidden(format!("only staff admins {what}")));
    }
    Ok(p)
}

/// `GET /api/people`: everyone with an account, their staff role, organisations and
/// whether they are disabled (staff admins).
pub async fn get_people(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    staff_admin(&state, &headers, false, "see everyone").await?;
    let mut people = Vec::new();
    for p in state.store.people().await? {
        let memberships = state.store.memberships(p.id).await?;
        people.push(json!({
            "id": p.id, "name": p.name, "email": p.email, "lang": p.lang,
            "staff_role": p.staff_role.map(|r| r.as_str()), "disabled": p.disabled,
            "has_password": p.password_hash.is_some(),
            "memberships": memberships.iter().map(|m| json!({ "org_id": m.org_id, "role": m.role.as_str() })).collect::<Vec<_>>(),
        }));
    }
    Ok(private(axum::Json(json!({ "people": people }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewStaff {
    email: String,
    name: String,
    staff_role: String,
    #[serde(default = "nb")]
    lang: String,
}

/// `POST /api/people` with `email`, `name`, `staff_role` (`admin`, `moderator`), `lang`:
/// a new member of the municipality's staff, invited by email as `naermiljo admin create`
/// does (staff admins). An address with an account already is refused: give that account
/// the role instead.
pub async fn post_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "add staff").await?;
    let new: NewStaff = json_body(&body)?;
    let email = crate::accounts::normalise_email(&new.email);
    let mut errors = Vec::new();
    let mut error = |field: &str, reason: &str| {
        errors.push(FieldError {
            field: field.into(),
            reason: reason.into(),
        })
    };
    if !crate::accounts::plausible_email(&email) {
        error("email", "an email address");
    }
    if !(1..=120).contains(&new.name.trim().chars().count()) {
        error("name", "1–120 characters");
    }
    let role = StaffRole::parse(&new.staff_role);
    if role.is_none() {
        error("staff_role", "admin or moderator");
    }
    if !["nb", "en"].contains(&new.lang.as_str()) {
        error("lang", "nb or en");
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };
    let made = crate::accounts::create_staff(
        state.store.as_ref(),
        &email,
        &new.name,
        role,
        &new.lang,
        &state.public_url(),
        Some(admin.id),
    )
    .await?;
    let Some((id, _link)) = made else {
        return Err(invalid(
            "email",
            "this address has an account already: give it the role in the list",
        ));
    };
    Ok((
        StatusCode::CREATED,
        private(axum::Json(
            json!({ "id": id, "email": email, "staff_role": role.as_str() }),
        )),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PersonChange {
    /// `"admin"`, `"moderator"` or `null` (no staff role); absent: unchanged.
    #[serde(default, deserialize_with = "present")]
    staff_role: Option<Option<String>>,
    disabled: Option<bool>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PATCH /api/people/{id}` with `staff_role` and/or `disabled` (staff admins; not
/// themselves, so that the last admin cannot lock everyone out by mistake).
pub async fn patch_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "change people").await?;
    let change: PersonChange = json_body(&body)?;
    if id == admin.id {
        return Err(ApiError::Forbidden(
            "change your own role or account through another admin".into(),
        ));
    }
    let staff_role = match change.staff_role {
        None => None,
        Some(None) => Some(None),
        Some(Some(r)) => {
            Some(Some(StaffRole::parse(&r).ok_or_else(|| {
                invalid("staff_role", "admin, moderator or null")
            })?))
        }
    };
    let found = state
        .store
        .update_person(id, staff_role, change.disabled, Some(admin.id))
        .await?;
    if !found {
        return Err(ApiError::NotFound(format!("no person {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<i64>,
    collection: Option<String>,
    person_id: Option<i64>,
    org_id: Option<i64>,
}

/// `GET /api/audit?limit=&collection=&person_id=&org_id=`: the newest changes first
/// (staff admins).
pub async fn get_audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> Result<Response, ApiError> {
    staff_admin(&state, &headers, false, "read the audit log").await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let filter = crate::store::editing::AuditFilter {
        collection: q.collection,
        person_id: q.person_id,
        org_id: q.org_id,
    };
    let rows = state.store.audit_log_where(&filter, limit).await?;
    Ok(private(axum::Json(json!({ "rows": rows }))))
}
