//! The schemas of written documents and of problems (issue 21 item 1): the activity and
//! volunteer-need schemas are the ones the write path checks bodies against
//! ([`crate::edit::schema`]), generated from the Rust types that read them, so the document
//! and the server cannot drift.

use serde_json::{Value, json};

use crate::store::editing::ItemCollection;

/// Every problem `type` the server sends, as `/problems/{kind}` (RFC 9457).
pub const PROBLEM_TYPES: [&str; 19] = [
    "bad-request",
    "conflict",
    "database-unavailable",
    "forbidden",
    "internal",
    "invalid-body",
    "invalid-file",
    "invalid-parameter",
    "limit-exceeded",
    "method-not-allowed",
    "not-found",
    "outside-coverage",
    "precondition-required",
    "stale-version",
    "stale-write",
    "too-many-requests",
    "unauthorized",
    "unavailable",
    "unknown-parameter",
];

/// Rewrites `#/$defs/X` references to `#/components/schemas/X`.
fn rebase(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/components/schemas/{name}");
            }
            o.values_mut().for_each(rebase);
        }
        Value::Array(a) => a.iter_mut().for_each(rebase),
        _ => {}
    }
}

/// The schema names of a collection: (fields, feature, patch).
pub fn names(collection: ItemCollection) -> (&'static str, &'static str, &'static str) {
    match collection {
        ItemCollection::Activities => ("ActivityFields", "ActivityFeature", "ActivityPatch"),
        ItemCollection::VolunteerNeeds => ("NeedFields", "NeedFeature", "NeedPatch"),
    }
}

/// Adds the written documents' schemas (fields, the Feature form, and a merge patch of
/// either) and the full Problem schema to `doc`'s components.
pub fn add(doc: &mut Value) {
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("the document has component schemas");
    for collection in [ItemCollection::Activities, ItemCollection::VolunteerNeeds] {
        let (fields, feature, patch) = names(collection);
        let mut schema = crate::edit::schema::schema(collection);
        rebase(&mut schema);
        let o = schema.as_object_mut().expect("a schema object");
        if let Some(Value::Object(defs)) = o.remove("$defs") {
            for (name, s) in defs {
                schemas.insert(name, s);
            }
        }
        o.remove("$schema");
        // A merge patch (RFC 7396): any of the fields, `null` removes an optional one.
        let mut merge = schema.clone();
        let m = merge.as_object_mut().expect("a schema object");
        m.remove("required");
        if let Some(Value::Object(props)) = m.get_mut("properties") {
            for p in props.values_mut() {
                *p = json!({ "anyOf": [p.clone(), { "type": "null" }] });
            }
        }
        m.insert(
            "description".into(),
            json!("A JSON Merge Patch (RFC 7396) of the fields: the fields to change; null removes an optional one."),
        );
        // Each schema its own title: generators name their models by it.
        merge["title"] = json!(patch);
        schema["title"] = json!(fields);
        schemas.insert(patch.into(), merge);
        schemas.insert(fields.into(), schema);
        schemas.insert(
            feature.into(),
            json!({
                "title": feature,
                "type": "object",
                "description": "The same fields as a GeoJSON Feature, as reads serve it; a Point geometry is the place when properties have none.",
                "required": ["type", "properties"],
                "properties": {
                    "type": { "type": "string", "enum": ["Feature"] },
                    "properties": { "$ref": format!("#/components/schemas/{fields}") },
                    "geometry": { "type": ["object", "null"] }
                }
            }),
        );
    }
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "A problem (RFC 9457).",
            "required": ["type", "title", "status"],
            "properties": {
                "type": { "type": "string", "enum": PROBLEM_TYPES.map(|k| format!("/problems/{k}")) },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" },
                "parameter": { "type": "string", "description": "The query parameter or header at fault (invalid-parameter, unknown-parameter, limit-exceeded)." },
                "limit": { "type": ["integer", "null"], "description": "The largest value served (limit-exceeded)." },
                "current_etag": { "type": ["string", "null"], "description": "The item's ETag now (stale-write): read it again and reapply the change." },
                "errors": {
                    "type": "array",
                    "description": "Every problem of a written document (invalid-body), in the order of its fields.",
                    "items": {
                        "type": "object",
                        "required": ["field", "pointer", "reason"],
                        "properties": {
                            "field": { "type": "string", "examples": ["schedule.exceptions[0]"] },
                            "pointer": { "type": "string", "description": "JSON Pointer (RFC 6901) to the field in the body; for activities and needs into the Feature form.", "examples": ["/properties/schedule/exceptions/0"] },
                            "reason": { "type": "string" }
                        }
                    }
                },
                "invalid-params": { "type": "array", "items": { "type": "object" }, "description": "The same list in RFC 9457's own form: name, pointer, reason." }
            }
        }),
    );
}

/// An example activity, valid against `ActivityFields` (the write path checks it in a test).
pub fn activity_example() -> Value {
    json!({
        "title": "Fotball for 10–12 år",
        "category": "sport",
        "age_min": 10,
        "age_max": 12,
        "price_nok": 0,
        "languages": ["nb", "en"],
        "place": { "facility_id": 1 },
        "schedule": {
            "sessions": [{ "weekday": "tue", "start": "18:00", "end": "19:30" }],
            "valid_from": "2026-08-17",
            "valid_to": "2026-12-18",
            "exceptions": ["2026-10-06"]
        },
        "contact": "post@example.org"
    })
}
