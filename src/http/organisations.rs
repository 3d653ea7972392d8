//! Organisations and what belongs to them beyond items: their profile, deactivation and
//! merging, their members' roles, and API tokens for machines. Staff admins may do all;
//! an organisation's own admins edit its profile and members. Every change is one store
//! call with its audit row; the snapshot is reloaded after it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use super::portal::{invalid, json_body, member, org_exists, private, staff_admin};
use crate::domain::activity::{FieldError, OrgKind};
use crate::store::accounts::{OrgRole, StaffRole};
use crate::store::editing::{OrgChange, OrgOutcome, Role};

async fn reload(state: &AppState, what: &str) {
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %e, "reload after {what} failed; the next poll retries");
    }
}

/// `GET /api/organisations`: the active organisations (id, name, kind, public contact,
/// website, whether a generated example), by name; staff admins see the deactivated ones
/// too (`active: false`). Public: it is what activities already show.
pub async fn get_organisations(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let staff = super::auth::person_of(&state, &headers, false)
        .await?
        .is_some_and(|p| p.staff_role == Some(StaffRole::Admin));
    let s = state.snapshot.load();
    let mut orgs: Vec<_> = s
        .programme
        .organisations
        .iter()
        .filter(|o| staff || o.active)
        .collect();
    orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let orgs: Vec<_> = orgs
        .into_iter()
        .map(|o| {
            json!({
                "id": o.id, "name": o.name, "kind": o.kind.as_str(), "contact": o.contact,
                "website": o.website, "example": o.example, "active": o.active,
                "open_data": o.open_data,
            })
        })
        .collect();
    let body = axum::Json(json!({ "organisations": orgs }));
    Ok(if staff {
        private(body)
    } else {
        body.into_response()
    })
}

/// Whether another organisation than `id` has `name`, whatever its case ("Strømsø IL" and
/// "STRØMSØ IL" are one club).
fn name_taken(state: &AppState, name: &str, id: Option<i64>) -> bool {
    let name = name.to_lowercase();
    state
        .snapshot
        .load()
        .programme
        .organisations
        .iter()
        .any(|o| Some(o.id) != id && o.name.to_lowercase() == name)
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An organisation's profile as written: every field optional (a PATCH); `contact` and
/// `website` may be `null` to clear them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    name: Option<String>,
    kind: Option<String>,
    #[serde(default, deserialize_with = "present")]
    contact: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    website: Option<Option<String>>,
    active: Option<bool>,
    open_data: Option<bool>,
}

impl Profile {
    /// The change it asks for, or every field that is wrong; `taken` tells whether a name
    /// belongs to another organisation.
    fn change(self, taken: impl Fn(&str) -> bool) -> Result<OrgChange, ApiError> {
        let mut errors = Vec::new();
        let mut error = |field: &str, reason: &str| {
            errors.push(FieldError {
                field: field.into(),
                reason: reason.into(),
            })
        };
        let name = self.name.map(|n| n.trim().to_string());
        if name
            .as_ref()
            .is_some_and(|n| !(2..=120).contains(&n.chars().count()))
        {
            error("name", "2–120 characters");
        } else if name.as_deref().is_some_and(&taken) {
            error("name", "another organisation has this name");
        }
        let kind = self.kind.as_deref().map(OrgKind::parse);
        if kind == Some(None) {
            error(
                "kind",
                "volunteer_organisation, municipality, sports_club or business",
            );
        }
        let optional = |v: Option<Option<String>>| {
            v.map(|v| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
        };
        let contact = optional(self.contact);
        if contact
            .as_ref()
            .and_then(Option::as_ref)
            .is_some_and(|c| c.chars().count() > 200)
        {
            error("contact", "at most 200 characters");
        }
        let website = optional(self.website);
        if website.as_ref().and_then(Option::as_ref).is_some_and(|w| {
            w.len() > 300
                || !(w.starts_with("https://") || w.starts_with("http://"))
                || w.contains(char::is_whitespace)
        }) {
            error(
                "website",
                "a web address starting with https:// (at most 300 characters)",
            );
        }
        if !errors.is_empty() {
            return Err(ApiError::InvalidBody(errors));
        }
        Ok(OrgChange {
            name,
            kind: kind.flatten(),
            contact,
            website,
            active: self.active,
            open_data: self.open_data,
        })
    }
}

/// `POST /api/organisations` with `name`, `kind`, `contact`, `website`: staff admins only.
pub async fn post_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "add organisations").await?;
    let profile: Profile = json_body(&body)?;
    if profile.open_data.is_some() {
        return Err(ApiError::Forbidden(
            "an organisation's own admins agree to open publication, once it has them".into(),
        ));
    }
    let missing = |field: &str| FieldError {
        field: field.into(),
        reason: "required".into(),
    };
    match (&profile.name, &profile.kind) {
        (Some(_), Some(_)) => {}
        (None, Some(_)) => return Err(ApiError::InvalidBody(vec![missing("name")])),
        (Some(_), None) => return Err(ApiError::InvalidBody(vec![missing("kind")])),
        (None, None) => {
            return Err(ApiError::InvalidBody(vec![
                missing("name"),
                missing("kind"),
            ]));
        }
    }
    let change = profile.change(|n| name_taken(&state, n, None))?;
    let (Some(name), Some(kind)) = (change.name.clone(), change.kind) else {
        unreachable!("checked above")
    };
    let store = state.store.as_ref();
    let id = store
        .create_organisation(
            &name,
            kind,
            change.contact.clone().flatten().as_deref(),
            false,
            Some(admin.id),
        )
        .await
        .map_err(|_| invalid("name", "an organisation has this name already"))?;
    if change.website.is_some() {
        let website = OrgChange {
            website: change.website,
            ..OrgChange::default()
        };
        store
            .update_organisation(id, &website, Some(admin.id))
            .await?;
    }
    reload(&state, "a new organisation").await;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "id": id, "name": name })),
    )
        .into_response())
}

/// `PATCH /api/organisations/{id}` with any of `name`, `kind`, `contact`, `website`
/// (its own admins and staff admins), `open_data` (consent to publish its activities in
/// the open OpenActive feed under CC BY 4.0: `true` from its own admins only, `false`,
/// withdrawing it, from staff admins too) and `active` (staff admins: `false` deactivates it,
/// hiding its activities and needs and stopping its members' and tokens' writes).
pub async fn patch_organisation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, true).await?;
    org_exists(&state, org)?;
    let profile: Profile = json_body(&body)?;
    let staff = p.staff_role == Some(StaffRole::Admin);
    if profile.active.is_some() && !staff {
        return Err(ApiError::Forbidden(
            "only staff admins deactivate or reactivate organisations".into(),
        ));
    }
    // Its own admins: a membership as org admin (`member` counts staff admins in).
    let own_admin = state
        .store
        .memberships(p.id)
        .await?
        .iter()
        .any(|m| m.org_id == org && m.role == crate::store::accounts::OrgRole::OrgAdmin);
    if !staff && !own_admin {
        return Err(ApiError::Forbidden(
            "only the organisation's admins edit its profile".into(),
        ));
    }
    // Consent to open publication is the organisation's own to give; staff may withdraw it.
    if profile.open_data == Some(true) && !own_admin {
        return Err(ApiError::Forbidden(
            "only the organisation's own admins agree to open publication of its activities".into(),
        ));
    }
    let change = profile.change(|n| name_taken(&state, n, Some(org)))?;
    match state
        .store
        .update_organisation(org, &change, Some(p.id))
        .await?
    {
        OrgOutcome::Done => {}
        OrgOutcome::NotFound => return Err(ApiError::NotFound(format!("no organisation {org}"))),
        OrgOutcome::NameTaken => {
            return Err(invalid("name", "another organisation has this name"));
        }
    }
    reload(&state, "an organisation's change").await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Merge {
    into: i64,
}

/// `POST /api/organisations/{id}/merge` with `into`: moves the organisation's
/// activities, needs, members and tokens to `into` and deletes it (staff admins; for
/// the same club registered twice).
pub async fn post_merge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "merge organisations").await?;
    let merge: Merge = json_body(&body)?;
    if merge.into == org {
        return Err(invalid("into", "another organisation than the one merged"));
    }
    org_exists(&state, org)?;
    org_exists(&state, merge.into).map_err(|_| invalid("into", "an organisation's id"))?;
    match state
        .store
        .merge_organisations(org, merge.into, Some(admin.id))
        .await?
    {
        OrgOutcome::Done => {}
        _ => return Err(ApiError::NotFound(format!("no organisation {org}"))),
    }
    reload(&state, "a merge").await;
    Ok(axum::Json(json!({ "merged": org, "into": merge.into })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleChange {
    role: String,
}

/// Refuses a change to `person` that would leave the organisation (its `members`) without
/// an admin, unless staff admins make it (they can always name a new one).
fn keeps_an_admin(
    members: &[crate::store::accounts::Member],
    staff: bool,
    person: i64,
) -> Result<(), ApiError> {
    if staff {
        return Ok(());
    }
    let others = members
        .iter()
        .filter(|m| !m.pending && m.role == OrgRole::OrgAdmin && m.person.id != person)
        .count();
    if others == 0 {
        return Err(ApiError::Forbidden(
            "the organisation must keep an admin: make someone else admin first".into(),
        ));
    }
    Ok(())
}

/// `PATCH /api/organisations/{id}/members/{person}` with `role` (`editor`, `org_admin`):
/// the organisation's admins and staff admins.
pub async fn patch_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org, person)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, true).await?;
    org_exists(&state, org)?;
    if !member(&state, &p, org, true).await? {
        return Err(ApiError::Forbidden(
            "only the organisation's admins change its members' roles".into(),
        ));
    }
    let change: RoleChange = json_body(&body)?;
    let role =
        OrgRole::parse(&change.role).ok_or_else(|| invalid("role", "editor or org_admin"))?;
    let members = state.store.members(org).await?;
    let Some(m) = members.iter().find(|m| m.person.id == person) else {
        return Err(ApiError::NotFound(format!(
            "person {person} is not a member of organisation {org}"
        )));
    };
    let staff = p.staff_role == Some(StaffRole::Admin);
    if m.role == OrgRole::OrgAdmin && role != OrgRole::OrgAdmin {
        keeps_an_admin(&members, staff, person)?;
    }
    if m.pending {
        state
            .store
            .invite_membership(person, org, role, Some(p.id))
            .await?;
    } else {
        state
            .store
            .set_membership(person, org, role, Some(p.id))
            .await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /api/organisations/{id}/members/{person}`: the organisation's admins and staff
/// admins remove a member or withdraw an invitation; any member may leave.
pub async fn delete_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((org, person)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let p = super::auth::signed_in_person(&state, &headers, true).await?;
    org_exists(&state, org)?;
    if p.id != person && !member(&state, &p, org, true).await? {
        return Err(ApiError::Forbidden(
            "only the organisation's admins remove members".into(),
        ));
    }
    let staff = p.staff_role == Some(StaffRole::Admin);
    let members = state.store.members(org).await?;
    let is_admin = members
        .iter()
        .any(|m| m.person.id == person && !m.pending && m.role == OrgRole::OrgAdmin);
    if is_admin {
        keeps_an_admin(&members, staff, person)?;
    }
    if !state
        .store
        .remove_membership(person, org, Some(p.id))
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "person {person} is not a member of organisation {org}"
        )));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/tokens`: every API token (id, organisation, role, label, revoked), never the
/// token itself (staff admins).
pub async fn get_tokens(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    staff_admin(&state, &headers, false, "see API tokens").await?;
    let tokens = state.store.tokens().await?;
    Ok(private(axum::Json(json!({ "tokens": tokens }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    org_id: i64,
    role: String,
    label: Option<String>,
}

/// `POST /api/tokens` with `org_id`, `role` (`editor`, `admin`), `label`: a new token,
/// in the answer once and never again (staff admins).
pub async fn post_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "make API tokens").await?;
    let t: NewToken = json_body(&body)?;
    let mut errors = Vec::new();
    let active = state
        .snapshot
        .load()
        .programme
        .organisation(t.org_id)
        .is_some_and(|o| o.active);
    if !active {
        errors.push(FieldError {
            field: "org_id".into(),
            reason: "an active organisation's id".into(),
        });
    }
    let role = Role::parse(&t.role);
    if role.is_none() {
        errors.push(FieldError {
            field: "role".into(),
            reason: "editor or admin".into(),
        });
    }
    let label = t.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
    if label.is_some_and(|l| l.chars().count() > 120) {
        errors.push(FieldError {
            field: "label".into(),
            reason: "at most 120 characters".into(),
        });
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidBody(errors));
    };
    let token = crate::store::editing::new_token();
    let id = state
        .store
        .create_token(
            t.org_id,
            role,
            &crate::store::editing::token_sha256(&token),
            label,
            Some(admin.id),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        private(axum::Json(json!({
            "id": id, "org_id": t.org_id, "role": role.as_str(), "label": label, "token": token,
        }))),
    )
        .into_response())
}

/// `DELETE /api/tokens/{id}`: revokes a token at once (staff admins).
pub async fn delete_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let admin = staff_admin(&state, &headers, true, "revoke API tokens").await?;
    if !state.store.revoke_token(id, Some(admin.id)).await? {
        return Err(ApiError::NotFound(format!(
            "no token {id}, or it is revoked already"
        )));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
