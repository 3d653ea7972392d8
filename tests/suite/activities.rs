//! Activities and volunteer needs: the authorisation matrix, validation of every field,
//! optimistic concurrency, personal data kept out of public answers, JSON-LD, filters, and
//! activities in `/api/reach`.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use naermiljo::domain::activity::OrgKind;
use naermiljo::domain::{FacilityKind, LonLat, NewFacility};
use naermiljo::http::AppState;
use naermiljo::store::ImportBatch;
use naermiljo::store::editing::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::TestStore;

struct Reply {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
}

async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let r = naermiljo::http::router(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Reply {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
    }
}

fn facility(id: &str, kind: FacilityKind, lon: f64, lat: f64) -> NewFacility {
    NewFacility {
        kind,
        name: Some(format!("Anlegg {id}")),
        position: LonLat::new(lon, lat),
        address: None,
        wheelchair: None,
        opening_hours: None,
        source_id: id.into(),
        properties: Default::default(),
        area: None,
    }
}

struct World {
    t: TestStore,
    state: AppState,
    own: String,
    other: String,
    admin: String,
    own_org: i64,
    facility_id: i64,
}

async fn token(t: &TestStore, org: i64, role: Role) -> String {
    let token = format!("nm_test_{org}_{}", role.as_str());
    let hash = naermiljo::http::programme::token_sha256(&token);
    t.store
        .create_token(org, role, &hash, Some("test"), None)
        .await
        .unwrap();
    token
}

/// Two facilities in Drammen (their box is the area served), three organisations with
/// an editor each and an admin at the municipality.
async fn world() -> World {
    let t = TestStore::new().await;
    t.store
        .apply_import(ImportBatch {
            importer: "test".into(),
            source: "test".into(),
            file: "inline".into(),
            facilities: Some(vec![
                facility("a", FacilityKind::Pitch, 10.19, 59.73),
                facility("b", FacilityKind::Library, 10.22, 59.76),
            ]),
            ..Default::default()
        })
        .await
        .unwrap();
    let own_org = t
        .store
        .create_organisation(
            "Strømsø IL",
            OrgKind::SportsClub,
            Some("post@stromso.example"),
            false,
            None,
        )
        .await
        .unwrap();
    let other_org = t
        .store
        .create_organisation(
            "Bragernes kor",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    let kommune = t
        .store
        .create_organisation("Drammen kommune", OrgKind::Municipality, None, false, None)
        .await
        .unwrap();
    let own = token(&t, own_org, Role::Editor).await;
    let other = token(&t, other_org, Role::Editor).await;
    let admin = token(&t, kommune, Role::Admin).await;
    let state = t.state().await;
    let facility_id = state.snapshot.load().facilities[0].id;
    World {
        t,
        state,
        own,
        other,
        admin,
        own_org,
        facility_id,
    }
}

fn activity_body(facility_id: i64) -> Value {
    json!({
        "title": "Fotballtrening",
        "description": "For alle mellom 8 og 12.",
        "category": "sport",
        "age_min": 8,
        "age_max": 12,
        "price_nok": 0,
        "languages": ["nb", "en"],
        "accessibility": ["wheelchair"],
        "place": { "facility_id": facility_id },
        "schedule": { "sessions": [{ "weekday": 2, "start": "17:00", "end": "18:30" }],
                      "exceptions": ["2026-12-29"] },
        "signup_url": "https://stromso.example/pamelding",
    })
}

fn in_days(days: i64) -> String {
    let today = naermiljo::domain::activity::today(jiff::Timestamp::now());
    today
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

fn need_body() -> Value {
    json!({
        "title": "Trenerassistent",
        "place": { "lon": 10.2, "lat": 59.74 },
        "time_commitment": "2 timer i uka",
        "skills": ["fotball"],
        "valid_until": in_days(30),
    })
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// What the editing tables hold, to show that a refused write changed nothing.
async fn editing_dump(w: &World) -> String {
    let c = w.t.store.load().await.unwrap();
    let audit = w.t.store.audit_log(100_000).await.unwrap().len();
    let mut offers = Vec::new();
    for n in &c.volunteer_needs {
        offers.push(w.t.store.offers(n.id).await.unwrap());
    }
    format!(
        "{:?}\n{:?}\n{:?}\n{audit}\n{offers:?}",
        c.organisations, c.activities, c.volunteer_needs
    )
}

/// A valid body for `collection`, owned by `own_org`.
fn owned_body(w: &World, collection: &str) -> Value {
    let mut body = if collection == "activities" {
        activity_body(w.facility_id)
    } else {
        need_body()
    };
    body["org_id"] = json!(w.own_org);
    body
}

/// Creates an item owned by `own_org` (as the admin) and returns (id, etag).
async fn seed(w: &World, collection: &str) -> (i64, String) {
    let body = owned_body(w, collection);
    let r = send(
        &w.state,
        "POST",
        &format!("/api/collections/{collection}/items"),
        &[("authorization", &bearer(&w.admin))],
        Some(body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.body["id"].as_i64().unwrap(),
        r.headers["etag"].to_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn authorisation_matrix_and_refused_writes_change_nothing() {
    let w = world().await;
    let tokens: [(&str, Option<String>, [u16; 5]); 5] = [
        // POST, PUT, PATCH, DELETE, GET offers
        ("no token", None, [401, 401, 401, 401, 401]),
        (
            "bad token",
            Some("nm_not_a_token".into()),
            [401, 401, 401, 401, 401],
        ),
        (
            "other organisation's editor",
            Some(w.other.clone()),
            [403, 403, 403, 403, 403],
        ),
        ("own editor", Some(w.own.clone()), [201, 200, 200, 204, 200]),
        ("admin", Some(w.admin.clone()), [201, 200, 200, 204, 200]),
    ];
    for collection in ["activities", "volunteer-needs"] {
        for (who, token, expected) in &tokens {
            let auth = token.as_ref().map(|t| bearer(t));
            for (k, method) in ["POST", "PUT", "PATCH", "DELETE", "OFFERS"]
                .iter()
                .enumerate()
            {
                if *method == "OFFERS" && collection == "activities" {
                    continue;
                }
                let (id, etag) = seed(&w, collection).await;
                let before = editing_dump(&w).await;
                let mut headers: Vec<(&str, &str)> = vec![("if-match", etag.as_str())];
                if let Some(a) = &auth {
                    headers.push(("authorization", a.as_str()));
                }
                let mut body = if collection == "activities" {
                    activity_body(w.facility_id)
                } else {
                    need_body()
                };
                body["title"] = json!("Endret tittel");
                let (m, uri, body) = match *method {
                    "POST" => {
                        body["org_id"] = json!(w.own_org);
                        (
                            "POST",
                            format!("/api/collections/{collection}/items"),
                            Some(body),
                        )
                    }
                    "PUT" => (
                        "PUT",
                        format!("/api/collections/{collection}/items/{id}"),
                        Some(body),
                    ),
                    "PATCH" => (
                        "PATCH",
                        format!("/api/collections/{collection}/items/{id}"),
                        Some(json!({ "title": "Endret tittel" })),
                    ),
                    "DELETE" => (
                        "DELETE",
                        format!("/api/collections/{collection}/items/{id}"),
                        None,
                    ),
                    _ => (
                        "GET",
                        format!("/api/collections/{collection}/items/{id}/offers"),
                        None,
                    ),
                };
                let r = send(&w.state, m, &uri, &headers, body).await;
                assert_eq!(
                    r.status, expected[k],
                    "{collection} {method} by {who}: {}",
                    r.text
                );
                if r.status >= 400 {
                    assert_eq!(
                        r.headers["content-type"], "application/problem+json",
                        "{who} {method}"
                    );
                    assert_eq!(
                        editing_dump(&w).await,
                        before,
                        "a refused {method} by {who} changed something"
                    );
                    if r.status == 401 {
                        assert!(
                            r.headers["www-authenticate"]
                                .to_str()
                                .unwrap()
                                .starts_with("Bearer")
                        );
                    }
                } else if *method != "OFFERS" {
                    assert_ne!(
                        editing_dump(&w).await,
                        before,
                        "{method} by {who} wrote nothing"
                    );
                }
            }
        }
    }
    // Every accepted write is in the audit log with who made it.
    let audit = w.t.store.audit_log(1000).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "delete"
        && a.org_id == Some(w.own_org)
        && a.role.as_deref() == Some("editor")));
    assert!(audit.iter().any(|a| a.action == "replace"
        && a.role.as_deref() == Some("admin")
        && a.before.is_some()
        && a.after.is_some()));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_field_is_validated_and_bad_input_changes_nothing() {
    let w = world().await;
    let auth = bearer(&w.own);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("activities", json!({ "title": "ab" }), "title"),
        ("activities", json!({ "title": "x".repeat(121) }), "title"),
        (
            "activities",
            json!({ "description": "x".repeat(2001) }),
            "description",
        ),
        ("activities", json!({ "category": "dance" }), "category"),
        (
            "activities",
            json!({ "age_min": 12, "age_max": 8 }),
            "age_max",
        ),
        ("activities", json!({ "age_min": 130 }), "age_min"),
        ("activities", json!({ "price_nok": -5 }), "price_nok"),
        ("activities", json!({ "languages": ["n"] }), "languages[0]"),
        (
            "activities",
            json!({ "place": { "facility_id": 999_999 } }),
            "place.facility_id",
        ),
        (
            "activities",
            json!({ "place": { "lon": 11.5, "lat": 60.5 } }),
            "place",
        ),
        (
            "activities",
            json!({ "place": { "lon": 200.0, "lat": 59.0 } }),
            "place",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [] } }),
            "schedule.sessions",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [{ "weekday": 8, "start": "17:00", "end": "18:00" }] } }),
            "schedule.sessions[0].weekday",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [{ "weekday": 1, "start": "25:00", "end": "18:00" }] } }),
            "schedule.sessions[0].start",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [{ "weekday": 1, "start": "18:00", "end": "17:00" }] } }),
            "schedule.sessions[0].end",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [{ "weekday": 1, "start": "17:00", "end": "18:00" }], "valid_from": "2027-02-01", "valid_to": "2027-01-01" } }),
            "schedule.valid_to",
        ),
        (
            "activities",
            json!({ "schedule": { "sessions": [{ "weekday": 1, "start": "17:00", "end": "18:00" }], "valid_from": "2027-02-30" } }),
            "schedule.valid_from",
        ),
        (
            "activities",
            json!({ "signup_url": "ftp://example.no/x" }),
            "signup_url",
        ),
        (
            "activities",
            json!({ "signup_url": "ikke en adresse" }),
            "signup_url",
        ),
        ("activities", json!({ "colour": "red" }), "colour"),
        // Both a facility and a position: refused, not the position dropped (issue 21).
        (
            "activities",
            json!({ "place": { "facility_id": 1, "lon": 10.75, "lat": 59.91 } }),
            "place",
        ),
        ("activities", json!({ "contact": "ring meg" }), "contact"),
        ("activities", json!({ "languages": ["xx"] }), "languages[0]"),
        ("activities", json!({ "org_id": "abc" }), "org_id"),
        (
            "volunteer-needs",
            json!({ "valid_until": "2020-01-01" }),
            "valid_until",
        ),
        (
            "volunteer-needs",
            json!({ "time_commitment": "" }),
            "time_commitment",
        ),
        (
            "volunteer-needs",
            json!({ "skills": ["x".repeat(81)] }),
            "skills[0]",
        ),
        ("volunteer-needs", json!({ "title": "" }), "title"),
    ];
    let before = editing_dump(&w).await;
    for (collection, change, field) in &cases {
        let mut body = if *collection == "activities" {
            activity_body(w.facility_id)
        } else {
            need_body()
        };
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = send(
            &w.state,
            "POST",
            &format!("/api/collections/{collection}/items"),
            &[("authorization", &auth)],
            Some(body),
        )
        .await;
        assert_eq!(r.status, 422, "{collection} {change}: {}", r.text);
        assert_eq!(r.body["type"], "/problems/invalid-body");
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(field),
            "{collection} {change}: expected {field}, got {fields:?} ({})",
            r.text
        );
    }
    // Not JSON, and not an object.
    for raw in ["{", "[1,2]"] {
        let req = Request::post("/api/collections/activities/items")
            .header("host", "t")
            .header("authorization", &auth)
            .body(Body::from(raw))
            .unwrap();
        let r = naermiljo::http::router(w.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "{raw}");
    }
    assert_eq!(editing_dump(&w).await, before);

    // If-Match: required (428); a tag that is not this item's version cannot match (412);
    // one that is not an entity tag, or `*`, is a 400 that says the form expected.
    let (id, _) = seed(&w, "activities").await;
    let before = editing_dump(&w).await;
    let uri = format!("/api/collections/activities/items/{id}");
    let r = send(
        &w.state,
        "PATCH",
        &uri,
        &[("authorization", &auth)],
        Some(json!({ "title": "Ny" })),
    )
    .await;
    assert_eq!(r.status, 428, "{}", r.text);
    let r = send(
        &w.state,
        "PATCH",
        &uri,
        &[("authorization", &auth), ("if-match", "\"zzz\"")],
        Some(json!({ "title": "Nytt navn" })),
    )
    .await;
    assert_eq!(r.status, 412, "{}", r.text);
    for (sent, status, says) in [
        ("v1", 400, "with its quotes"),
        ("*", 400, "* is not accepted"),
        ("\"v1", 400, "with its quotes"),
        ("W/\"v1\"", 412, "weak"),
    ] {
        let r = send(
            &w.state,
            "PATCH",
            &uri,
            &[("authorization", &auth), ("if-match", sent)],
            Some(json!({ "title": "Nytt navn" })),
        )
        .await;
        assert_eq!(r.status, status, "If-Match {sent}: {}", r.text);
        assert!(r.text.contains(says), "If-Match {sent}: {}", r.text);
    }
    assert_eq!(editing_dump(&w).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_edits_one_wins_the_other_gets_412() {
    let w = world().await;
    let (id, etag) = seed(&w, "activities").await;
    let base_before = w.state.snapshot.load().base.clone();
    let uri = format!("/api/collections/activities/items/{id}");
    let own = bearer(&w.own);
    let admin = bearer(&w.admin);
    let ha = [("authorization", own.as_str()), ("if-match", etag.as_str())];
    let hb = [
        ("authorization", admin.as_str()),
        ("if-match", etag.as_str()),
    ];
    let a = send(
        &w.state,
        "PATCH",
        &uri,
        &ha,
        Some(json!({ "title": "Endret av laget" })),
    );
    let b = send(
        &w.state,
        "PATCH",
        &uri,
        &hb,
        Some(json!({ "title": "Endret av kommunen" })),
    );
    let (a, b) = tokio::join!(a, b);
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text, b.text);
    let (winner, loser) = if a.status == 200 { (&a, &b) } else { (&b, &a) };
    assert_eq!(loser.body["type"], "/problems/stale-write");
    assert_eq!(
        loser.headers["etag"], winner.headers["etag"],
        "the 412 names the current version"
    );
    let now = send(&w.state, "GET", &uri, &[], None).await;
    assert_eq!(
        now.body["properties"]["title"],
        winner.body["properties"]["title"]
    );
    assert_eq!(now.headers["etag"], winner.headers["etag"]);
    // An edit reloads only the programme: the imported data is the same object.
    assert!(std::sync::Arc::ptr_eq(
        &base_before,
        &w.state.snapshot.load().base
    ));
    // The loser reads again and its change then goes through.
    let etag = now.headers["etag"].to_str().unwrap().to_string();
    let auth = if a.status == 412 { own } else { admin };
    let retry = send(
        &w.state,
        "PATCH",
        &uri,
        &[("authorization", &auth), ("if-match", &etag)],
        Some(json!({ "title": "Endret etterpå" })),
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn offers_of_help_never_appear_in_public_answers() {
    let w = world().await;
    let (need, _) = seed(&w, "volunteer-needs").await;
    seed(&w, "activities").await;
    let name = "Kari Hemmeligsen";
    let contact = "kari.hemmelig@example.no";
    let r = send(
        &w.state,
        "POST",
        &format!("/api/collections/volunteer-needs/items/{need}/offers"),
        &[],
        Some(json!({ "name": name, "contact": contact, "message": "Jeg kan tirsdager" })),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert!(
        !r.text.contains("Hemmelig") && !r.text.contains(contact),
        "the reply echoes: {}",
        r.text
    );
    // Bad offers: 422, unknown need: 404.
    let r = send(
        &w.state,
        "POST",
        &format!("/api/collections/volunteer-needs/items/{need}/offers"),
        &[],
        Some(json!({ "name": "K", "contact": "x" })),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = send(
        &w.state,
        "POST",
        "/api/collections/volunteer-needs/items/999999/offers",
        &[],
        Some(json!({ "name": name, "contact": contact })),
    )
    .await;
    assert_eq!(r.status, 404);

    let s = w.state.snapshot.load();
    let f = &s.facilities[0];
    let public = [
        "/api".to_string(),
        "/api/collections".into(),
        "/api/collections/volunteer-needs".into(),
        "/api/collections/volunteer-needs/items".into(),
        format!("/api/collections/volunteer-needs/items/{need}"),
        "/api/collections/volunteer-needs/items?q=trener".into(),
        "/api/collections/activities/items".into(),
        "/api/collections/facilities/items".into(),
        format!("/api/reach?lon={}&lat={}", f.position.lon, f.position.lat),
        "/api/openapi.json".into(),
        "/tiles/facilities.json".into(),
    ];
    for uri in &public {
        let r = send(&w.state, "GET", uri, &[], None).await;
        assert!(
            !r.text.contains("Hemmelig")
                && !r.text.contains(contact)
                && !r.text.contains("tirsdager"),
            "{uri} shows personal data: {}",
            r.text
        );
    }
    // The need's organisation sees the offer.
    let r = send(
        &w.state,
        "GET",
        &format!("/api/collections/volunteer-needs/items/{need}/offers"),
        &[("authorization", &bearer(&w.own))],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["offers"][0]["name"], name);
    assert_eq!(r.headers["cache-control"], "private, no-store");
    // After the need expires, its offers are deleted.
    let after_expiry = in_days(31);
    assert_eq!(
        w.t.store.purge_expired_offers(&after_expiry).await.unwrap(),
        1
    );
    assert!(w.t.store.offers(need).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn activities_filter_carry_next_session_and_json_ld() {
    let w = world().await;
    let (id, _) = seed(&w, "activities").await;
    let auth = bearer(&w.own);
    let mut concert = activity_body(w.facility_id);
    concert["title"] = json!("Konsert");
    concert["category"] = json!("music");
    concert["price_nok"] = json!(150);
    concert["age_min"] = Value::Null;
    concert["age_max"] = Value::Null;
    concert["schedule"] =
        json!({ "sessions": [{ "weekday": 5, "start": "19:00", "end": "21:00" }] });
    concert["place"] = json!({ "lon": 10.21, "lat": 59.75 });
    concert["accessibility"] = json!(["hearing_loop"]);
    let r = send(
        &w.state,
        "POST",
        "/api/collections/activities/items",
        &[("authorization", &auth)],
        Some(concert),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let concert_id = r.body["id"].as_i64().unwrap();
    assert!(
        r.headers["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/items/{concert_id}"))
    );

    let titles = |q: &'static str| {
        let state = w.state.clone();
        async move {
            let r = send(
                &state,
                "GET",
                &format!("/api/collections/activities/items?{q}"),
                &[],
                None,
            )
            .await;
            assert_eq!(r.status, 200, "{q}: {}", r.text);
            let mut t: Vec<String> = r.body["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["properties"]["title"].as_str().unwrap().to_string())
                .collect();
            t.sort();
            t
        }
    };
    assert_eq!(titles("category=sport").await, ["Fotballtrening"]);
    assert_eq!(
        titles("category=music,sport").await,
        ["Fotballtrening", "Konsert"]
    );
    assert_eq!(
        titles("age=5").await,
        ["Konsert"],
        "8–12 does not admit 5; no limits admit all"
    );
    assert_eq!(titles("age=10").await, ["Fotballtrening", "Konsert"]);
    assert_eq!(titles("weekday=fri").await, ["Konsert"]);
    assert_eq!(
        titles("weekday=2&time_of_day=evening").await,
        ["Fotballtrening"]
    );
    assert_eq!(titles("time_of_day=morning").await, Vec::<String>::new());
    assert_eq!(titles("free=true").await, ["Fotballtrening"]);
    assert_eq!(titles("accessibility=wheelchair").await, ["Fotballtrening"]);
    assert_eq!(titles("accessibility=hearing_loop").await, ["Konsert"]);
    assert_eq!(
        titles("accessibility=wheelchair,hearing_loop").await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles("bbox=10.205,59.745,10.215,59.755").await,
        ["Konsert"]
    );
    assert_eq!(titles("q=fotball").await, ["Fotballtrening"]);
    for bad in [
        "category=dance",
        "age=-1",
        "weekday=8",
        "time_of_day=noon",
        "free=yes",
        "accessibility=stairs",
        "colour=red",
        "lon=10.2",
    ] {
        let r = send(
            &w.state,
            "GET",
            &format!("/api/collections/activities/items?{bad}"),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.headers["content-type"], "application/problem+json");
    }

    let r = send(
        &w.state,
        "GET",
        &format!("/api/collections/activities/items/{id}"),
        &[],
        None,
    )
    .await;
    let p = &r.body["properties"];
    assert_eq!(p["organisation"]["name"], "Strømsø IL");
    assert_eq!(p["facility"]["kind"], "pitch");
    assert_eq!(p["free"], true);
    let next = p["next_session"]["start"].as_str().unwrap();
    // RFC 3339 with Oslo's offset, on a Tuesday at 17:00.
    let start: jiff::Timestamp = next.parse().unwrap();
    let local = start.to_zoned_datetime(naermiljo::domain::activity::oslo());
    assert_eq!(
        (
            local.date().weekday().to_monday_one_offset(),
            local.datetime().time().hour(),
            local.datetime().time().minute()
        ),
        (2, 17, 0),
        "{next}"
    );
    assert!(start > jiff::Timestamp::now());

    let ld = send(
        &w.state,
        "GET",
        &format!("/api/collections/activities/items/{id}?f=jsonld"),
        &[],
        None,
    )
    .await;
    assert_eq!(ld.headers["content-type"], "application/ld+json");
    assert_eq!(ld.body["@type"], "SessionSeries");
    assert_eq!(
        ld.body["eventSchedule"][0]["byDay"],
        "https://schema.org/Tuesday"
    );
    assert_eq!(
        ld.body["eventSchedule"][0]["scheduleTimezone"],
        "Europe/Oslo"
    );
    assert_eq!(ld.body["eventSchedule"][0]["exceptDate"][0], "2026-12-29");
    assert_eq!(ld.body["isAccessibleForFree"], true);
    assert_eq!(ld.body["organizer"]["name"], "Strømsø IL");
    let negotiated = send(
        &w.state,
        "GET",
        &format!("/api/collections/activities/items/{id}"),
        &[("accept", "application/ld+json")],
        None,
    )
    .await;
    assert_eq!(negotiated.body, ld.body);

    // The list as JSON-LD: a schema.org ItemList of the same SessionSeries, in the list's
    // order, as many as the GeoJSON list matches.
    let geo = send(
        &w.state,
        "GET",
        "/api/collections/activities/items?limit=1",
        &[],
        None,
    )
    .await;
    for (uri, accept) in [
        ("/api/collections/activities/items?f=jsonld&limit=1", None),
        (
            "/api/collections/activities/items?limit=1",
            Some("application/ld+json"),
        ),
    ] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let list = send(&w.state, "GET", uri, &headers, None).await;
        assert_eq!(list.headers["content-type"], "application/ld+json", "{uri}");
        assert_eq!(list.body["@type"], "ItemList", "{}", list.body);
        assert_eq!(list.body["numberOfItems"], geo.body["numberMatched"]);
        let first = &list.body["itemListElement"][0];
        assert_eq!(first["position"], 1);
        let one = send(
            &w.state,
            "GET",
            &format!(
                "/api/collections/activities/items/{}?f=jsonld",
                geo.body["features"][0]["id"]
            ),
            &[],
            None,
        )
        .await;
        let mut expected = one.body.clone();
        expected.as_object_mut().unwrap().remove("@context");
        assert_eq!(first["item"], expected);
        // More than one page: `next` in a Link header, asking for JSON-LD again.
        assert!(geo.body["numberMatched"].as_u64().unwrap() > 1);
        let link = list.headers["link"].to_str().unwrap();
        assert!(
            link.contains("rel=\"next\"") && link.contains("f=jsonld") && link.contains("offset=1"),
            "{link}"
        );
    }
    for bad in ["f=jsonld&crs=%5BEPSG%3A25832%5D", "f=xml"] {
        let r = send(
            &w.state,
            "GET",
            &format!("/api/collections/activities/items?{bad}"),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    let collections = send(&w.state, "GET", "/api/collections", &[], None).await;
    let ids: Vec<&str> = collections.body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"activities") && ids.contains(&"volunteer-needs"),
        "{ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reach_lists_demo_activities_with_the_walk_of_their_facility() {
    let t = TestStore::new().await;
    t.import(crate::common::osm(crate::common::oslo_pbf()))
        .await
        .unwrap();
    let said = naermiljo::cli::write_demo_programme(t.store.as_ref(), 7)
        .await
        .unwrap();
    assert!(said.contains("activities"), "{said}");
    // Seeded: the same data and seed give the same examples.
    let first: Vec<_> = t
        .store
        .load()
        .await
        .unwrap()
        .activities
        .into_iter()
        .map(|a| a.doc)
        .collect();
    let again = TestStore::new().await;
    again
        .import(crate::common::osm(crate::common::oslo_pbf()))
        .await
        .unwrap();
    naermiljo::cli::write_demo_programme(again.store.as_ref(), 7)
        .await
        .unwrap();
    let second: Vec<_> = again
        .store
        .load()
        .await
        .unwrap()
        .activities
        .into_iter()
        .map(|a| a.doc)
        .collect();
    assert_eq!(first, second);
    assert!(first.len() > 50, "{} examples", first.len());

    let state = t.state().await;
    let r = send(
        &state,
        "GET",
        "/api/reach?lon=10.7525&lat=59.9225&minutes=10",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let activities = r.body["activities"]["features"].as_array().unwrap();
    assert!(!activities.is_empty());
    let facility_seconds: std::collections::HashMap<i64, u64> = r.body["facilities"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_i64().unwrap(),
                f["properties"]["walk_seconds"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut last = 0;
    for a in activities {
        let p = &a["properties"];
        assert_eq!(p["example"], true);
        assert!(p["description"].as_str().unwrap().starts_with("Eksempel"));
        let secs = p["walk_seconds"].as_u64().unwrap();
        assert!(secs >= last, "sorted by walking time");
        last = secs;
        assert!(secs <= 600);
        let facility = p["facility"]["id"].as_i64().unwrap();
        assert_eq!(
            Some(&secs),
            facility_seconds.get(&facility),
            "an activity is as far as its facility"
        );
        assert!(p["next_session"]["start"].is_string());
    }
    // Coverage for an activity category: each home's walk to the nearest sport activity
    // equals walking from the home itself.
    let r = send(
        &state,
        "GET",
        "/api/coverage?category=sport&minutes=10",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = state.snapshot.load();
    let walk = s.walk.as_ref().unwrap();
    let cats = [naermiljo::domain::activity::Category::Sport];
    let times =
        naermiljo::coverage::activity_times(&s, &cats, naermiljo::routing::Profile::Walk).unwrap();
    assert_eq!(
        r.body["total"]["covered"],
        times.iter().filter(|t| **t <= 600.0).count()
    );
    let sport: Vec<naermiljo::index::Placement> = s
        .programme
        .activities
        .items
        .iter()
        .zip(&s.programme.activities.snaps)
        .filter(|(a, _)| a.doc.category == cats[0])
        .map(|(_, p)| *p)
        .collect();
    assert!(!sport.is_empty());
    let mut compared = 0;
    for i in (0..s.addresses.len()).step_by(211) {
        let Ok(reach) = walk.reach_with(
            &[],
            &sport,
            s.addresses[i].position,
            naermiljo::routing::Profile::Walk,
            60,
            &[],
            None,
            500.0,
        ) else {
            continue;
        };
        let nearest = reach.extra.first().map(|e| e.1).unwrap_or(f64::INFINITY);
        assert!(
            (nearest - times[i]).abs() < 1e-6 || (nearest.is_infinite() && times[i].is_infinite()),
            "address {i}: {nearest} vs {}",
            times[i]
        );
        compared += 1;
    }
    assert!(compared > 30, "{compared}");
    let r = send(
        &state,
        "GET",
        "/api/coverage?category=sport&kind=school",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    let r = send(&state, "GET", "/api/coverage?category=dance", &[], None).await;
    assert_eq!(r.status, 400);

    // Filters apply to the activities in reach too.
    let r = send(
        &state,
        "GET",
        "/api/reach?lon=10.7525&lat=59.9225&minutes=10&category=sport",
        &[],
        None,
    )
    .await;
    assert!(
        r.body["activities"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["properties"]["category"] == "sport")
    );
}

/// What GET serves can be written back: PUT of the Feature as read (computed properties
/// and all), and a merge patch of its `properties`.
#[tokio::test(flavor = "multi_thread")]
async fn get_edit_put_round_trips_and_patches_apply_to_the_feature_served() {
    let w = world().await;
    let (id, etag) = seed(&w, "activities").await;
    let item = format!("/api/collections/activities/items/{id}");
    let auth = bearer(&w.own);
    let mut feature = send(&w.state, "GET", &item, &[], None).await.body;
    feature["properties"]["title"] = json!("Fotball for alle");
    let put = send(
        &w.state,
        "PUT",
        &item,
        &[("authorization", &auth), ("if-match", &etag)],
        Some(feature),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["properties"]["title"], "Fotball for alle");
    assert_eq!(put.body["properties"]["age_min"], 8, "the rest as it was");
    let etag = put.headers["etag"].to_str().unwrap().to_string();
    let patch = json!({ "properties": { "title": "Fotball for 8–12 år", "description": null } });
    let r = send(
        &w.state,
        "PATCH",
        &item,
        &[("authorization", &auth), ("if-match", &etag)],
        Some(patch),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["title"], "Fotball for 8–12 år");
    assert!(
        r.body["properties"].get("description").is_none(),
        "null removes"
    );
    assert_eq!(
        r.body["properties"]["schedule"]["sessions"][0]["weekday"],
        2
    );
    // The audit log tells a PUT (`replace`) from a PATCH (`update`), newest first.
    let audit = w.t.store.audit_log(2).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["update", "replace"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_items_id_and_etag_never_come_back() {
    let w = world().await;
    for collection in ["activities", "volunteer-needs"] {
        let (first, etag) = seed(&w, collection).await;
        let url = format!("/api/collections/{collection}/items/{first}");
        let r = send(
            &w.state,
            "DELETE",
            &url,
            &[("authorization", &bearer(&w.admin)), ("if-match", &etag)],
            None,
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let (second, _) = seed(&w, collection).await;
        assert!(
            second > first,
            "{collection}: id {first} came back as {second}"
        );
        // The old URL and ETag name nothing now: a write with them cannot land elsewhere.
        let r = send(
            &w.state,
            "PUT",
            &url,
            &[("authorization", &bearer(&w.admin)), ("if-match", &etag)],
            Some(owned_body(&w, collection)),
        )
        .await;
        assert_eq!(r.status, 404, "{collection}: {}", r.text);
    }
}

/// Issue 21 items 2 and 4: a body with a wrong type in one field, a bad date in another and a
/// missing third gets one 422 listing all three, each with its JSON Pointer into the Feature;
/// weekday names are read as the filters write them.
#[tokio::test(flavor = "multi_thread")]
async fn every_shape_error_of_a_body_is_told_at_once_at_its_field() {
    let w = world().await;
    let auth = bearer(&w.own);
    let mut body = activity_body(w.facility_id);
    body["age_min"] = json!("ten");
    body["schedule"]["exceptions"] = json!(["2026-12-24", "2026-13-01"]);
    body.as_object_mut().unwrap().remove("title");
    let before = editing_dump(&w).await;
    let r = send(
        &w.state,
        "POST",
        "/api/collections/activities/items",
        &[("authorization", &auth)],
        Some(json!({ "type": "Feature", "properties": body, "geometry": null })),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let errors: Vec<(&str, &str)> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap(),
                e["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors.iter().map(|e| e.0).collect::<Vec<_>>(),
        [
            "/properties/age_min",
            "/properties/schedule/exceptions/1",
            "/properties/title"
        ],
        "{}",
        r.text
    );
    assert!(
        errors[0].1.contains("integer") && errors[0].1.contains("\"ten\""),
        "{errors:?}"
    );
    assert!(errors[1].1.contains("YYYY-MM-DD"), "{errors:?}");
    assert_eq!(errors[2].1, "is required");
    assert_eq!(editing_dump(&w).await, before);

    // `tue` as the filters write it: read as 2, served as 2.
    let mut body = activity_body(w.facility_id);
    body["schedule"]["sessions"][0]["weekday"] = json!("tue");
    let r = send(
        &w.state,
        "POST",
        "/api/collections/activities/items",
        &[("authorization", &auth)],
        Some(body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["properties"]["schedule"]["sessions"][0]["weekday"],
        2
    );
}

/// Resolves a local `$ref` of the OpenAPI document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(doc, doc.pointer(r.trim_start_matches('#')).expect(r)),
        None => schema,
    }
}

/// Issue 21 item 1: every operation with a body has a schema that describes it (not a bare
/// `{"type": "object"}`); the activity schema is the one the server checks bodies with (its
/// example is accepted as written, a body it refuses is refused); the Problem schema lists
/// every problem type the server's code can send.
#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_describes_every_body_and_problem() {
    let w = world().await;
    let doc = send(&w.state, "GET", "/api/openapi.json", &[], None)
        .await
        .body;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut bodies = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for (media, c) in content {
                let schema = resolve(&doc, &c["schema"]);
                let described = schema["properties"]
                    .as_object()
                    .is_some_and(|p| !p.is_empty())
                    || schema["oneOf"].is_array()
                    || schema["anyOf"].is_array()
                    || schema["type"] == "array"
                    || schema["type"] == "string";
                assert!(described, "{method} {path} {media}: {schema}");
                bodies += 1;
            }
        }
    }
    assert!(bodies >= 20, "{bodies} bodies");
    let fields = resolve(&doc, &doc["components"]["schemas"]["ActivityFields"]);
    for name in ["schedule", "place", "facility_id", "age_min", "weekday"] {
        assert!(
            doc.to_string().contains(&format!("\"{name}\"")),
            "{name} is described"
        );
    }
    assert!(
        fields["required"]
            .as_array()
            .unwrap()
            .contains(&json!("schedule"))
    );

    // The document's example, with a facility of this store, is created as it stands.
    let post = &doc["paths"]["/api/collections/activities/items"]["post"];
    let mut example = post["requestBody"]["content"]["application/json"]["example"].clone();
    example["place"]["facility_id"] = json!(w.facility_id);
    let r = send(
        &w.state,
        "POST",
        "/api/collections/activities/items",
        &[("authorization", &bearer(&w.own))],
        Some(example),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Every problem type in the server's code is in the Problem schema.
    let listed: Vec<String> = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut found = std::collections::BTreeSet::new();
    // `problem(STATUS, "kind", …`: the kind is the first string after the first comma.
    let kinds_in = |text: &str| -> Vec<String> {
        text.match_indices("problem(")
            .filter_map(|(i, _)| {
                let rest = &text[i + "problem(".len()..];
                let after_comma = rest[rest.find(',')? + 1..].trim_start();
                let kind = after_comma.strip_prefix('"')?;
                let kind = &kind[..kind.find('"')?];
                kind.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-')
                    .then(|| kind.to_string())
            })
            .collect()
    };
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for kind in kinds_in(&text) {
                    found.insert(format!("/problems/{kind}"));
                }
            }
        }
    }
    assert!(found.len() >= 15, "{found:?}");
    for kind in &found {
        assert!(listed.contains(kind), "{kind} is not in the Problem schema");
    }
}
