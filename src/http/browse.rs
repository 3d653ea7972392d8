//! HTML for people browsing the OGC API (issue 17 item 3), the way pygeoapi and ldproxy
//! offer it: `f=html`, or a browser's `Accept: text/html` without `f`, on the landing page,
//! conformance, collections, a collection, its queryables, its items and one item.
//!
//! One rule for every collection instead of a second renderer per handler: the request is
//! answered by the JSON handler as usual (same parameters, same errors), and a success is
//! wrapped in the page `web/api.html`, which holds that JSON document in
//! `<script type="application/json" id="api-document">` and draws it (a small map and a
//! properties table, links to the other formats) with `web/api/`. Errors stay problem
//! documents with their status.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;

/// The largest JSON document wrapped in a page (a page of 10,000 addresses is about 4 MB).
const MAX_DOCUMENT: usize = 32 * 1024 * 1024;

/// Which document of the OGC API a path is, for the page: `landing`, `conformance`,
/// `collections`, `collection`, `queryables`, `items` or `item`; `None` for every other path.
pub fn kind_of(path: &str) -> Option<&'static str> {
    let rest = path
        .strip_prefix("/api")
        .filter(|r| r.is_empty() || r.starts_with('/'))?;
    let parts: Vec<&str> = rest.split('/').skip(1).collect();
    let named = |s: &&str| !s.is_empty();
    match parts.as_slice() {
        [] | [""] => Some("landing"),
        ["conformance"] => Some("conformance"),
        ["collections"] => Some("collections"),
        ["collections", id] if named(id) => Some("collection"),
        ["collections", id, "queryables"] if named(id) => Some("queryables"),
        ["collections", id, "items"] if named(id) => Some("items"),
        ["collections", id, "items", fid] if named(id) && named(fid) => Some("item"),
        _ => None,
    }
}

/// Whether a request asks for HTML: `f=html`, or no `f` and an `Accept` header that ranks
/// `text/html` above every JSON type and above `*/*` (RFC 9110 §12.5.1 quality values; a
/// browser's navigation does, `fetch()`, curl, GDAL and OWSLib do not).
pub fn wants_html(query: Option<&str>, headers: &HeaderMap) -> bool {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    match pairs.iter().find(|(k, _)| k == "f") {
        Some((_, f)) => f == "html",
        None => headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(prefers_html),
    }
}

/// `text/html`'s quality in an `Accept` value is above that of any JSON type and of `*/*`.
fn prefers_html(accept: &str) -> bool {
    let (mut html, mut other) = (0.0f32, 0.0f32);
    for range in accept.split(',') {
        let mut fields = range.split(';').map(str::trim);
        let media = fields.next().unwrap_or("").to_ascii_lowercase();
        let q = fields
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|v| v.parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" => html = html.max(q),
            "*/*" | "application/*" => other = other.max(q),
            m if m.starts_with("application/") && m.ends_with("json") => other = other.max(q),
            _ => {}
        }
    }
    html > 0.0 && html > other
}

/// Middleware: answers the OGC API's documents as HTML when asked ([`wants_html`]).
pub async fn html_when_asked(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let kind = match kind_of(request.uri().path()) {
        Some(k) if matches!(*request.method(), Method::GET | Method::HEAD) => k,
        _ => return next.run(request).await,
    };
    if !wants_html(request.uri().query(), request.headers()) {
        return with_vary(next.run(request).await);
    }
    let (mut parts, body) = request.into_parts();
    parts.uri = match without_f(&parts.uri) {
        Ok(uri) => uri,
        Err(e) => return e.into_response(),
    };
    parts
        .headers
        .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    // The JSON's validators are not the page's: no 304 for a page never sent.
    parts.headers.remove(header::IF_NONE_MATCH);
    parts.headers.remove(header::IF_MODIFIED_SINCE);
    let inner = next.run(Request::from_parts(parts, body)).await;
    if !inner.status().is_success() {
        return with_vary(inner);
    }
    let content_crs = inner.headers().get("content-crs").cloned();
    let json = match axum::body::to_bytes(inner.into_body(), MAX_DOCUMENT).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::Internal(format!("the document for the page: {e}")).into_response();
        }
    };
    let page = match super::web::render_page(&state, "api.html").await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    // `<` occurs in JSON only inside strings, where `\u003c` means the same: so no text of
    // the document can close the script element.
    let json = String::from_utf8_lossy(&json).replace('<', "\\u003c");
    let meta = format!(
        "<meta name=\"naermiljo-api-kind\" content=\"{kind}\">{}</head>",
        content_crs
            .and_then(|v| {
                v.to_str()
                    .ok()
                    .map(|c| super::web::html_escape(c.trim_matches(['<', '>'])))
            })
            .map(|c| format!("<meta name=\"naermiljo-content-crs\" content=\"{c}\">"))
            .unwrap_or_default()
    );
    let html = page.replacen("</head>", &meta, 1).replacen(
        "</body>",
        &format!("<script type=\"application/json\" id=\"api-document\">{json}</script></body>"),
        1,
    );
    let mut r = (StatusCode::OK, Body::from(html)).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    with_vary(r)
}

/// The URI without `f` (so the JSON handler answers) and the page's own `lang` and
/// `contrast`.
fn without_f(uri: &Uri) -> Result<Uri, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|e| ApiError::invalid("query", e.to_string()))?;
    // `lang` and `contrast` are the page's own (as on every page), not the API's.
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "f" | "lang" | "contrast"))
        .collect();
    let query =
        serde_urlencoded::to_string(&kept).map_err(|e| ApiError::Internal(e.to_string()))?;
    let path_and_query = if query.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{query}", uri.path())
    };
    path_and_query
        .parse()
        .map_err(|e: axum::http::uri::InvalidUri| ApiError::Internal(e.to_string()))
}

/// The same URL answers JSON or HTML by `Accept`, so caches must key on it.
fn with_vary(mut r: Response) -> Response {
    let h = r.headers_mut();
    let named = h
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("accept"));
    if !named {
        h.append(header::VARY, HeaderValue::from_static("accept"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_named_by_their_document() {
        for (path, kind) in [
            ("/api", Some("landing")),
            ("/api/", Some("landing")),
            ("/api/conformance", Some("conformance")),
            ("/api/collections", Some("collections")),
            ("/api/collections/facilities", Some("collection")),
            ("/api/collections/nature/queryables", Some("queryables")),
            ("/api/collections/activities/items", Some("items")),
            ("/api/collections/facilities/items/osm-n1", Some("item")),
            ("/api/collections/volunteer-needs/items/3/offers", None),
            ("/api/reach", None),
            ("/api/openapi.json", None),
            ("/apis", None),
            ("/", None),
        ] {
            assert_eq!(kind_of(path), kind, "{path}");
        }
    }

    #[test]
    fn html_is_chosen_by_f_or_by_a_browsers_accept() {
        let accept = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_static(v));
            h
        };
        let firefox = accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        assert!(wants_html(None, &firefox));
        assert!(wants_html(Some("f=html"), &HeaderMap::new()));
        assert!(!wants_html(Some("f=json"), &firefox));
        assert!(!wants_html(None, &accept("*/*")));
        assert!(!wants_html(None, &HeaderMap::new()));
        assert!(!wants_html(
            None,
            &accept("application/geo+json, application/json;q=0.9, text/html;q=0.5")
        ));
        assert!(!wants_html(None, &accept("text/html;q=0.5, */*")));
        assert!(wants_html(
            None,
            &accept("application/json;q=0.4, text/html")
        ));
        assert!(!wants_html(None, &accept("text/html;q=0")));
    }
}
