//! The pages and what they load, all from this server (nothing from other origins):
//! `/`, `/embed`, `/planner` from `web/`, `/static/…` (the pages' scripts, styles and
//! strings), `/vendor/maplibre-gl/…` and `/fonts/…` from the pinned npm packages in
//! `web/node_modules`, and the MapLibre styles at `/styles/{name}.json`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::ApiError;
use super::{AppState, Assets, BaseUrl};

/// npm package folders the pages need, under `web/node_modules`.
pub const MAPLIBRE_DIST: &str = "node_modules/maplibre-gl/dist";
pub const FONT_FILES: &str = "node_modules/@fontsource/noto-sans/files";

pub fn routes(assets: &Assets) -> Router<AppState> {
    let long_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    let revalidate = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    if !assets.web_dir.join("index.html").is_file() {
        tracing::warn!(
            "no pages at {}: pass --web-dir (or NAERMILJO_WEB_DIR) with the web/ folder of naermiljo",
            assets.web_dir.display()
        );
    } else if !assets.web_dir.join(MAPLIBRE_DIST).is_dir() {
        tracing::warn!(
            "{} is missing: the map pages cannot load MapLibre; run `npm ci --prefix web`",
            assets.web_dir.join(MAPLIBRE_DIST).display()
        );
    }
    Router::new()
        .route("/", get(|s: State<AppState>| page(s, "index.html")))
        .route("/embed", get(|s: State<AppState>| page(s, "embed.html")))
        .route(
            "/planner",
            get(|s: State<AppState>| page(s, "planner.html")),
        )
        .route("/org", get(|s: State<AppState>| page(s, "org.html")))
        .route("/admin", get(|s: State<AppState>| page(s, "admin.html")))
        // The nærutvalg's list of proposals (issue 15).
        .route(
            "/medvirkning",
            get(|s: State<AppState>| page(s, "participation.html")),
        )
        // A district's profile; the page reads the id from its own path.
        .route(
            "/omrade/{id}",
            get(|s: State<AppState>| page(s, "district.html")),
        )
        // A knutepunkt's page (issue 18); the page reads the id from its own path.
        .route(
            "/knutepunkt/{id}",
            get(|s: State<AppState>| page(s, "hub.html")),
        )
        .route("/styles/{file}", get(get_style))
        .nest_service(
            "/static",
            tower::ServiceBuilder::new()
                .layer(revalidate)
                .layer(axum::middleware::from_fn(pages_only))
                .service(ServeDir::new(&assets.web_dir)),
        )
        .nest_service(
            "/vendor/maplibre-gl",
            tower::ServiceBuilder::new()
                .layer(long_cache.clone())
                .service(ServeDir::new(assets.web_dir.join(MAPLIBRE_DIST))),
        )
        .nest_service(
            "/fonts",
            tower::ServiceBuilder::new()
                .layer(long_cache)
                .service(ServeDir::new(assets.web_dir.join(FONT_FILES))),
        )
}

/// `/static` hands out the pages' own files, not the npm folder, tools or package files
/// that sit beside them in `web/` (MapLibre and the font have their own routes).
async fn pages_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let hidden = [
        "/node_modules",
        "/tools",
        "/package.json",
        "/package-lock.json",
    ];
    if hidden.iter().any(|h| path.starts_with(h)) {
        return ApiError::NotFound(format!("no such file {path:?}")).into_response();
    }
    next.run(request).await
}

async fn page(State(state): State<AppState>, file: &'static str) -> Result<Response, ApiError> {
    let html = render_page(&state, file).await?;
    let mut r = axum::response::Html(html).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

/// A page of `web/` as served: its parts put in, the attribution and an example address
/// from the data held. Errors: the page or a part cannot be read (404 / 500).
pub(super) async fn render_page(state: &AppState, file: &'static str) -> Result<String, ApiError> {
    let path = state.assets.web_dir.join(file);
    let html = tokio::fs::read_to_string(&path).await.map_err(|e| {
        ApiError::NotFound(format!("the page {} cannot be read: {e}", path.display()))
    })?;
    let web_dir = state.assets.web_dir.clone();
    let html = tokio::task::spawn_blocking(move || {
        include_parts(
            &html,
            &|part| std::fs::read_to_string(web_dir.join(part)).ok(),
            0,
        )
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(format!("{file}: {e}")))?;
    // Whose data the page shows, from the data held: in the footer and for the map; and a
    // real address of the store for the search hints (`{example_address}` in the strings).
    let s = state.snapshot.load();
    let attribution = html_escape(&s.attribution());
    let example = html_escape(&s.example_address().unwrap_or_else(|| "Storgata 1".into()));
    drop(s);
    Ok(html.replace("{attribution}", &attribution).replacen(
        "</head>",
        &format!(
            "<meta name=\"naermiljo-attribution\" content=\"{attribution}\">\
             <meta name=\"naermiljo-example-address\" content=\"{example}\"></head>"
        ),
        1,
    ))
}

/// Text for HTML content and attribute values.
pub(super) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How deep parts may hold parts.
const MAX_PART_DEPTH: u8 = 4;

/// Puts the shared HTML parts into a page, as `web/kit/parts.js` does in the browser: a
/// placeholder `<div data-part="/static/PATH.html">…</div>` is replaced by the file
/// `web/PATH.html`, whose `<slot></slot>` takes the placeholder's children. Parts may
/// hold parts. So the page a browser (or a crawler, or a screen reader before any script
/// runs) gets is whole, with its attribution; the script then finds nothing left to do.
///
/// `read` gives a part's text by its path under `web/`. Errors: a part outside `/static/`,
/// not `.html`, with `..`, unreadable, unclosed, or nested deeper than 4.
fn include_parts(
    html: &str,
    read: &dyn Fn(&str) -> Option<String>,
    depth: u8,
) -> Result<String, String> {
    const OPEN: &str = "<div data-part=\"";
    if !html.contains(OPEN) {
        return Ok(html.to_string());
    }
    if depth >= MAX_PART_DEPTH {
        return Err(format!("parts nested deeper than {MAX_PART_DEPTH}"));
    }
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let quote = after
            .find('"')
            .ok_or("a data-part without its closing quote")?;
        let name = &after[..quote];
        let tag_end = after[quote..]
            .find('>')
            .map(|i| quote + i + 1)
            .ok_or_else(|| format!("part {name}: the tag is not closed"))?;
        // The placeholder's children, up to its own `</div>` (divs inside counted).
        let body = &after[tag_end..];
        let (mut open, mut at) = (1usize, 0usize);
        let close = loop {
            let next_open = body[at..].find("<div").map(|i| at + i);
            let next_close = body[at..]
                .find("</div>")
                .map(|i| at + i)
                .ok_or_else(|| format!("part {name}: no </div> closes its placeholder"))?;
            match next_open {
                Some(o) if o < next_close => {
                    open += 1;
                    at = o + 4;
                }
                _ => {
                    open -= 1;
                    at = next_close + "</div>".len();
                    if open == 0 {
                        break next_close;
                    }
                }
            }
        };
        let children = &body[..close];
        let path = name
            .strip_prefix("/static/")
            .filter(|p| p.ends_with(".html") && !p.split('/').any(|s| s == ".." || s.is_empty()))
            .ok_or_else(|| format!("part {name:?}: parts are .html files under /static/"))?;
        let text = read(path).ok_or_else(|| format!("part {name} cannot be read"))?;
        let text = text.replacen("<slot></slot>", children.trim(), 1);
        out.push_str(&include_parts(&text, read, depth + 1)?);
        rest = &body[close + "</div>".len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A style template from `tiles/styles/`, with `{base}` replaced by this server's origin
/// as the client sees it (MapLibre needs absolute source URLs).
async fn get_style(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .ok_or_else(|| ApiError::NotFound(format!("no style {file:?}")))?;
    let path = state.styles_dir().join(format!("{name}.json"));
    let template = tokio::fs::read_to_string(&path).await.map_err(|_| {
        ApiError::NotFound(format!(
            "no style {name:?}; there are default and high-contrast"
        ))
    })?;
    let text = template.replace("{base}", &base.0);
    // The starting view is the middle of the data held, not the template's (issue 21 item 5).
    let text = match (
        serde_json::from_str::<serde_json::Value>(&text),
        state.snapshot.load().extent(),
    ) {
        (Ok(mut style), Some(b)) => {
            style["center"] =
                serde_json::json!([(b.min_lon + b.max_lon) / 2.0, (b.min_lat + b.max_lat) / 2.0]);
            style.to_string()
        }
        _ => text,
    };
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

impl AppState {
    fn styles_dir(&self) -> &std::path::Path {
        &self.assets.styles_dir
    }
}

#[cfg(test)]
mod tests {
    use super::include_parts;

    fn parts(path: &str) -> Option<String> {
        match path {
            "kit/footer.html" => Some("<footer><p>© OpenStreetMap contributors</p></footer>".into()),
            "kit/header.html" => Some(
                "<header><nav><slot></slot></nav><div data-part=\"/static/kit/lang.html\"></div></header>".into(),
            ),
            "kit/lang.html" => Some("<a href=\"?lang=en\">English</a>".into()),
            "kit/loop.html" => Some("<div data-part=\"/static/kit/loop.html\"></div>".into()),
            _ => None,
        }
    }

    #[test]
    fn parts_are_put_in_with_their_slots_and_own_parts() {
        let page = "<body><div data-part=\"/static/kit/header.html\"><a href=\"/planner\">Plan</a><div>x</div></div>\
                    <main></main><div data-part=\"/static/kit/footer.html\"></div></body>";
        assert_eq!(
            include_parts(page, &parts, 0).unwrap(),
            "<body><header><nav><a href=\"/planner\">Plan</a><div>x</div></nav><a href=\"?lang=en\">English</a></header>\
             <main></main><footer><p>© OpenStreetMap contributors</p></footer></body>"
        );
        assert_eq!(
            include_parts("<p>plain</p>", &parts, 0).unwrap(),
            "<p>plain</p>"
        );
    }

    #[test]
    fn bad_parts_are_refused_with_their_name() {
        for (page, says) in [
            (
                "<div data-part=\"/static/kit/none.html\"></div>",
                "kit/none.html cannot be read",
            ),
            (
                "<div data-part=\"/static/../Cargo.toml\"></div>",
                "parts are .html files",
            ),
            ("<div data-part=\"/static/kit/footer.html\">", "no </div>"),
            (
                "<div data-part=\"/static/kit/loop.html\"></div>",
                "nested deeper",
            ),
        ] {
            let e = include_parts(page, &parts, 0).unwrap_err();
            assert!(e.contains(says), "{page}: {e}");
        }
    }
}
