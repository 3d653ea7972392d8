//! `ApiError`: every 4xx and 5xx as `application/problem+json` (RFC 9457).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter has a value we cannot use.
    #[error("invalid parameter {name}: {detail}")]
    InvalidParameter { name: String, detail: String },
    /// A drawn area of a nature scenario that cannot be used (issue 22): its index in
    /// `add_areas`, a reason code (`not_geojson`, `not_polygon`, `not_lonlat`, `invalid`,
    /// `too_large`, `too_small`, `off_network`), the words, and the limit it broke (ha).
    #[error("add_areas[{index}]: {detail}")]
    InvalidArea {
        index: usize,
        reason: &'static str,
        detail: String,
        limit: Option<f64>,
    },
    /// A query parameter this endpoint does not know (OGC API – Features asks for a 400).
    #[error("unknown parameter {name}")]
    UnknownParameter {
        name: String,
        allowed: &'static [&'static str],
    },
    #[error("not found: {0}")]
    NotFound(String),
    /// A request beyond a configured limit (minutes, bands): its own problem type.
    #[error("limit exceeded for {name}: {detail}")]
    LimitExceeded {
        name: String,
        detail: String,
        limit: u64,
    },
    /// A point the walking network does not reach.
    #[error("outside coverage: {0}")]
    OutsideCoverage(String),
    /// The server lacks data the request needs (e.g. no walking network imported).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Something failed on our side; the cause goes to the log, never to the client.
    #[error("internal error: {0}")]
    Internal(String),
    /// No token, or one we do not know.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A write without If-Match.
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    /// A write whose If-Match is not the item's current version.
    #[error("precondition failed: {detail}")]
    PreconditionFailed {
        detail: String,
        current: Option<String>,
    },
    /// A written document with problems, field by field.
    #[error("invalid body")]
    InvalidBody(Vec<crate::domain::activity::FieldError>),
    /// A written activity or need that is not valid: as `InvalidBody`, with each error's
    /// JSON Pointer into the Feature form (`/properties/schedule/exceptions/0`).
    #[error("invalid item")]
    InvalidFeature(Vec<crate::domain::activity::FieldError>),
    /// A file with problems, row by row (the whole file was refused).
    #[error("invalid file")]
    InvalidRows(Vec<crate::edit::csv::CsvError>),
    /// The request conflicts with what is there (a second support by the same participant).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A write that named a version the thing no longer has (409, with `current_version`).
    #[error("stale version: {detail}")]
    StaleVersion {
        detail: String,
        current_version: i64,
    },
    /// Too many attempts (failed sign-ins): try again later.
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// The store does not answer: writes are refused, reads go on from memory.
    #[error("store unavailable: {0}")]
    StoreDown(String),
}

/// A store that does not answer: a 503 that says writes are refused for now (the cause goes
/// to the log only).
impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        ApiError::StoreDown(e.to_string())
    }
}

impl ApiError {
    pub fn invalid(name: &str, detail: impl Into<String>) -> ApiError {
        ApiError::InvalidParameter {
            name: name.to_string(),
            detail: detail.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidArea { reason, .. } if *reason == "off_network" => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::InvalidParameter { .. }
            | ApiError::UnknownParameter { .. }
            | ApiError::InvalidArea { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::LimitExceeded { .. } => StatusCode::BAD_REQUEST,
            ApiError::OutsideCoverage(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::InvalidBody(_) | ApiError::InvalidFeature(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::StoreDown(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) | ApiError::StaleVersion { .. } => StatusCode::CONFLICT,
        }
    }
}

/// A problem+json response for a status and detail.
pub fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: &str,
    extra: serde_json::Value,
) -> Response {
    let mut body = json!({
        "type": format!("/problems/{kind}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let (Some(b), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// A field's JSON Pointer (RFC 6901) from its dotted name: `schedule.exceptions[0]` →
/// `/schedule/exceptions/0`, under `prefix`.
pub fn pointer(prefix: &str, field: &str) -> String {
    let mut out = String::from(prefix);
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        let name = pieces.next().unwrap_or_default();
        if !name.is_empty() {
            out.push('/');
            out.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in pieces {
            out.push('/');
            out.push_str(index.trim_end_matches(']'));
        }
    }
    out
}

/// The 422 of a document with field errors: every error, each at its field (`field`, its
/// JSON `pointer`, `reason`), in the order given.
fn invalid_document(
    status: StatusCode,
    errors: &[crate::domain::activity::FieldError],
    prefix: &str,
) -> Response {
    let listed: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({ "field": e.field, "pointer": pointer(prefix, &e.field), "reason": e.reason }))
        .collect();
    problem(
        status,
        "invalid-body",
        "Invalid document",
        &errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; "),
        // `invalid-params` is RFC 9457's own example of the same list.
        json!({
            "errors": listed,
            "invalid-params": errors.iter().map(|e| json!({ "name": e.field, "pointer": pointer(prefix, &e.field), "reason": e.reason })).collect::<Vec<_>>(),
        }),
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            ApiError::InvalidParameter { name, detail } => problem(
                status,
                "invalid-parameter",
                "Invalid parameter",
                &format!("{name}: {detail}"),
                json!({ "parameter": name }),
            ),
            ApiError::InvalidArea {
                index,
                reason,
                detail,
                limit,
            } => problem(
                status,
                if reason == "off_network" {
                    "outside-coverage"
                } else {
                    "invalid-parameter"
                },
                "A drawn area cannot be used",
                &format!("add_areas[{index}]: {detail}"),
                json!({ "parameter": "add_areas", "index": index, "reason": reason, "limit": limit }),
            ),
            ApiError::UnknownParameter { name, allowed } => problem(
                status,
                "unknown-parameter",
                "Unknown parameter",
                &format!(
                    "{name:?} is not a parameter of this endpoint; it takes {}",
                    allowed.join(", ")
                ),
                json!({ "parameter": name }),
            ),
            ApiError::NotFound(what) => problem(status, "not-found", "Not found", &what, json!({})),
            ApiError::LimitExceeded {
                name,
                detail,
                limit,
            } => problem(
                status,
                "limit-exceeded",
                "Limit exceeded",
                &format!("{name}: {detail}"),
                json!({ "parameter": name, "limit": limit }),
            ),
            ApiError::OutsideCoverage(detail) => problem(
                status,
                "outside-coverage",
                "Outside the walking network",
                &detail,
                json!({}),
            ),
            ApiError::Unavailable(detail) => {
                problem(status, "unavailable", "Not available", &detail, json!({}))
            }
            ApiError::Unauthorized(detail) => {
                let mut r = problem(status, "unauthorized", "Unauthorized", &detail, json!({}));
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"naermiljo\""),
                );
                r
            }
            ApiError::Forbidden(detail) => {
                problem(status, "forbidden", "Forbidden", &detail, json!({}))
            }
            ApiError::Conflict(detail) => {
                problem(status, "conflict", "Conflict", &detail, json!({}))
            }
            ApiError::StaleVersion {
                detail,
                current_version,
            } => problem(
                status,
                "stale-version",
                "Changed since you read it",
                &detail,
                json!({ "current_version": current_version }),
            ),
            ApiError::PreconditionRequired(detail) => problem(
                status,
                "precondition-required",
                "If-Match required",
                &detail,
                json!({}),
            ),
            ApiError::PreconditionFailed { detail, current } => {
                let mut r = problem(
                    status,
                    "stale-write",
                    "The item changed",
                    &detail,
                    json!({ "current_etag": current }),
                );
                if let Some(tag) = current.and_then(|c| HeaderValue::from_str(&c).ok()) {
                    r.headers_mut().insert(header::ETAG, tag);
                }
                r
            }
            ApiError::InvalidBody(errors) => invalid_document(status, &errors, ""),
            ApiError::InvalidFeature(errors) => invalid_document(status, &errors, "/properties"),
            ApiError::InvalidRows(errors) => problem(
                status,
                "invalid-file",
                "Invalid file: nothing was written",
                &errors
                    .iter()
                    .take(20)
                    .map(|e| format!("row {}, {}: {}", e.row, e.column, e.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
                json!({ "errors": errors }),
            ),
            ApiError::TooManyRequests(detail) => {
                let mut r = problem(
                    status,
                    "too-many-requests",
                    "Too many requests",
                    &detail,
                    json!({}),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
                r
            }
            ApiError::StoreDown(cause) => {
                tracing::warn!(%cause, "write refused: the store is unavailable");
                problem(
                    status,
                    "database-unavailable",
                    "Database unavailable",
                    "the database does not answer; reads go on from memory, writes are refused — try again shortly",
                    json!({}),
                )
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                problem(
                    status,
                    "internal",
                    "Internal error",
                    "internal error",
                    json!({}),
                )
            }
        }
    }
}

/// Turns any error response that is not yet problem+json (axum's own 404 and 405, a
/// rejected path) into one, so that clients can rely on the format; HTML pages excepted.
pub async fn ensure_problem_json(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    // A page made for a browser on purpose (a used sign-in link) stays a page.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_page {
        return response;
    }
    let (kind, detail) = match status {
        StatusCode::NOT_FOUND => ("not-found", "no such resource".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "this resource does not take that method".into(),
        ),
        s if s.is_server_error() => ("internal", "internal error".into()),
        s => (
            "bad-request",
            format!(
                "the request was rejected ({})",
                s.canonical_reason().unwrap_or("error")
            ),
        ),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let mut out = problem(status, kind, title, &detail, json!({}));
    if let Some(allow) = response.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}
