//! The open activity feed for aggregators (issue 17 item 4): OpenActive RPDE at
//! `/api/feeds/session-series`, walked as a harvester walks it, with a change and a
//! deletion made between two walks, an organisation's consent given and withdrawn, and
//! every page checked by OpenActive's own validators (tests/clients/openactive_feed.mjs).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::accounts::send_with;
use crate::common::{assert_problem, get};
use crate::organisations::Clubs;

const FEED: &str = "/api/feeds/session-series";

/// A page as fetched, for the validators.
struct Page {
    url: String,
    json: Value,
    cache_control: String,
    content_type: String,
}

/// Walks the feed from `from` (a path and query) to its last page: every item in order,
/// the pages, and the last page's URL (where a harvester polls next).
async fn walk(c: &Clubs, from: &str) -> (Vec<Value>, Vec<Page>, String) {
    let (mut items, mut pages) = (Vec::new(), Vec::new());
    let mut url = from.to_string();
    for _ in 0..100 {
        let r = get(&c.state, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        let next = r.body["next"].as_str().unwrap().to_string();
        let got = r.body["items"].as_array().unwrap().clone();
        let last = got.is_empty();
        items.extend(got);
        pages.push(Page {
            url: format!("http://test.local{url}"),
            json: r.body.clone(),
            cache_control: r.header("cache-control").to_string(),
            content_type: r.content_type.clone(),
        });
        let next = next
            .strip_prefix("http://test.local")
            .unwrap_or_else(|| panic!("next is not absolute on this server: {next}"))
            .to_string();
        if last {
            assert_eq!(next, url, "the last page's next is its own URL");
            return (items, pages, url);
        }
        url = next;
    }
    panic!("the feed from {from} did not end within 100 pages");
}

/// `(id, state)` of each item, in feed order.
fn states(items: &[Value]) -> Vec<(i64, String)> {
    items
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().unwrap(),
                i["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_harvester_sees_each_change_once_and_deletions_as_tombstones() {
    harvest(Clubs::new().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_harvester_of_a_postgis_store_sees_the_same() {
    harvest(Clubs::on(crate::common::TestStore::postgis().await).await).await;
}

async fn harvest(c: Clubs) {
    let (admin_a, editor_a, editor_b, staff) = (0, 1, 2, 3);
    let org_a = format!("/api/organisations/{}", c.a);
    let a1 = c.activity(editor_a, "Fotball 8–12").await;
    let a2 = c.activity(editor_a, "Løpegruppe").await;
    let a3 = c.activity(editor_a, "Basistrening").await;
    let b1 = c.activity(editor_b, "Kor for alle").await;

    // Nothing is published before the organisation agrees: the feed names the activities
    // only as deleted (an id and a change number, no data).
    let (items, _, _) = walk(&c, &format!("{FEED}?limit=2")).await;
    let deleted = |ids: &[i64]| -> Vec<(i64, String)> {
        ids.iter().map(|&i| (i, "deleted".to_string())).collect()
    };
    assert_eq!(states(&items), deleted(&[a1, a2, a3, b1]));
    assert!(items.iter().all(|i| i.get("data").is_none()));
    // An editor cannot agree for the club, nor can the municipality's staff; its admin can.
    for who in [editor_a, staff] {
        let r = c
            .call(who, "PATCH", &org_a, Some(json!({ "open_data": true })))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    let r = c
        .call(admin_a, "PATCH", &org_a, Some(json!({ "open_data": true })))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    let (items, mut pages, cursor) = walk(&c, &format!("{FEED}?limit=2")).await;
    let updated = |ids: &[i64]| -> Vec<(i64, String)> {
        ids.iter().map(|&i| (i, "updated".to_string())).collect()
    };
    assert_eq!(
        states(&items),
        [deleted(&[b1]), updated(&[a1, a2, a3])].concat(),
        "B's activity stays unpublished"
    );
    assert_eq!(pages.len(), 3, "2 + 2 items, then the last page");
    let first = &items[1];
    assert_eq!(first["kind"], "SessionSeries");
    assert_eq!(first["data"]["@type"], "SessionSeries");
    assert_eq!(first["data"]["name"], "Fotball 8–12");
    assert_eq!(first["data"]["organizer"]["name"], "Strømsø IL");
    assert_eq!(
        pages[0].json["license"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert!(pages[0].cache_control.contains("max-age=3600"));
    assert!(pages[2].cache_control.contains("max-age=8"));

    // A change to one activity and the deletion of another, then the harvester goes on
    // from where it stopped: each appears once, in the order they happened.
    let (_, cookie, csrf) = c.people[editor_a].clone();
    let facility_id = c.state.snapshot.load().facilities[0].id;
    let r = send_with(
        &c.state,
        "PUT",
        &format!("/api/collections/activities/items/{a1}"),
        Some(&cookie),
        Some(&csrf),
        &[("if-match", "\"v1\"")],
        Some(json!({
            "title": "Fotball 8–13", "category": "sport", "price_nok": 0,
            "place": { "facility_id": facility_id },
            "schedule": { "sessions": [{ "weekday": 3, "start": "17:00", "end": "18:30" }] },
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send_with(
        &c.state,
        "DELETE",
        &format!("/api/collections/activities/items/{a2}"),
        Some(&cookie),
        Some(&csrf),
        &[("if-match", "\"v1\"")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let (items, more, cursor) = walk(&c, &cursor).await;
    assert_eq!(
        states(&items),
        vec![(a1, "updated".into()), (a2, "deleted".into())],
        "the change, then the tombstone"
    );
    assert_eq!(items[0]["data"]["name"], "Fotball 8–13");
    assert!(items[1].get("data").is_none(), "a tombstone has no data");
    assert!(items[1]["modified"].as_i64() > items[0]["modified"].as_i64());
    pages.extend(more);
    // From the start, a new harvester sees each activity once: the deleted one last.
    let (all, _, _) = walk(&c, FEED).await;
    assert_eq!(
        states(&all),
        vec![
            (b1, "deleted".into()),
            (a3, "updated".into()),
            (a1, "updated".into()),
            (a2, "deleted".into())
        ]
    );

    // Consent withdrawn: the club's activities leave the feed as tombstones.
    let r = c
        .call(
            admin_a,
            "PATCH",
            &org_a,
            Some(json!({ "open_data": false })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let (items, _, cursor) = walk(&c, &cursor).await;
    assert_eq!(
        states(&items),
        vec![(a1, "deleted".into()), (a3, "deleted".into())]
    );
    // Staff may withdraw consent too, but not give it (above). The admin agrees again, and
    // staff merge club B into A: B's activity is A's now, published with its new organiser.
    let r = c
        .call(admin_a, "PATCH", &org_a, Some(json!({ "open_data": true })))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = c
        .call(
            staff,
            "POST",
            &format!("/api/organisations/{}/merge", c.b),
            Some(json!({ "into": c.a })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (items, _, _) = walk(&c, &cursor).await;
    assert_eq!(
        states(&items),
        updated(&[a1, a3, b1]),
        "consent again, then the merge"
    );
    assert_eq!(items[2]["data"]["organizer"]["name"], "Strømsø IL");
    assert!(
        items[2]["data"]["organizer"].get("email").is_none(),
        "no contact text in the open feed"
    );

    // An import renames the facility where all three are held: a harvester gets each again,
    // with the new name in its location; the same file once more changes nothing.
    let (_, _, cursor) = walk(&c, &cursor).await;
    for name in ["Marienlyst kunstgress", "Marienlyst kunstgress"] {
        crate::accounts::one_facility(
            c.t.store.as_ref(),
            naermiljo::domain::FacilityKind::Pitch,
            name,
        )
        .await;
    }
    c.state.reload.reload().await.unwrap();
    let (items, _, cursor) = walk(&c, &cursor).await;
    assert_eq!(states(&items), updated(&[a1, a3, b1]), "the rename");
    assert!(
        items
            .iter()
            .all(|i| i["data"]["location"]["name"] == "Marienlyst kunstgress"),
        "{items:?}"
    );
    let (items, _, _) = walk(&c, &cursor).await;
    assert!(
        items.is_empty(),
        "an unchanged import is no change: {items:?}"
    );

    // The dataset description names the licence and how consent is given.
    let r = get(&c.state, "/api/feeds").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["license"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert!(r.body["description"].as_str().unwrap().contains("agreed"));
    assert_eq!(
        r.body["distribution"][0]["contentUrl"],
        format!("http://test.local{FEED}")
    );

    // Bad input: a 400 problem each.
    for (query, parameter) in [
        ("afterTimestamp=5", "afterId"),
        ("afterId=5", "afterTimestamp"),
        ("afterTimestamp=x&afterId=1", "afterTimestamp"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("since=1", "since"),
    ] {
        let r = get(&c.state, &format!("{FEED}?{query}")).await;
        let detail = assert_problem(&r, 400);
        assert!(
            detail.contains(parameter),
            "{query}: {detail} does not name {parameter}"
        );
    }

    validate(&c, &pages).await;
}

/// OpenActive's validators over the pages: none of the RPDE checks may fail, and the data
/// model's only failures may be that our categories are not OpenActive's activity list.
async fn validate(c: &Clubs, pages: &[Page]) {
    let dir = tempfile_dir();
    let pages_file = dir.join("pages.json");
    let list: Vec<Value> = pages
        .iter()
        .map(|p| {
            json!({ "url": p.url, "json": p.json, "contentType": p.content_type,
                    "cacheControl": p.cache_control, "status": 200 })
        })
        .collect();
    std::fs::write(&pages_file, Value::Array(list).to_string()).unwrap();
    let categories = get(&c.state, "/api/feeds/activity-categories").await;
    assert_eq!(categories.status, 200);
    let categories_file = dir.join("categories.json");
    std::fs::write(&categories_file, categories.body.to_string()).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/openactive_feed.mjs");
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(&pages_file)
        .arg(&categories_file)
        .output()
        .unwrap_or_else(|e| {
            panic!("node is needed for the OpenActive validators (install Node.js): {e}")
        });
    assert!(
        out.status.success(),
        "{}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pages"], pages.len());
    assert_eq!(report["rpde"], json!([]), "RPDE problems: {report}");
    let model = report["model"].as_array().unwrap();
    // Two known disagreements, and nothing else: our categories are a scheme of our own
    // (OpenActive's activity list names single sports), and the data-model validator calls
    // the last page's `items: []` empty, which RPDE itself requires.
    let others: Vec<&Value> = model
        .iter()
        .filter(|e| e["type"] != "use_official_activity_list")
        .filter(|e| !(e["type"] == "field_is_empty" && e["path"] == "$.items"))
        .collect();
    assert!(
        model
            .iter()
            .any(|e| e["type"] == "use_official_activity_list"),
        "the validator did not look at the activities: {report}"
    );
    assert!(others.is_empty(), "data model failures: {others:#?}");
    std::fs::remove_dir_all(&dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "naermiljo-feed-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
