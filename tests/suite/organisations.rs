//! Organisations as staff and their own admins keep them (issue 14): the profile,
//! deactivation, merging, members' roles, invitations that wait for a yes, paused
//! activities, API tokens as pages use them, session expiry and the cookie over HTTPS, and
//! whose `X-Forwarded-For` counts. Through the router, as the pages' scripts call it.

use axum::http::StatusCode;
use naermiljo::domain::FacilityKind;
use naermiljo::domain::activity::OrgKind;
use naermiljo::http::AppState;
use naermiljo::store::Store;
use naermiljo::store::accounts::{OrgRole, StaffRole};

use crate::accounts::{Reply, one_facility, send, send_with, session_of};
use crate::common::TestStore;

const PASSWORD: &str = "et passord som er langt nok";

/// A club (org A) with its admin and an editor, another club (B) with an editor, and a
/// staff admin; each signed in.
pub(crate) struct Clubs {
    pub(crate) t: TestStore,
    pub(crate) state: AppState,
    pub(crate) a: i64,
    pub(crate) b: i64,
    /// (person id, cookie, CSRF token) of: A's admin, A's editor, B's editor, staff admin.
    pub(crate) people: Vec<(i64, String, String)>,
}

impl Clubs {
    pub(crate) async fn new() -> Clubs {
        Clubs::on(TestStore::new().await).await
    }

    /// The same on a given store (PostGIS, for the tests that run on both).
    pub(crate) async fn on(t: TestStore) -> Clubs {
        let store = t.store.as_ref();
        one_facility(store, FacilityKind::Pitch, "Marienlyst").await;
        let a = store
            .create_organisation("Strømsø IL", OrgKind::SportsClub, None, false, None)
            .await
            .unwrap();
        let b = store
            .create_organisation("Bragernes IL", OrgKind::SportsClub, None, false, None)
            .await
            .unwrap();
        let hash = naermiljo::accounts::hash_password(PASSWORD);
        let mut ids = Vec::new();
        for (email, membership, staff) in [
            ("leder@stromso.example", Some((a, OrgRole::OrgAdmin)), None),
            ("kasserer@stromso.example", Some((a, OrgRole::Editor)), None),
            ("trener@bragernes.example", Some((b, OrgRole::Editor)), None),
            ("admin@drammen.example", None, Some(StaffRole::Admin)),
        ] {
            let id = store
                .create_person(email, email, staff, "nb", None)
                .await
                .unwrap()
                .unwrap();
            store.set_password(id, &hash, None).await.unwrap();
            if let Some((org, role)) = membership {
                store.set_membership(id, org, role, None).await.unwrap();
            }
            ids.push((id, email));
        }
        let state = t.state().await;
        let mut people = Vec::new();
        for (id, email) in ids {
            let (cookie, csrf) = session_of(&state, email, PASSWORD).await;
            people.push((id, cookie, csrf));
        }
        Clubs {
            t,
            state,
            a,
            b,
            people,
        }
    }

    fn store(&self) -> &dyn Store {
        self.t.store.as_ref()
    }

    /// A request as person `who` (index into `people`), with the CSRF token.
    pub(crate) async fn call(
        &self,
        who: usize,
        method: &str,
        uri: &str,
        json: Option<serde_json::Value>,
    ) -> Reply {
        let (_, cookie, csrf) = &self.people[who];
        send(&self.state, method, uri, Some(cookie), Some(csrf), json).await
    }

    /// The organisations the public list shows, by name.
    async fn public_names(&self) -> Vec<String> {
        let r = send(&self.state, "GET", "/api/organisations", None, None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        r.body["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// A weekly activity at the facility, written by person `who`; its id.
    pub(crate) async fn activity(&self, who: usize, title: &str) -> i64 {
        let facility_id = self.state.snapshot.load().facilities[0].id;
        let r = self
            .call(
                who,
                "POST",
                "/api/collections/activities/items",
                Some(serde_json::json!({
                    "title": title, "category": "sport", "price_nok": 0,
                    "place": { "facility_id": facility_id },
                    "schedule": { "sessions": [{ "weekday": 2, "start": "17:00", "end": "18:30" }] },
                })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_i64().unwrap()
    }

    /// The ids of the activities the public list shows (`query` added to the URL).
    async fn listed(&self, query: &str) -> Vec<i64> {
        let r = crate::common::get(
            &self.state,
            &format!("/api/collections/activities/items?{query}"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    }
}

fn field_errors(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisations_admin_keeps_its_profile_and_members() {
    let c = Clubs::new().await;
    let (admin_a, editor_a, editor_b, staff) = (0, 1, 2, 3);
    let org = format!("/api/organisations/{}", c.a);

    let r = c
        .call(
            admin_a,
            "PATCH",
            &org,
            Some(serde_json::json!({
                "name": "Strømsø IL Fotball", "contact": "post@stromso.example",
                "website": "https://stromso.example/fotball",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = send(&c.state, "GET", "/api/organisations", None, None, None).await;
    let mine = r.body["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == c.a)
        .unwrap()
        .clone();
    assert_eq!(mine["name"], "Strømsø IL Fotball");
    assert_eq!(mine["website"], "https://stromso.example/fotball");
    assert_eq!(mine["contact"], "post@stromso.example");

    // Bad input: every wrong field at once, nothing changed.
    let before = c.t.dump().await;
    let r = c
        .call(
            admin_a,
            "PATCH",
            &org,
            Some(serde_json::json!({ "name": "x", "kind": "band", "website": "ftp://x" })),
        )
        .await;
    assert_eq!(field_errors(&r), ["name", "kind", "website"]);
    let r = c
        .call(
            admin_a,
            "PATCH",
            &org,
            Some(serde_json::json!({ "name": "Bragernes IL" })),
        )
        .await;
    assert_eq!(field_errors(&r), ["name"], "a name another has");
    let r = c
        .call(
            admin_a,
            "PATCH",
            &org,
            Some(serde_json::json!({ "name": "BRAGERNES IL", "website": "ftp://x" })),
        )
        .await;
    assert_eq!(
        field_errors(&r),
        ["name", "website"],
        "all at once, any case"
    );
    // Only staff deactivate; an editor, or another club, edits nothing.
    for (who, body) in [
        (admin_a, serde_json::json!({ "active": false })),
        (editor_a, serde_json::json!({ "contact": "meg@x.example" })),
        (editor_b, serde_json::json!({ "contact": "meg@x.example" })),
    ] {
        let r = c.call(who, "PATCH", &org, Some(body)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    assert_eq!(c.t.dump().await, before);

    // Roles: A's admin makes the treasurer admin, then steps down to editor.
    let member = |who: usize| format!("{org}/members/{}", c.people[who].0);
    let role = |r: &str| Some(serde_json::json!({ "role": r }));
    let r = c
        .call(admin_a, "PATCH", &member(editor_a), role("org_admin"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = c
        .call(admin_a, "PATCH", &member(admin_a), role("editor"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // The last admin can neither step down nor leave; staff can always act.
    let before = c.t.dump().await;
    let r = c
        .call(editor_a, "PATCH", &member(editor_a), role("editor"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("keep an admin"), "{}", r.text);
    let r = c.call(editor_a, "DELETE", &member(editor_a), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Someone else's members are not theirs to change.
    let other = format!(
        "/api/organisations/{}/members/{}",
        c.b, c.people[editor_b].0
    );
    let r = c.call(editor_a, "DELETE", &other, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(c.t.dump().await, before);
    // The new admin removes the former one, who then is no member and writes nothing.
    let r = c.call(editor_a, "DELETE", &member(admin_a), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(
        c.store()
            .memberships(c.people[admin_a].0)
            .await
            .unwrap()
            .is_empty()
    );
    let r = c
        .call(admin_a, "GET", &format!("{org}/members"), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.call(editor_b, "DELETE", &other, None).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "anyone may leave: {}",
        r.text
    );
    let r = c.call(staff, "DELETE", &member(editor_a), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = c.call(staff, "DELETE", &member(editor_a), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    // Every change is in the audit log with the person who made it.
    let audit = c.store().audit_log(100).await.unwrap();
    let by = |collection: &str, action: &str, who: usize| {
        audit.iter().any(|r| {
            r.collection == collection && r.action == action && r.person_id == Some(c.people[who].0)
        })
    };
    assert!(by("organisations", "replace", admin_a));
    assert!(by("memberships", "create", admin_a));
    assert!(by("memberships", "delete", editor_a));
    assert!(by("memberships", "delete", staff));
    // … and under the organisation it concerns, for staff reading its history.
    let r = c
        .call(staff, "GET", &format!("/api/audit?org_id={}", c.a), None)
        .await;
    let collections: std::collections::BTreeSet<&str> = r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["collection"].as_str().unwrap())
        .collect();
    assert_eq!(
        collections,
        ["memberships", "organisations"].into(),
        "{}",
        r.text
    );
}

/// The emailed link of the newest message to `recipient`.
async fn link_to(store: &dyn Store, recipient: &str) -> String {
    let mail = store.outbox(100).await.unwrap();
    let body = &mail
        .iter()
        .find(|m| m.recipient == recipient)
        .unwrap_or_else(|| panic!("no email to {recipient}"))
        .body;
    let at = body.find("/auth/link/").expect("a link") + "/auth/link/".len();
    body[at..at + 64].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_with_an_account_is_a_member_only_after_saying_yes() {
    let c = Clubs::new().await;
    let (admin_a, editor_b) = (0, 2);
    let coach = c.people[editor_b].0;
    let r = c
        .call(
            admin_a,
            "POST",
            &format!("/api/organisations/{}/invitations", c.a),
            Some(serde_json::json!({
                "email": "TRENER@bragernes.example", "name": "Trener", "role": "editor",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.body["person_id"], coach,
        "the existing account, not a new one"
    );
    // Invited, not a member: listed as pending, and writes for the club are refused.
    let members = c
        .call(
            admin_a,
            "GET",
            &format!("/api/organisations/{}/members", c.a),
            None,
        )
        .await;
    let entry = members.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["person_id"] == coach)
        .unwrap()
        .clone();
    assert_eq!(entry["pending"], true);
    let orgs: Vec<i64> = c
        .store()
        .memberships(coach)
        .await
        .unwrap()
        .iter()
        .map(|m| m.org_id)
        .collect();
    assert_eq!(orgs, [c.b]);
    let facility_id = c.state.snapshot.load().facilities[0].id;
    let for_a = serde_json::json!({
        "org_id": c.a, "title": "Økt", "category": "sport", "price_nok": 0,
        "place": { "facility_id": facility_id },
        "schedule": { "sessions": [{ "weekday": 1, "start": "18:00", "end": "19:00" }] },
    });
    let r = c
        .call(
            editor_b,
            "POST",
            "/api/collections/activities/items",
            Some(for_a.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // The emailed link is the yes; someone with a password goes straight to the page.
    let secret = link_to(c.store(), "trener@bragernes.example").await;
    let r = send(
        &c.state,
        "POST",
        &format!("/auth/link/{secret}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.location.as_deref(), Some("/org"));
    let mut orgs: Vec<i64> = c
        .store()
        .memberships(coach)
        .await
        .unwrap()
        .iter()
        .map(|m| m.org_id)
        .collect();
    orgs.sort();
    assert_eq!(orgs, [c.a, c.b]);
    let r = c
        .call(
            editor_b,
            "POST",
            "/api/collections/activities/items",
            Some(for_a),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn paused_activities_and_deactivated_organisations_are_not_shown() {
    let c = Clubs::new().await;
    let (editor_a, editor_b, staff) = (1, 2, 3);
    let running = c.activity(editor_a, "Fotball G10").await;
    let paused = c.activity(editor_a, "Fotball J12").await;
    let other = c.activity(editor_b, "Håndball").await;
    let item = format!("/api/collections/activities/items/{paused}");
    let (_, cookie, csrf) = &c.people[editor_a];
    let r = send_with(
        &c.state,
        "PATCH",
        &item,
        Some(cookie),
        Some(csrf),
        &[("if-match", "\"v1\"")],
        Some(serde_json::json!({ "paused": true })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(c.listed("").await, [running, other]);
    assert_eq!(
        c.listed("include_paused=true").await,
        [running, paused, other]
    );
    let one = crate::common::get(&c.state, &item).await;
    assert_eq!(one.body["properties"]["paused"], true);
    let r = crate::common::get(
        &c.state,
        "/api/collections/activities/items?include_paused=maybe",
    )
    .await;
    crate::common::assert_problem(&r, 400);

    // Staff deactivate club A: nothing of it shows, its members write nothing; staff
    // still see it, and reactivating brings everything back.
    let org = format!("/api/organisations/{}", c.a);
    let r = c
        .call(
            staff,
            "PATCH",
            &org,
            Some(serde_json::json!({ "active": false })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(c.listed("include_paused=true").await, [other]);
    assert_eq!(c.public_names().await, ["Bragernes IL"]);
    let r = c.call(staff, "GET", "/api/organisations", None).await;
    assert!(
        r.body["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == c.a && o["active"] == false),
        "{}",
        r.text
    );
    let before = c.t.dump().await;
    let facility_id = c.state.snapshot.load().facilities[0].id;
    let r = c
        .call(
            editor_a,
            "POST",
            "/api/collections/activities/items",
            Some(serde_json::json!({
                "title": "Ny", "category": "sport", "price_nok": 0,
                "place": { "facility_id": facility_id },
                "schedule": { "sessions": [{ "weekday": 3, "start": "17:00", "end": "18:00" }] },
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(c.t.dump().await, before);
    let r = c
        .call(
            staff,
            "PATCH",
            &org,
            Some(serde_json::json!({ "active": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(c.listed("").await, [running, other]);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_merge_a_duplicate_and_keep_api_tokens() {
    let c = Clubs::new().await;
    let (admin_a, editor_a, staff) = (0, 1, 3);
    let store = c.store();
    // The same club registered twice: "Strømsø Idrettslag" with its own activity and
    // member, and a token its web form uses.
    let dup = c
        .call(
            staff,
            "POST",
            "/api/organisations",
            Some(serde_json::json!({
                "name": "Strømsø Idrettslag", "kind": "sports_club",
                "website": "https://stromso.example",
            })),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CREATED, "{}", dup.text);
    let dup = dup.body["id"].as_i64().unwrap();
    store
        .set_membership(c.people[editor_a].0, dup, OrgRole::OrgAdmin, None)
        .await
        .unwrap();
    let r = c
        .call(
            staff,
            "POST",
            "/api/tokens",
            Some(serde_json::json!({ "org_id": dup, "role": "editor", "label": "nettskjema" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_string();
    let token_id = r.body["id"].as_i64().unwrap();
    assert!(token.starts_with("nm_") && token.len() == 67, "{token}");
    let listed = c.call(staff, "GET", "/api/tokens", None).await;
    assert!(listed.text.contains("nettskjema") && !listed.text.contains(&token));
    for who in [admin_a, editor_a] {
        let r = c.call(who, "GET", "/api/tokens", None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let bearer = format!("Bearer {token}");
    let post_as_token = |title: &'static str| {
        let facility_id = c.state.snapshot.load().facilities[0].id;
        let state = c.state.clone();
        let bearer = bearer.clone();
        async move {
            send_with(
                &state,
                "POST",
                "/api/collections/activities/items",
                None,
                None,
                &[("authorization", bearer.as_str())],
                Some(serde_json::json!({
                    "title": title, "category": "sport", "price_nok": 0,
                    "place": { "facility_id": facility_id },
                    "schedule": { "sessions": [{ "weekday": 5, "start": "17:00", "end": "18:00" }] },
                })),
            )
            .await
        }
    };
    let r = post_as_token("Fra skjemaet").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["properties"]["organisation"]["id"], dup);
    let from_form = r.body["id"].as_i64().unwrap();

    // Refused merges change nothing.
    let before = c.t.dump().await;
    let merge = format!("/api/organisations/{dup}/merge");
    for into in [dup, 999] {
        let r = c
            .call(
                staff,
                "POST",
                &merge,
                Some(serde_json::json!({ "into": into })),
            )
            .await;
        assert_eq!(field_errors(&r), ["into"]);
    }
    let r = c
        .call(
            admin_a,
            "POST",
            &merge,
            Some(serde_json::json!({ "into": c.a })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(c.t.dump().await, before);

    let r = c
        .call(
            staff,
            "POST",
            &merge,
            Some(serde_json::json!({ "into": c.a })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        !c.public_names()
            .await
            .contains(&"Strømsø Idrettslag".into())
    );
    let moved = crate::common::get(
        &c.state,
        &format!("/api/collections/activities/items/{from_form}"),
    )
    .await;
    assert_eq!(moved.body["properties"]["organisation"]["id"], c.a);
    // The member keeps the higher of their two roles; the token now writes for A.
    let m = store.memberships(c.people[editor_a].0).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].org_id, m[0].role), (c.a, OrgRole::OrgAdmin));
    let r = post_as_token("Etter sammenslåingen").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["properties"]["organisation"]["id"], c.a);
    assert!(store.audit_log(100).await.unwrap().iter().any(|r| {
        r.collection == "organisations"
            && r.action == "delete"
            && r.item_id == dup
            && r.after.as_ref().is_some_and(|a| a["merged_into"] == c.a)
    }));

    // Revoked: refused at once; revoking twice is a 404.
    let token_path = format!("/api/tokens/{token_id}");
    let r = c.call(staff, "DELETE", &token_path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        post_as_token("For sent").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = c.call(staff, "DELETE", &token_path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let audit = store.audit_log(100).await.unwrap();
    let revoked = audit
        .iter()
        .find(|r| r.collection == "api_tokens" && r.action == "delete")
        .unwrap();
    assert_eq!(
        revoked.org_id,
        Some(c.a),
        "the token's organisation, after the merge"
    );
    assert_eq!(revoked.before.as_ref().unwrap()["label"], "nettskjema");
    for (collection, action) in [
        ("organisations", "create"),
        ("api_tokens", "create"),
        ("api_tokens", "delete"),
    ] {
        assert!(
            audit.iter().any(|r| r.collection == collection
                && r.action == action
                && r.person_id == Some(c.people[staff].0)),
            "{collection} {action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_session_ends_and_https_uses_a_host_only_cookie() {
    let c = Clubs::new().await;
    let store = c.store();
    let person = c.people[1].0;
    // A session last used 31 minutes ago is over (idle limit 30 minutes); one used now is not.
    let now = naermiljo::store::editing::now_ms();
    for (secret, seen_ms, expected) in [
        ("a".repeat(64), now - 31 * 60_000, StatusCode::UNAUTHORIZED),
        ("b".repeat(64), now, StatusCode::OK),
    ] {
        let sha = naermiljo::store::editing::token_sha256(&secret);
        store
            .create_session(&sha, person, "csrf", seen_ms, None)
            .await
            .unwrap();
        let r = send(&c.state, "GET", "/api/me", Some(&secret), None, None).await;
        assert_eq!(r.status, expected, "{}", r.text);
    }

    // Served over HTTPS the cookie is `__Host-` and `Secure`, and only that name counts.
    c.state
        .public_url
        .store(std::sync::Arc::new("https://naermiljo.example".into()));
    let r = send(
        &c.state,
        "POST",
        "/auth/sign-in",
        None,
        None,
        Some(serde_json::json!({ "email": "kasserer@stromso.example", "password": PASSWORD })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let set_cookie = r.set_cookie.unwrap();
    assert!(
        set_cookie.starts_with("__Host-naermiljo_session=") && set_cookie.contains("; Secure"),
        "{set_cookie}"
    );
    let secret = &set_cookie["__Host-naermiljo_session=".len()..][..64];
    let plain = send(&c.state, "GET", "/api/me", Some(secret), None, None).await;
    assert_eq!(
        plain.status,
        StatusCode::UNAUTHORIZED,
        "the plain name is ignored"
    );
    let cookie = format!("__Host-naermiljo_session={secret}");
    let host = send_with(
        &c.state,
        "GET",
        "/api/me",
        None,
        None,
        &[("cookie", cookie.as_str())],
        None,
    )
    .await;
    assert_eq!(host.status, StatusCode::OK, "{}", host.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_a_trusted_proxy_names_the_client() {
    use axum::extract::{ConnectInfo, FromRequestParts};
    use naermiljo::http::auth::ClientAddr;
    let t = TestStore::new().await;
    let state = t.state().await;
    let client = |state: AppState, peer: [u8; 4]| async move {
        let (mut parts, _) = axum::http::Request::builder()
            .header("x-forwarded-for", "198.51.100.7, 203.0.113.9")
            .body(())
            .unwrap()
            .into_parts();
        parts
            .extensions
            .insert(ConnectInfo(std::net::SocketAddr::from((peer, 40_000))));
        let Ok(ClientAddr(addr)) = ClientAddr::from_request_parts(&mut parts, &state).await;
        addr
    };
    // By default only a proxy on this machine is believed, and only for the address it
    // saw itself (the last one).
    assert_eq!(client(state.clone(), [127, 0, 0, 1]).await, "203.0.113.9");
    assert_eq!(client(state.clone(), [10, 0, 0, 5]).await, "10.0.0.5");
    let mut behind_lb = state.clone();
    let mut limits = (*state.limits).clone();
    limits.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    behind_lb.limits = std::sync::Arc::new(limits);
    assert_eq!(
        client(behind_lb.clone(), [10, 0, 0, 5]).await,
        "203.0.113.9"
    );
    assert_eq!(client(behind_lb, [127, 0, 0, 1]).await, "127.0.0.1");
}

#[tokio::test(flavor = "multi_thread")]
async fn trial_faults_stay_mended() {
    let c = Clubs::new().await;
    let (admin_a, editor_a, staff) = (0, 1, 3);
    let invitations = format!("/api/organisations/{}/invitations", c.a);

    // An admin who "invites" a member (herself included) changes nobody's role.
    let before = c.t.dump().await;
    for email in ["leder@stromso.example", "kasserer@stromso.example"] {
        let r = c
            .call(
                admin_a,
                "POST",
                &invitations,
                Some(serde_json::json!({ "email": email, "name": "X", "role": "editor" })),
            )
            .await;
        assert_eq!(field_errors(&r), ["email"]);
        assert!(r.text.contains("already a member"), "{}", r.text);
    }
    // Addresses no mail can reach are refused.
    for email in ["ørjan@æbelø", "a@b", "@x.no", "x@.no", "x@no."] {
        let r = c
            .call(
                admin_a,
                "POST",
                &invitations,
                Some(serde_json::json!({ "email": email, "name": "X" })),
            )
            .await;
        assert_eq!(field_errors(&r), ["email"], "{email}");
    }
    // One club whatever the case of its name.
    let r = c
        .call(
            staff,
            "POST",
            "/api/organisations",
            Some(serde_json::json!({ "name": "STRØMSØ IL", "kind": "sports_club" })),
        )
        .await;
    assert_eq!(field_errors(&r), ["name"]);
    assert_eq!(c.t.dump().await, before);

    // Staff invite staff from the page as the command line does.
    let r = c
        .call(
            staff,
            "POST",
            "/api/people",
            Some(serde_json::json!({
                "email": "Moderator@Drammen.example", "name": "Mona", "staff_role": "moderator",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mona = r.body["id"].as_i64().unwrap();
    let p = c.store().person(mona).await.unwrap().unwrap();
    assert_eq!(p.staff_role, Some(StaffRole::Moderator));
    let r = c
        .call(
            staff,
            "POST",
            "/api/people",
            Some(serde_json::json!({
                "email": "moderator@drammen.example", "name": "M", "staff_role": "moderator",
            })),
        )
        .await;
    assert_eq!(field_errors(&r), ["email"]);
    let r = c
        .call(
            editor_a,
            "POST",
            "/api/people",
            Some(serde_json::json!({
                "email": "ny@drammen.example", "name": "M", "staff_role": "admin",
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The emailed link signs in and may choose a new password without the forgotten
    // one; used again, it is a page that leads to a new link, not JSON.
    let secret = link_to(c.store(), "moderator@drammen.example").await;
    let path = format!("/auth/link/{secret}");
    let r = send(&c.state, "POST", &path, None, None, None).await;
    assert_eq!(r.location.as_deref(), Some("/org?account=password"));
    let cookie = crate::accounts::cookie_of(r.set_cookie.as_deref().unwrap());
    let me = send(&c.state, "GET", "/api/me", Some(&cookie), None, None).await;
    assert_eq!(me.body["password_without_current"], true, "{}", me.text);
    assert_eq!(me.body["has_password"], false);
    let again = send(&c.state, "POST", &path, None, None, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(
        again.text.contains("<html") && again.text.contains("href=\"/org\""),
        "{}",
        again.text
    );

    // A session that ended says so, not "send an API token".
    let (_, cookie, csrf) = &c.people[editor_a];
    let r = send(
        &c.state,
        "POST",
        "/auth/sign-out",
        Some(cookie),
        Some(csrf),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(
        &c.state,
        "POST",
        "/api/collections/volunteer-needs/items",
        Some(cookie),
        Some(csrf),
        Some(serde_json::json!({ "title": "x" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("session has ended"), "{}", r.text);
}
