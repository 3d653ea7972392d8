//! The OpenAPI 3.0 document of the API, written by hand beside the routes it describes.
//! A test checks that every route of `router()` is in it.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

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
        "openapi": "3.0.3",
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
                    param("bbox", "query", "minlon,minlat,maxlon,maxlat in WGS84; edges included", json!({ "type": "array", "items": { "type": "number" }, "minItems": 4, "maxItems": 6 }), false),
                    param("limit", "query", "Page size, 1 to 10000 (larger values are clamped to 10000)", json!({ "type": "integer", "minimum": 1, "default": 100 }), false),
                    param("offset", "query", "Features to skip", json!({ "type": "integer", "minimum": 0, "default": 0 }), false),
                    param("kind", "query", "Facilities only: comma-separated kinds, or naermiljoanlegg", json!({ "type": "string" }), false),
                    param("q", "query", "Words that must all occur in the name or label (case, accents and æøå ignored), up to 200 characters", json!({ "type": "string", "maxLength": 200 }), false),
                    f.clone(),
                ],
                "responses": ok("A page of features", "application/geo+json", feature_collection.clone())
            } },
            "/api/collections/{id}/items/{fid}": { "get": {
                "summary": "One feature",
                "operationId": "getItem",
                "parameters": [collection_id, param("fid", "path", "Feature id", json!({ "type": "string" }), true), f],
                "responses": ok("The feature", "application/geo+json", json!({ "$ref": "#/components/schemas/Feature" }))
            } },
            "/api/addresses/search": { "get": {
                "summary": "Address autocomplete: tolerant of case, æøå written ae/o/a, prefixes and one typo per word",
                "operationId": "searchAddresses",
                "parameters": [
                    param("q", "query", "The start of an address, up to 200 characters", json!({ "type": "string", "maxLength": 200 }), true),
                    param("limit", "query", "Results, 1 to 50 (larger values are clamped)", json!({ "type": "integer", "minimum": 1, "default": 10 }), false),
                ],
                "responses": ok("Best matches first", "application/geo+json", feature_collection)
            } },
            "/api/reach": { "get": {
                "summary": "What can be reached on foot from a point: snapped origin, isochrone bands, facilities sorted by walking time",
                "operationId": "getReach",
                "parameters": [
                    param("lon", "query", "Origin longitude (WGS84)", json!({ "type": "number", "minimum": -180, "maximum": 180 }), true),
                    param("lat", "query", "Origin latitude (WGS84)", json!({ "type": "number", "minimum": -90, "maximum": 90 }), true),
                    param("minutes", "query", "Walking time budget, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 15 }), false),
                    param("bands", "query", "Isochrone bands in minutes, comma-separated, at most 6, each at most `minutes` (default 5,10,15 up to `minutes`)", json!({ "type": "string" }), false),
                    param("profile", "query", "walk (5 km/h), slow (3.5 km/h) or wheelchair (4 km/h, no steps)", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                    param("kind", "query", "Only facilities of these kinds (comma-separated, or naermiljoanlegg)", json!({ "type": "string" }), false),
                ],
                "responses": with_coverage_problems(ok("Origin, bands (largest first) and facilities with walk_seconds, walk_minutes and distance_m", "application/json", json!({ "type": "object" })))
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
                "summary": "Per district: addresses, covered within `minutes` of the nearest facility of `kind`, share, median and 90th-percentile walking seconds (residents where a population is known)",
                "operationId": "getCoverage",
                "parameters": [
                    param("kind", "query", "Facility kinds, comma-separated, or naermiljoanlegg", json!({ "type": "string" }), true),
                    param("minutes", "query", "Walking time, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 10 }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"], "default": "walk" }), false),
                    param("format", "query", "json or csv (a download)", json!({ "type": "string", "enum": ["json", "csv"], "default": "json" }), false),
                ],
                "responses": with_coverage_problems(ok("The coverage table; CSV with format=csv", "application/json", json!({ "type": "object" })))
            } },
            "/api/coverage/gaps": { "get": {
                "summary": "The addresses not covered: GeoJSON points with their walking seconds (null beyond an hour)",
                "operationId": "getCoverageGaps",
                "parameters": [
                    param("kind", "query", "Facility kinds", json!({ "type": "string" }), true),
                    param("minutes", "query", "Walking time, 1 to 60", json!({ "type": "integer", "default": 10 }), false),
                    param("profile", "query", "walk, slow or wheelchair", json!({ "type": "string" }), false),
                    param("limit", "query", "Most features returned (numberMatched counts all)", json!({ "type": "integer", "minimum": 1 }), false),
                ],
                "responses": with_coverage_problems(ok("Uncovered addresses", "application/geo+json", json!({ "$ref": "#/components/schemas/FeatureCollection" })))
            } },
            "/api/coverage/scenario": { "post": {
                "summary": "Coverage before and after adding facilities at points and closing facilities by id; nothing is stored",
                "operationId": "postCoverageScenario",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["kind"], "additionalProperties": false,
                    "properties": {
                        "kind": { "type": "string" }, "minutes": { "type": "integer", "minimum": 1, "maximum": 60 },
                        "profile": { "type": "string", "enum": ["walk", "slow", "wheelchair"] },
                        "add": { "type": "array", "items": { "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 } },
                        "remove": { "type": "array", "items": { "type": "integer" } }
                    } } } } },
                "responses": with_coverage_problems(ok("before, after and addresses_changed", "application/json", json!({ "type": "object" })))
            } },
            "/readyz": { "get": { "summary": "Readiness: 200 when the database answers, 503 problem when it does not", "operationId": "getReady",
                "responses": { "200": { "description": "Ready" }, "503": { "description": "Database unavailable", "content": { "application/problem+json": {} } } } } },
            "/tiles/{layer}/{z}/{x}/{y}.mvt": { "get": {
                "summary": "A Mapbox Vector Tile (2.1) of facilities, addresses (zoom 15 and up) or districts; 204 when empty; ETag and 304",
                "operationId": "getTile",
                "parameters": [
                    param("layer", "path", "facilities, addresses or districts", json!({ "type": "string", "enum": ["facilities", "addresses", "districts"] }), true),
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
            "/api/openapi.json": { "get": { "summary": "This document", "operationId": "getOpenApi", "responses": ok("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0", any_object) } },
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

pub async fn get_openapi() -> Response {
    let mut r = document().to_string().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.oai.openapi+json;version=3.0"),
    );
    r
}
