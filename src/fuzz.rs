//! Harnesses for fuzzing every parser that reads outside input (issue 16): each takes
//! arbitrary bytes and panics only on a bug. Two drivers call them: the cargo-fuzz targets
//! in `fuzz/` (coverage-guided, libFuzzer; `scripts/bench-fuzz` runs them long) and the
//! suite's `fuzz_corpus` test, which replays the corpus and the fixtures, and mutations of
//! them, through the same functions on stable Rust.
//!
//! A refused input (an `Err`, a 4xx problem) is the right answer; a panic or a 5xx is not.
//! The file readers take a path, so their harnesses write the bytes to a file of this
//! process's own in the temporary folder first.

use std::path::PathBuf;
use std::sync::OnceLock;

use indicatif::ProgressBar;
use serde_json::Value;

/// A file of this process's own holding `data`, named `name` (its extension tells readers
/// what it is).
fn as_file(name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("naermiljo-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("the temporary folder is writable");
    path
}

/// Kartverket's Matrikkelen address CSV (`import addresses`).
pub fn addresses_csv(data: &[u8]) {
    let path = as_file("adresser.csv", data);
    let _ = crate::import::addresses::read(&path, &ProgressBar::hidden());
}

/// SSB's population by grunnkrets (`import population`): CSV, long or wide, any encoding.
pub fn ssb_population(data: &[u8]) {
    let path = as_file("befolkning.csv", data);
    let _ = crate::import::population::read(&path);
}

/// A facilities file (`import facilities`): GeoJSON, and the same bytes as CSV.
pub fn facilities_file(data: &[u8]) {
    for name in ["anlegg.geojson", "anlegg.csv"] {
        let path = as_file(name, data);
        let options = crate::import::facilities::FacilityFileOptions {
            kind: crate::domain::FacilityKind::Pitch,
            kind_property: None,
            id_property: None,
            name_property: "name".into(),
            lon_column: None,
            lat_column: None,
            crs: None,
        };
        let _ = crate::import::facilities::read(&path, &options);
    }
}

/// A districts file (`import districts`): GeoJSON polygons with names and codes.
pub fn districts_geojson(data: &[u8]) {
    let path = as_file("omrader.geojson", data);
    let options = crate::import::districts::DistrictFileOptions {
        name_property: "name".into(),
        id_property: None,
        population_property: None,
        level: "kommunedel".into(),
    };
    let _ = crate::import::districts::read(&path, &options);
    let _ = crate::import::districts::read_boundary(&path);
}

/// An OpenStreetMap extract (`import osm`): PBF blobs, then facilities, addresses, nature
/// and the walking network read from them.
pub fn osm_pbf(data: &[u8]) {
    let path = as_file("utdrag.osm.pbf", data);
    let _ = crate::import::osm::read(&path, &ProgressBar::hidden());
}

/// An organisation's activities CSV (`POST /api/organisations/{id}/activities.csv`).
pub fn activities_csv(data: &[u8]) {
    let _ = crate::edit::csv::read(data);
}

/// OSM `opening_hours` and the times of `open_at`.
pub fn opening_hours(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(hours) = crate::hours::Hours::parse(&text, None)
        && let Ok(at) = crate::hours::parse_time("2026-12-24T10:00")
    {
        let _ = hours.state(&at);
    }
    let _ = crate::hours::parse_time(&text);
}

/// A JSON Merge Patch (RFC 7396) of an activity, then the write path's check of the result:
/// `[target, patch]`, or a patch of an example activity.
pub fn merge_patch(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (mut target, patch) = match value {
        Value::Array(mut pair) if pair.len() == 2 => {
            let patch = pair.pop().expect("two");
            (pair.pop().expect("two"), patch)
        }
        patch => (
            serde_json::json!({
                "title": "Fotball for 10–12 år", "category": "sport", "age_min": 10, "age_max": 12,
                "price_nok": 0, "place": { "facility_id": 1 },
                "schedule": { "sessions": [{ "weekday": "tue", "start": "18:00", "end": "19:30" }] }
            }),
            patch,
        ),
    };
    crate::edit::merge_patch(&mut target, patch);
    for collection in [
        crate::store::editing::ItemCollection::Activities,
        crate::store::editing::ItemCollection::VolunteerNeeds,
    ] {
        let _ = crate::edit::schema::check(collection, &target);
    }
}

/// Removes this process's temporary folder (the files and the small store the harnesses
/// made); a driver calls it when it is done.
pub fn clean_up() {
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("naermiljo-fuzz-{}", std::process::id())),
    );
}

/// The endpoints whose query strings are read; the first byte of the input picks one.
const ENDPOINTS: [&str; 18] = [
    "/api/collections/facilities/items",
    "/api/collections/addresses/items",
    "/api/collections/districts/items",
    "/api/collections/facilities/items/1",
    "/api/collections/activities/items",
    "/api/collections/volunteer-needs/items",
    "/api/collections/proposals/items",
    "/api/collections/nature/items",
    "/api/reach",
    "/api/isochrone",
    "/api/coverage",
    "/api/coverage/gaps",
    "/api/search",
    "/api/addresses/search",
    "/api/calendar",
    "/api/feeds/session-series",
    "/tiles/facilities/14/8680/4770.mvt",
    "/api/districts/1/profile",
];

/// The service on a small extract (the fetch fixture's), built once per process.
fn service() -> &'static (tokio::runtime::Runtime, axum::Router) {
    static SERVICE: OnceLock<(tokio::runtime::Runtime, axum::Router)> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let router = runtime.block_on(async {
            let dir = std::env::temp_dir().join(format!("naermiljo-fuzz-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
            let store = crate::store::SqliteStore::open(&dir.join("naermiljo.sqlite"))
                .await
                .expect("a store");
            crate::store::Store::migrate(&store)
                .await
                .expect("migrated");
            let extract = crate::config::find_asset_root()
                .expect("run from the checkout: the fixtures are found beside web/")
                .join("fixtures/fetch/osm/norway-latest.osm.pbf");
            crate::cli::import(
                &store,
                crate::cli::ImportCommand::osm(extract),
                &ProgressBar::hidden(),
            )
            .await
            .expect("the fixture extract imports");
            let mut settings = crate::config::Settings::new(dir.clone());
            settings.basemap = dir.join("basemap.pmtiles");
            let state = crate::app::build_state(&settings, std::sync::Arc::new(store))
                .await
                .expect("a state");
            crate::http::router(state)
        });
        (runtime, router)
    })
}

/// A query string to one of [`ENDPOINTS`] through the whole service (every parameter
/// parser: pages, bbox, CRS, CQL2, times, vocabularies): never a 5xx.
pub fn query_strings(data: &[u8]) {
    use tower::ServiceExt;
    let Some((&pick, query)) = data.split_first() else {
        return;
    };
    let endpoint = ENDPOINTS[pick as usize % ENDPOINTS.len()];
    // Bytes a URI may carry as they are; the rest percent-encoded.
    let mut uri = format!("{endpoint}?");
    for &b in query {
        if b.is_ascii_graphic() && b != b'#' && b != b'%' {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    let Ok(request) = axum::http::Request::builder()
        .uri(&uri)
        .body(axum::body::Body::empty())
    else {
        return;
    };
    let (runtime, router) = service();
    let status = runtime.block_on(async {
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        status
    });
    assert!(!status.is_server_error(), "{status} for GET {uri}");
}
