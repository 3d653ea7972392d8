//! The document's part for the portal (accounts, organisations' people, offers, outbox) and
//! medvirkning (issue 15).

use serde_json::json;

use super::param;

/// The portal's paths: signing in and out, the signed-in person, organisations' members
/// and invitations, offers' states, the outbox.
pub(super) fn portal_paths(paths: &mut serde_json::Map<String, serde_json::Value>) {
    let session = json!([{ "session": [] }]);
    // The server refuses a field it does not know (serde's deny_unknown_fields).
    let body = |required: &[&str], props: serde_json::Value| json!({ "required": true, "content": { "application/json": { "schema": { "type": "object", "required": required, "properties": props, "additionalProperties": false } } } });
    let s = json!({ "type": "string" });
    let int = json!({ "type": "integer" });
    let id = json!({ "name": "id", "in": "path", "required": true, "schema": int });
    let person = json!({ "name": "person", "in": "path", "required": true, "schema": int });
    let profile = json!({
        "name": { "type": "string", "minLength": 2, "maxLength": 120 },
        "kind": { "type": "string", "enum": ["volunteer_organisation", "municipality", "sports_club", "business"] },
        "contact": { "type": ["string", "null"], "maxLength": 200 },
        "website": { "type": ["string", "null"], "format": "uri", "maxLength": 300 },
        "active": { "type": "boolean" },
        "open_data": { "type": "boolean", "description": "Consent to publish the organisation's activities in the open OpenActive feed (CC BY 4.0); false withdraws it" },
    });
    let problems = json!({ "401": { "description": "Not signed in" }, "403": { "description": "Not allowed, or no CSRF token" }, "422": { "description": "Invalid fields (problem+json with errors)" } });
    let crs =
        json!({ "type": "string", "format": "uri", "enum": crate::http::crs::Crs::offered_uris() });
    let date = json!({ "type": "string", "format": "date" });
    let list_params: Vec<serde_json::Value> = [
        ("bbox", "minlon,minlat,maxlon,maxlat (in bbox-crs)", json!({ "type": "string", "pattern": super::complete::bbox_pattern() })),
        ("limit", "Page size", json!({ "type": "integer", "minimum": 1 })),
        ("offset", "Skip this many", json!({ "type": "integer", "minimum": 0 })),
        ("status", "Statuses, comma-separated", json!({ "type": "string", "pattern": super::complete::comma_list(&crate::participation::Status::ids()) })),
        ("category", "Categories (facility kinds and others), comma-separated", json!({ "type": "string", "pattern": super::complete::comma_list(&crate::participation::Category::ids()) })),
        ("district", "A district's id, of any level", json!({ "type": "string", "minLength": 1 })),
        ("from", "Published on or after (YYYY-MM-DD)", date.clone()),
        ("to", "Published on or before (YYYY-MM-DD)", date),
        ("sort", "-supports (default) or -published", json!({ "type": "string", "enum": ["-supports", "-published"] })),
        ("f", "json (GeoJSON) or csv (not with crs)", json!({ "type": "string", "enum": ["json", "geojson", "csv"] })),
        ("crs", "The CRS of the answer's coordinates; default CRS84", crs.clone()),
        ("bbox-crs", "The CRS bbox is given in; default CRS84", crs),
    ]
    .into_iter()
    .map(|(n, d, schema)| param(n, "query", d, schema, false))
    .collect();
    let with = |mut r: serde_json::Value, extra: serde_json::Value| {
        if let (Some(r), serde_json::Value::Object(e)) = (r.as_object_mut(), extra) {
            r.extend(e);
        }
        r
    };
    for (path, value) in [
        (
            "/auth/sign-in",
            json!({ "post": { "summary": "Sign in with email and password: sets the session cookie (HttpOnly, SameSite=Lax); the same 401 for an unknown address and a wrong password; 429 after 5 failures per account or 20 per address in 15 minutes", "operationId": "signIn", "requestBody": body(&["email", "password"], json!({ "email": s, "password": s })), "responses": { "200": { "description": "Signed in: as /api/me" }, "401": { "description": "Wrong address or password" }, "429": { "description": "Too many failures" } } } }),
        ),
        (
            "/auth/link",
            json!({ "post": { "summary": "Email a one-time sign-in link (20 minutes) if the address has an account; the same 202 either way", "operationId": "sendSignInLink", "requestBody": body(&["email"], json!({ "email": s })), "responses": { "202": { "description": "Accepted" } } } }),
        ),
        (
            "/auth/link/{secret}",
            json!({
                "get": { "summary": "A page with a button that uses the link (mail scanners that open links do not use it up)", "operationId": "linkPage", "parameters": [{ "name": "secret", "in": "path", "required": true, "schema": s }], "responses": { "200": { "description": "HTML" } } },
                "post": { "summary": "Use a one-time link: a session, then 303 to /org (to choose a password when the account has none); an invitation's link accepts the memberships waiting for the person", "operationId": "useLink", "parameters": [{ "name": "secret", "in": "path", "required": true, "schema": s }], "responses": { "303": { "description": "Signed in" }, "404": { "description": "Unknown, used or expired: an HTML page leading to a new link" } } },
            }),
        ),
        (
            "/auth/password",
            json!({ "post": { "summary": "Set the signed-in person's password (12–256 characters; Argon2id); `current_password` is needed unless the session began from an emailed link in the last 15 minutes; other sessions end", "operationId": "setPassword", "security": session, "requestBody": body(&["password"], json!({ "password": s, "current_password": s })), "responses": with(json!({ "204": { "description": "Set" } }), problems.clone()) } }),
        ),
        (
            "/auth/sign-out",
            json!({ "post": { "summary": "End this session", "operationId": "signOut", "security": session, "responses": with(json!({ "204": { "description": "Signed out" } }), problems.clone()) } }),
        ),
        (
            "/auth/sign-out-everywhere",
            json!({ "post": { "summary": "End every session of the signed-in person", "operationId": "signOutEverywhere", "security": session, "responses": with(json!({ "204": { "description": "Signed out everywhere" } }), problems.clone()) } }),
        ),
        (
            "/api/me",
            json!({ "get": { "summary": "The signed-in person: name, email, staff role, organisations and roles, and the CSRF token", "operationId": "getMe", "security": session, "responses": { "200": { "description": "The person" }, "401": { "description": "Not signed in" } } } }),
        ),
        (
            "/api/organisations",
            json!({
                "get": { "summary": "The active organisations by name: {organisations: [{id, name, kind, contact, website, example, active, open_data}]}; staff admins also see deactivated ones", "operationId": "listOrganisations", "responses": { "200": { "description": "Organisations" } } },
                "post": { "summary": "Add an organisation (staff admin); names are unique whatever their case", "operationId": "createOrganisation", "security": session, "requestBody": body(&["name", "kind"], profile.clone()), "responses": with(json!({ "201": { "description": "Added: {id, name}" } }), problems.clone()) },
            }),
        ),
        (
            "/api/organisations/{id}",
            json!({ "patch": { "summary": "Change an organisation's profile (its org_admins, staff admins); `open_data: true` (its own org_admins only) publishes its activities in the open feed /api/feeds/session-series under CC BY 4.0, `false` withdraws them (staff admins too); `active: false` deactivates it (staff admins): its activities and needs are hidden and its members and tokens cannot write until reactivated", "operationId": "updateOrganisation", "security": session, "parameters": [id.clone()], "requestBody": body(&[], profile), "responses": with(json!({ "204": { "description": "Changed" } }), problems.clone()) } }),
        ),
        (
            "/api/organisations/{id}/merge",
            json!({ "post": { "summary": "Merge an organisation into another (staff admin): its activities, needs, members (keeping the higher role) and tokens move, then it is deleted", "operationId": "mergeOrganisation", "security": session, "parameters": [id.clone()], "requestBody": body(&["into"], json!({ "into": int })), "responses": with(json!({ "200": { "description": "Merged: {merged, into}" } }), problems.clone()) } }),
        ),
        (
            "/api/organisations/{id}/members/{person}",
            json!({
                "patch": { "summary": "Change a member's role (its org_admins, staff admins); refused (403) when it would leave the organisation without an admin", "operationId": "setMemberRole", "security": session, "parameters": [id.clone(), person.clone()], "requestBody": body(&["role"], json!({ "role": { "type": "string", "enum": ["editor", "org_admin"] } })), "responses": with(json!({ "204": { "description": "Changed" } }), problems.clone()) },
                "delete": { "summary": "Remove a member or withdraw an invitation (its org_admins, staff admins; anyone for themselves); refused (403) when it would leave no admin", "operationId": "removeMember", "security": session, "parameters": [id.clone(), person], "responses": with(json!({ "204": { "description": "Removed" } }), problems.clone()) },
            }),
        ),
        (
            "/api/people",
            json!({
                "get": { "summary": "Everyone with an account: {people: [{id, name, email, lang, staff_role, disabled, has_password, memberships}]} (staff admin)", "operationId": "listPeople", "security": session, "responses": with(json!({ "200": { "description": "People" } }), problems.clone()) },
                "post": { "summary": "Invite a member of the municipality's staff by email (staff admin); 422 when the address has an account", "operationId": "createStaff", "security": session, "requestBody": body(&["email", "name", "staff_role"], json!({ "email": s, "name": s, "staff_role": { "type": "string", "enum": ["admin", "moderator"] }, "lang": { "type": "string", "enum": ["nb", "en"] } })), "responses": with(json!({ "201": { "description": "Invited: {id, email, staff_role}" } }), problems.clone()) },
            }),
        ),
        (
            "/api/people/{id}",
            json!({ "patch": { "summary": "Set a person's staff role or disable them (staff admin; not themselves)", "operationId": "updatePerson", "security": session, "parameters": [id.clone()], "requestBody": body(&[], json!({ "staff_role": { "type": ["string", "null"], "enum": ["admin", "moderator", null] }, "disabled": { "type": "boolean" } })), "responses": with(json!({ "204": { "description": "Changed" } }), problems.clone()) } }),
        ),
        (
            "/api/audit",
            json!({ "get": { "summary": "The newest changes first: {rows: [{id, at_ms, token_id, person_id, org_id, role, action, collection, item_id, before, after}]} (staff admin)", "operationId": "getAudit", "security": session, "parameters": [
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 } },
                { "name": "collection", "in": "query", "schema": s },
                { "name": "person_id", "in": "query", "schema": int },
                { "name": "org_id", "in": "query", "schema": int },
            ], "responses": with(json!({ "200": { "description": "Audit rows" } }), problems.clone()) } }),
        ),
        (
            "/api/tokens",
            json!({
                "get": { "summary": "Every API token: {tokens: [{id, org_id, role, label, revoked}]}, never the token (staff admin)", "operationId": "listTokens", "security": session, "responses": with(json!({ "200": { "description": "Tokens" } }), problems.clone()) },
                "post": { "summary": "Make an API token for an organisation (staff admin); the answer holds it once: {id, org_id, role, label, token}", "operationId": "createToken", "security": session, "requestBody": body(&["org_id", "role"], json!({ "org_id": int, "role": { "type": "string", "enum": ["editor", "admin"] }, "label": s })), "responses": with(json!({ "201": { "description": "Made" } }), problems.clone()) },
            }),
        ),
        (
            "/api/tokens/{id}",
            json!({ "delete": { "summary": "Revoke an API token at once (staff admin); 404 when revoked already", "operationId": "revokeToken", "security": session, "parameters": [id.clone()], "responses": with(json!({ "204": { "description": "Revoked" } }), problems.clone()) } }),
        ),
        (
            "/api/activities/template.csv",
            json!({ "get": { "summary": "The season CSV's columns with one example row", "operationId": "getActivitiesTemplate", "responses": { "200": { "description": "CSV", "content": { "text/csv": {} } } } } }),
        ),
        (
            "/api/organisations/{id}/activities.csv",
            json!({ "post": { "summary": "A season's activities from a CSV file (`;` or `,`, UTF-8 or Windows-1252): all rows validated before any is written, then all written; 422 lists {row, column, reason}", "operationId": "uploadActivities", "security": session, "parameters": [id.clone()], "requestBody": { "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } }, "responses": with(json!({ "201": { "description": "Created: {org_id, created}" } }), problems.clone()) } }),
        ),
        (
            "/api/organisations/{id}/members",
            json!({ "get": { "summary": "The organisation's members (its org_admins, staff admins)", "operationId": "listMembers", "security": session, "parameters": [id.clone()], "responses": with(json!({ "200": { "description": "Members" } }), problems.clone()) } }),
        ),
        (
            "/api/organisations/{id}/invitations",
            json!({ "post": { "summary": "Invite a person (account made if needed; the membership counts once they open the emailed link; 422 on email for a member already; its org_admins, staff admins)", "operationId": "invite", "security": session, "parameters": [id.clone()], "requestBody": body(&["email", "name"], json!({ "email": s, "name": s, "role": { "type": "string", "enum": ["editor", "org_admin"] }, "lang": { "type": "string", "enum": ["nb", "en"] } })), "responses": with(json!({ "201": { "description": "Invited" } }), problems.clone()) } }),
        ),
        (
            "/api/offers/{id}",
            json!({ "patch": { "summary": "Note how the need's organisation answered an offer of help", "operationId": "setOfferState", "security": session, "parameters": [id], "requestBody": body(&["state"], json!({ "state": { "type": "string", "enum": ["new", "contacted", "declined"] } })), "responses": with(json!({ "204": { "description": "Noted" } }), problems.clone()) } }),
        ),
        (
            "/api/outbox",
            json!({ "get": { "summary": "The newest email, queued and sent, without bodies (staff admin)", "operationId": "getOutbox", "security": session, "responses": with(json!({ "200": { "description": "Messages" } }), problems.clone()) } }),
        ),
        // Medvirkning (issue 15, docs/PARTICIPATION.md).
        (
            "/api/proposals",
            json!({ "post": { "summary": "A resident's proposal, with a participation code (201: waits for moderation) or an email confirmed by a link (202); 403 code not valid, 422 invalid fields or outside the area served, 429 rate limited. No cookie, no account", "operationId": "propose", "requestBody": body(&["category", "title", "text", "lon", "lat"], json!({ "category": { "type": "string", "enum": crate::participation::Category::ids() }, "title": { "type": "string", "minLength": 3, "maxLength": 120 }, "text": { "type": "string", "minLength": 10, "maxLength": 2000 }, "lon": { "type": "number" }, "lat": { "type": "number" }, "lang": { "type": "string", "enum": ["nb", "en"] }, "code": s, "email": { "type": "string", "format": "email" }, "photo": { "type": "string", "description": "Optional: a JPEG, PNG or WebP of at most 8 MB, base64 or a data: URL" } })), "responses": with(json!({ "201": { "description": "{id, state: pending, email_confirmation}" }, "202": { "description": "{id, state: unconfirmed, email_confirmation: true}" }, "403": { "description": "The code is not valid" }, "429": { "description": "Too many from here" } }), json!({ "422": { "description": "Invalid fields, or outside the area served (problem+json)" } })) } }),
        ),
        (
            "/api/proposals/mine",
            json!({ "post": { "summary": "What became of the proposals made with a participation code: waiting, published (status, answers), or not published (the reason); the code in the body, never the address", "operationId": "myProposals", "requestBody": body(&["code"], json!({ "code": s })), "responses": { "200": { "description": "{proposals: [{id, title, category, state, status, reason, merged_into, supports, created, answers}]}" }, "403": { "description": "The code is not valid" }, "429": { "description": "Too many wrong codes from here" } } } }),
        ),
        (
            "/api/proposals/{id}/supports",
            json!({ "post": { "summary": "Support a published proposal once per participant: with a code (201, {supports}) or an email confirmed by a link (202); 409 supported already", "operationId": "support", "parameters": [id.clone()], "requestBody": body(&[], json!({ "code": s, "email": { "type": "string", "format": "email" }, "lang": { "type": "string", "enum": ["nb", "en"] } })), "responses": { "201": { "description": "{supports}" }, "202": { "description": "{email_confirmation: true}" }, "403": { "description": "The code is not valid" }, "404": { "description": "No published proposal" }, "409": { "description": "Supported already" } } } }),
        ),
        (
            "/delta/bekreft/{secret}",
            json!({
                "get": { "summary": "The page of an emailed confirmation link: one button (a mail scanner confirms nothing)", "operationId": "confirmPage", "parameters": [param("secret", "path", "The link's secret", s.clone(), true)], "responses": { "200": { "description": "HTML", "content": { "text/html": {} } }, "404": { "description": "HTML: the link no longer works", "content": { "text/html": {} } } } },
                "post": { "summary": "Confirm: a proposal goes to moderation, a support counts, answers go to the address; 404 page when used or older than 48 hours", "operationId": "confirm", "parameters": [param("secret", "path", "The link's secret", s.clone(), true)], "responses": { "200": { "description": "HTML", "content": { "text/html": {} } }, "404": { "description": "HTML: the link no longer works", "content": { "text/html": {} } } } },
            }),
        ),
        (
            "/api/collections/proposals",
            json!({ "get": { "summary": "The proposals collection", "operationId": "getProposalsCollection", "responses": { "200": { "description": "Collection" } } } }),
        ),
        (
            "/api/collections/proposals/items",
            json!({ "get": { "summary": "Published proposals (GeoJSON, or f=csv for the nærutvalg: ;-separated, UTF-8 with BOM): status, category (comma lists), district (any level), from/to (published, YYYY-MM-DD), sort=-supports (default) or -published, bbox, limit, offset. Never an email, a code or unpublished text", "operationId": "listProposals", "parameters": list_params, "responses": { "200": { "description": "FeatureCollection or CSV" }, "400": { "description": "A bad parameter (problem+json)" } } } }),
        ),
        (
            "/api/collections/proposals/items/{fid}",
            json!({ "get": { "summary": "One published proposal: its districts, catchment (homes within 10 minutes, and those without such a facility) and answers", "operationId": "getProposal", "parameters": [param("fid", "path", "Proposal id", int.clone(), true), param("crs", "query", "The CRS of the answer's coordinates (OGC API – Features Part 2); default CRS84", s.clone(), false)], "responses": { "200": { "description": "Feature" }, "404": { "description": "No published proposal" } } } }),
        ),
        (
            "/api/collections/proposals/items/{fid}/photo",
            json!({ "get": { "summary": "A published proposal's photo: a JPEG the server wrote (no metadata), at most 1600 px each way", "operationId": "getProposalPhoto", "parameters": [param("fid", "path", "Proposal id", int.clone(), true)], "responses": { "200": { "description": "image/jpeg" }, "404": { "description": "No photo of a published proposal" } } } }),
        ),
        (
            "/api/moderation/proposals/{id}/photo",
            json!({ "get": { "summary": "Any proposal's photo, for moderation (staff)", "operationId": "getModerationPhoto", "security": session, "parameters": [id.clone()], "responses": with(json!({ "200": { "description": "image/jpeg" } }), problems.clone()) } }),
        ),
        (
            "/api/moderation/proposals",
            json!({ "get": { "summary": "Proposals for moderation, by state (pending default; published, rejected, merged, unconfirmed, all), with personal-data flags and has_email (never the address) (staff)", "operationId": "listModeration", "security": session, "parameters": [param("state", "query", "pending, published, rejected, merged, unconfirmed or all", s.clone(), false)], "responses": with(json!({ "200": { "description": "{proposals}" } }), problems.clone()) } }),
        ),
        (
            "/api/moderation/proposals/{id}",
            json!({ "post": { "summary": "Publish, reject (reason), edit (title, text), answer (status, answer) or merge (into), with the version read; 409 with current_version when stale; the proposer is emailed (staff)", "operationId": "moderate", "security": session, "parameters": [id.clone()], "requestBody": body(&["action", "version"], json!({ "action": { "type": "string", "enum": ["publish", "reject", "edit", "answer", "merge"] }, "version": int, "reason": s, "title": s, "text": s, "status": { "type": "string", "enum": ["received", "under_consideration", "planned", "done", "not_possible"] }, "answer": s, "into": int })), "responses": with(json!({ "200": { "description": "The proposal as in the list" }, "409": { "description": "Changed since read" } }), problems.clone()) } }),
        ),
        (
            "/api/participation/batches",
            json!({
                "get": { "summary": "Batches of participation codes and their use, never the codes (staff)", "operationId": "listBatches", "security": session, "responses": with(json!({ "200": { "description": "{batches}" } }), problems.clone()) },
                "post": { "summary": "A batch of codes, shown this once: label, count 1–200, proposals 0–20 and supports 0–100 per code, expires (a date within a year) (staff)", "operationId": "makeBatch", "security": session, "requestBody": body(&["label", "count", "proposals", "supports", "expires"], json!({ "label": s, "count": int, "proposals": int, "supports": int, "expires": { "type": "string", "format": "date" } })), "responses": with(json!({ "201": { "description": "{batch, codes}" } }), problems) },
            }),
        ),
    ] {
        paths.insert(path.into(), value);
    }
}
