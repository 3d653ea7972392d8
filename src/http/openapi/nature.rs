//! The document's part for nature (issue 22): the nature and trail heads collections and
//! their queryables.

use serde_json::{Value, json};

use super::param;

/// `crs`: OGC API – Features Part 2.
fn crs_param() -> Value {
    param(
        "crs",
        "query",
        "The CRS of the answer's coordinates, in its axis order (Content-Crs names it); default CRS84",
        json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }),
        false,
    )
}

pub(super) fn nature_paths(doc: &mut Value) {
    let page = [
        param(
            "limit",
            "query",
            "At most this many items (1 to the server's maximum)",
            json!({ "type": "integer", "minimum": 1 }),
            false,
        ),
        param(
            "offset",
            "query",
            "Skip this many items",
            json!({ "type": "integer", "minimum": 0 }),
            false,
        ),
        param(
            "bbox",
            "query",
            "minLon,minLat,maxLon,maxLat (WGS84): only items meeting the box",
            json!({ "type": "string" }),
            false,
        ),
        param(
            "f",
            "query",
            "json (the only format)",
            json!({ "type": "string", "enum": ["json", "geojson"] }),
            false,
        ),
        crs_param(),
        param(
            "bbox-crs",
            "query",
            "The CRS bbox is given in (its axis order); default CRS84",
            json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() }),
            false,
        ),
    ];
    let collection = |what: &str| json!({ "description": format!("The {what} collection"), "content": { "application/json": { "schema": { "type": "object" } } } });
    let features = |what: &str| json!({ "description": format!("{what} (GeoJSON FeatureCollection with numberMatched, numberReturned, links and attribution)"), "content": { "application/geo+json": { "schema": { "type": "object" } } } });
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let schema = json!({ "description": "JSON Schema of the items' properties", "content": { "application/schema+json": { "schema": { "type": "object" } } } });
    let mut nature_items: Vec<Value> = page.to_vec();
    nature_items.push(param(
        "class",
        "query",
        "green, forest or shore",
        json!({ "type": "string", "enum": ["green", "forest", "shore"] }),
        false,
    ));
    nature_items.push(param(
        "min_ha",
        "query",
        "Only areas of at least this many hectares",
        json!({ "type": "number", "minimum": 0 }),
        false,
    ));
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    paths.insert("/api/collections/nature".into(), json!({ "get": {
        "summary": "Nature: green areas, forests and shores from OpenStreetMap, reached at their edge",
        "operationId": "getNatureCollection",
        "responses": { "200": collection("nature") }
    } }));
    paths.insert("/api/collections/nature/items".into(), json!({ "get": {
        "summary": "Nature areas (MultiPolygon), rivers and coastline (MultiLineString) and bathing places (Point): class, tag, name, area_ha, osm_id; forests with their count of trail heads",
        "operationId": "listNature",
        "parameters": nature_items,
        "responses": { "200": features("Nature"), "400": problem.clone() }
    } }));
    paths.insert("/api/collections/nature/items/{fid}".into(), json!({ "get": {
        "summary": "One nature area",
        "operationId": "getNature",
        "parameters": [param("fid", "path", "The area's id", json!({ "type": "integer" }), true), crs_param()],
        "responses": { "200": { "description": "A GeoJSON Feature", "content": { "application/geo+json": { "schema": { "type": "object" } } } }, "404": problem.clone() }
    } }));
    paths.insert(
        "/api/collections/trailheads".into(),
        json!({ "get": {
        "summary": "Trail heads: where a walkable path crosses into a forest of at least 0.5 ha",
        "operationId": "getTrailheadsCollection",
        "responses": { "200": collection("trail heads") }
    } }),
    );
    paths.insert(
        "/api/collections/trailheads/items".into(),
        json!({ "get": {
        "summary": "Trail heads as points, id `{forest_id}-{n}`, with the forest's id and name",
        "operationId": "listTrailheads",
        "parameters": page.to_vec(),
        "responses": { "200": features("Trail heads"), "400": problem.clone() }
    } }),
    );
    for (path, id) in [
        ("/api/collections/nature/queryables", "getNatureQueryables"),
        (
            "/api/collections/trailheads/queryables",
            "getTrailheadsQueryables",
        ),
    ] {
        paths.insert(path.into(), json!({ "get": {
            "summary": "The properties of the collection's items (these collections filter by their own parameters, not by filter=)",
            "operationId": id,
            "responses": { "200": schema.clone() }
        } }));
    }
}
