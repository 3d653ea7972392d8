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
    let report = fixture_only(&t).await;
    (t, report)
}

/// The libraries' coverage within 5 minutes with `removed` closed (a scenario).
async fn libraries_removed(state: &naermiljo::http::AppState, removed: &[i64]) -> Value {
    let r = naermiljo::http::router(state.clone())
        .oneshot(
            Request::post("/api/coverage/scenario")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({ "kind": "library", "minutes": 5, "remove": removed }).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap()
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

    // The weekly table the pages show: seven Oslo days from today, each day's open hours
    // agreeing with open_at asked at noon that day (two ways to the same answer: the
    // crate's state at an instant and its intervals over a day).
    let week = item.body["properties"]["opening_hours_week"]
        .as_array()
        .expect("readable hours give a week");
    assert_eq!(week.len(), 7);
    let today = naermiljo::domain::activity::today(jiff::Timestamp::now());
    for (k, day) in week.iter().enumerate() {
        let date: jiff::civil::Date = day["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            date,
            today.checked_add(jiff::Span::new().days(k as i64)).unwrap()
        );
        let noon = get(
            &state,
            &format!("/api/collections/facilities/items/{library}?open_at={date}T12:00"),
        )
        .await;
        let open = day["open"].as_array().unwrap();
        assert_eq!(
            noon.body["properties"]["open_at"] == true,
            !open.is_empty(),
            "{day}"
        );
        let weekday = date.weekday().to_monday_one_offset();
        if weekday <= 5 && day["holiday"] == false {
            assert_eq!(open, &[json!(["08:00", "16:00"])], "{day}");
        } else {
            assert!(open.is_empty(), "{day}");
        }
    }
    for f in all.body["features"].as_array().unwrap() {
        let p = &f["properties"];
        if matches!(
            p["name"].as_str(),
            Some("Etter avtale-huset" | "Uten tider")
        ) {
            assert_eq!(p["opening_hours_week"], Value::Null, "{p}");
        }
    }

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
    let scenario = libraries_removed(&state, &closed).await;
    assert_eq!(
        open_coverage.body["total"], scenario["after"]["total"],
        "{scenario}"
    );
    assert_ne!(
        open_coverage.body["total"], scenario["before"]["total"],
        "closing changes coverage"
    );
    // The planner sees what counted: open, closed and unknown libraries then.
    let counted = &open_coverage.body["open_at_facilities"];
    let libraries_at: Vec<Value> = {
        let mut out = Vec::new();
        for f in libraries.body["features"].as_array().unwrap() {
            let id = f["id"].as_i64().unwrap();
            let one = get(
                &state,
                &format!("/api/collections/facilities/items/{id}?open_at={christmas}"),
            )
            .await;
            out.push(one.body["properties"]["open_at"].clone());
        }
        out
    };
    let unknown: Vec<i64> = libraries.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&libraries_at)
        .filter(|(_, at)| at.is_null())
        .map(|(f, _)| f["id"].as_i64().unwrap())
        .collect();
    assert!(!unknown.is_empty(), "«Uten tider» has no hours");
    assert_eq!(counted["closed"], closed.len(), "{counted}");
    assert_eq!(counted["unknown"], unknown.len(), "{counted}");
    assert_eq!(
        counted["open"],
        libraries_at.len() - closed.len() - unknown.len(),
        "{counted}"
    );
    assert_eq!(counted["unknown_counted_as"], "open");
    // Counted as closed instead, the unknown ones leave the coverage as a removal would.
    let strict = get(
        &state,
        &format!("/api/coverage?kind=library&minutes=5&open_at={christmas}&unknown_hours=closed"),
    )
    .await;
    assert_eq!(strict.status, 200, "{}", strict.body);
    assert_eq!(
        strict.body["open_at_facilities"]["unknown_counted_as"],
        "closed"
    );
    let removed: Vec<i64> = closed.iter().chain(&unknown).copied().collect();
    let scenario = libraries_removed(&state, &removed).await;
    assert_eq!(
        strict.body["total"], scenario["after"]["total"],
        "{scenario}"
    );
    for bad in [
        "unknown_hours=closed",
        &format!("open_at={christmas}&unknown_hours=maybe"),
    ] {
        let detail = assert_problem(
            &get(&state, &format!("/api/coverage?kind=library&{bad}")).await,
            400,
        );
        assert!(detail.contains("unknown_hours"), "{detail}");
    }

    // The facilities tile asked about a time holds what the items hold then, each marked.
    let z = 14;
    let (x, y) = crate::tiles::tile_of(z, naermiljo::domain::LonLat::new(10.7597, 59.9207));
    let tile = |query: &str| {
        let state = state.clone();
        let uri = format!("/tiles/facilities/{z}/{x}/{y}.mvt?{query}");
        async move {
            let (status, headers, bytes) = crate::tiles::fetch_with(&state, &uri, &[]).await;
            (status, bytes, headers)
        }
    };
    let (status, bytes, headers) = tile(&format!("open_at={christmas}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("cache-control").unwrap(), "public, max-age=300");
    let layers = crate::tiles::decode(&bytes);
    let in_tile: Vec<i64> = layers[0].features.iter().map(|f| f.id as i64).collect();
    assert!(
        layers[0].features.iter().all(|f| f.tags["open"] == "1"),
        "only what is open then, marked"
    );
    let bounds = naermiljo::tiles::TileId::new(z as i64, x as i64, y as i64)
        .unwrap()
        .bounds();
    let items_then = get(
        &state,
        &format!(
            "/api/collections/facilities/items?limit=1000&bbox={},{},{},{}&open_at={christmas}",
            bounds.min_lon, bounds.min_lat, bounds.max_lon, bounds.max_lat
        ),
    )
    .await;
    let mut want: Vec<i64> = items_then.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    let mut got = in_tile.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let (_, bytes, headers) = tile("open_now=false").await;
    assert_eq!(headers.get("cache-control").unwrap(), "public, max-age=60");
    let closed_now = crate::tiles::decode(&bytes);
    assert!(closed_now.is_empty() || closed_now[0].features.iter().all(|f| f.tags["open"] == "0"));
    let (status, _, _) = tile("open_at=never").await;
    assert_eq!(status, 400);
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
/// `[uid, summary, dtstart, dtend, location, description]` with the times in UTC ISO form.
fn parse_ics(text: &str) -> Vec<[String; 6]> {
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
                e.decoded("DTEND").astimezone(__import__("datetime").timezone.utc).isoformat(),
                str(e.get("LOCATION", "")), str(e.get("DESCRIPTION", ""))])
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

    // In English, and where a place has no name: the unnamed facility's kind and address,
    // a point's nearest address (or its coordinates), as LOCATION.
    let (unnamed, unnamed_label) = {
        let s = state.snapshot.load();
        let f = s
            .facilities
            .iter()
            .find(|f| f.name.is_none())
            .expect("the Oslo extract has unnamed facilities (playgrounds)");
        let label = match &f.address {
            Some(a) => format!("{}, {a}", f.kind.label_en()),
            None => f.kind.label_en().to_string(),
        };
        (f.id, label)
    };
    for (title, place) in [
        ("Ballspill", json!({ "facility_id": unnamed })),
        ("Utetrening", json!({ "lon": 10.7597, "lat": 59.9207 })),
    ] {
        let mut body = activity(
            title,
            json!([{ "weekday": 3, "start": "18:00", "end": "19:00" }]),
            json!([]),
        );
        body["place"] = place;
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
    let (status, _, ics) = call(
        &state,
        "GET",
        "/api/calendar?from=2026-12-21&to=2026-12-27&weekday=wed&lang=en&f=ics",
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{ics}");
    assert!(
        ics.contains("activities 2026-12-21"),
        "an English name: {ics}"
    );
    let events = parse_ics(&ics);
    let location = |title: &str| {
        events
            .iter()
            .find(|e| e[1] == title)
            .unwrap_or_else(|| panic!("{title} in {events:?}"))[4]
            .clone()
    };
    assert_eq!(location("Ballspill"), unnamed_label);
    let point = location("Utetrening");
    assert!(point.starts_with("near "), "{point}");
    let (status, _, text) = call(&state, "GET", "/api/calendar?lang=de", None, None).await;
    assert_eq!(status, 400, "{text}");

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

/// The hours fixture imported into `t` (alone: no walking network), and the import's report.
async fn fixture_only(t: &TestStore) -> naermiljo::cli::ImportReport {
    t.import(ImportCommand::Facilities {
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
    .unwrap()
}

/// Staff set a facility's hours and a knutepunkt's services in the portal (issue 18): every
/// bad field refused at once and nothing written; a good edit served at once, with its week
/// and open state, logged in the audit with before and after, and kept over a new import.
async fn staff_edit_hours_and_services(t: TestStore) {
    use crate::accounts::{send, session_of};
    use axum::http::StatusCode;
    use naermiljo::store::accounts::StaffRole;
    fixture_only(&t).await;
    let password = "et passord som er langt nok";
    let admin = t
        .store
        .create_person(
            "drift@kommune.example",
            "Dina Drift",
            Some(StaffRole::Admin),
            "nb",
            None,
        )
        .await
        .unwrap()
        .unwrap();
    t.store
        .set_password(admin, &naermiljo::accounts::hash_password(password), None)
        .await
        .unwrap();
    let state = t.state().await;
    let (cookie, csrf) = session_of(&state, "drift@kommune.example", password).await;
    let id_of = |name: &str| {
        state
            .snapshot
            .load()
            .facilities
            .iter()
            .find(|f| f.name.as_deref() == Some(name))
            .unwrap()
            .id
    };
    let (library, hub) = (id_of("Uten tider"), id_of("Alltid åpen"));
    let item = |id: i64| format!("/api/collections/facilities/items/{id}");
    let before = get(&state, &item(library)).await.body;
    assert_eq!(before["properties"]["opening_hours"], Value::Null);

    // Nobody but a signed-in staff admin with the form's token.
    let hours = json!({ "opening_hours": "Mo-Fr 10:00-18:00; PH off" });
    let r = send(
        &state,
        "PATCH",
        &item(library),
        None,
        None,
        Some(hours.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        None,
        Some(hours.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // Every refusal at once, by field; nothing written.
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "opening_hours": "kl 10-14", "services": ["bibliotek"], "name": "x" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    for field in ["opening_hours", "services", "name"] {
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    assert!(
        r.text.contains("Mo-Fr 08:00-16:00"),
        "shows how: {}",
        r.text
    );
    assert_eq!(get(&state, &item(library)).await.body, before);
    let r = send(
        &state,
        "PATCH",
        "/api/collections/addresses/items/1",
        Some(&cookie),
        Some(&csrf),
        Some(hours.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Set: served at once, open state and week included.
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(hours.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["properties"]["opening_hours"],
        "Mo-Fr 10:00-18:00; PH off"
    );
    assert_eq!(
        r.body["properties"]["opening_hours_week"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let christmas = get(
        &state,
        &format!("{}?open_at=2026-12-25T12:00", item(library)),
    )
    .await;
    assert_eq!(christmas.body["properties"]["open_at"], false);
    let monday = get(
        &state,
        &format!("{}?open_at=2026-12-21T12:00", item(library)),
    )
    .await;
    assert_eq!(monday.body["properties"]["open_at"], true);

    // A knutepunkt's services, each with its own hours; a service's bad hours named by place.
    let r = send(
        &state,
        "PATCH",
        &item(hub),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "services": [{ "service": "bibliotek", "opening_hours": "Mo-Fr 99:00" }] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("services/0/opening_hours"), "{}", r.text);
    let r = send(
        &state,
        "PATCH",
        &item(hub),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "services": [
            { "service": "bibliotek", "opening_hours": "Mo-Fr 10:00-16:00" },
            { "service": "kafé" },
        ] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let services = r.body["properties"]["services_now"].as_array().unwrap();
    assert_eq!(services.len(), 2, "{}", r.body);
    assert!(services[0]["week"].is_array() && services[1]["week"].is_null());

    // The organisation that runs a facility keeps its hours from its own portal; only staff
    // say which organisation that is.
    let org = t
        .store
        .create_organisation(
            "Frivilligsentralen",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    let other = t
        .store
        .create_organisation(
            "Annen forening",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    for (email, at) in [
        ("leder@frivillig.example", org),
        ("annen@forening.example", other),
    ] {
        let id = t
            .store
            .create_person(email, "Leder", None, "nb", None)
            .await
            .unwrap()
            .unwrap();
        t.store
            .set_password(id, &naermiljo::accounts::hash_password(password), None)
            .await
            .unwrap();
        t.store
            .set_membership(id, at, naermiljo::store::accounts::OrgRole::Editor, None)
            .await
            .unwrap();
    }
    state.reload.reload().await.unwrap();
    let (member, member_csrf) = session_of(&state, "leder@frivillig.example", password).await;
    let (outsider, outsider_csrf) = session_of(&state, "annen@forening.example", password).await;
    let evening = json!({ "opening_hours": "Mo-Th 17:00-21:00" });
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&member),
        Some(&member_csrf),
        Some(evening.clone()),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not yet theirs: {}",
        r.text
    );
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "operator_org": 999_999 })),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "operator_org": org })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["properties"]["operator_org"], org);
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&member),
        Some(&member_csrf),
        Some(evening.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["properties"]["opening_hours"], "Mo-Th 17:00-21:00");
    for (who, token, body, why) in [
        (
            &member,
            &member_csrf,
            json!({ "operator_org": other }),
            "a member cannot hand it on",
        ),
        (
            &outsider,
            &outsider_csrf,
            evening.clone(),
            "another organisation's member",
        ),
    ] {
        let r = send(
            &state,
            "PATCH",
            &item(library),
            Some(who),
            Some(token),
            Some(body),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{why}: {}", r.text);
    }
    let r = send(
        &state,
        "PATCH",
        &item(hub),
        Some(&member),
        Some(&member_csrf),
        Some(evening.clone()),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a facility it does not run: {}",
        r.text
    );
    let runs = send(
        &state,
        "GET",
        &format!("/api/organisations/{org}/facilities"),
        Some(&member),
        None,
        None,
    )
    .await;
    assert_eq!(runs.status, StatusCode::OK, "{}", runs.text);
    assert_eq!(runs.body["facilities"][0]["id"], library);
    assert_eq!(runs.body["facilities"].as_array().unwrap().len(), 1);
    let r = send(
        &state,
        "GET",
        &format!("/api/organisations/{org}/facilities"),
        Some(&outsider),
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Back to what the rest of this test expects.
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(hours.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // The audit log has each change with before and after; the refused ones left nothing.
    let audit: Vec<_> = t
        .store
        .audit_log(20)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.collection == "facilities")
        .collect();
    assert_eq!(audit.len(), 5, "{audit:?}");
    let first = audit
        .iter()
        .filter(|a| a.item_id == library)
        .min_by_key(|a| a.id)
        .unwrap();
    assert_eq!(first.person_id, Some(admin));
    assert_eq!(first.action, "update");
    assert_eq!(first.before, Some(json!({ "opening_hours": null })));
    assert_eq!(first.after, Some(hours.clone()));

    // A new import of the same source keeps the staff's edit over the file's (no) hours.
    fixture_only(&t).await;
    state.reload.reload().await.unwrap();
    let again = get(&state, &item(library)).await;
    assert_eq!(
        again.body["properties"]["opening_hours"],
        "Mo-Fr 10:00-18:00; PH off"
    );
    // Removing the hours again: null, and the facility is back to unknown.
    let r = send(
        &state,
        "PATCH",
        &item(library),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "opening_hours": "" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["properties"]["opening_hours"], Value::Null);
    assert_eq!(r.body["properties"]["open_now"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_edit_hours_and_services_on_sqlite() {
    staff_edit_hours_and_services(TestStore::new().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_edit_hours_and_services_on_postgis() {
    staff_edit_hours_and_services(TestStore::postgis().await).await;
}
