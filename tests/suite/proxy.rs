//! Behind the municipality's reverse proxy, under a path (issue 16, item 10), through the
//! router: links, styles, TileJSON, OpenAPI `servers`, pages, redirects and the session cookie
//! follow `--public-url` when configured, else `Forwarded` (RFC 7239) / `X-Forwarded-*` from a
//! trusted proxy only. The same through a real nginx and Chromium: tests/browser/proxy.test.mjs.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use naermiljo::http::{AppState, PublicBase};
use tower::ServiceExt;

use crate::common::{TestStore, oslo};

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
    fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// One request through the router with `headers`; `peer`: the socket's address as the
/// server would see it (none: in-process, which counts as a trusted proxy).
async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    peer: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "backend.local:8080");
    for (name, value) in headers {
        r = r.header(*name, *value);
    }
    let mut request = r
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    if let Some(peer) = peer {
        let addr: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    let response = naermiljo::http::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Every absolute URL in a JSON value (strings beginning with `http`).
fn urls(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.starts_with("http") => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| urls(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| urls(x, out)),
        _ => {}
    }
}

/// The service's own absolute URLs in every JSON answer a client starts from: the landing
/// page, a page of items, TileJSON, the style, OpenAPI `servers`.
async fn own_urls(state: &AppState, headers: &[(&str, &str)], peer: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for uri in [
        "/api",
        "/api/collections/facilities/items?limit=1",
        "/tiles/facilities.json",
        "/styles/default.json",
        "/api/openapi.json",
    ] {
        let a = call(state, "GET", uri, headers, peer, None).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text);
        let json = a.json();
        let mut found = Vec::new();
        match uri {
            // Data may hold other sites' addresses (a facility's website): only the links.
            "/api" | "/api/collections/facilities/items?limit=1" => {
                urls(&json["links"], &mut found)
            }
            "/api/openapi.json" => urls(&json["servers"], &mut found),
            _ => urls(&json, &mut found),
        }
        assert!(!found.is_empty(), "{uri} has no absolute links");
        out.extend(found.into_iter().map(|u| format!("{uri}: {u}")));
    }
    out
}

fn all_start_with(found: &[String], base: &str) {
    for f in found {
        let url = f.split(": ").nth(1).unwrap();
        assert!(
            url.starts_with(&format!("{base}/")) || url == base,
            "{f} is not under {base}"
        );
    }
}

#[tokio::test]
async fn links_follow_a_trusted_proxys_headers_with_its_path_prefix() {
    let (_, state) = oslo().await;

    // The X-Forwarded-* family, the prefix with a final `/`.
    let family = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "kommune.example"),
        ("x-forwarded-prefix", "/kart/"),
    ];
    let found = own_urls(state, &family, Some("127.0.0.1:50000")).await;
    all_start_with(&found, "https://kommune.example/kart");
    assert!(
        found
            .iter()
            .any(|f| f.contains("https://kommune.example/kart/tiles/facilities/{z}/{x}/{y}")),
        "{found:#?}"
    );
    let openapi = call(state, "GET", "/api/openapi.json", &family, None, None).await;
    assert_eq!(
        openapi.json()["servers"][0]["url"],
        "https://kommune.example/kart"
    );

    // RFC 7239 wins over X-Forwarded-Host; only its last element (the proxy's) counts.
    let forwarded = [
        (
            "forwarded",
            // A client's own element first, the trusted proxy's appended last.
            r#"proto=http;host=evil.example, for=192.0.2.60;proto=https;host="k.example:8443""#,
        ),
        ("x-forwarded-host", "wrong.invalid"),
    ];
    let found = own_urls(state, &forwarded, None).await;
    all_start_with(&found, "https://k.example:8443");

    // Values that are not a scheme, a host or a plain path are ignored.
    for prefix in ["//evil.example", "/a\"><x", "/../x", "kart"] {
        let a = call(
            state,
            "GET",
            "/api",
            &[("x-forwarded-prefix", prefix)],
            None,
            None,
        )
        .await;
        let mut found = Vec::new();
        urls(&a.json()["links"], &mut found);
        assert!(
            found
                .iter()
                .all(|u| u.starts_with("http://backend.local:8080/api")),
            "{prefix}: {found:?}"
        );
    }
    let a = call(
        state,
        "GET",
        "/api",
        &[
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "x\"y"),
        ],
        None,
        None,
    )
    .await;
    assert!(
        a.text.contains("\"http://backend.local:8080/api"),
        "{}",
        a.text
    );

    // From a peer that is not a trusted proxy, the headers do nothing.
    let found = own_urls(state, &family, Some("203.0.113.1:50000")).await;
    all_start_with(&found, "http://backend.local:8080");
}

#[tokio::test]
async fn pages_under_a_prefix_have_their_root_paths_prefixed_and_at_the_root_nothing_changes() {
    let (_, state) = oslo().await;
    let prefix = [("x-forwarded-prefix", "/kart")];
    for page in ["/", "/planner", "/org", "/admin", "/medvirkning", "/embed"] {
        let root = call(state, "GET", page, &[], None, None).await;
        assert_eq!(root.status, StatusCode::OK, "{page}");
        assert!(
            root.text.contains("href=\"/static/kit/base.css\""),
            "{page}"
        );
        assert!(
            !root.text.contains("/kart/"),
            "{page} at the root names /kart"
        );

        let under = call(state, "GET", page, &prefix, None, None).await;
        assert_eq!(under.status, StatusCode::OK, "{page}");
        assert!(
            under.text.contains("href=\"/kart/static/kit/base.css\""),
            "{page}"
        );
        for attr in [" href=\"/", " src=\"/", " action=\"/"] {
            let all = under.text.matches(attr).count();
            let prefixed = under.text.matches(&format!("{attr}kart/")).count();
            assert_eq!(all, prefixed, "{page} still has a root path in {attr:?}");
            assert_eq!(
                prefixed,
                root.text.matches(attr).count(),
                "{page}: {attr:?}"
            );
        }
        assert_eq!(
            under.text.matches("href=\"#").count(),
            root.text.matches("href=\"#").count(),
            "{page}: fragment links stay as they are"
        );
        let length = under.header(header::CONTENT_LENGTH);
        assert!(
            length.is_empty() || length == under.text.len().to_string(),
            "{page}: Content-Length {length} for {} bytes",
            under.text.len()
        );
    }
    let planner = call(state, "GET", "/planner", &prefix, None, None).await;
    assert!(
        planner
            .text
            .contains("href=\"/kart/api/coverage?format=csv\"")
    );
    assert!(
        planner
            .text
            .contains("src=\"/kart/static/planner/main.js\"")
    );

    // The pages made in Rust: the sign-in link's button, and the page for a used link.
    let link = call(state, "GET", "/auth/link/abc123", &prefix, None, None).await;
    assert!(
        link.text.contains("action=\"/kart/auth/link/abc123\""),
        "{}",
        link.text
    );
    assert!(link.text.contains("href=\"/kart/static/kit/base.css\""));
}

#[tokio::test]
async fn a_configured_public_url_wins_over_headers_and_scopes_the_session_cookie() {
    let t = TestStore::new().await;
    let store = t.store.clone();
    let id = store
        .create_person("ada@example.org", "Ada", None, "nb", None)
        .await
        .unwrap()
        .unwrap();
    let password = "et passord som er langt nok";
    store
        .set_password(id, &naermiljo::accounts::hash_password(password), None)
        .await
        .unwrap();
    let public = "https://www.example-kommune.no/kart";
    let mut state = t.state().await;
    state.public_base = Some(Arc::new(PublicBase::parse(&format!("{public}/")).unwrap()));
    state.public_url = Arc::new(arc_swap::ArcSwap::from_pointee(public.to_string()));

    let hostile = [
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-prefix", "/other"),
        ("forwarded", "proto=http;host=evil.example"),
    ];
    let a = call(&state, "GET", "/api", &hostile, None, None).await;
    let mut found = Vec::new();
    urls(&a.json()["links"], &mut found);
    assert!(!found.is_empty());
    for u in &found {
        assert!(u.starts_with(&format!("{public}/")), "{u}");
    }
    let page = call(&state, "GET", "/org", &hostile, None, None).await;
    assert!(page.text.contains("href=\"/kart/static/kit/base.css\""));

    // Signing in: the browser's Origin is the public origin, without the path.
    let body = format!(r#"{{"email":"ada@example.org","password":"{password}"}}"#);
    let json = [(header::CONTENT_TYPE.as_str(), "application/json")];
    let evil = call(
        &state,
        "POST",
        "/auth/sign-in",
        &[json[0], ("origin", "https://evil.example")],
        None,
        Some(&body),
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN, "{}", evil.text);
    let ok = call(
        &state,
        "POST",
        "/auth/sign-in",
        &[json[0], ("origin", "https://www.example-kommune.no")],
        None,
        Some(&body),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let cookie = ok.header(header::SET_COOKIE);
    assert!(
        cookie.starts_with("__Secure-naermiljo_session="),
        "{cookie}"
    );
    for part in ["; Path=/kart;", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let session = cookie.split(';').next().unwrap();
    let me = call(&state, "GET", "/api/me", &[("cookie", session)], None, None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.json()["email"], "ada@example.org");

    // An emailed link names the public URL, and using it redirects under the prefix.
    naermiljo::accounts::send_sign_in_link(store.as_ref(), "ada@example.org", public)
        .await
        .unwrap();
    let mail = store.outbox(10).await.unwrap();
    let body = &mail.last().expect("a sign-in email").body;
    let start = body
        .find(&format!("{public}/auth/link/"))
        .unwrap_or_else(|| panic!("no link under {public} in {body}"));
    let link: String = body[start + public.len()..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let used = call(
        &state,
        "POST",
        &link,
        &[("origin", "https://www.example-kommune.no")],
        None,
        None,
    )
    .await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.text);
    assert_eq!(used.header(header::LOCATION), "/kart/org");
    let again = call(&state, "POST", &link, &[], None, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.text.contains("href=\"/kart/org\""), "{}", again.text);
}
