//! Signing in and out of the portal: `/auth/sign-in` (password), `/auth/link` (a one-time
//! link by email), `/auth/link/{secret}` (a page with a button, then the session: email
//! scanners that follow links do not use them up), `/auth/password`, `/auth/sign-out`,
//! `/auth/sign-out-everywhere`, and `/api/me` (who is signed in, and the CSRF token the
//! pages' scripts send back as `X-CSRF-Token`).
//!
//! The session cookie is `HttpOnly`, `SameSite=Lax`, `Path=/` (or the `--public-url`'s path);
//! `Secure` and named `__Host-…` (`__Secure-…` under a path) when the public address is HTTPS. It holds a random secret whose SHA-256 is the stored session. Requests
//! that change something need the session's CSRF token, and a foreign `Origin` is refused.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::error::ApiError;
use super::{AppState, BaseUrl};
use crate::accounts::{self, NewSession, SignInError};
use crate::store::accounts::{Person, SessionRow};

/// The session cookie's name over plain HTTP (development, loopback).
pub const COOKIE: &str = "naermiljo_session";
/// Its name when served over TLS: the `__Host-` prefix makes browsers refuse it unless it
/// is `Secure`, from this very host and for `Path=/`, so a sibling subdomain cannot plant
/// one (RFC 6265bis §4.1.3.2).
pub const SECURE_COOKIE: &str = "__Host-naermiljo_session";
/// Its name over TLS under a path (`--public-url https://host/kart`): `__Host-` requires
/// `Path=/`, so the cookie is `__Secure-` (it must be `Secure`) with `Path=/kart`.
pub const SECURE_PATH_COOKIE: &str = "__Secure-naermiljo_session";

/// The session cookie's name for this server: [`SECURE_COOKIE`] when its public address
/// is `https://` at the host's root, [`SECURE_PATH_COOKIE`] under a path, else [`COOKIE`].
fn cookie_name(state: &AppState) -> &'static str {
    let https = match state.public_base.as_deref() {
        Some(b) => b.origin.starts_with("https://"),
        None => state
            .public_url()
            .to_ascii_lowercase()
            .starts_with("https://"),
    };
    match (https, cookie_path(state)) {
        (false, _) => COOKIE,
        (true, "/") => SECURE_COOKIE,
        (true, _) => SECURE_PATH_COOKIE,
    }
}

/// The cookie's `Path`: the configured `--public-url`'s path, else `/` (a prefix only sent by
/// a proxy's headers is not trusted with the cookie's scope).
fn cookie_path(state: &AppState) -> &str {
    state
        .public_base
        .as_deref()
        .map(|b| b.prefix.as_str())
        .filter(|p| !p.is_empty())
        .unwrap_or("/")
}
/// The header the pages' scripts send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The client's address, for the per-address limits: the socket's peer; when that peer is
/// a trusted reverse proxy (`--trusted-proxy`, default loopback), the last address in
/// `X-Forwarded-For` (the one that proxy saw).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        Ok(ClientAddr(match (peer, forwarded) {
            (_, Some(f)) if super::base::from_trusted_proxy(parts, state) => f,
            (Some(ip), _) => ip.to_string(),
            (None, _) => "unknown".into(),
        }))
    }
}

/// The value of the session cookie, if the request has one (only the name this server
/// sets counts).
pub fn session_cookie(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let cookie_name = cookie_name(state);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The signed-in person and their session's CSRF token, or `None`.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Person, String)>, ApiError> {
    Ok(session_of(state, headers)
        .await?
        .map(|(person, session)| (person, session.csrf)))
}

/// The signed-in person and their session, or `None`.
async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Person, SessionRow)>, ApiError> {
    let Some(cookie) = session_cookie(state, headers) else {
        return Ok(None);
    };
    accounts::session_person(state.store.as_ref(), &cookie)
        .await
        .map_err(ApiError::from)
}

/// Refuses a request whose `Origin` is another site's (a browser always sends it on a
/// cross-site POST): no other site may sign someone in or out.
fn same_origin(headers: &HeaderMap, base: &BaseUrl) -> Result<(), ApiError> {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => Ok(()),
        Some(origin) if origin == base.origin() => Ok(()),
        Some(origin) => Err(ApiError::Forbidden(format!(
            "a request from {origin} may not do this here"
        ))),
    }
}

/// The session's CSRF token must come back, in `X-CSRF-Token` or a `csrf` field.
pub fn check_csrf(
    headers: &HeaderMap,
    fields: Option<&HashMap<String, String>>,
    expected: &str,
) -> Result<(), ApiError> {
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| fields.and_then(|f| f.get("csrf")).map(String::as_str))
        .unwrap_or("");
    // Compared in time that does not depend on where they differ.
    let same = sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the CSRF token is missing or wrong: send the one from /api/me as X-CSRF-Token".into(),
        ))
    }
}

/// A form's fields, from JSON (an object of strings) or `application/x-www-form-urlencoded`.
fn fields(headers: &HeaderMap, body: &Bytes) -> Result<HashMap<String, String>, ApiError> {
    let bad = |reason: String| {
        ApiError::InvalidBody(vec![crate::domain::activity::FieldError {
            field: "body".into(),
            reason,
        }])
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if json {
        serde_json::from_slice(body).map_err(|e| bad(format!("a JSON object of strings: {e}")))
    } else {
        serde_urlencoded::from_bytes(body).map_err(|e| bad(format!("form fields: {e}")))
    }
}

fn required<'a>(f: &'a HashMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            ApiError::InvalidBody(vec![crate::domain::activity::FieldError {
                field: name.into(),
                reason: "required".into(),
            }])
        })
}

fn set_cookie(r: &mut Response, value: &str, state: &AppState, max_age_s: i64) {
    let name = cookie_name(state);
    let secure = if name == COOKIE { "" } else { "; Secure" };
    let path = cookie_path(state);
    let cookie =
        format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}");
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("hex and ASCII"),
    );
}

fn private(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r
}

/// What a signed-in person sees of themself, with the CSRF token.
/// `/api/me`'s answer. `reset_until_ms`: until when the session may choose a password
/// without the current one (one begun from an emailed link).
async fn me_json(
    state: &AppState,
    p: &Person,
    csrf: &str,
    reset_until_ms: Option<i64>,
) -> Result<serde_json::Value, ApiError> {
    let memberships = state.store.memberships(p.id).await?;
    let s = state.snapshot.load();
    let memberships: Vec<_> = memberships
        .iter()
        .map(|m| {
            json!({
                "org_id": m.org_id,
                "role": m.role.as_str(),
                "name": s.programme.organisation(m.org_id).map(|o| o.name.as_str()),
            })
        })
        .collect();
    Ok(json!({
        "id": p.id,
        "name": p.name,
        "email": p.email,
        "lang": p.lang,
        "staff_role": p.staff_role.map(|r| r.as_str()),
        "memberships": memberships,
        "has_password": p.password_hash.is_some(),
        "password_without_current": reset_until_ms
            .is_some_and(|until| until >= crate::store::editing::now_ms()),
        "csrf": csrf,
    }))
}

async fn signed_in_response(state: &AppState, session: NewSession) -> Result<Response, ApiError> {
    let person = state
        .store
        .person(session.person_id)
        .await?
        .ok_or_else(|| ApiError::Internal("a session for no one".into()))?;
    let body = me_json(state, &person, &session.csrf, None).await?;
    let mut r = private((StatusCode::OK, axum::Json(body)).into_response());
    set_cookie(
        &mut r,
        &session.cookie,
        state,
        accounts::SESSION_ABSOLUTE_MS / 1000,
    );
    Ok(r)
}

/// `POST /auth/sign-in` with `email` and `password` (JSON or form).
pub async fn post_sign_in(
    State(state): State<AppState>,
    base: BaseUrl,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    same_origin(&headers, &base)?;
    let f = fields(&headers, &body)?;
    let (email, password) = (required(&f, "email")?, required(&f, "password")?);
    match accounts::sign_in(state.store.as_ref(), email, password, &client).await {
        Ok(session) => signed_in_response(&state, session).await,
        Err(e @ SignInError::Refused) => Err(ApiError::Unauthorized(e.to_string())),
        Err(e @ SignInError::RateLimited) => Err(ApiError::TooManyRequests(e.to_string())),
        Err(SignInError::Store(e)) => Err(e.into()),
    }
}

/// `POST /auth/link` with `email`: a sign-in link goes to the address if it has an
/// account (at most 3 in 15 minutes). The answer is the same either way, and it comes
/// before any of that work, so its timing tells nothing either.
pub async fn post_link(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    same_origin(&headers, &base)?;
    let f = fields(&headers, &body)?;
    let email = required(&f, "email")?.to_string();
    tokio::spawn(async move {
        let public = state.public_url();
        if let Err(e) = accounts::send_sign_in_link(state.store.as_ref(), &email, &public).await {
            tracing::warn!(error = %e, "a sign-in link could not be queued");
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({
            "status": "accepted",
            "detail": "If the address has an account, a sign-in link is on its way; it works once, for 20 minutes."
        })),
    )
        .into_response())
}

/// `GET /auth/link/{secret}`: a page with one button, so that only a person's click uses
/// the link (mail scanners open links too).
pub async fn get_link(Path(secret): Path<String>) -> Response {
    let secret: String = secret
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(64)
        .collect();
    private(
        Html(format!(
            r#"<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Logg inn – Nærmiljø</title><link rel="stylesheet" href="/static/kit/base.css"></head>
<body><main class="layout" id="main"><section class="panel">
<h1>Logg inn <span lang="en">/ Sign in</span></h1>
<form method="post" action="/auth/link/{secret}">
<button type="submit">Logg inn <span lang="en">/ Sign in</span></button>
</form></section></main></body></html>
"#
        ))
        .into_response(),
    )
}

/// What a browser shows for a link that is unknown, used or expired: a page in both
/// languages that leads to asking for a new one (the form posts from a browser, so no
/// problem JSON here).
const LINK_GONE_PAGE: &str = r#"<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Lenken virker ikke lenger – Nærmiljø</title><link rel="stylesheet" href="/static/kit/base.css"></head>
<body><main class="layout" id="main"><section class="panel">
<h1>Lenken virker ikke lenger</h1>
<p>Lenken er allerede brukt, eller den er for gammel. En innloggingslenke virker én gang i 20 minutter, en invitasjon i 24 timer.</p>
<p><a href="/org">Be om en ny lenke eller logg inn</a></p>
<div lang="en"><h2>This link no longer works</h2>
<p>It has been used already, or it is too old. A sign-in link works once for 20 minutes, an invitation for 24 hours.</p>
<p><a href="/org?lang=en">Ask for a new link or sign in</a></p></div>
</section></main></body></html>
"#;

/// `POST /auth/link/{secret}`: uses the link and begins a session; then on to the
/// organisations' page, where an invitation or reset goes on to choosing a password.
pub async fn post_link_secret(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Result<Response, ApiError> {
    same_origin(&headers, &base)?;
    let opened = accounts::open_link(state.store.as_ref(), &secret).await?;
    let Some((session, _, choose_password)) = opened else {
        return Ok(private(
            (StatusCode::NOT_FOUND, Html(LINK_GONE_PAGE)).into_response(),
        ));
    };
    let next = if choose_password {
        "/org?account=password"
    } else {
        "/org"
    };
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    set_cookie(
        &mut r,
        &session.cookie,
        &state,
        accounts::SESSION_ABSOLUTE_MS / 1000,
    );
    Ok(private(r))
}

/// The signed-in person, or `None` when no one is; when the request changes something
/// (`changes`), its session's CSRF token must have come with it (403 otherwise).
pub async fn person_of(
    state: &AppState,
    headers: &HeaderMap,
    changes: bool,
) -> Result<Option<Person>, ApiError> {
    let Some((person, csrf)) = signed_in(state, headers).await? else {
        return Ok(None);
    };
    if changes {
        check_csrf(headers, None, &csrf)?;
    }
    Ok(Some(person))
}

/// [`person_of`], or a 401 when no one is signed in.
pub async fn signed_in_person(
    state: &AppState,
    headers: &HeaderMap,
    changes: bool,
) -> Result<Person, ApiError> {
    person_of(state, headers, changes)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("sign in first".into()))
}

/// `POST /auth/password` with `password`, and `current_password` unless the session
/// began from an invitation or reset link in the last 15 minutes. Every other session of
/// the person ends.
pub async fn post_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f = fields(&headers, &body)?;
    let (person, session) = session_of(&state, &headers)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("sign in first".into()))?;
    check_csrf(&headers, Some(&f), &session.csrf)?;
    let password = required(&f, "password")?.to_string();
    let field_error = |field: &str, reason: String| {
        ApiError::InvalidBody(vec![crate::domain::activity::FieldError {
            field: field.into(),
            reason,
        }])
    };
    accounts::check_new_password(&password).map_err(|r| field_error("password", r))?;
    let from_link = session
        .reset_until_ms
        .is_some_and(|until| until >= crate::store::editing::now_ms());
    if !from_link {
        let current = f.get("current_password").cloned().unwrap_or_default();
        let hash = person.password_hash.clone().unwrap_or_default();
        if !accounts::verify_password_async(current, hash).await {
            return Err(field_error(
                "current_password",
                "the current password is needed, and this is not it".into(),
            ));
        }
    }
    let hash = accounts::hash_password_async(password).await;
    let store = state.store.as_ref();
    store
        .set_password(person.id, &hash, Some(person.id))
        .await?;
    let this =
        crate::store::editing::token_sha256(&session_cookie(&state, &headers).unwrap_or_default());
    store.end_sessions_of(person.id, Some(&this)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /auth/sign-out`: ends this session.
pub async fn post_sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    signed_in_person(&state, &headers, true).await?;
    let cookie = session_cookie(&state, &headers).unwrap_or_default();
    state
        .store
        .end_session(&crate::store::editing::token_sha256(&cookie))
        .await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut r, "", &state, 0);
    Ok(r)
}

/// `POST /auth/sign-out-everywhere`: ends every session of the signed-in person.
pub async fn post_sign_out_everywhere(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let person = signed_in_person(&state, &headers, true).await?;
    state.store.end_sessions_of(person.id, None).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut r, "", &state, 0);
    Ok(r)
}

/// `GET /api/me`: the signed-in person, their organisations and the CSRF token.
pub async fn get_me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (person, session) = session_of(&state, &headers)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("no one is signed in".into()))?;
    let me = me_json(&state, &person, &session.csrf, session.reset_until_ms).await?;
    Ok(private(axum::Json(me).into_response()))
}
