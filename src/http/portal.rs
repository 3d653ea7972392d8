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
use crate::domain::activity::{FieldError, OrgKind};
use crate::store::accounts::{LinkPurpose, OrgRole, Person, StaffRole};
use crate::store::editing::now_ms;

fn invalid(field: &str, reason: impl Into<String>) -> ApiError {
    ApiError::InvalidBody(vec![FieldError {
        field: field.into(),
        reason: reason.into(),
    }])
}

fn json_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| invalid("body", e.to_string()))
}

/// Whether `p` may work for organisation `org` (any member; with `as_admin`, only its
/// `org_admin`s), or is staff admin.
async fn member(state: &AppState, p: &Person, org: i64, as_admin: bool) -> Result<bool, ApiError> {
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

fn org_exists(state: &AppState, org: i64) -> Result<String, ApiError> {
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
        .map(|(m, role)| {
            json!({
                "person_id": m.id,
                "name": m.name,
                "email": m.email,
                "role": role.as_str(),
                "has_password": m.password_hash.is_some(),
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
/// `org_admin`), `lang`: makes the account when the address has none, the membership, and
/// an invitation email with a link to choose a password.
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
    if !(3..=254).contains(&email.len())
        || !email.contains('@')
        || email.contains(char::is_whitespace)
    {
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
        Some(existing) => existing,
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
    store
        .set_membership(invitee.id, org, role, Some(p.id))
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
            &crate::mail::invitation(&invitee, Some(&org_name), &link),
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

#[derive(Deserialize)]
struct NewOrganisation {
    name: String,
    kind: String,
    contact: Option<String>,
}

/// `GET /api/organisations`: every organisation (id, name, kind, public contact, whether
/// it is a generated example), by name. Public: it is what activities already show.
pub async fn get_organisations(State(state): State<AppState>) -> Response {
    let s = state.snapshot.load();
    let mut orgs: Vec<_> = s.programme.organisations.iter().collect();
    orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let orgs: Vec<_> = orgs
        .into_iter()
        .map(|o| json!({ "id": o.id, "name": o.name, "kind": o.kind.as_str(), "contact": o.contact, "example": o.example }))
        .collect();
    axum::Json(json!({ "organisations": orgs })).into_response()
}

/// `POST /api/organisations` with `name`, `kind`, `contact`: staff admins only.
pub async fn post_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    staff_admin(&state, &headers, true, "add organisations").await?;
    let o: NewOrganisation = json_body(&body)?;
    let name = o.name.trim();
    if !(2..=120).contains(&name.chars().count()) {
        return Err(invalid("name", "2–120 characters"));
    }
    let kind = OrgKind::parse(&o.kind).ok_or_else(|| {
        invalid(
            "kind",
            "volunteer_organisation, municipality, sports_club or business",
        )
    })?;
    let contact = o
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let id = state
        .store
        .create_organisation(name, kind, contact, false)
        .await
        .map_err(|_| invalid("name", "an organisation has this name already"))?;
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %e, "reload after a new organisation failed; the next poll retries");
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "id": id, "name": name })),
    )
        .into_response())
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

fn private(body: impl IntoResponse) -> Response {
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
async fn staff_admin(
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
    let limit = q.limit.unwrap_or(100).clamp(1, 1000) as usize;
    let rows: Vec<_> = state
        .store
        .audit_log(10_000)
        .await?
        .into_iter()
        .filter(|r| q.collection.as_ref().is_none_or(|c| &r.collection == c))
        .filter(|r| q.person_id.is_none_or(|p| r.person_id == Some(p)))
        .filter(|r| q.org_id.is_none_or(|o| r.org_id == Some(o)))
        .take(limit)
        .collect();
    Ok(private(axum::Json(json!({ "rows": rows }))))
}
