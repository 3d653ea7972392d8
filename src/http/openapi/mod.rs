//! The OpenAPI 3.1 document of the API, written by hand beside the routes it describes,
//! with the written documents' schemas generated from their Rust types (`schemas`). A test
//! checks that every route of `router()` is in it, and that every body has a schema.

mod complete;
mod feeds;
mod hours;
mod nature;
mod portal;
pub mod schemas;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::store::editing::ItemCollection;

fn param(name: &str, location: &str, description: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": location, "description": description, "required": required, "schema": schema })
}

fn problem_responses() -> Value {
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    json!({ "400": problem.clone(), "404": problem.clone(), "500": problem })
}

fn ok(description: &str, media: &str, schema: Value) -> Value {
    let mut r = problem_responses();
    r["200"] = json!({ "description": description, "content": { media: { "schema": schema } } });
    r
}

/// Adds the reach endpoints' own problems: outside the network (422), no network (503).
fn with_coverage_problems(mut responses: Value) -> Value {
    let problem = responses["400"].clone();
    responses["422"] = problem.clone();
    responses["503"] = problem;
    responses
}

pub fn document() -> Value {
    let collection_id = param(
        "id",
        "path",
        "Collection: facilities, addresses or districts",
        json!({ "type": "string", "enum": ["facilities", "addresses", "districts"] }),
        true,
    );
    let f = param(
        "f",
        "query",
        "Output format; only json",
        json!({ "type": "string", "enum": ["json", "geojson"] }),
        false,
    );
    let any_object = json!({ "type": "object" });
    let feature_collection = json!({ "$ref": "#/components/schemas/FeatureCollection" });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "naermiljo",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Neighbourhood facilities, addresses and districts as OGC API – Features, with address search. Coordinates are WGS84 lon/lat. Data © OpenStreetMap contributors, © Kartverket."
        },
        "paths": {
            "/healthz": { "get": { "summary": "Liveness: 200 while the process can serve", "operationId": "getHealth", "responses": ok("Alive", "application/json", any_object.clone()) } },
            "/api": { "get": { "summary": "Landing page", "operationId": "getLanding", "parameters": [f.clone()], "responses": ok("Links to the API's parts", "application/json", any_object.clone()) } },
            "/api/conformance": { "get": { "summary": "Conformance classes", "operationId": "getConformance", "parameters": [f.clone()], "responses": ok("conformsTo", "application/json", any_object.clone()) } },
            "/api/collections": { "get": { "summary": "The collections", "operationId": "listCollections", "parameters": [f.clone()], "responses": ok("Collections", "application/json", any_object.clone()) } },
            "/api/collections/{id}": { "get": { "summary": "One collection", "operationId": "getCollection", "parameters": [collection_id.clone(), f.clone()], "responses": ok("The collection", "application/json", any_object.clone()) } },
            "/api/collections/{id}/items": { "get": {
                "summary": "Features of a collection, in id order, paged",
                "operationId": "listItems",
                "parameters": [
                    collection_id.clone(),
                    param("bbox", "query", "minlon,minlat,maxlon,maxlat in WGS84; edges included", json!({ "type": "array", "items": { "type": "number" }, "anyOf": [{ "minItems": 4, "maxItems": 4 }, { "minItems": 6, "maxItems": 6 }] }), false),
                    param("filter", "query", "A CQL2 condition on the queryables (/api/collections/{id}/queryables): comparisons, AND/OR/NOT, IS NULL, LIKE, IN, S_INTERSECTS with BBOX or a geometry; facilities, addresses and districts. At most 10 levels of parentheses and 20 of operations (a 400 problem beyond)", json!({ "type": "string" }), false),
                    param("filter-lang", "query", "cql2-text (default) or cql2-json", json!({ "type": "string", "enum": ["cql2-text", "cql2-json"] }), false),
                    param("crs", "query", "Facilities, addresses and districts: the CRS of the answer's coordinates (OGC API – Features Part 2), in that CRS's axis order; default CRS84 (lon/lat). The answer's Content-Crs header names it", json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }), false),
                    param("bbox-crs", "query", "Facilities, addresses and districts: the CRS bbox is given in (its axis order); default CRS84", json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }), false),
                    param("limit", "query", "Page size, 1 to 10000 (larger values are clamped to 10000)", json!({ "type": "integer", "minimum": 1, "default": 100 }), false),
                    param("offset", "query", "Features to skip", json!({ "type": "integer", "minimum": 0, "default": 0 }), false),
                    param("kind", "query", "Facilities only: comma-separated kinds, or naermiljoanlegg", json!({ "type": "string" }), false),
                    param("q", "query", "Words that must all occur in the name or label (case, accents and æøå ignored), up to 200 characters; empty: no filter", json!({ "type": "string", "minLength": 0, "maxLength": 200 }), false),
                    param("level", "query", "Districts only: one level (kommune, kommunedel, bydel, delomrade, grunnkrets, postcode, …)", json!({ "type": "string" }), false),
                    param("parent", "query", "Districts only: the districts inside this district (its id), at any depth", json!({ "type": "string" }), false),
                    f.clone(),
                ],
                "responses": ok("A page of features", "application/geo+json", feature_collection.clone())
            } },
            "/api/collections/{id}/items/{fid}": { "get": {
                "summary": "One feature",
                "operationId": "getItem",
                "parameters": [collection_id, param("fid", "path", "Feature id", json!({ "type": "string" }), true), param("crs", "query", "Facilities, addresses and districts: the CRS of the answer's coordinates; default CRS84", json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }), false), f],
                "responses": ok("The feature", "application/geo+json", json!({ "$ref": "#/components/schemas/Feature" }))
            } },
            "/api/addresses/search": { "get": {
                "summary": "Address autocomplete: tolerant of case, æøå written ae/o/a, prefixes and one typo per word",
                "operationId": "searchAddresses",
                "parameters": [
                    param("q", "query", "The start of an address, up to 200 characters, not only spaces", json!({ "type": "string", "maxLength": 200, "pattern": complete::NOT_BLANK }), true),
                    param("limit", "query", "Results, 1 to 50 (larger values are clamped)", json!({ "type": "integer", "minimum": 1, "default": 10 }), false),
                ],
                "responses": ok("Best matches first", "application/geo+json", feature_collection)
            } },
            "/api/reach": { "get": {
                "summary": "What can be reached on foot from a point: snapped origin, isochrone bands, facilities sorted by walking time (each with open_now, next_change and opening_hours_week: the next seven days [{date, holiday, open: [[\"08:00\", \"16:00\"]], unknown, comments}] in Oslo wall time, null without readable hours)",
                "operationId": "getReach",
                "parameters": [
                    param("lon", "query", "Origin longitude (WGS84)", json!({ "type": "number", "minimum": -180, "maximum": 180 }), true),
                    param("lat", "query", "Origin latitude (WGS84)", json!({ "type": "number", "minimum": -90, "maximum": 90 }), true),
                    param("minutes", "query", "Walking time budget, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 15 }), false),
                    param("bands", "query", "Isochrone bands in minutes, comma-separated, at most 6, each at most `minutes` (default 5,10,15 up to `minutes`)", json!({ "type": "string" }), false),
                    param("profile", "query", "walk (5 km/h), slow (3.5 km/h) or wheelchair (4 km/h, no steps)", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                    param("kind", "query", "Only facilities of these kinds (comma-separated, or naermiljoanlegg)", json!({ "type": "string" }), false),
                    param("category", "query", "Only activities of these categories (comma-separated)", json!({ "type": "string" }), false),
                    param("age", "query", "Only activities that admit this age", json!({ "type": "integer" }), false),
                    param("weekday", "query", "Only activities with a session on these weekdays (1–7 or mon…sun)", json!({ "type": "string" }), false),
                    param("time_of_day", "query", "morning, afternoon or evening sessions", json!({ "type": "string" }), false),
                    param("free", "query", "Only free (true) or paid (false) activities", json!({ "type": "boolean" }), false),
                    param("org", "query", "Only this organisation's activities and needs", json!({ "type": "integer" }), false),
                    param("accessibility", "query", "Only activities promising all of these (comma-separated)", json!({ "type": "string" }), false),
                ],
                "responses": with_coverage_problems(ok("Origin, bands (largest first), facilities, activities (with next_session) and current volunteer needs, each with walk_seconds, walk_minutes and distance_m", "application/json", json!({ "type": "object" })))
            } },
            "/api/isochrone": { "get": {
                "summary": "Isochrone polygons, one per band, largest first, each with a `minutes` property",
                "operationId": "getIsochrone",
                "parameters": [
                    param("lon", "query", "Origin longitude (WGS84)", json!({ "type": "number" }), true),
                    param("lat", "query", "Origin latitude (WGS84)", json!({ "type": "number" }), true),
                    param("minutes", "query", "Bands in minutes, comma-separated, at most 6, each 1 to 60", json!({ "type": "string", "default": "5,10,15" }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                ],
                "responses": with_coverage_problems(ok("Band polygons", "application/geo+json", json!({ "$ref": "#/components/schemas/FeatureCollection" })))
            } },
            "/api/coverage": { "get": {
                "summary": "Per district: addresses, covered within `minutes` of the nearest facility of `kind` (or activity of `category`, or nature area of `nature`), share (null for a district without addresses), median and 90th-percentile walking seconds; residents, residents_covered and resident_share where SSB figures were imported",
                "operationId": "getCoverage",
                "parameters": [
                    param("kind", "query", "Facility kinds, comma-separated, or naermiljoanlegg (this or category)", json!({ "type": "string" }), false),
                    param("category", "query", "Activity categories instead of facility kinds, comma-separated", json!({ "type": "string" }), false),
                    nature_param(),
                    param("minutes", "query", "Walking time, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 10 }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                    param("format", "query", "json or csv (a download)", json!({ "type": "string", "enum": ["json", "csv"], "default": "json" }), false),
                    param("level", "query", "District level of the rows: kommune, kommunedel, bydel, delomrade, grunnkrets, postcode, … (the levels present are listed in the answer's `levels`); default the coarsest level with at least three districts, or the level below `parent`", json!({ "type": "string" }), false),
                    param("parent", "query", "Only the districts inside this district (its id in the districts collection), at any depth; the total is the parent's; `parents` in the answer is the chain above; `level` must be finer than the parent's", json!({ "type": "string" }), false),
                ],
                "responses": with_coverage_problems(ok("The coverage table (with `distribution`: homes and residents per band of walking minutes); CSV with format=csv", "application/json", json!({ "type": "object" })))
            } },
            "/api/coverage/gaps": { "get": {
                "summary": "The addresses not covered: GeoJSON points with their walking seconds (null beyond an hour)",
                "operationId": "getCoverageGaps",
                "parameters": [
                    param("kind", "query", "Facility kinds (this or category)", json!({ "type": "string" }), false),
                    param("category", "query", "Activity categories instead of facility kinds", json!({ "type": "string" }), false),
                    nature_param(),
                    param("minutes", "query", "Walking time, 1 to 60", json!({ "type": "integer", "default": 10 }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string" }), false),
                    param("limit", "query", "Most features returned (numberMatched counts all)", json!({ "type": "integer", "minimum": 1 }), false),
                    param("sort", "query", "-walk_seconds: the farthest homes first (unreachable first of all); default address order", json!({ "type": "string", "enum": ["-walk_seconds"] }), false),
                    param("level", "query", "District level of the rows: kommune, kommunedel, bydel, delomrade, grunnkrets, postcode, … (the levels present are listed in the answer's `levels`); default the coarsest level with at least three districts, or the level below `parent`", json!({ "type": "string" }), false),
                    param("parent", "query", "Only the districts inside this district (its id in the districts collection), at any depth; the total is the parent's; `parents` in the answer is the chain above; `level` must be finer than the parent's", json!({ "type": "string" }), false),
                ],
                "responses": with_coverage_problems(ok("Uncovered addresses", "application/geo+json", json!({ "$ref": "#/components/schemas/FeatureCollection" })))
            } },
            "/api/coverage/scenario": { "post": {
                "summary": "Coverage before and after adding facilities at points and closing facilities by id, or (with nature) adding drawn nature areas; nothing is stored",
                "operationId": "postCoverageScenario",
                "requestBody": { "required": true, "content": { "application/json": { "schema": scenario_schema() } } },
                "responses": with_coverage_problems(ok("before and after at `level`, addresses_changed, and levels: [{level, before, after}] for every level", "application/json", json!({ "type": "object" })))
            } },
            "/readyz": { "get": { "summary": "Readiness: 200 when the database answers, 503 problem when it does not", "operationId": "getReady",
                "responses": { "200": { "description": "Ready" }, "503": { "description": "Database unavailable", "content": { "application/problem+json": {} } } } } },
            "/tiles/{layer}/{z}/{x}/{y}.mvt": { "get": {
                "summary": "A Mapbox Vector Tile (2.1) of facilities, addresses (zoom 15 and up), districts, proposals or nature (areas, rivers, bathing places); 204 when empty; ETag and 304",
                "operationId": "getTile",
                "parameters": [
                    param("layer", "path", "facilities, addresses, districts, proposals or nature", json!({ "type": "string", "enum": ["facilities", "addresses", "districts", "proposals", "nature"] }), true),
                    param("z", "path", "Zoom, 0 to 22", json!({ "type": "integer", "minimum": 0, "maximum": 22 }), true),
                    param("x", "path", "Column, 0 to 2^z - 1", json!({ "type": "integer", "minimum": 0 }), true),
                    param("y", "path", "Row, 0 to 2^z - 1", json!({ "type": "integer", "minimum": 0 }), true),
                ],
                "responses": {
                    "200": { "description": "The tile", "content": { "application/vnd.mapbox-vector-tile": {} } },
                    "204": { "description": "Nothing in this tile" },
                    "304": { "description": "Unchanged since the ETag given in If-None-Match" },
                    "400": problem_responses()["400"], "404": problem_responses()["404"]
                }
            } },
            "/tiles/{layer}.json": { "get": {
                "summary": "TileJSON 3.0.0 for a tile layer",
                "operationId": "getTileJson",
                "parameters": [param("layer", "path", "facilities, addresses or districts", json!({ "type": "string" }), true)],
                "responses": ok("TileJSON", "application/json", json!({ "type": "object" }))
            } },
            "/api/openapi.json": { "get": { "summary": "This document", "operationId": "getOpenApi", "responses": ok("OpenAPI 3.1", "application/vnd.oai.openapi+json;version=3.1", any_object) } },
            "/": { "get": { "summary": "The residents' page", "operationId": "getIndex", "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } } }
        },
        "components": { "schemas": {
            "Problem": { "type": "object", "required": ["type", "title", "status"], "properties": {
                "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                "detail": { "type": "string" }, "parameter": { "type": "string" } } },
            "Feature": { "type": "object", "required": ["type", "geometry", "properties"], "properties": {
                "type": { "type": "string", "enum": ["Feature"] }, "id": { "oneOf": [{ "type": "string" }, { "type": "integer" }] },
                "geometry": { "type": "object" }, "properties": { "type": "object" } } },
            "FeatureCollection": { "type": "object", "required": ["type", "features"], "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "numberMatched": { "type": "integer" }, "numberReturned": { "type": "integer" },
                "links": { "type": "array", "items": { "type": "object" } },
                "features": { "type": "array", "items": { "$ref": "#/components/schemas/Feature" } } } }
        } }
    })
}

/// The paths of activities, volunteer needs, styles and pages.
fn programme_paths(doc: &mut Value) {
    let problems = |codes: &[&str]| {
        let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
        codes
            .iter()
            .map(|c| (c.to_string(), problem.clone()))
            .collect::<serde_json::Map<_, _>>()
    };
    let write_problems = problems(&["401", "403", "404", "412", "422", "428", "503"]);
    let feature = json!({ "$ref": "#/components/schemas/Feature" });
    let fc = json!({ "$ref": "#/components/schemas/FeatureCollection" });
    let q = |name: &str, description: &str, schema: Value| {
        param(name, "query", description, schema, false)
    };
    let fid = param("fid", "path", "Item id", json!({ "type": "integer" }), true);
    let if_match = param(
        "If-Match",
        "header",
        "The ETag of the item as read (\"vN\"); required",
        json!({ "type": "string" }),
        true,
    );
    let bearer = json!([{ "bearer": [] }]);
    let walk = [
        q(
            "lon",
            "With lat: only items within a walk of this point, quickest first",
            json!({ "type": "number" }),
        ),
        q("lat", "With lon", json!({ "type": "number" })),
        q(
            "minutes",
            "Walking time for lon/lat (default 15, at most 60)",
            json!({ "type": "integer" }),
        ),
        q(
            "profile",
            "walk, slow or wheelchair",
            json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"] }),
        ),
    ];
    let mut activity_params = vec![
        q(
            "bbox",
            "minlon,minlat,maxlon,maxlat",
            json!({ "type": "string" }),
        ),
        q("limit", "Page size", json!({ "type": "integer" })),
        q("offset", "Skip this many", json!({ "type": "integer" })),
        q(
            "q",
            "Words in the title or description; empty: no filter",
            json!({ "type": "string", "minLength": 0 }),
        ),
        q(
            "category",
            "Comma-separated: sport, outdoor, music, arts_crafts, culture, games_tech, youth_club, homework_help, language_cafe, seniors, families, meeting_place",
            json!({ "type": "string" }),
        ),
        q(
            "age",
            "Only activities that admit this age",
            json!({ "type": "integer", "minimum": 0, "maximum": 120 }),
        ),
        q(
            "weekday",
            "Comma-separated 1–7 (Monday = 1) or mon…sun",
            json!({ "type": "string" }),
        ),
        q(
            "time_of_day",
            "morning (before 12), afternoon (12–17), evening (from 17)",
            json!({ "type": "string", "enum": ["morning", "afternoon", "evening"] }),
        ),
        q(
            "free",
            "Free of charge or not",
            json!({ "type": "boolean" }),
        ),
        q("org", "Organisation id", json!({ "type": "integer" })),
        q(
            "accessibility",
            "Comma-separated features every activity must promise: wheelchair, step_free, hearing_loop, accessible_toilet, sign_language, easy_language",
            json!({ "type": "string" }),
        ),
    ];
    activity_params.extend(walk.iter().cloned());
    let crs = |what: &str| {
        q(
            what,
            if what == "crs" {
                "The CRS of the answer's coordinates, in its axis order (Content-Crs names it); default CRS84"
            } else {
                "The CRS bbox is given in (its axis order); default CRS84"
            },
            json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }),
        )
    };
    activity_params.extend([crs("crs"), crs("bbox-crs")]);
    activity_params.push(q(
        "f",
        "json (GeoJSON, the default) or jsonld: a schema.org ItemList of OpenActive SessionSeries (also for Accept: application/ld+json)",
        json!({ "type": "string", "enum": ["json", "geojson", "jsonld"] }),
    ));
    let mut need_params = vec![
        q(
            "bbox",
            "minlon,minlat,maxlon,maxlat",
            json!({ "type": "string" }),
        ),
        q("limit", "Page size", json!({ "type": "integer" })),
        q("offset", "Skip this many", json!({ "type": "integer" })),
        q(
            "q",
            "Words in the title, description or skills; empty: no filter",
            json!({ "type": "string", "minLength": 0 }),
        ),
        q("org", "Organisation id", json!({ "type": "integer" })),
    ];
    need_params.extend(walk.iter().cloned());
    need_params.extend([crs("crs"), crs("bbox-crs")]);
    let created = |what: &str| {
        let mut r = write_problems.clone();
        r.insert("201".into(), json!({ "description": format!("{what} created; Location and ETag headers"), "content": { "application/geo+json": { "schema": feature.clone() } } }));
        r
    };
    let replaced = |what: &str| {
        let mut r = write_problems.clone();
        r.insert("200".into(), json!({ "description": format!("The {what} as stored now; ETag header"), "content": { "application/geo+json": { "schema": feature.clone() } } }));
        r
    };
    let deleted = {
        let mut r = write_problems.clone();
        r.insert("204".into(), json!({ "description": "Deleted" }));
        r
    };
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    for (collection, what, params, items) in [
        (
            "activities",
            "activity",
            activity_params,
            ItemCollection::Activities,
        ),
        (
            "volunteer-needs",
            "volunteer need",
            need_params,
            ItemCollection::VolunteerNeeds,
        ),
    ] {
        let (fields, feature_form, patch) = schemas::names(items);
        let reference = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
        // Activities are served as schema.org/OpenActive JSON-LD too; needs only as GeoJSON.
        let jsonld = items == ItemCollection::Activities;
        let (formats, formats_said) = if jsonld {
            (
                json!(["json", "geojson", "jsonld"]),
                "json (GeoJSON) or jsonld",
            )
        } else {
            (json!(["json", "geojson"]), "json (GeoJSON)")
        };
        let with_jsonld = |mut responses: Value| {
            if jsonld {
                responses["200"]["content"]["application/ld+json"] =
                    json!({ "schema": { "type": "object" } });
            }
            responses
        };
        let mut as_fields = json!({ "schema": reference(fields) });
        if items == ItemCollection::Activities {
            as_fields["example"] = schemas::activity_example();
        }
        // One media type: the Feature form (`ActivityFeature`, `NeedFeature`) is accepted
        // too, as application/json or application/geo+json, and said in the description
        // (several media types on one body trip client generators).
        let written = json!({ "required": true, "description": format!("The fields; or the same as a GeoJSON Feature (#/components/schemas/{feature_form}), as reads serve it"), "content": {
            "application/json": as_fields,
        } });
        let patched = json!({ "required": true, "content": {
            "application/merge-patch+json": { "schema": reference(patch) },
        } });
        paths.insert(format!("/api/collections/{collection}/items"), json!({
            "get": { "summary": format!("List {collection}, filtered"), "operationId": format!("list-{collection}"), "parameters": params, "responses": with_jsonld(ok("Items", "application/geo+json", fc.clone())) },
            "post": { "summary": format!("Create a {what} (token: editor of the organisation, or admin); body: the document, or a GeoJSON Feature"), "operationId": format!("create-{collection}"), "security": bearer.clone(), "requestBody": written.clone(), "responses": created(what) },
        }));
        paths.insert(format!("/api/collections/{collection}/items/{{fid}}"), json!({
            "get": { "summary": format!("One {what}; ETag header{}", if collection == "activities" { "; f=jsonld or Accept: application/ld+json for schema.org/OpenActive" } else { "" }), "operationId": format!("get-{collection}"), "parameters": [fid.clone(), q("f", formats_said, json!({ "type": "string", "enum": formats })), crs("crs")], "responses": with_jsonld(ok("The item", "application/geo+json", feature.clone())) },
            "put": { "summary": format!("Replace a {what}"), "operationId": format!("replace-{collection}"), "security": bearer.clone(), "parameters": [fid.clone(), if_match.clone()], "requestBody": written, "responses": replaced(what) },
            "patch": { "summary": format!("Change fields of a {what} (JSON Merge Patch, RFC 7396)"), "operationId": format!("patch-{collection}"), "security": bearer.clone(), "parameters": [fid.clone(), if_match.clone()], "requestBody": patched, "responses": replaced(what) },
            "delete": { "summary": format!("Delete a {what}"), "operationId": format!("delete-{collection}"), "security": bearer.clone(), "parameters": [fid.clone(), if_match.clone()], "responses": deleted.clone() },
        }));
    }
    paths.insert("/api/collections/{id}/queryables".into(), json!({ "get": {
        "summary": "What a filter may name in the collection (OGC API – Features Part 3): a JSON Schema of its properties and geometry",
        "operationId": "getQueryables",
        "parameters": [param("id", "path", "facilities, addresses or districts", json!({ "type": "string" }), true)],
        "responses": ok("Queryables", "application/schema+json", json!({ "type": "object", "properties": { "properties": { "type": "object" } } }))
    } }));
    paths.insert("/api/search".into(), json!({ "get": {
        "summary": "The one search box: addresses, facilities by name and districts by name, grouped (feature property `group`: address, facility, district; `label`), groups ranked for the query (a number: addresses first; a place named exactly as asked leads); districts carry a `bbox` to fit",
        "operationId": "search",
        "parameters": [
            param("q", "query", "What to look for, up to 200 characters, not only spaces", json!({ "type": "string", "maxLength": 200, "pattern": complete::NOT_BLANK }), true),
            param("limit", "query", "Results per group, 1 to 50 (larger values are clamped)", json!({ "type": "integer", "minimum": 1, "default": 5 }), false),
        ],
        "responses": with_coverage_problems(ok("The places found, grouped", "application/geo+json", json!({ "$ref": "#/components/schemas/FeatureCollection" })))
    } }));
    paths.insert("/api/collections/volunteer-needs/items/{fid}/offers".into(), json!({
        "post": { "summary": "Offer help (public): {name, contact, message?}; stored for the organisation only, deleted when the need expires", "operationId": "offerHelp", "parameters": [fid.clone()], "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["name", "contact"], "properties": { "name": { "type": "string" }, "contact": { "type": "string" }, "message": { "type": "string" } } } } } }, "responses": { "202": { "description": "Received" }, "404": { "description": "No current need" }, "422": { "description": "Invalid offer" } } },
        "get": { "summary": "The offers of help for a need (token of the need's organisation, or admin)", "operationId": "listOffers", "security": bearer.clone(), "parameters": [fid], "responses": ok("Offers", "application/json", json!({ "type": "object" })) },
    }));
    paths.insert("/api/districts/{id}/profile".into(), json!({ "get": {
                "summary": "One district's profile: {district: {id, code, name, level, parent, children, siblings, derived, bbox, population (null and suppressed: true under 10 residents or 5 addresses), population_sum, addresses, area_km2}, reference (the kommune above, or the area served with a null id; its addresses and population), facilities: [{kind, count, per_1000, reference_count, reference_per_1000}], coverage: [{kind, covered, share, reference_covered, reference_share}] within `minutes`, activities: [{category, activities, sessions_per_week}], needs: {open, items}, knutepunkt: [{id, name}] (community centres), minutes, profile, attribution}",
                "operationId": "getDistrictProfile",
                "parameters": [
                    param("id", "path", "The district's id (as in the districts collection)", json!({ "type": "string" }), true),
                    param("minutes", "query", "Walking time for the coverage shares, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 10 }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                ],
                "responses": with_coverage_problems(ok("The district's profile", "application/json", json!({ "type": "object" })))
            } }));
    paths.insert("/styles/{name}.json".into(), json!({ "get": { "summary": "MapLibre style: default or high-contrast; references only this server", "operationId": "getStyle", "parameters": [param("name", "path", "default or high-contrast", json!({ "type": "string" }), true)], "responses": ok("Style", "application/json", json!({ "type": "object" })) } }));
    portal::portal_paths(paths);
    for (path, summary) in [
        ("/embed", "The embeddable map"),
        ("/planner", "The planners' page"),
        ("/org", "The organisations' page"),
        (
            "/omrade/{id}",
            "A district's profile, printable; ?med=ID puts a second district beside it",
        ),
    ] {
        let name: String = path[1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let parameters: Vec<Value> = if path.contains("{id}") {
            vec![param(
                "id",
                "path",
                "The district's id",
                json!({ "type": "string" }),
                true,
            )]
        } else {
            Vec::new()
        };
        paths.insert(path.into(), json!({ "get": { "summary": summary, "operationId": format!("get{name}"), "parameters": parameters, "responses": { "200": { "description": "HTML", "content": { "text/html": {} } } } } }));
    }
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer", "description": "An API token from `naermiljo token create --org ID --role editor|admin`" },
        "session": { "type": "apiKey", "in": "cookie", "name": "naermiljo_session", "description": "A portal session from /auth/sign-in or a one-time link; requests that change something also send its CSRF token (from /api/me) as X-CSRF-Token" },
    });
}

/// The whole document.
pub fn openapi() -> Value {
    let mut doc = document();
    programme_paths(&mut doc);
    hours::hours_paths(&mut doc);
    nature::nature_paths(&mut doc);
    feeds::feeds_paths(&mut doc);
    schemas::add(&mut doc);
    complete::complete(&mut doc);
    doc
}

/// `GET /api/openapi.json`: [`openapi`] with `servers` = this request's base (origin and path
/// prefix), so that clients behind a proxy's path resolve `/api/…` under it.
pub async fn get_openapi(base: crate::http::BaseUrl) -> Response {
    let mut doc = openapi();
    doc["servers"] = serde_json::json!([{ "url": base.0, "description": "this server" }]);
    let mut r = doc.to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.oai.openapi+json;version=3.1"),
    );
    r
}

/// The scenario's `add_areas`: drawn nature areas (issue 22).
fn drawn_areas_schema() -> Value {
    json!({
        "type": "array", "maxItems": 100,
        "description": "GeoJSON Polygons or MultiPolygons (lon/lat, valid, at most 500 ha each): new nature areas reached at their edge",
        "items": {
            "type": "object", "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": ["Polygon", "MultiPolygon"] },
                "coordinates": { "type": "array" }
            }
        }
    })
}

/// The coverage questions' `nature` parameter (issue 22).
fn nature_param() -> Value {
    param(
        "nature",
        "query",
        "Nature instead of kind or category (issue 22): green (a green area or forest of at least 0.5 ha, the WHO proxy), green_1ha, forest (the forest edge, forest of at least 0.5 ha) or shore (water, beach, bathing place); reached at their edge",
        json!({ "type": "string", "enum": ["green", "green_1ha", "forest", "shore"] }),
        false,
    )
}

/// The body of `POST /api/coverage/scenario`.
fn scenario_schema() -> Value {
    json!({
                    "type": "object", "additionalProperties": false,
                    "properties": {
                        "kind": { "type": "string", "description": "Facility kinds (this or nature)" },
                        "nature": { "type": "string", "enum": ["green", "green_1ha", "forest", "shore"], "description": "A nature question instead of kind; then add_areas, not add or remove" },
                        "add_areas": drawn_areas_schema(),
                        "minutes": { "type": "integer", "minimum": 1, "maximum": 60 },
                        "profile": { "type": "string", "enum": ["walk", "slow", "wheelchair"] },
                        "add": { "type": "array", "items": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 } },
                        "remove": { "type": "array", "items": { "type": "integer" } },
                        "level": { "type": "string", "description": "District level of before and after (default as for /api/coverage)" },
                        "parent": { "type": "string", "description": "Only the districts inside this one (as for /api/coverage)" }
                    }
    })
}
