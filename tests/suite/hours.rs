//! Opening hours and the calendar (issue 18): `open_now`/`open_at` on facilities (items, item,
//! reach) and activities, the import's count of hours it could not read, and
//! `/api/calendar` as JSON and as iCalendar read back by Python's `icalendar` (pinned in
//! tests/requirements.txt; scripts/test installs it).

use std::path::PathBuf;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use naermiljo::cli::ImportCommand;
use naermiljo::domain::FacilityKind;
use naermiljo::domain::activity::OrgKind;
use naermiljo::store::editing::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{TestStore, assert_problem, get, oslo_pbf, osm};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/hours/facilities.geojson")
}

fn names(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

async fn world() -> (TestStore, naermiljo::cli::ImportReport) {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let report = t
        .import(ImportCommand::Facilities {
            file: fixture(),
            kind: FacilityKind::CommunityCentre,
            kind_property: Some("kind".into()),
            id_property: None,
            name_property: "name".into(),
            lon_column: None,
            lat_column: None,
            crs: None,
            source: Some("hours-fixture".into()),
        })
        .await
        .unwrap();
    (t, report)
}

#[tokio::test(flavor = "multi_thread")]
async fn facilities_answer_open_now_and_open_at_in_oslo_time() {
    let (t, report) = world().await;
    // The import counts the hours it could not read, and names them.
    assert_eq!(report.hours.0, 5, "five fixture facilities have hours");
    assert_eq!(report.hours.1.len(), 1, "{:?}", report.hours.1);
    assert!(
        report.hours.1[0].contains("etter avtale"),
        "{:?}",
        report.hours.1
    );
    assert!(
        report.to_string().contains("1 could not be read"),
        "{report}"
    );
    let state = t.state().await;
    let items = "/api/collections/facilities/items?limit=1000&bbox=10.757,59.919,10.762,59.922&kind=library,youth_club,community_centre";
    let ours = |body: &Value| {
        names(body)
            .into_iter()
            .filter(|n| {
                [
                    "Prøvebiblioteket",
                    "Lørdagskafeen",
                    "Nattklubben for unge",
                    "Etter avtale-huset",
                    "Alltid åpen",
                    "Uten tider",
                ]
                .contains(&n.as_str())
            })
            .collect::<Vec<_>>()
    };
    let all = get(&state, items).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ours(&all.body).len(), 6);
    for f in all.body["features"].as_array().unwrap() {
        let p = &f["properties"];
        assert!(
            p.get("open_now").is_some() && p.get("next_change").is_some(),
            "{p}"
        );
        assert!(p.get("open_at").is_none(), "open_at only when asked: {p}");
        match p["name"].as_str().unwrap() {
            // Never told as closed: unreadable hours and no hours are unknown.
            "Etter avtale-huset" | "Uten tider" => {
                assert_eq!(p["open_now"], Value::Null, "{p}");
                assert_eq!(p["next_change"], Value::Null, "{p}");
            }
            "Alltid åpen" => {
                assert_eq!(p["open_now"], true);
                assert_eq!(p["next_change"], Value::Null, "24/7 never changes");
            }
            "Prøvebiblioteket" => {
                assert!(p["open_now"].is_boolean(), "{p}");
                let next = p["next_change"].as_str().unwrap();
                assert!(
                    next.ends_with(":00+01:00") || next.ends_with(":00+02:00"),
                    "{next}"
                );
            }
            _ => {}
        }
    }

    let at = |time: &str| format!("{items}&open_at={time}");
    // Thursday 24 December 10:00 is a working day in Norway (julaften is no public holiday).
    let r = get(&state, &at("2026-12-24T10:00")).await;
    assert_eq!(
        ours(&r.body),
        ["Alltid åpen", "Prøvebiblioteket"],
        "{}",
        r.body
    );
    assert!(
        r.body["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["open_at"] == true)
    );
    // 1. juledag: the library keeps PH off.
    let r = get(&state, &at("2026-12-25T10:00")).await;
    assert_eq!(ours(&r.body), ["Alltid åpen"]);
    // Saturday 5 December: the café, and at 01:30 the Friday-night club (across midnight).
    let r = get(&state, &at("2026-12-05T11:00")).await;
    assert_eq!(ours(&r.body), ["Alltid åpen", "Lørdagskafeen"]);
    let r = get(&state, &at("2026-12-05T01:30")).await;
    assert_eq!(ours(&r.body), ["Alltid åpen", "Nattklubben for unge"]);
    // An instant with an offset: 09:30Z is 10:30 in Oslo in winter.
    let r = get(&state, &at("2026-11-30T09:30:00Z")).await;
    assert_eq!(ours(&r.body), ["Alltid åpen", "Prøvebiblioteket"]);
    // The paging links keep the question.
    assert!(
        r.body["links"][0]["href"]
            .as_str()
            .unwrap()
            .contains("open_at="),
        "{}",
        r.body["links"]
    );

    // open_now=true and false never include what is unknown.
    let open = ours(&get(&state, &format!("{items}&open_now=true")).await.body);
    let closed = ours(&get(&state, &format!("{items}&open_now=false")).await.body);
    assert!(open.contains(&"Alltid åpen".to_string()), "{open:?}");
    for unknown in ["Etter avtale-huset", "Uten tider"] {
        assert!(!open.contains(&unknown.to_string()) && !closed.contains(&unknown.to_string()));
    }
    assert_eq!(open.len() + closed.len(), 4);

    // One item answers the same members, and open_at when asked.
    let library = all.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == "Prøvebiblioteket")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let item = get(
        &state,
        &format!("/api/collections/facilities/items/{library}?open_at=2026-12-25T10:00"),
    )
    .await;
    assert_eq!(item.status, 200, "{}", item.body);
    assert_eq!(item.body["properties"]["open_at"], false);
    assert_eq!(
        item.body["properties"]["opening_hours"],
        "Mo-Fr 08:00-16:00; PH off"
    );
    assert_eq!(item.body["links"][0]["rel"], "self");

    // Reach from Schous plass keeps only what is open at the time asked.
    let reach = |extra: &str| {
        format!(
            "/api/reach?lon=10.7597&lat=59.9207&minutes=5&kind=library,youth_club,community_centre{extra}"
        )
    };
    let r = get(&state, &reach("&open_at=2026-12-05T11:00")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let reached = names(&r.body["facilities"]);
    assert!(
        reached.contains(&"Lørdagskafeen".to_string()),
        "{reached:?}"
    );
    assert!(
        !reached.contains(&"Prøvebiblioteket".to_string()),
        "{reached:?}"
    );
    assert!(
        r.body["facilities"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["open_at"] == true)
    );
    let r = get(&state, &reach("")).await;
    let library = r.body["facilities"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == "Prøvebiblioteket")
        .expect("the library is within 5 minutes");
    assert!(library["properties"]["open_now"].is_boolean());
    assert!(library["properties"].get("open_at").is_none());

    // Coverage open at a time equals a scenario that closes what is closed then (found one
    // by one through the items), and differs from the coverage of every library.
    let christmas = "2026-12-25T10:00";
    let libraries = get(
        &state,
        "/api/collections/facilities/items?kind=library&limit=1000",
    )
    .await;
    let mut closed = Vec::new();
    for f in libraries.body["features"].as_array().unwrap() {
        let id = f["id"].as_i64().unwrap();
        let one = get(
            &state,
            &format!("/api/collections/facilities/items/{id}?open_at={christmas}"),
        )
        .await;
        if one.body["properties"]["open_at"] == false {
            closed.push(id);
        }
    }
    assert!(
        !closed.is_empty(),
        "the fixture library is closed on 1. juledag"
    );
    let open_coverage = get(
        &state,
        &format!("/api/coverage?kind=library&minutes=5&open_at={christmas}"),
    )
    .await;
    assert_eq!(open_coverage.status, 200, "{}", open_coverage.body);
    let scenario = naermiljo::http::router(state.clone())
        .oneshot(
            Request::post("/api/coverage/scenario")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({ "kind": "library", "minutes": 5, "remove": closed }).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    let scenario: Value =
        serde_json::from_slice(&scenario.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(
        open_coverage.body["total"], scenario["after"]["total"],
        "{scenario}"
    );
    assert_ne!(
        open_coverage.body["total"], scenario["before"]["total"],
        "closing changes coverage"
    );
    assert_problem(
        &get(
            &state,
            "/api/coverage?category=sport&open_at=2026-12-25T10:00",
        )
        .await,
        400,
    );

    // Bad questions are problems that name the parameter and the form.
    let detail = assert_problem(&get(&state, &at("24.12.2026")).await, 400);
    assert!(detail.contains("2026-12-24T10:00"), "{detail}");
    assert_problem(&get(&state, &format!("{items}&open_now=yes")).await, 400);
    let detail = assert_problem(
        &get(&state, "/api/collections/addresses/items?open_now=true").await,
        400,
    );
    assert!(detail.contains("opening hours"), "{detail}");
    assert_problem(&get(&state, &reach("&open_at=tomorrow")).await, 400);
}

async fn call(
    state: &naermiljo::http::AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "test.local");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
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
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

/// Python's `icalendar` reads the document; returns each event as
/// `[uid, summary, dtstart, dtend]` with the times in UTC ISO form.
fn parse_ics(text: &str) -> Vec<[String; 4]> {
    let python = std::env::var("NAERMILJO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "NAERMILJO_TEST_PYTHON is not set: run the tests with scripts/test, which makes a \
             virtual environment with tests/requirements.txt (icalendar), or point it at a \
             python that has `pip install -r tests/requirements.txt`"
        )
    });
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
out = []
for e in cal.walk("VEVENT"):
    out.append([str(e["UID"]), str(e["SUMMARY"]),
                e.decoded("DTSTART").astimezone(__import__("datetime").timezone.utc).isoformat(),
                e.decoded("DTEND").astimezone(__import__("datetime").timezone.utc).isoformat()])
print(json.dumps(out))
"#;
    let out = crate::common::tool(&python, &["-c", script], Some(text));
    serde_json::from_str(&out).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_calendar_expands_sessions_in_oslo_time_as_json_and_icalendar() {
    let (t, _) = world().await;
    let org = t
        .store
        .create_organisation("Schous IL", OrgKind::SportsClub, None, false, None)
        .await
        .unwrap();
    let token = "nm_test_calendar";
    let hash = naermiljo::http::programme::token_sha256(token);
    t.store
        .create_token(org, Role::Admin, &hash, Some("test"), None)
        .await
        .unwrap();
    let state = t.state().await;
    let library = state
        .snapshot
        .load()
        .facilities
        .iter()
        .find(|f| f.name.as_deref() == Some("Prøvebiblioteket"))
        .unwrap()
        .id;
    let activity = |title: &str, sessions: Value, exceptions: Value| {
        json!({
            "org_id": org,
            "title": title,
            "category": "culture",
            "price_nok": 0,
            "place": { "facility_id": library },
            "schedule": { "sessions": sessions, "exceptions": exceptions },
        })
    };
    // Tuesdays 17:00–18:30 except 29 December; Saturdays 11:00–12:00.
    for body in [
        activity(
            "Leksehjelp",
            json!([{ "weekday": 2, "start": "17:00", "end": "18:30" }]),
            json!(["2026-12-29"]),
        ),
        activity(
            "Lørdagsverksted",
            json!([{ "weekday": 6, "start": "11:00", "end": "12:00" }]),
            json!([]),
        ),
    ] {
        let (status, _, text) = call(
            &state,
            "POST",
            "/api/collections/activities/items",
            Some(token),
            Some(body),
        )
        .await;
        assert_eq!(status, 201, "{text}");
    }
    let near = "lon=10.7597&lat=59.9207&minutes=10";

    let (status, content_type, text) = call(
        &state,
        "GET",
        &format!("/api/calendar?{near}&from=2026-12-21&to=2026-12-31"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type, "application/json");
    let body: Value = serde_json::from_str(&text).unwrap();
    let sessions: Vec<(String, String, String)> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["title"].as_str().unwrap().into(),
                s["start"].as_str().unwrap().into(),
                s["end"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        sessions,
        [
            (
                "Leksehjelp".into(),
                "2026-12-22T17:00:00+01:00".into(),
                "2026-12-22T18:30:00+01:00".into()
            ),
            (
                "Lørdagsverksted".into(),
                "2026-12-26T11:00:00+01:00".into(),
                "2026-12-26T12:00:00+01:00".into()
            ),
        ],
        "the exception on the 29th is applied"
    );
    assert!(body["sessions"][0]["walk_minutes"].as_u64().unwrap() <= 10);
    assert_eq!(body["sessions"][0]["place"], "Prøvebiblioteket");

    // Across the change to summer time (28 March 2027) the wall time stays 17:00.
    let (_, _, text) = call(
        &state,
        "GET",
        &format!("/api/calendar?{near}&from=2027-03-22&to=2027-04-04&weekday=tue"),
        None,
        None,
    )
    .await;
    let body: Value = serde_json::from_str(&text).unwrap();
    let starts: Vec<&str> = body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2027-03-23T17:00:00+01:00", "2027-03-30T17:00:00+02:00"]
    );

    // The same sessions as iCalendar, read by an independent parser.
    let ics_url = body["links"][0]["href"].as_str().unwrap();
    assert!(ics_url.contains("f=ics"), "{ics_url}");
    let path = ics_url.trim_start_matches("http://test.local");
    let (status, content_type, ics) = call(&state, "GET", path, None, None).await;
    assert_eq!(status, 200, "{ics}");
    assert_eq!(content_type, "text/calendar; charset=utf-8");
    let events = parse_ics(&ics);
    let times: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| (e[1].as_str(), e[2].as_str(), e[3].as_str()))
        .collect();
    assert_eq!(
        times,
        [
            (
                "Leksehjelp",
                "2027-03-23T16:00:00+00:00",
                "2027-03-23T17:30:00+00:00"
            ),
            (
                "Leksehjelp",
                "2027-03-30T15:00:00+00:00",
                "2027-03-30T16:30:00+00:00"
            ),
        ]
    );
    assert_ne!(events[0][0], events[1][0], "each session its own UID");
    // Fetched again, the UIDs are the same: a subscription updates in place.
    let (_, _, again) = call(&state, "GET", path, None, None).await;
    assert_eq!(
        parse_ics(&again)
            .iter()
            .map(|e| e[0].clone())
            .collect::<Vec<_>>(),
        events.iter().map(|e| e[0].clone()).collect::<Vec<_>>()
    );

    // Activities in session at a time.
    let (_, _, text) = call(
        &state,
        "GET",
        "/api/collections/activities/items?open_at=2026-12-22T17:30",
        None,
        None,
    )
    .await;
    let titles: Vec<String> = serde_json::from_str::<Value>(&text).unwrap()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["title"].as_str().unwrap().into())
        .collect();
    assert_eq!(titles, ["Leksehjelp"]);
    let (_, _, text) = call(
        &state,
        "GET",
        "/api/collections/activities/items?open_at=2026-12-29T17:30",
        None,
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["numberMatched"],
        0,
        "not on the exception date"
    );

    // Bad ranges are problems; nothing is expanded without bound.
    for (query, status) in [
        ("from=2026-12-10&to=2026-12-01", 400),
        ("from=2026-01-01&to=2026-12-31", 400),
        ("from=1.12.2026", 400),
        ("f=xml", 400),
    ] {
        let (got, content_type, text) =
            call(&state, "GET", &format!("/api/calendar?{query}"), None, None).await;
        assert_eq!(
            (got, content_type.as_str()),
            (status, "application/problem+json"),
            "{query}: {text}"
        );
    }
}

/// Knutepunkter (issue 18): an operator's file of hubs with their services, read in Norwegian
/// or English; each service answers its own open state; bad services are refused by name.
#[tokio::test(flavor = "multi_thread")]
async fn knutepunkter_list_their_services_with_their_own_hours() {
    let t = TestStore::new().await;
    let hubs = |file: PathBuf, kind: FacilityKind| ImportCommand::Facilities {
        file,
        kind,
        kind_property: None,
        id_property: None,
        name_property: "name".into(),
        lon_column: None,
        lat_column: None,
        crs: None,
        source: Some("knutepunkter".into()),
    };
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/hours/knutepunkter.geojson");
    let report = t
        .import(hubs(fixture.clone(), FacilityKind::CommunityCentre))
        .await
        .unwrap();
    assert_eq!(report.outcome.facilities.unwrap().inserted, 2);
    // The hubs' own hours and their services' are all read at import (none unreadable).
    assert_eq!(report.hours, (7, Vec::new()), "{report}");
    let state = t.state().await;
    // `knutepunkt` is Drammen's word for the community_centre kind.
    let list = get(
        &state,
        "/api/collections/facilities/items?kind=knutepunkt&open_at=2026-12-01T18:00",
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let hub = list.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == "Prøve knutepunkt Grünerløkka")
        .expect("the hub is open on a Tuesday at 18:00")
        .clone();
    let p = &hub["properties"];
    let services: Vec<&str> = p["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(
        services,
        [
            "citizen_service",
            "library",
            "health_station",
            "meeting_rooms",
            "cafe",
            "youth_club"
        ]
    );
    assert_eq!(p["services"][3]["label_nb"], "Møterom til utlån");
    assert_eq!(p["services"][3]["contact"], "https://example.org/booking");
    assert_eq!(p["services"][1]["name"], "Prøvebiblioteket");
    assert!(
        p["details"].get("services").is_none(),
        "not twice: {}",
        p["details"]
    );
    let now = p["services_now"].as_array().unwrap();
    assert_eq!(now.len(), 6);
    // Each service's state is its own hours' state now.
    for (s, n) in p["services"].as_array().unwrap().iter().zip(now) {
        let hours =
            naermiljo::hours::Hours::parse(s["opening_hours"].as_str().unwrap(), None).unwrap();
        let want = hours.state(&naermiljo::hours::now()).as_bool();
        assert_eq!(n["open_now"], serde_json::json!(want), "{s}");
    }
    // The second hub names its services as a CSV cell would, without hours: unknown.
    let other = list.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == "Prøve knutepunkt Grønland");
    assert!(
        other.is_none(),
        "without hours it is not known to be open at 18:00"
    );
    let all = get(
        &state,
        "/api/collections/facilities/items?kind=community_centre&q=Grønland",
    )
    .await;
    let g = &all.body["features"][0]["properties"];
    assert_eq!(g["services"][1]["label_en"], "NAV guidance");
    assert_eq!(g["services_now"][0]["open_now"], Value::Null);

    // Activities at the hub, by facility, in the calendar.
    let id = hub["id"].as_i64().unwrap();
    let r = get(
        &state,
        &format!("/api/calendar?facility={id}&from=2026-12-01&to=2026-12-07"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sessions"].as_array().unwrap().len(), 0);
    assert_problem(&get(&state, "/api/calendar?facility=abc").await, 400);

    // Bad files change nothing and say which feature and service.
    let before = t.dump().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("hubs.geojson");
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","properties":{"name":"X","services":["bibliotek","svømmehall"]},"geometry":{"type":"Point","coordinates":[10.76,59.92]}}]}"#).unwrap();
    let e = t
        .import(hubs(bad.clone(), FacilityKind::CommunityCentre))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("feature 1") && e.contains("unknown service \"svømmehall\""),
        "{e}"
    );
    let e = t
        .import(hubs(fixture, FacilityKind::Library))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("services are offered at knutepunkter"), "{e}");
    assert_eq!(t.dump().await, before);
}
