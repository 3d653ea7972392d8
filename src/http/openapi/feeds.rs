//! The document's part for open activity data (issue 17 item 4): the OpenActive RPDE feed,
//! its dataset description and the category scheme; and the GeoPackage downloads of
//! coverage and gaps (item 5).

use serde_json::{Value, json};

use super::param;

pub fn feeds_paths(doc: &mut Value) {
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let q = |name: &str, description: &str, schema: Value| {
        param(name, "query", description, schema, false)
    };
    doc["paths"]["/api/feeds"] = json!({ "get": {
        "summary": "The open data set of activities as an OpenActive dataset description (schema.org Dataset, JSON-LD): its RPDE feed, licence (CC BY 4.0), publisher, and how organisations agree to open publication",
        "operationId": "getFeeds",
        "responses": { "200": { "description": "A schema.org Dataset", "content": { "application/ld+json": { "schema": { "type": "object" } } } } }
    } });
    doc["paths"]["/api/feeds/activity-categories"] = json!({ "get": {
        "summary": "The activity categories as a SKOS ConceptScheme (JSON-LD), the scheme the feed's `activity` concepts are in",
        "operationId": "getActivityCategories",
        "responses": { "200": { "description": "A ConceptScheme", "content": { "application/ld+json": { "schema": { "type": "object" } } } } }
    } });
    doc["paths"]["/api/feeds/session-series"] = json!({ "get": {
        "summary": "OpenActive RPDE 1.0 feed of activities (SessionSeries) of organisations that agreed to open publication: items ordered by `modified` (a change number) then `id`; follow `next` to the last page (no items, `next` equal to its own URL) and poll it; deleted or withdrawn activities are items with state `deleted` and no data",
        "operationId": "getSessionSeriesFeed",
        "parameters": [
            q("afterTimestamp", "The last item's `modified` (with afterId)", json!({ "type": "integer" })),
            q("afterId", "The last item's `id` (with afterTimestamp)", json!({ "type": "integer" })),
            q("limit", "Items per page, 1 to 500", json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 500 })),
        ],
        "responses": {
            "200": { "description": "{next, items: [{state, kind, id, modified, data?}], license}", "content": { "application/json": { "schema": { "type": "object", "required": ["next", "items", "license"] } } } },
            "400": problem,
        }
    } });
    // GeoPackage downloads of coverage and gaps, in the CRS asked for.
    let crs = q(
        "crs",
        "With format=gpkg: the CRS of the file (an OGC URI, as a collection's `crs` lists them; default CRS84)",
        json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }),
    );
    if let Some(parameters) = doc["paths"]["/api/coverage"]["get"]["parameters"].as_array_mut() {
        for p in parameters.iter_mut().filter(|p| p["name"] == "format") {
            p["description"] =
                json!("json, csv, geojson or gpkg (GeoPackage: a download, in `crs`)");
            p["schema"]["enum"] = json!(["json", "csv", "geojson", "gpkg"]);
        }
        parameters.push(crs.clone());
    }
    if let Some(parameters) = doc["paths"]["/api/coverage/gaps"]["get"]["parameters"].as_array_mut()
    {
        parameters.push(q(
            "format",
            "geojson (default) or gpkg (GeoPackage: a download, in `crs`)",
            json!({ "type": "string", "enum": ["geojson", "gpkg"], "default": "geojson" }),
        ));
        parameters.push(crs);
    }
    let coverage = &mut doc["paths"]["/api/coverage"]["get"]["responses"]["200"]["content"];
    coverage["text/csv"] = json!({ "schema": { "type": "string" } });
    coverage["application/geo+json"] = json!({ "schema": { "type": "object" } });
    for path in ["/api/coverage", "/api/coverage/gaps"] {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/geopackage+sqlite3"] =
            json!({ "schema": { "type": "string", "format": "binary" } });
    }
}
