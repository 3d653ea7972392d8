//! `PATCH /api/collections/facilities/items/{fid}` (issue 18): municipal staff set a
//! facility's opening hours, and a knutepunkt's services, from the portal. The body is a JSON
//! Merge Patch (RFC 7396) of `{opening_hours, services}`; every field is checked before
//! anything is written (the hours must be readable OSM syntax, the services the fixed list),
//! the edit goes through the store's one transaction with its audit row, and the answer is
//! the facility as served after it. The edit is kept apart from the imported row, so a new
//! import does not undo it (`Store::edit_facility`).

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
            other => errors.push(refused(
                other,
                "not a field staff set here; these are opening_hours and services",
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

/// `PATCH /api/collections/facilities/items/{fid}`: staff admins only (a signed-in session
/// with its CSRF token). 200 with the facility as served after the edit; 400/404 for an
/// unknown collection or item; 422 with every refused field.
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
    let person =
        super::portal::staff_admin(&state, &headers, true, "edit facilities' opening hours")
            .await?;
    let not_found = || ApiError::NotFound(format!("no item {fid:?} in facilities"));
    let id: i64 = fid.parse().map_err(|_| not_found())?;
    let (kind, position) = {
        let s = state.snapshot.load();
        let i = s.facility(id).ok_or_else(not_found)?;
        let f = &s.facilities[i as usize];
        (f.kind, f.position)
    };
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("not JSON: {e}")))?;
    let fields = checked_fields(&patch, kind, position).map_err(ApiError::InvalidBody)?;
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
