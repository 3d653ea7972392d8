//! Medvirkning (issue 15) through the router, on the real Oslo extract: codes made by staff,
//! a pupil's proposal, moderation, supports, answers by email (the outbox), the public
//! collection, tiles and CSV, privacy in every public response, and retention; the store's
//! half on SQLite and PostGIS.

use axum::http::StatusCode;
use naermiljo::domain::LonLat;
use naermiljo::store::Store;
use naermiljo::store::accounts::StaffRole;
use naermiljo::store::participation::{
    Confirmed, CreateOutcome, ModerateOutcome, Moderation, NewBatch, NewProposal, SupportOutcome,
};
use serde_json::json;
use tower::ServiceExt;

use crate::accounts::{send, send_with, session_of};
use crate::common::{TestStore, oslo_pbf, osm};

/// A point in central Oslo on the extract (Tøyen), inside its bydeler.
const AT: (f64, f64) = (10.7722, 59.9155);

async fn moderator(t: &TestStore, state: &naermiljo::http::AppState) -> (String, String) {
    let password = "et passord som er langt nok";
    let id = t
        .store
        .create_person(
            "moderator@kommune.example",
            "Mona Moderator",
            Some(StaffRole::Moderator),
            "nb",
            None,
        )
        .await
        .unwrap()
        .unwrap();
    t.store
        .set_password(id, &naermiljo::accounts::hash_password(password), None)
        .await
        .unwrap();
    session_of(state, "moderator@kommune.example", password).await
}

/// The secret of the last link to `email` in the outbox.
async fn link_to(store: &dyn Store, email: &str) -> String {
    let mail = store
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipient == email)
        .max_by_key(|m| m.id)
        .unwrap_or_else(|| panic!("no email to {email}"));
    let at = mail
        .body
        .find("/delta/bekreft/")
        .expect("a link in the mail");
    mail.body[at + "/delta/bekreft/".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

fn proposal(code: Option<&str>, email: Option<&str>, title: &str, text: &str) -> serde_json::Value {
    json!({
        "category": "pitch", "title": title, "text": text, "lon": AT.0, "lat": AT.1, "lang": "nb",
        "code": code, "email": email,
    })
}

/// Every public response a crawler can reach about proposals, as one text.
async fn public_text(state: &naermiljo::http::AppState, ids: &[i64]) -> String {
    let mut out = String::new();
    let mut uris = vec![
        "/api/collections".to_string(),
        "/api/collections/proposals".into(),
        "/api/collections/proposals/items?limit=1000".into(),
        "/api/collections/proposals/items?f=csv".into(),
        format!("/api/reach?lon={}&lat={}&minutes=10", AT.0, AT.1),
        "/api/addresses/search?q=ballbinge".into(),
        "/api/collections/facilities/items?q=ballbinge".into(),
        "/api/openapi.json".into(),
    ];
    for id in ids {
        uris.push(format!("/api/collections/proposals/items/{id}"));
    }
    for uri in uris {
        let r = send(state, "GET", &uri, None, None, None).await;
        out.push_str(&r.text);
    }
    // Every zoom-14 to 16 tile around the point.
    for z in 14..=16u8 {
        let id = naermiljo::tiles::TileId::containing(LonLat::new(AT.0, AT.1), z);
        let r = send(
            state,
            "GET",
            &format!("/tiles/proposals/{z}/{}/{}.mvt", id.x, id.y),
            None,
            None,
            None,
        )
        .await;
        out.push_str(&String::from_utf8_lossy(r.text.as_bytes()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pupil_proposes_with_a_code_staff_publish_and_answer_and_nothing_private_leaks() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let (cookie, csrf) = moderator(&t, &state).await;
    let staff = |m: &'static str, uri: String, body: Option<serde_json::Value>| {
        let (state, cookie, csrf) = (state.clone(), cookie.clone(), csrf.clone());
        async move { send(&state, m, &uri, Some(&cookie), Some(&csrf), body).await }
    };

    // Staff make four codes: one proposal and two supports each.
    let expires = naermiljo::domain::activity::today(jiff::Timestamp::now())
        .saturating_add(jiff::Span::new().days(30))
        .to_string();
    let r = staff(
        "POST",
        "/api/participation/batches".into(),
        Some(json!({ "label": "7B Tøyen skole", "count": 4, "proposals": 1, "supports": 2, "expires": expires })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let codes: Vec<String> = r.body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 4);
    assert_eq!(r.body["batch"]["expires"], expires.as_str());
    // Not for residents: without a session, and without CSRF.
    let anon = send(
        &state,
        "POST",
        "/api/participation/batches",
        None,
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let no_csrf = send(
        &state,
        "POST",
        "/api/participation/batches",
        Some(&cookie),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);

    // Bad input: each field named, nothing stored.
    let before = t.store.proposals(None).await.unwrap().len();
    let bad = send(&state, "POST", "/api/proposals", None, None, Some(json!({ "category": "ballbinge", "title": "x", "text": "kort", "lon": AT.0, "lat": AT.1 }))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let fields: Vec<&str> = bad.body["invalid-params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category", "title", "text", "code"]);
    let outside = send(&state, "POST", "/api/proposals", None, None, Some(json!({
        "category": "pitch", "title": "Ballbinge i Bergen", "text": "Langt utenfor området", "lon": 5.32, "lat": 60.39, "code": codes[0],
    }))).await;
    assert_eq!(
        outside.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        outside.text
    );
    assert!(
        outside.body["detail"]
            .as_str()
            .unwrap()
            .contains("outside the area"),
        "{}",
        outside.text
    );
    let wrong = send(
        &state,
        "POST",
        "/api/proposals",
        None,
        None,
        Some(proposal(
            Some("ABCD-EFGH-JK"),
            None,
            "Ballbinge",
            "En ballbinge ved skolen",
        )),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.store.proposals(None).await.unwrap().len(),
        before,
        "nothing stored"
    );

    // A pupil proposes with code 1 and an email for answers.
    let pupil = "elev@skole.example";
    let text = "Vi trenger en ballbinge her. Ring Kari Nordmann på 912 34 567 om dugnad.";
    let r = send(
        &state,
        "POST",
        "/api/proposals",
        None,
        None,
        Some(proposal(
            Some(&codes[0]),
            Some(pupil),
            "Ballbinge ved Tøyen",
            text,
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["state"], "pending");
    assert_eq!(r.body["email_confirmation"], true);
    let id = r.body["id"].as_i64().unwrap();
    // The code has made its one proposal.
    let again = send(
        &state,
        "POST",
        "/api/proposals",
        None,
        None,
        Some(proposal(
            Some(&codes[0]),
            None,
            "Enda en",
            "Enda en ballbinge, takk",
        )),
    )
    .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "{}", again.text);
    // A second proposal, by email alone, waits for its link.
    let neighbour = "nabo@example.org";
    let secret_text = "Hemmelig ventende forslag om lys på stien";
    let r2 = send(&state, "POST", "/api/proposals", None, None, Some(json!({
        "category": "paths_lighting", "title": "Lys på stien", "text": secret_text, "lon": AT.0 + 0.002, "lat": AT.1, "email": neighbour, "lang": "en",
    }))).await;
    assert_eq!(r2.status, StatusCode::ACCEPTED, "{}", r2.text);
    assert_eq!(r2.body["state"], "unconfirmed");
    let id2 = r2.body["id"].as_i64().unwrap();

    // Nothing is public before a moderator publishes.
    let items = send(
        &state,
        "GET",
        "/api/collections/proposals/items",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(items.body["numberMatched"], 0, "{}", items.text);

    // The moderator sees the queue: flags, via code, has_email, never the address.
    let queue = staff("GET", "/api/moderation/proposals".into(), None).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
    let row = queue.body["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
        .clone();
    assert!(
        !queue.text.contains(pupil) && !queue.text.contains(&codes[0]),
        "{}",
        queue.text
    );
    assert_eq!(row["via"], "code");
    assert_eq!(row["batch"], "7B Tøyen skole");
    assert_eq!(row["has_email"], true);
    let flags: Vec<(String, String)> = row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().into(),
                f["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        flags.contains(&("phone".into(), "912 34 567".into())),
        "{flags:?}"
    );
    assert!(
        flags.contains(&("name".into(), "Kari Nordmann".into())),
        "{flags:?}"
    );
    assert!(
        !queue.body["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == id2),
        "the unconfirmed one waits outside the queue"
    );

    // The pupil confirms the email for answers (a GET shows a button; the POST confirms).
    let secret = link_to(t.store.as_ref(), pupil).await;
    let page = send(
        &state,
        "GET",
        &format!("/delta/bekreft/{secret}"),
        None,
        None,
        None,
    )
    .await;
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    let ok = send(
        &state,
        "POST",
        &format!("/delta/bekreft/{secret}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let twice = send(
        &state,
        "POST",
        &format!("/delta/bekreft/{secret}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND, "a link works once");

    // The moderator edits out the personal data (logged without the text), then publishes;
    // a stale version is refused.
    let version = row["version"].as_i64().unwrap();
    let stale = staff(
        "POST",
        format!("/api/moderation/proposals/{id}"),
        Some(json!({ "action": "publish", "version": version - 1 })),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert_eq!(stale.body["current_version"], version);
    let clean = "Vi trenger en ballbinge her. Kontakt skolen om dugnad.";
    let edited = staff(
        "POST",
        format!("/api/moderation/proposals/{id}"),
        Some(json!({ "action": "edit", "text": clean, "version": version })),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.body["flags"], json!([]));
    let published = staff(
        "POST",
        format!("/api/moderation/proposals/{id}"),
        Some(json!({ "action": "publish", "version": edited.body["version"] })),
    )
    .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    assert_eq!(published.body["state"], "published");
    let audit = t.store.audit_log(50).await.unwrap();
    let edit_row = audit
        .iter()
        .find(|a| {
            a.collection == "proposals"
                && a.item_id == id
                && a.after.as_ref().is_some_and(|v| v["action"] == "edit")
        })
        .expect("the edit is logged");
    assert!(
        !edit_row.after.as_ref().unwrap().to_string().contains("912"),
        "the log keeps no removed text"
    );

    // It is on the map: district, kommunedel (bydel), and its catchment.
    let item = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items/{id}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(item.status, StatusCode::OK, "{}", item.text);
    let p = &item.body["properties"];
    assert_eq!(p["text"], clean);
    assert_eq!(p["status"], "received");
    assert_eq!(p["kommunedel"]["level"], "bydel", "{p}");
    assert!(p["district"]["id"].is_string(), "{p}");
    let homes = p["catchment"]["homes"].as_u64().unwrap();
    let without = p["catchment"]["homes_without"].as_u64().unwrap();
    assert!(homes > 100, "{p}");
    assert!(without <= homes, "{p}");
    // The same count by a search over every address (no box), and the baseline of pitches.
    {
        let s = state.snapshot.load();
        let walk = s.walk.as_ref().unwrap();
        let profile = naermiljo::routing::Profile::Walk;
        let snapped = walk
            .network
            .snap(LonLat::new(AT.0, AT.1), profile, 500.0)
            .unwrap();
        let (_, times) =
            naermiljo::coverage::times_from(walk, &[snapped], &walk.address_snaps, profile, None);
        let within: Vec<usize> = (0..times.len()).filter(|&i| times[i] <= 600.0).collect();
        assert_eq!(homes as usize, within.len());
        let pitches = naermiljo::coverage::address_times(
            &s,
            &naermiljo::domain::KindFilter::parse("pitch").unwrap(),
            profile,
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(
            without as usize,
            within.iter().filter(|&&i| pitches[i] > 600.0).count()
        );
    }

    // Supports: codes 2, 3 and 4 count; code 2 again is refused, and so is the proposer's own
    // code 1, though it has supports left.
    for (code, expected) in [(&codes[1], 1), (&codes[2], 2), (&codes[3], 3)] {
        let r = send(
            &state,
            "POST",
            &format!("/api/proposals/{id}/supports"),
            None,
            None,
            Some(json!({ "code": code })),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["supports"], expected);
    }
    let dup = send(
        &state,
        "POST",
        &format!("/api/proposals/{id}/supports"),
        None,
        None,
        Some(json!({ "code": codes[1] })),
    )
    .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text);
    let own = send(
        &state,
        "POST",
        &format!("/api/proposals/{id}/supports"),
        None,
        None,
        Some(json!({ "code": codes[0] })),
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.text);
    assert!(own.text.contains("your own proposal"), "{}", own.text);
    // By email: counted once the link is followed.
    let supporter = "stotte@example.org";
    let r = send(
        &state,
        "POST",
        &format!("/api/proposals/{id}/supports"),
        None,
        None,
        Some(json!({ "email": supporter })),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let secret = link_to(t.store.as_ref(), supporter).await;
    send(
        &state,
        "POST",
        &format!("/delta/bekreft/{secret}"),
        None,
        None,
        None,
    )
    .await;
    let item = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items/{id}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(item.body["properties"]["supports"], 4, "{}", item.text);

    // The answer is public and goes to the pupil by email.
    let version = staff(
        "GET",
        "/api/moderation/proposals?state=published".into(),
        None,
    )
    .await
    .body["proposals"][0]["version"]
        .clone();
    let answer = "Bydelen har satt av penger til en ballbinge ved skolen neste år.";
    let r = staff("POST", format!("/api/moderation/proposals/{id}"), Some(json!({ "action": "answer", "status": "planned", "answer": answer, "version": version }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let notice = t
        .store
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.recipient == pupil && m.kind == "proposal_answer")
        .expect("the answer is mailed");
    assert!(notice.body.contains(answer), "{}", notice.body);
    let item = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items/{id}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(item.body["properties"]["status"], "planned");
    assert_eq!(item.body["properties"]["answers"][0]["answer"], answer);

    // The nærutvalg's list: by the bydel, as CSV.
    let bydel = item.body["properties"]["kommunedel"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items?district={bydel}&status=planned"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(listed.body["numberMatched"], 1, "{}", listed.text);
    let none = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items?district={bydel}&status=done"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(none.body["numberMatched"], 0);
    let csv = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items?district={bydel}&f=csv"),
        None,
        None,
        None,
    )
    .await;
    assert!(csv.text.starts_with('\u{feff}'), "{}", csv.text);
    assert_eq!(csv.text.lines().count(), 2, "{}", csv.text);
    assert!(
        csv.text.contains(&format!("(Planlagt): {answer}")),
        "{}",
        csv.text
    );
    assert!(
        csv.text.contains(&format!("{:.6}", AT.0).replace('.', ",")),
        "decimal commas: {}",
        csv.text
    );
    assert!(
        csv.text.contains(&format!(
            "Ballbinge ved Tøyen;{clean};Ballbinge / ballbane;Planlagt;4;"
        )),
        "{}",
        csv.text
    );
    let bad = send(
        &state,
        "GET",
        "/api/collections/proposals/items?status=maybe",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Its tile has it; the unconfirmed one is nowhere.
    let tile_id = naermiljo::tiles::TileId::containing(LonLat::new(AT.0, AT.1), 15);
    let tile = send(
        &state,
        "GET",
        &format!("/tiles/proposals/15/{}/{}.mvt", tile_id.x, tile_id.y),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(tile.status, StatusCode::OK);
    assert!(tile.text.contains("Ballbinge ved Tøyen"));

    let public = public_text(&state, &[id, id2]).await;
    for private in [
        pupil,
        neighbour,
        supporter,
        secret_text,
        "912 34 567",
        "Kari Nordmann",
    ] {
        assert!(
            !public.contains(private),
            "{private:?} is in a public response"
        );
    }
    for code in &codes {
        assert!(
            !public.contains(code.as_str()),
            "a code is in a public response"
        );
    }
    assert!(
        public.contains("Ballbinge ved Tøyen"),
        "the crawl reads the published one"
    );

    // Rate limit per network address: 5 proposals in 15 minutes.
    let mut last = StatusCode::OK;
    for n in 0..7 {
        let r = send_with(&state, "POST", "/api/proposals", None, None, &[("x-forwarded-for", "198.51.100.7")], Some(json!({
            "category": "other", "title": format!("Forslag {n}"), "text": "Et forslag om noe annet", "lon": AT.0, "lat": AT.1, "email": format!("n{n}@example.org"),
        }))).await;
        last = r.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// The store's half, the same on both backends: quotas, one support per participant,
/// merges counting each participant once, and what the purge deletes when.
async fn participation_contract(store: &dyn Store) {
    let now = naermiljo::store::editing::now_ms();
    let person = store
        .create_person("m@k.example", "M", Some(StaffRole::Moderator), "nb", None)
        .await
        .unwrap()
        .unwrap();
    let codes: Vec<String> = (0..3)
        .map(|_| naermiljo::participation::new_code())
        .collect();
    let sha = |c: &str| naermiljo::participation::code_sha256(c).unwrap();
    store
        .create_batch(
            &NewBatch {
                label: "Klubb".into(),
                code_sha256: codes.iter().map(|c| sha(c)).collect(),
                proposals: 2,
                supports: 1,
                expires_ms: now + 86_400_000,
            },
            person,
        )
        .await
        .unwrap();
    let new = |code: Option<&str>, email: Option<&str>, link: Option<&str>| NewProposal {
        category: "pitch".into(),
        title: "Ballbinge".into(),
        body: "En ballbinge, takk".into(),
        lon: 10.0,
        lat: 59.0,
        lang: "nb".into(),
        flags: vec![],
        code_sha256: code.map(sha),
        email: email.map(str::to_string),
        link_sha256: link.map(str::to_string),
        photo: None,
    };
    let created = |o: CreateOutcome| match o {
        CreateOutcome::Created { id, .. } => id,
        CreateOutcome::CodeRefused => panic!("refused"),
    };
    let a = created(
        store
            .create_proposal(
                &new(Some(&codes[0]), Some("a@x.example"), Some("link-a")),
                now,
            )
            .await
            .unwrap(),
    );
    let b = created(
        store
            .create_proposal(&new(Some(&codes[0]), None, None), now)
            .await
            .unwrap(),
    );
    assert_eq!(
        store
            .create_proposal(&new(Some(&codes[0]), None, None), now)
            .await
            .unwrap(),
        CreateOutcome::CodeRefused,
        "two proposals per code"
    );
    let c = created(
        store
            .create_proposal(&new(None, Some("c@x.example"), Some("link-c")), now)
            .await
            .unwrap(),
    );
    assert_eq!(
        store.confirm("link-a", now).await.unwrap(),
        Confirmed::Notices(a)
    );
    assert_eq!(store.confirm("link-a", now).await.unwrap(), Confirmed::Gone);
    let version = |id| async move { store.proposal(id).await.unwrap().unwrap().version };
    for id in [a, b] {
        let v = version(id).await;
        assert!(matches!(
            store
                .moderate(id, v, &Moderation::Publish, person)
                .await
                .unwrap(),
            ModerateOutcome::Done(_)
        ));
    }
    let mut parts = Vec::new();
    for c in &codes {
        parts.push(store.code_participant(&sha(c), now).await.unwrap().unwrap());
    }
    // Codes 1 and 2 support a; a code's one support is used then.
    assert_eq!(
        store
            .add_support(a, &parts[1], Some(&sha(&codes[1])), None, now)
            .await
            .unwrap(),
        SupportOutcome::Counted { supports: 1 }
    );
    assert_eq!(
        store
            .add_support(b, &parts[1], Some(&sha(&codes[1])), None, now)
            .await
            .unwrap(),
        SupportOutcome::CodeRefused,
        "one support per code"
    );
    assert_eq!(
        store
            .add_support(a, &parts[2], Some(&sha(&codes[2])), None, now)
            .await
            .unwrap(),
        SupportOutcome::Counted { supports: 2 }
    );
    let email = naermiljo::participation::participant_of_email("s@x.example");
    assert_eq!(
        store
            .add_support(b, &email, None, Some("link-s"), now)
            .await
            .unwrap(),
        SupportOutcome::AwaitingEmail
    );
    assert_eq!(
        store.confirm("link-s", now).await.unwrap(),
        Confirmed::Support(b)
    );
    assert_eq!(
        store
            .add_support(b, &email, None, Some("link-s2"), now)
            .await
            .unwrap(),
        SupportOutcome::Already
    );
    assert_eq!(
        store
            .add_support(c, &email, None, Some("link-s3"), now)
            .await
            .unwrap(),
        SupportOutcome::NotFound,
        "c is not published"
    );
    // Merging b into a: its one supporter joins a's two.
    let v = version(b).await;
    assert!(matches!(
        store
            .moderate(b, v, &Moderation::Merge { into: a }, person)
            .await
            .unwrap(),
        ModerateOutcome::Done(_)
    ));
    assert_eq!(store.proposal(a).await.unwrap().unwrap().supports, 3);
    let v = version(a).await;
    assert!(matches!(
        store
            .moderate(a, v, &Moderation::Merge { into: a }, person)
            .await
            .unwrap(),
        ModerateOutcome::Refused(_)
    ));
    // Closed: the email goes 90 days later; the unconfirmed c goes after 48 hours.
    assert!(matches!(
        store
            .moderate(
                a,
                v,
                &Moderation::Answer {
                    status: naermiljo::participation::Status::Done,
                    answer: "Ferdig".into()
                },
                person
            )
            .await
            .unwrap(),
        ModerateOutcome::Done(_)
    ));
    let day = 86_400_000;
    store.purge_participation(now + day).await.unwrap();
    assert!(
        store.proposal(c).await.unwrap().is_some(),
        "kept for 48 hours"
    );
    assert_eq!(
        store.proposal(a).await.unwrap().unwrap().email.as_deref(),
        Some("a@x.example")
    );
    store.purge_participation(now + 3 * day).await.unwrap();
    assert!(
        store.proposal(c).await.unwrap().is_none(),
        "unconfirmed, deleted after 48 hours"
    );
    store.purge_participation(now + 92 * day).await.unwrap();
    let a_row = store.proposal(a).await.unwrap().unwrap();
    assert_eq!(a_row.email, None, "deleted 90 days after closing");
    assert_eq!(a_row.supports, 3, "the proposal and its supports stay");
    assert_eq!(
        store.batches().await.unwrap().len(),
        0,
        "codes go 90 days after their batch expired"
    );
    assert_eq!(
        store.code_participant(&sha(&codes[1]), now).await.unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn participation_store_contract_on_sqlite() {
    let t = TestStore::new().await;
    participation_contract(t.store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn participation_store_contract_on_postgis() {
    let t = TestStore::postgis().await;
    participation_contract(t.store.as_ref()).await;
}

/// The Oslo extract in a fresh store, a signed-in moderator, and a batch of `count` codes
/// with `proposals` proposals each (no supports) valid for three days.
struct Staff {
    t: TestStore,
    state: naermiljo::http::AppState,
    cookie: String,
    csrf: String,
    codes: Vec<String>,
}

async fn staff_with_codes(label: &str, count: usize, proposals: i64) -> Staff {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let (cookie, csrf) = moderator(&t, &state).await;
    let expires = naermiljo::domain::activity::today(jiff::Timestamp::now())
        .saturating_add(jiff::Span::new().days(3))
        .to_string();
    let batch = send(
        &state,
        "POST",
        "/api/participation/batches",
        Some(&cookie),
        Some(&csrf),
        Some(json!({
            "label": label, "count": count, "proposals": proposals, "supports": 0, "expires": expires,
        })),
    )
    .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.text);
    let codes = batch.body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    Staff {
        t,
        state,
        cookie,
        csrf,
        codes,
    }
}

/// A JPEG of 2400×1200 with an EXIF block that names a GPS position and a camera serial.
fn photo_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2400, 1200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
        .encode_image(&img)
        .unwrap();
    let mut app1 = b"Exif\0\0II*\0\x08\0\0\0\0\0".to_vec();
    app1.extend_from_slice(b"GPSLatitude 59.9155 GPSLongitude 10.7722 SerialNumber CAM-998877");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_photo_loses_its_metadata_shows_only_when_published_and_can_be_taken_away() {
    use base64::Engine;
    let Staff {
        t,
        state,
        cookie,
        csrf,
        codes,
    } = staff_with_codes("Fotoklubben", 2, 2).await;
    let code = codes[0].clone();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);

    // Not a photo: refused by content (an SVG named .jpg is still an SVG), nothing stored.
    let mut body = proposal(
        Some(&code),
        None,
        "Benk i parken",
        "En benk ved dammen, takk",
    );
    body["photo"] = json!(format!(
        "data:image/jpeg;base64,{}",
        b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    ));
    let r = send(
        &state,
        "POST",
        "/api/proposals",
        None,
        None,
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["invalid-params"][0]["name"], "photo");
    assert!(t.store.proposals(None).await.unwrap().is_empty());

    let sent = photo_with_exif();
    body["photo"] = json!(format!("data:image/jpeg;base64,{}", b64(&sent)));
    let r = send(&state, "POST", "/api/proposals", None, None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();

    // Waiting: staff see it, the public does not.
    let public = format!("/api/collections/proposals/items/{id}/photo");
    assert_eq!(
        send(&state, "GET", &public, None, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    let staff_photo = format!("/api/moderation/proposals/{id}/photo");
    assert_eq!(
        send(&state, "GET", &staff_photo, None, None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let version = t.store.proposal(id).await.unwrap().unwrap().version;
    let r = send(
        &state,
        "POST",
        &format!("/api/moderation/proposals/{id}"),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "action": "publish", "version": version })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Published: a JPEG we wrote, fit to 1600 px, without the sender's metadata.
    let response = naermiljo::http::router(state.clone())
        .oneshot(
            axum::http::Request::get(&public)
                .header("host", "test.local")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    for needle in [&b"Exif"[..], b"GPSLatitude", b"CAM-998877"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{needle:?} is in the photo served"
        );
    }
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (1600, 800));
    let item = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items/{id}"),
        None,
        None,
        None,
    )
    .await;
    assert!(
        item.body["properties"]["photo"]
            .as_str()
            .unwrap()
            .ends_with(&public),
        "{}",
        item.text
    );

    // The moderator takes it away: gone from the item and the photo's address.
    let version = t.store.proposal(id).await.unwrap().unwrap().version;
    let r = send(
        &state,
        "POST",
        &format!("/api/moderation/proposals/{id}"),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "action": "edit", "remove_photo": true, "version": version })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["photo"], serde_json::Value::Null);
    assert_eq!(
        send(&state, "GET", &public, None, None, None).await.status,
        StatusCode::NOT_FOUND
    );
    let item = send(
        &state,
        "GET",
        &format!("/api/collections/proposals/items/{id}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(item.body["properties"]["photo"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_class_behind_one_address_proposes_with_its_codes_and_the_sea_is_refused() {
    let Staff {
        t,
        state,
        cookie,
        csrf,
        codes,
    } = staff_with_codes("8A", 12, 1).await;
    let school = [("x-forwarded-for", "203.0.113.50")];
    // A pupil's typo (S for 5, lower case, spaces) still finds the code; 12 pupils on one
    // network all get through, past the limit an address has without codes.
    for (n, code) in codes.iter().enumerate() {
        let typed = code.replace('5', "S").replace('-', " ").to_lowercase();
        let r = send_with(&state, "POST", "/api/proposals", None, None, &school, Some(json!({
            "category": "other", "title": format!("Forslag nr {n}"), "text": "Et forslag fra klassen", "lon": AT.0, "lat": AT.1, "code": typed,
        }))).await;
        assert_eq!(r.status, StatusCode::CREATED, "pupil {n}: {}", r.text);
    }
    // A pupil without email learns what became of hers: one rejected with its reason, one waiting.
    let first = t
        .store
        .proposals(None)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.title == "Forslag nr 0")
        .unwrap();
    let reason = "Forslaget nevner en bestemt person; skriv det gjerne på nytt uten navn.";
    let r = send(
        &state,
        "POST",
        &format!("/api/moderation/proposals/{}", first.id),
        Some(&cookie),
        Some(&csrf),
        Some(json!({ "action": "reject", "reason": reason, "version": first.version })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mine = send(
        &state,
        "POST",
        "/api/proposals/mine",
        None,
        None,
        Some(json!({ "code": codes[0] })),
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    assert_eq!(
        mine.body["proposals"].as_array().unwrap().len(),
        1,
        "{}",
        mine.text
    );
    assert_eq!(mine.body["proposals"][0]["state"], "rejected");
    assert_eq!(mine.body["proposals"][0]["reason"], reason);
    let other = send(
        &state,
        "POST",
        "/api/proposals/mine",
        None,
        None,
        Some(json!({ "code": codes[1] })),
    )
    .await;
    assert_eq!(
        other.body["proposals"][0]["state"], "pending",
        "{}",
        other.text
    );
    assert_eq!(other.body["proposals"][0]["title"], "Forslag nr 1");
    let wrong = send(
        &state,
        "POST",
        "/api/proposals/mine",
        None,
        None,
        Some(json!({ "code": "ACDE-FGHJ-KM" })),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);

    // A point in the harbour: no path within 500 m.
    let r = send(&state, "POST", "/api/proposals", None, None, Some(json!({
        "category": "other", "title": "Badeplass", "text": "En flytebrygge midt i fjorden", "lon": 10.722, "lat": 59.901, "email": "hav@example.org",
    }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.body["detail"].as_str().unwrap().contains("from any path"),
        "{}",
        r.text
    );
    // Invisible characters do not make a text long enough.
    let r = send(&state, "POST", "/api/proposals", None, None, Some(json!({
        "category": "other", "title": "Tittel", "text": "z\u{200b}".repeat(9), "lon": AT.0, "lat": AT.1, "email": "a@example.org",
    }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["invalid-params"][0]["name"], "text");
    // The link's page says what it confirms, in the language asked, with the title as text.
    let r = send(&state, "POST", "/api/proposals", None, None, Some(json!({
        "category": "other", "title": "<script>alert(1)</script> Benk", "text": "En benk ved stien, takk", "lon": AT.0, "lat": AT.1,
        "email": "benk@example.org", "lang": "en",
    }))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let mail = t
        .store
        .outbox(10)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.recipient == "benk@example.org")
        .unwrap();
    let at = mail.body.find("/delta/bekreft/").unwrap();
    let path: String = mail.body[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(path.ends_with("?lang=en"), "{path}");
    let page = send(&state, "GET", &path, None, None, None).await;
    assert!(page.text.contains("<html lang=\"en\">"), "{}", page.text);
    assert!(
        page.text
            .contains("Confirm your proposal “&lt;script&gt;alert(1)&lt;/script&gt; Benk”"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("<script>"), "{}", page.text);
    let done = send(&state, "POST", &path, None, None, None).await;
    assert_eq!(done.status, StatusCode::OK);
    let gone = send(&state, "GET", &path, None, None, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.text);
    assert!(
        gone.text.contains("This link no longer works"),
        "{}",
        gone.text
    );
}
