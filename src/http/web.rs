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
    if !assets.web_dir.join(MAPLIBRE_DIST).is_dir() {
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
    let path = state.assets.web_dir.join(file);
    let html = tokio::fs::read_to_string(&path).await.map_err(|e| {
        ApiError::NotFound(format!("the page {} cannot be read: {e}", path.display()))
    })?;
    let mut r = axum::response::Html(html).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
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
    let mut r = template.replace("{base}", &base.0).into_response();
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
