//! The document's part for opening hours and the calendar (issue 18): `open_now` and
//! `open_at` where facilities and activities are listed, and `/api/calendar`.

use serde_json::{Value, json};

use super::param;

fn open_now(what: &str) -> Value {
    param(
        "open_now",
        "query",
        &format!(
            "true: only {what} open now; false: only those closed now (unknown hours are in neither)"
        ),
        json!({ "type": "boolean" }),
        false,
    )
}

fn open_at(what: &str) -> Value {
    param(
        "open_at",
        "query",
        &format!(
            "Only {what} open at this time: 2026-12-24T10:00 (Oslo wall time) or RFC 3339 with an offset"
        ),
        json!({ "type": "string", "example": "2026-12-24T10:00" }),
        false,
    )
}

fn push(doc: &mut Value, path: &str, params: &[Value]) {
    if let Some(list) = doc["paths"][path]["get"]["parameters"].as_array_mut() {
        list.extend(params.iter().cloned());
    }
}

pub(super) fn hours_paths(doc: &mut Value) {
    let facilities = "facilities (the facilities collection only)";
    push(
        doc,
        "/api/collections/{id}/items",
        &[open_now(facilities), open_at(facilities)],
    );
    push(
        doc,
        "/api/collections/{id}/items/{fid}",
        &[param(
            "open_at",
            "query",
            "Facilities: add `open_at` (true, false or null) for this time",
            json!({ "type": "string" }),
            false,
        )],
    );
    push(
        doc,
        "/api/reach",
        &[
            open_now("facilities and activities in session"),
            open_at("facilities and activities in session"),
        ],
    );
    let facility = param(
        "facility",
        "query",
        "Only activities held at this facility (a knutepunkt's page)",
        json!({ "type": "integer" }),
        false,
    );
    push(
        doc,
        "/api/collections/activities/items",
        &[
            open_now("activities in session"),
            open_at("activities in session"),
            facility.clone(),
        ],
    );
    let coverage_open_at = param(
        "open_at",
        "query",
        "Only facilities not closed at this time by their opening hours (2026-12-24T18:00, Oslo time); those without readable hours count as `unknown_hours` says. With kind, not category. The answer's `open_at_facilities` tells {open, closed, unknown, unknown_counted_as} for the kinds asked",
        json!({ "type": "string" }),
        false,
    );
    let unknown_hours = param(
        "unknown_hours",
        "query",
        "With open_at: whether facilities without known hours count as open (default; unknown is never told as closed) or closed",
        json!({ "type": "string", "enum": ["open", "closed"], "default": "open" }),
        false,
    );
    let coverage_hours = [coverage_open_at, unknown_hours];
    push(doc, "/api/coverage", &coverage_hours);
    push(doc, "/api/coverage/gaps", &coverage_hours);
    push(
        doc,
        "/tiles/{layer}/{z}/{x}/{y}.mvt",
        &[
            open_now(
                "facilities (the facilities layer only; each feature then carries `open`, absent when unknown, and `next_change`)",
            ),
            open_at(
                "facilities (the facilities layer only; each feature then carries `open` and `next_change` for that time)",
            ),
        ],
    );
    doc["paths"]["/api/collections/{id}/items/{fid}"]["patch"] = json!({
        "summary": "Set a facility's opening hours, and a knutepunkt's services (the facilities collection only; a signed-in session with its X-CSRF-Token): staff admins for every facility, and the members of the organisation that runs it (operator_org, which only staff admins set). JSON Merge Patch of {opening_hours: OSM syntax (at most 255 characters; empty or null removes), services: [{service, name?, opening_hours?, contact?}] or null, operator_org: an organisation's id or null}; every field checked first, the edit kept apart from the imported row (a new import does not undo it) and logged in the audit. 200: the facility as served after it",
        "operationId": "editFacilityHours",
        "security": [{ "session": [] }],
        "parameters": [
            param("id", "path", "facilities", json!({ "type": "string", "enum": ["facilities"] }), true),
            param("fid", "path", "The facility's id", json!({ "type": "integer" }), true),
        ],
        "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "additionalProperties": false, "properties": {
            "opening_hours": { "type": ["string", "null"], "maxLength": 255, "example": "Mo-Fr 08:00-16:00; Sa 10:00-14:00; PH off" },
            "services": { "type": ["array", "null"], "items": { "type": "object", "required": ["service"], "properties": {
                "service": { "type": "string", "description": "citizen_service, library, health_station, meeting_rooms, cafe, volunteer_centre, nav, youth_club, other; or the Norwegian word (innbyggertorg, bibliotek, helsestasjon, møterom, kafé, frivilligsentral, nav-veiledning, ungdomsklubb, annet)" },
                "name": { "type": "string" }, "opening_hours": { "type": "string" }, "contact": { "type": "string" }
            } } },
            "operator_org": { "type": ["integer", "null"], "description": "The organisation that runs the facility (staff admins only)" }
        } } } } },
        "responses": {
            "200": { "description": "The facility (GeoJSON Feature)", "content": { "application/geo+json": { "schema": { "type": "object" } } } },
            "401": { "description": "Not signed in" },
            "403": { "description": "Not a staff admin, or no CSRF token" },
            "404": { "description": "No such facility (problem+json)" },
            "422": { "description": "Invalid fields (problem+json with errors by field: opening_hours, services, services/N/opening_hours)" },
        }
    });
    doc["paths"]["/api/organisations/{id}/facilities"] = json!({ "get": {
        "summary": "The facilities an organisation runs (operator_org), for its members and staff admins: {facilities: [{id, name, kind, kind_label_nb, kind_label_en, opening_hours}]}",
        "operationId": "listOperatedFacilities",
        "security": [{ "session": [] }],
        "parameters": [param("id", "path", "The organisation's id", json!({ "type": "integer" }), true)],
        "responses": {
            "200": { "description": "The facilities", "content": { "application/json": { "schema": { "type": "object" } } } },
            "401": { "description": "Not signed in" },
            "403": { "description": "Not a member or staff admin" },
            "404": { "description": "No such organisation (problem+json)" },
        }
    } });
    let q = |name: &str, description: &str, schema: Value| {
        param(name, "query", description, schema, false)
    };
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    doc["paths"]["/api/calendar"] = json!({ "get": {
        "summary": "The sessions of activities within a walk of a point (or all) from `from` to `to` (dates in Oslo, at most 62 days; default today and six days on): weekly rules expanded in Europe/Oslo, exceptions applied. JSON, or f=ics for iCalendar (RFC 5545, times in UTC, a stable UID per session) to subscribe to",
        "operationId": "getCalendar",
        "parameters": [
            q("lon", "Longitude of the place walked from (with lat)", json!({ "type": "number", "minimum": -180, "maximum": 180 })),
            q("lat", "Latitude of the place walked from (with lon)", json!({ "type": "number", "minimum": -90, "maximum": 90 })),
            q("minutes", "Walking time, 1 to 60", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 15 })),
            q("profile", "walk, slow or wheelchair", json!({ "type": "string", "enum": ["walk", "slow", "wheelchair"] })),
            q("from", "First date (YYYY-MM-DD)", json!({ "type": "string", "format": "date" })),
            q("to", "Last date (YYYY-MM-DD), at most 61 days after from", json!({ "type": "string", "format": "date" })),
            q("category", "Activity categories, comma-separated", json!({ "type": "string" })),
            q("age", "Only activities that admit this age", json!({ "type": "integer", "minimum": 0, "maximum": 120 })),
            q("weekday", "Only sessions on these weekdays (1–7 or mon…sun)", json!({ "type": "string" })),
            q("time_of_day", "Only sessions starting in the morning, afternoon or evening", json!({ "type": "string", "enum": ["morning", "afternoon", "evening"] })),
            q("free", "Free of charge or not", json!({ "type": "boolean" })),
            q("org", "Organisation id", json!({ "type": "integer" })),
            q("accessibility", "Features every activity must promise, comma-separated", json!({ "type": "string" })),
            facility,
            q("f", "json (default) or ics", json!({ "type": "string", "enum": ["json", "ics"] })),
            q("lang", "The iCalendar's words (its name, the walk): nb (default) or en", json!({ "type": "string", "enum": ["nb", "en"] })),
        ],
        "responses": {
            "200": { "description": "{from, to, time_zone, sessions: [{activity_id, title, category, start, end, organisation, place, position, walk_minutes, url}], links}, or text/calendar", "content": { "application/json": { "schema": { "type": "object" } }, "text/calendar": { "schema": { "type": "string" } } } },
            "400": problem.clone(),
            "422": problem.clone(),
            "503": problem,
        }
    } });
}
