//! One validator per representation (RFC 9110 §8.8.3): the compression layer sends the same
//! resource gzip-, br- or un-encoded, so an `ETag` made from the resource is given the
//! content coding as a suffix (`"abc"` → `"abc-gzip"`) on the way out, and the suffix is taken
//! off `If-None-Match` and `If-Match` on the way in, so that handlers compare their own tags.
//! A `304` carries the tag the client asked with.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

const CODINGS: [&str; 3] = ["gzip", "br", "deflate"];

/// `"abc-gzip"` → (`"abc"`, `Some("gzip")`); a tag without a coding as it is.
fn split(tag: &str) -> (String, Option<&'static str>) {
    let t = tag.trim();
    for coding in CODINGS {
        let suffix = format!("-{coding}\"");
        if let Some(base) = t.strip_suffix(&suffix) {
            return (format!("{base}\""), Some(coding));
        }
    }
    (t.to_string(), None)
}

/// `"abc"` with `gzip` → `"abc-gzip"` (weak tags keep their `W/`).
fn join(tag: &str, coding: &str) -> Option<HeaderValue> {
    let base = tag.strip_suffix('"')?;
    HeaderValue::from_str(&format!("{base}-{coding}\"")).ok()
}

/// The middleware: outside the compression layer.
pub async fn per_coding(mut request: Request, next: Next) -> Response {
    let mut asked: Option<&'static str> = None;
    for name in [header::IF_NONE_MATCH, header::IF_MATCH] {
        let Some(value) = request.headers().get(&name).and_then(|v| v.to_str().ok()) else {
            continue;
        };
        let tags: Vec<String> = value
            .split(',')
            .map(|t| {
                let (base, coding) = split(t);
                if name == header::IF_NONE_MATCH {
                    asked = asked.or(coding);
                }
                base
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&tags.join(", ")) {
            request.headers_mut().insert(name, v);
        }
    }
    let mut response = next.run(request).await;
    let coding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| CODINGS.into_iter().find(|k| *k == c))
        .or(if response.status() == StatusCode::NOT_MODIFIED {
            asked
        } else {
            None
        });
    if let Some(coding) = coding
        && let Some(tag) = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| join(t, coding))
    {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_take_and_lose_their_coding() {
        assert_eq!(split("\"abc-gzip\""), ("\"abc\"".to_string(), Some("gzip")));
        assert_eq!(split(" W/\"v3-br\""), ("W/\"v3\"".to_string(), Some("br")));
        assert_eq!(split("\"v1\""), ("\"v1\"".to_string(), None));
        assert_eq!(join("\"abc\"", "gzip").unwrap(), "\"abc-gzip\"");
        assert_eq!(join("W/\"abc\"", "br").unwrap(), "W/\"abc-br\"");
    }
}
