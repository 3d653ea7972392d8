//! `PATCH /api/collections/facilities/items/{fid}` (issue 18): municipal staff set a
//! facility's opening hours, and a knutepunkt's services, from the portal. The body is a JSON
//! Merge Patch (RFC 7396) of `{opening_hours, services}`; every field is checked before
//! anything is written (the hours must be readable OSM syntax, the services the fixed list),
//! the edit goes through the store's one transaction with its audit row, and the answer is
//! the facility as served after it. The edit is kept apart from the imported row, so a new
//! import does not undo it (`Store::edit_facility`).
//!
//! Who: staff admins, for every facility, and they alone name the organisation that runs a
//! facility (`operator_org`, e.g. the volunteer centre's association); that organisation's
//! members (editors and admins) then keep its hours and services from their own portal.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::AppState;
use super::error::ApiError;
use crate::domain::FacilityKind;
use crate::domain::activity::FieldError;

/// The longest opening hours text taken, in bytes (OSM's own limit is 255 characters).
pub const MAX_HOURS_BYTES: usize = 255;

fn refused(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The fields to write, each checked: `opening_hours` (text read by `hours::Hours`, or null;
/// an empty text is null) and `services` (a knutepunkt's, as `domain::hub` reads them, each
/// with readable hours, or null). Errors: every refusal at once, by field.
pub fn checked_fields(
    patch: &Value,
    kind: FacilityKind,
    position: crate::domain::LonLat,
    organisation_exists: &dyn Fn(i64) -> bool,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let Some(patch) = patch.as_object() else {
        return Err(vec![refused(
            "",
            "the body is a JSON object: {\"opening_hours\": \"Mo-Fr 08:00-16:00\"}",
        )]);
    };
    let mut errors = Vec::new();
    let mut fields = Map::new();
    for (k, v) in patch {
        match k.as_str() {
            "opening_hours" => match v {
                Value::Null => {
                    fields.insert(k.clone(), Value::Null);
                }
                Value::String(text) if text.trim().is_empty() => {
                    fields.insert(k.clone(), Value::Null);
                }
                Value::String(text) if text.len() > MAX_HOURS_BYTES => {
                    errors.push(refused(k, format!("at most {MAX_HOURS_BYTES} characters")))
                }
                Value::String(text) => match crate::hours::Hours::parse(text, Some(position)) {
                    Ok(_) => {
                        fields.insert(k.clone(), Value::String(text.trim().to_string()));
                    }
                    Err(e) => errors.push(refused(
                        k,
                        format!(
                            "not readable as OSM opening hours ({e}); write e.g. \
                             \"Mo-Fr 08:00-16:00; Sa 10:00-14:00; PH off\", and a remark in \
                             quotes: Mo-Fr \"etter avtale\""
                        ),
                    )),
                },
                _ => errors.push(refused(k, "a text, or null to remove the hours")),
            },
            "services" => {
                if kind != FacilityKind::CommunityCentre {
                    errors.push(refused(k, "only a knutepunkt has services"));
                    continue;
                }
                if v.is_null() {
                    fields.insert(k.clone(), Value::Null);
                    continue;
                }
                match crate::domain::hub::parse_services(v) {
                    Err(e) => errors.push(refused(k, e)),
                    Ok(list) => {
                        for (n, s) in list.iter().enumerate() {
                            let Some(text) = &s.opening_hours else {
                                continue;
                            };
                            if let Err(e) = crate::hours::Hours::parse(text, Some(position)) {
                                errors.push(refused(
                                    &format!("services/{n}/opening_hours"),
                                    format!("not readable as OSM opening hours ({e})"),
                                ));
                            }
                        }
                        fields.insert(
                            k.clone(),
                            serde_json::to_value(&list).expect("services serialize"),
                        );
                    }
                }
            }
            "operator_org" => match v {
                Value::Null => {
                    fields.insert(k.clone(), Value::Null);
                }
                Value::Number(n) if n.as_i64().is_some_and(organisation_exists) => {
                    fields.insert(k.clone(), v.clone());
                }
                _ => errors.push(refused(
                    k,
                    "the id of an active organisation (see /api/organisations), or null",
                )),
            },
            other => errors.push(refused(
                other,
                "not a field set here; these are opening_hours, services and operator_org",
            )),
        }
    }
    if fields.is_empty() && errors.is_empty() {
        errors.push(refused(
            "",
            "nothing to change: give opening_hours or services",
        ));
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// `PATCH /api/collections/facilities/items/{fid}`: a signed-in session with its CSRF token,
/// of a staff admin or of a member of the facility's `operator_org` (who may not change
/// `operator_org`). 200 with the facility as served after the edit; 403 for anyone else;
/// 404 for an unknown collection or item; 422 with every refused field.
pub async fn patch_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((collection, fid)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if collection != "facilities" {
        return Err(ApiError::NotFound(format!(
            "{collection:?} is not edited here: only facilities' opening hours and services are"
        )));
    }
    let person = super::auth::signed_in_person(&state, &headers, true).await?;
    let not_found = || ApiError::NotFound(format!("no item {fid:?} in facilities"));
    let id: i64 = fid.parse().map_err(|_| not_found())?;
    let (kind, position, operator) = {
        let s = state.snapshot.load();
        let i = s.facility(id).ok_or_else(not_found)?;
        let f = &s.facilities[i as usize];
        (f.kind, f.position, operator_of(f))
    };
    let staff = person.staff_role == Some(crate::store::accounts::StaffRole::Admin);
    let operates = match operator {
        Some(org) if !staff => super::portal::member(&state, &person, org, false).await?,
        _ => false,
    };
    if !staff && !operates {
        return Err(ApiError::Forbidden(
            "only staff admins, and the members of the organisation that runs this facility, \
             edit its opening hours"
                .into(),
        ));
    }
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("not JSON: {e}")))?;
    if !staff && patch.get("operator_org").is_some() {
        return Err(ApiError::Forbidden(
            "only staff admins say which organisation runs a facility".into(),
        ));
    }
    let exists = {
        let s = state.snapshot.load();
        move |org: i64| s.programme.organisation(org).is_some()
    };
    let fields = checked_fields(&patch, kind, position, &exists).map_err(ApiError::InvalidBody)?;
    state
        .store
        .edit_facility(id, &fields, Some(person.id))
        .await?
        .ok_or_else(not_found)?;
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %e, "reload after a facility's edit failed; the next poll retries");
    }
    let s = state.snapshot.load();
    let i = s.facility(id).ok_or_else(not_found)?;
    let open = super::open::OpenQuery::parse(&super::params::Params::parse(None, &[])?)?;
    let mut r = s
        .facility_json_with(i, &open.members(&s, i))
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    Ok(r)
}

/// The organisation that runs facility `f`, as staff set it (`operator_org`).
pub fn operator_of(f: &crate::domain::Facility) -> Option<i64> {
    f.properties.get("operator_org").and_then(Value::as_i64)
}

/// `GET /api/organisations/{id}/facilities`: the facilities the organisation runs
/// (`operator_org`), for its members and staff admins: `{facilities: [{id, name, kind,
/// opening_hours}]}`.
pub async fn get_operated(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(org): Path<i64>,
) -> Result<Response, ApiError> {
    let person = super::auth::signed_in_person(&state, &headers, false).await?;
    super::portal::org_exists(&state, org)?;
    if !super::portal::member(&state, &person, org, false).await? {
        return Err(ApiError::Forbidden(
            "only the organisation's members and staff admins see what it runs".into(),
        ));
    }
    let s = state.snapshot.load();
    let facilities: Vec<Value> = s
        .facilities
        .iter()
        .filter(|f| operator_of(f) == Some(org))
        .map(|f| {
            serde_json::json!({
                "id": f.id, "name": f.name, "kind": f.kind.as_str(),
                "kind_label_nb": f.kind.label_nb(), "kind_label_en": f.kind.label_en(),
                "opening_hours": f.opening_hours,
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "facilities": facilities })).into_response())
}
