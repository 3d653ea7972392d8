//! Where the service lives, as its clients see it: scheme, host and a path prefix
//! (`https://www.example-kommune.no/kart`), for every absolute link, style, TileJSON and page
//! asset behind a reverse proxy.
//!
//! The base is decided per request, in this order:
//! 1. `--public-url`, when configured: used whole, and headers are ignored;
//! 2. from a trusted proxy (`--trusted-proxy`, default loopback) only: scheme and host from
//!    `Forwarded` (RFC 7239 §4, the last element: the nearest proxy's), else `X-Forwarded-Proto`/`-Host`; the path
//!    prefix from `X-Forwarded-Prefix` (RFC 7239 has no prefix parameter);
//! 3. the `Host` header (or the request's authority) over plain HTTP.
//!
//! Header values are checked before use (they end up in HTML): a scheme other than
//! `http`/`https`, a host with other than host characters, or a prefix that is not a plain
//! path is ignored. Pages keep root paths in their files (`href="/static/…"`);
//! [`prefix_links`] puts the prefix in front of them on the way out, and the pages' scripts
//! take it from where their modules were loaded (`web/kit/base.js`).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::prefix_links::PrefixedBody;

/// A configured public address, split: `origin` = `https://host[:port]`, `prefix` = `""` or
/// `/kart` (no final `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase {
    pub origin: String,
    pub prefix: String,
}

impl PublicBase {
    /// Reads `--public-url`: an `http` or `https` URL with a host, no query and no fragment;
    /// its path (a final `/` dropped) is the prefix.
    ///
    /// # Errors
    /// A sentence saying what is wrong with the value.
    pub fn parse(value: &str) -> Result<PublicBase, String> {
        let url = url::Url::parse(value.trim()).map_err(|e| {
            format!("{value:?} is not a URL ({e}); say e.g. https://www.example-kommune.no/kart")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{value:?}: the scheme must be http or https"));
        }
        let Some(host) = url.host_str() else {
            return Err(format!("{value:?} has no host"));
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{value:?}: a public URL has no query (?…) or fragment (#…)"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("{value:?}: a public URL has no user or password"));
        }
        let prefix = url.path().trim_end_matches('/').to_string();
        if !prefix.is_empty() && !is_prefix(&prefix) {
            return Err(format!(
                "{value:?}: the path {prefix:?} must be plain segments, e.g. /kart"
            ));
        }
        let origin = match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        Ok(PublicBase { origin, prefix })
    }
}

/// The base of absolute links for this request: origin and path prefix without a final `/`,
/// e.g. `http://127.0.0.1:8080` or `https://www.example-kommune.no/kart`.
pub struct BaseUrl(pub String);

impl BaseUrl {
    /// `scheme://host[:port]`, without the prefix: what a browser sends as `Origin`.
    pub fn origin(&self) -> &str {
        let after_scheme = self.0.find("://").map_or(0, |i| i + 3);
        match self.0[after_scheme..].find('/') {
            Some(i) => &self.0[..after_scheme + i],
            None => &self.0,
        }
    }

    /// The path prefix: `""` or `/kart`.
    pub fn prefix(&self) -> &str {
        &self.0[self.origin().len()..]
    }
}

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(BaseUrl(base_of(parts, state)))
    }
}

/// See the module's documentation for the order.
fn base_of(parts: &Parts, state: &AppState) -> String {
    if let Some(base) = &state.public_base {
        return format!("{}{}", base.origin, base.prefix);
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    // Every line of a header, joined: proxies append, so the nearest one's value is last.
    let all = |name: &str| {
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",")
    };
    let last = |name: &str| {
        all(name)
            .rsplit(',')
            .map(str::trim)
            .find(|v| !v.is_empty())
            .map(str::to_string)
    };
    let authority = header("host")
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .filter(|h| is_host(h))
        .unwrap_or_else(|| "localhost".into());
    if !from_trusted_proxy(parts, state) {
        return format!("http://{authority}");
    }
    let forwarded = last_forwarded(&all("forwarded"));
    let proto = forwarded
        .proto
        .or_else(|| last("x-forwarded-proto").map(|p| p.to_ascii_lowercase()))
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".into());
    let host = forwarded
        .host
        .or_else(|| last("x-forwarded-host"))
        .filter(|h| is_host(h))
        .unwrap_or(authority);
    let prefix = last("x-forwarded-prefix")
        .map(|p| p.trim_end_matches('/').to_string())
        .filter(|p| is_prefix(p))
        .unwrap_or_default();
    format!("{proto}://{host}{prefix}")
}

/// Whether the request came through a proxy whose headers count: its peer is in
/// `--trusted-proxy` (default loopback), or there is no peer (a request made in-process).
/// The one rule for every header a proxy sets (links here, and `X-Forwarded-For` for the
/// client address the rate limits count).
pub(super) fn from_trusted_proxy(parts: &Parts, state: &AppState) -> bool {
    match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        None => true,
        Some(ConnectInfo(peer)) => state
            .limits
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&peer.ip().to_canonical())),
    }
}

/// `proto` and `host` of one element of a `Forwarded` header.
#[derive(Default)]
struct Forwarded {
    proto: Option<String>,
    host: Option<String>,
}

/// Reads the last element of `Forwarded: for=…;proto=https;host="k.example:8443", for=…`:
/// proxies append theirs, so the last is the trusted proxy's own, and whatever a client sent
/// comes before it (RFC 7239 §4: elements separated by `,`, `;`-separated `token=value` pairs,
/// values a token or a quoted-string, parameter names case-insensitive). Written here because
/// the two crates for it are unmaintained (`rfc7239` is archived) and two parameters are read.
fn last_forwarded(value: &str) -> Forwarded {
    let mut chars = value.chars().peekable();
    let mut last = Forwarded::default();
    while chars.peek().is_some() {
        last = forwarded_element(&mut chars);
    }
    last
}

/// One element, up to and including its `,` (or the end).
fn forwarded_element(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Forwarded {
    let mut out = Forwarded::default();
    loop {
        // Leading space and `;` dropped; the name runs to `=`, or to the element's end.
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ';') {
            chars.next();
        }
        let mut name = String::new();
        let mut at_end = false;
        loop {
            match chars.next() {
                None => {
                    at_end = true;
                    break;
                }
                Some('=') => break,
                Some(',') => return out,
                Some(c) => name.push(c),
            }
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => val.extend(chars.next()),
                    '"' => break,
                    c => val.push(c),
                }
            }
        }
        let mut end_of_element = at_end;
        for c in chars.by_ref() {
            match c {
                ';' => break,
                ',' => {
                    end_of_element = true;
                    break;
                }
                c if !c.is_whitespace() => val.push(c),
                _ => {}
            }
        }
        match name.trim().to_ascii_lowercase().as_str() {
            "proto" => out.proto = Some(val.to_ascii_lowercase()),
            "host" => out.host = Some(val),
            _ => {}
        }
        if end_of_element || chars.peek().is_none() {
            return out;
        }
    }
}

/// A host and optional port: letters, digits, `.`, `-`, and `[ ] :` for IPv6 and the port.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
}

/// A path prefix: `/seg[/seg…]`, each segment RFC 3986 unreserved characters or `%`-escapes
/// (nothing that could close an HTML attribute or a cookie's `Path`), none `.` or `..`, and no
/// `//` (which a browser would read as another host).
fn is_prefix(p: &str) -> bool {
    p.is_empty()
        || (p.starts_with('/')
            && p.len() <= 200
            && p[1..].split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c))
            }))
}

/// Requests no route matches: a path with a trailing slash is sent to the same path without it
/// (308, the query kept), as OWSLib and people typing addresses ask for `/api/`; anything
/// else is a 404 problem.
pub async fn without_trailing_slash(base: BaseUrl, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    match path
        .strip_suffix('/')
        .filter(|p| !p.is_empty() && !p.ends_with('/'))
    {
        Some(trimmed) => {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            axum::response::Redirect::permanent(&format!("{}{trimmed}{query}", base.0))
                .into_response()
        }
        None => ApiError::NotFound(format!("nothing at {path}")).into_response(),
    }
}

/// Puts the path prefix in front of root paths in what the server sends: a `Location`
/// beginning with one `/`, and ` href="/`, ` src="/`, ` action="/` in HTML bodies (the pages,
/// the sign-in and confirmation pages). Without a prefix it does nothing, so the pages are
/// served byte for byte as written. Runs inside the compression layer (it reads the plain
/// body); fragments (`href="#main"`) and other hosts are left alone.
pub async fn prefix_links(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let prefix = BaseUrl(base_of(&parts, &state)).prefix().to_string();
    let head = parts.method == axum::http::Method::HEAD;
    let response = next.run(Request::from_parts(parts, body)).await;
    if prefix.is_empty() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    if let Some(location) = parts
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        && let Ok(v) = HeaderValue::from_str(&format!("{prefix}{location}"))
    {
        parts.headers.insert(header::LOCATION, v);
    }
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    // A HEAD, a range or an encoded body goes out as it is; every other page is rewritten
    // as it streams, whatever its size. A page's HEAD goes without a length, as its GET does
    // (the body is longer by the prefixes).
    if html && head {
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    if !html
        || head
        || parts.status == axum::http::StatusCode::PARTIAL_CONTENT
        || parts.headers.contains_key(header::CONTENT_ENCODING)
    {
        return Response::from_parts(parts, body);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::new(PrefixedBody::new(body, &prefix)))
}

/// With a configured prefix, a request the proxy passed on with the prefix still in its path
/// (`proxy_pass http://backend;` without a final `/`) is routed as if it had been stripped:
/// `/kart/api?x` → `/api?x`, `/kart` → `/`. Other paths are left as they are.
pub fn strip_prefix(prefix: &str, mut request: Request) -> Request {
    if prefix.is_empty() {
        return request;
    }
    let path = request.uri().path();
    let rest = match path.strip_prefix(prefix) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => return request,
    };
    let path_and_query = match request.uri().query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_string(),
    };
    if let Ok(uri) = axum::http::Uri::builder()
        .path_and_query(path_and_query)
        .build()
    {
        *request.uri_mut() = uri;
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_split_into_origin_and_prefix_and_bad_ones_say_why() {
        let b = PublicBase::parse("https://www.example-kommune.no/kart/").unwrap();
        assert_eq!(b.origin, "https://www.example-kommune.no");
        assert_eq!(b.prefix, "/kart");
        let b = PublicBase::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            (b.origin.as_str(), b.prefix.as_str()),
            ("http://127.0.0.1:8080", "")
        );
        for bad in [
            "kart",
            "ftp://x/",
            "https://x/kart?y=1",
            "https://x/#a",
            "https://u:p@x/",
        ] {
            assert!(PublicBase::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_takes_the_last_elements_proto_and_quoted_host() {
        // What a client sent comes first; the trusted proxy's own element is last.
        let f = last_forwarded(
            r#"proto=http;host=client-says.example, for=1.2.3.4;Proto=HTTPS;host="k.example:8443""#,
        );
        assert_eq!(f.proto.as_deref(), Some("https"));
        assert_eq!(f.host.as_deref(), Some("k.example:8443"));
        let f = last_forwarded("for=192.0.2.60;proto=http;by=203.0.113.43");
        assert_eq!((f.proto.as_deref(), f.host), (Some("http"), None));
        let f = last_forwarded(r#"host="a\"b;c""#);
        assert_eq!(f.host.as_deref(), Some("a\"b;c"));
        let f = last_forwarded(",,host=x");
        assert_eq!(f.host.as_deref(), Some("x"));
        assert!(last_forwarded("").host.is_none());
    }

    #[test]
    fn a_configured_prefix_left_in_the_path_is_stripped() {
        let strip = |uri: &str| {
            let r = Request::builder().uri(uri).body(Body::empty()).unwrap();
            strip_prefix("/kart", r).uri().to_string()
        };
        assert_eq!(strip("/kart/api?x=1"), "/api?x=1");
        assert_eq!(strip("/kart"), "/");
        assert_eq!(strip("/kartverket/x"), "/kartverket/x");
        assert_eq!(strip("/api"), "/api");
    }

    #[test]
    fn only_plain_paths_are_prefixes() {
        for good in ["", "/kart", "/a/b-c/d_e.f", "/%C3%A6"] {
            assert!(is_prefix(good), "{good}");
        }
        for bad in [
            "kart",
            "//evil.example",
            "/a\"><x",
            "/../x",
            "/a//b",
            "/a/./b",
            "/ø",
        ] {
            assert!(!is_prefix(bad), "{bad}");
        }
        assert!(!is_host("a b"));
        assert!(!is_host("x\"y"));
        assert!(is_host("[::1]:8080"));
    }

    #[test]
    fn a_base_splits_into_origin_and_prefix() {
        let base = BaseUrl("https://k.example/kart".into());
        assert_eq!(
            (base.origin(), base.prefix()),
            ("https://k.example", "/kart")
        );
        let base = BaseUrl("http://127.0.0.1:8080".into());
        assert_eq!(
            (base.origin(), base.prefix()),
            ("http://127.0.0.1:8080", "")
        );
    }
}
