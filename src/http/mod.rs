//! The HTTP API: `router()` and one file per resource. Handlers read the snapshot only;
//! they never wait on the store.

pub mod auth;
pub mod base;
mod browse;
mod coverage;
pub mod crs;
mod districts;
pub mod error;
mod etag;
mod facility_edit;
mod features;
mod filter;
mod nature;
mod open;
mod openapi;
mod organisations;
mod params;
mod participation;
mod portal;
mod prefix_links;
pub mod programme;
mod reach;
mod search;
mod tiles;
mod web;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::config::Limits;
use crate::index::SnapshotCell;
use crate::store::Store;

pub use base::{BaseUrl, PublicBase};
pub use features::Collection;

impl AppState {
    /// [`AppState::public_url`], without a final `/`.
    pub fn public_url(&self) -> String {
        self.public_url.load().trim_end_matches('/').to_string()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub snapshot: Arc<SnapshotCell>,
    pub store: Arc<dyn Store>,
    /// Rebuilds `snapshot` from `store`; a write calls it before it answers.
    pub reload: crate::reload::Reloader,
    /// The service's public origin (and path), for links in email: `--public-url`, or
    /// `http://` and the address the server is bound to. Never taken from a request's
    /// headers, which anyone can set.
    pub public_url: Arc<arc_swap::ArcSwap<String>>,
    /// `--public-url` split into origin and path prefix, when it was configured: then every
    /// link, page and cookie follows it and request headers are not consulted ([`BaseUrl`]).
    pub public_base: Option<Arc<PublicBase>>,
    pub limits: Arc<Limits>,
    /// The basemap archive, when one has been built; reopened when it is rebuilt.
    pub basemap: Arc<arc_swap::ArcSwapOption<crate::basemap::Basemap>>,
    pub assets: Arc<Assets>,
}

/// Files the server hands out as they are: pages, scripts, styles, the basemap.
#[derive(Debug, Clone)]
pub struct Assets {
    pub web_dir: std::path::PathBuf,
    pub styles_dir: std::path::PathBuf,
    pub basemap: std::path::PathBuf,
}

pub fn router(state: AppState) -> Router {
    let prefix_links = axum::middleware::from_fn_with_state(state.clone(), base::prefix_links);
    web::routes(&state.assets)
        .route("/healthz", get(get_health))
        .route("/readyz", get(get_ready))
        .route("/api", get(features::get_landing))
        .route("/api/me", get(auth::get_me))
        .route(
            "/api/organisations",
            get(organisations::get_organisations).post(organisations::post_organisation),
        )
        .route(
            "/api/organisations/{id}",
            axum::routing::patch(organisations::patch_organisation),
        )
        .route(
            "/api/organisations/{id}/merge",
            axum::routing::post(organisations::post_merge),
        )
        .route("/api/organisations/{id}/members", get(portal::get_members))
        .route(
            "/api/organisations/{id}/facilities",
            get(facility_edit::get_operated),
        )
        .route(
            "/api/organisations/{id}/members/{person}",
            axum::routing::patch(organisations::patch_member).delete(organisations::delete_member),
        )
        .route(
            "/api/tokens",
            get(organisations::get_tokens).post(organisations::post_token),
        )
        .route(
            "/api/tokens/{id}",
            axum::routing::delete(organisations::delete_token),
        )
        .route(
            "/api/organisations/{id}/invitations",
            axum::routing::post(portal::post_invitation),
        )
        .route(
            "/api/offers/{id}",
            axum::routing::patch(portal::patch_offer),
        )
        .route("/api/outbox", get(portal::get_outbox))
        .route(
            "/api/people",
            get(portal::get_people).post(portal::post_person),
        )
        .route(
            "/api/people/{id}",
            axum::routing::patch(portal::patch_person),
        )
        .route("/api/audit", get(portal::get_audit))
        .route(
            "/api/activities/template.csv",
            get(portal::get_activities_template),
        )
        .route(
            "/api/organisations/{id}/activities.csv",
            axum::routing::post(portal::post_activities_csv).layer(DefaultBodyLimit::max(1 << 20)),
        )
        .route("/auth/sign-in", axum::routing::post(auth::post_sign_in))
        .route("/auth/link", axum::routing::post(auth::post_link))
        .route(
            "/auth/link/{secret}",
            get(auth::get_link).post(auth::post_link_secret),
        )
        .route("/auth/password", axum::routing::post(auth::post_password))
        .route("/auth/sign-out", axum::routing::post(auth::post_sign_out))
        .route(
            "/auth/sign-out-everywhere",
            axum::routing::post(auth::post_sign_out_everywhere),
        )
        .route(
            "/api/proposals",
            axum::routing::post(participation::post_proposal).layer(
                axum::extract::DefaultBodyLimit::max(participation::PROPOSAL_BODY_MAX_BYTES),
            ),
        )
        .route(
            "/api/proposals/mine",
            axum::routing::post(participation::post_mine),
        )
        .route(
            "/api/proposals/{id}/supports",
            axum::routing::post(participation::post_support),
        )
        .route(
            "/delta/bekreft/{secret}",
            get(participation::get_confirm).post(participation::post_confirm),
        )
        .route(
            "/api/collections/proposals",
            get(participation::get_collection),
        )
        .route(
            "/api/collections/proposals/items",
            get(participation::list_proposals),
        )
        .route(
            "/api/collections/proposals/items/{fid}",
            get(participation::get_proposal),
        )
        .route(
            "/api/collections/proposals/items/{fid}/photo",
            get(participation::get_photo),
        )
        .route(
            "/api/moderation/proposals/{id}/photo",
            get(participation::get_moderation_photo),
        )
        .route(
            "/api/moderation/proposals",
            get(participation::get_moderation),
        )
        .route(
            "/api/moderation/proposals/{id}",
            axum::routing::post(participation::post_moderation),
        )
        .route(
            "/api/participation/batches",
            get(participation::get_batches).post(participation::post_batch),
        )
        .route("/api/conformance", get(features::get_conformance))
        .route("/api/collections", get(features::list_collections))
        .route("/api/collections/nature", get(nature::get_collection))
        .route(
            "/api/collections/nature/queryables",
            get(nature::get_queryables),
        )
        .route(
            "/api/collections/trailheads",
            get(nature::get_trailheads_collection),
        )
        .route(
            "/api/collections/trailheads/queryables",
            get(nature::get_queryables),
        )
        .route("/api/collections/nature/items", get(nature::list_items))
        .route("/api/collections/nature/items/{fid}", get(nature::get_item))
        .route(
            "/api/collections/trailheads/items",
            get(nature::list_trailheads),
        )
        .route(
            "/api/collections/activities",
            get(|s, b, _: axum::extract::RawQuery| {
                programme::get_collection(s, b, axum::extract::Path("activities".to_string()))
            }),
        )
        .route(
            "/api/collections/volunteer-needs",
            get(|s, b, _: axum::extract::RawQuery| {
                programme::get_collection(s, b, axum::extract::Path("volunteer-needs".to_string()))
            }),
        )
        .route(
            "/api/collections/activities/items",
            get(programme::list_activities).post(programme::post_item::<programme::Activities>),
        )
        .route(
            "/api/collections/activities/items/{fid}",
            get(programme::get_activity)
                .put(programme::put_item::<programme::Activities>)
                .patch(programme::patch_item::<programme::Activities>)
                .delete(programme::delete_item::<programme::Activities>),
        )
        .route(
            "/api/collections/volunteer-needs/items",
            get(programme::list_needs).post(programme::post_item::<programme::VolunteerNeeds>),
        )
        .route(
            "/api/collections/volunteer-needs/items/{fid}",
            get(programme::get_need)
                .put(programme::put_item::<programme::VolunteerNeeds>)
                .patch(programme::patch_item::<programme::VolunteerNeeds>)
                .delete(programme::delete_item::<programme::VolunteerNeeds>),
        )
        .route(
            "/api/collections/volunteer-needs/items/{fid}/offers",
            get(programme::get_offers).post(programme::post_offer),
        )
        .route("/api/collections/{id}", get(features::get_collection))
        .route("/api/collections/{id}/items", get(features::list_items))
        .route(
            "/api/collections/{id}/queryables",
            get(features::get_queryables),
        )
        .route(
            "/api/collections/{id}/items/{fid}",
            get(features::get_item).patch(facility_edit::patch_item),
        )
        .route("/api/addresses/search", get(features::search_addresses))
        .route("/api/search", get(search::search))
        .route("/api/reach", get(reach::get_reach))
        .route("/api/calendar", get(programme::get_calendar))
        .route("/api/feeds", get(programme::get_dataset))
        .route(
            "/api/feeds/session-series",
            get(programme::get_session_series),
        )
        .route(
            "/api/feeds/activity-categories",
            get(programme::get_activity_categories),
        )
        .route("/api/isochrone", get(reach::get_isochrone))
        .route("/api/coverage", get(coverage::get_coverage))
        .route("/api/districts/{id}/profile", get(districts::get_profile))
        .route("/api/coverage/gaps", get(coverage::get_gaps))
        .route(
            "/api/coverage/scenario",
            axum::routing::post(coverage::post_scenario),
        )
        .route("/api/openapi.json", get(openapi::get_openapi))
        .route("/tiles/{file}", get(tiles::get_tilejson))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::get_tile))
        .fallback(base::without_trailing_slash)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            browse::html_when_asked,
        ))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::map_response(error::ensure_problem_json))
        .layer(prefix_links)
        // Any site may read, and write with an API token (`Authorization: Bearer`: no cookie
        // is involved, so a foreign page can only do what its own token allows). The portal's
        // cookie-authenticated writes stay same-origin: `*` never carries credentials, and
        // they check Origin and a CSRF token besides.
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::OPTIONS,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers([
                    axum::http::header::AUTHORIZATION,
                    axum::http::header::CONTENT_TYPE,
                    axum::http::header::IF_MATCH,
                    axum::http::header::IF_NONE_MATCH,
                ])
                .expose_headers([
                    axum::http::header::ETAG,
                    axum::http::header::LOCATION,
                    axum::http::header::RETRY_AFTER,
                ]),
        )
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(etag::per_coding))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn get_health(State(state): State<AppState>) -> Response {
    let s = state.snapshot.load();
    let kommuner: Vec<serde_json::Value> = s
        .kommuner()
        .into_iter()
        .map(|(code, name)| serde_json::json!({ "code": code, "name": name }))
        .collect();
    Json(serde_json::json!({
        "status": "ok",
        "data_version": s.data_version,
        "facilities": s.facilities.len(),
        "addresses": s.addresses.len(),
        "districts": s.districts.len(),
        "sources": s.rows_by_source(),
        "kommuner": kommuner,
        "walking_network": s.walk.is_some(),
        "basemap": state.basemap.load().is_some(),
    }))
    .into_response()
}

/// Ready when the store answers: a load balancer sends writes elsewhere while it does not.
/// Reads keep being served from memory either way (see `/healthz`).
async fn get_ready(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await;
    match ping {
        Ok(Ok(())) => {
            Json(serde_json::json!({ "status": "ready", "database": "up" })).into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "store not ready");
            error::problem(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database-unavailable",
                "Database unavailable",
                "the database does not answer; reads are served from memory, writes are refused",
                serde_json::json!({ "database": "down" }),
            )
        }
        Err(_) => error::problem(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database-unavailable",
            "Database unavailable",
            "the database did not answer within 2 s; reads are served from memory, writes are refused",
            serde_json::json!({ "database": "down" }),
        ),
    }
}
