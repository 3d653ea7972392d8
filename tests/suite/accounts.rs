//! Accounts, sessions and the email outbox (issue 14), end to end through the router, with
//! a real SMTP peer: a small SMTP server in this file, on port 0, that the outbox worker
//! (lettre) talks to over TCP.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use naermiljo::http::AppState;
use naermiljo::mail::{OutboxWorker, SmtpSettings};
use naermiljo::store::accounts::StaffRole;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::common::TestStore;

/// What the SMTP server received: one text per message (envelope and DATA).
type Inbox = Arc<Mutex<Vec<String>>>;

/// A minimal SMTP server (RFC 5321's commands a client needs to deliver one message):
/// listens on 127.0.0.1, port 0; returns its port and what it receives.
async fn smtp_server() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let received = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let received = received.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 test\r\n",
                        "MAIL" | "RCPT" => {
                            message.push_str(&line);
                            message.push('\n');
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                message.push_str(&l);
                                message.push('\n');
                            }
                            received.lock().unwrap().push(std::mem::take(&mut message));
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

/// A message's text with quoted-printable (RFC 2045 §6.7) undone: soft line breaks
/// joined, `=XX` bytes decoded.
fn unquote(message: &str) -> String {
    let joined = message.replace("=\n", "");
    let mut bytes = Vec::new();
    let mut rest = joined.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        if b == b'='
            && let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            bytes.push(v);
            rest = &tail[2..];
            continue;
        }
        bytes.push(b);
        rest = tail;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The outbox once it holds `n` messages (work done after a reply); fails after 10 s.
async fn outbox_with(
    store: &dyn naermiljo::store::Store,
    n: usize,
) -> Vec<naermiljo::store::accounts::MailRow> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows = store.outbox(100).await.unwrap();
        if rows.len() >= n {
            return rows;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox has {} messages, not {n}",
            rows.len()
        );
        tokio::task::yield_now().await;
    }
}

/// A reply as a page's script sees it, with the cookie it set.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: serde_json::Value,
    pub(crate) text: String,
    pub(crate) set_cookie: Option<String>,
    pub(crate) location: Option<String>,
}

pub(crate) async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    json: Option<serde_json::Value>,
) -> Reply {
    send_with(state, method, uri, cookie, csrf, &[], json).await
}

/// [`send`] with more request headers (`If-Match`, `X-Forwarded-For`, …).
pub(crate) async fn send_with(
    state: &AppState,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    csrf: Option<&str>,
    headers: &[(&str, &str)],
    json: Option<serde_json::Value>,
) -> Reply {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "test.local");
    for (name, value) in headers {
        r = r.header(*name, *value);
    }
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, format!("naermiljo_session={c}"));
    }
    if let Some(t) = csrf {
        r = r.header("x-csrf-token", t);
    }
    let body = match json {
        Some(j) => {
            r = r.header(header::CONTENT_TYPE, "application/json");
            Body::from(j.to_string())
        }
        None => Body::empty(),
    };
    let response = naermiljo::http::router(state.clone())
        .oneshot(r.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let h = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_string())
    };
    let set_cookie = h(header::SET_COOKIE);
    let location = h(header::LOCATION);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Reply {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        text,
        set_cookie,
        location,
    }
}

/// The session secret a `Set-Cookie` carries.
pub(crate) fn cookie_of(set_cookie: &str) -> String {
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    let value = set_cookie
        .strip_prefix("naermiljo_session=")
        .and_then(|v| v.split(';').next())
        .unwrap();
    assert_eq!(value.len(), 64, "{set_cookie}");
    value.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invited_admin_signs_in_sets_a_password_and_signs_out() {
    let t = TestStore::new().await;
    let state = t.state().await;
    let store = t.store.as_ref();

    // The first admin, as `naermiljo admin create` makes it: the invitation waits in the outbox.
    let (id, link) = naermiljo::accounts::create_staff(
        store,
        "  Kari.Nordmann@Drammen.Kommune.no ",
        "Kari Nordmann",
        StaffRole::Admin,
        "nb",
        "http://test.local",
        None,
    )
    .await
    .unwrap()
    .unwrap();
    let outbox = store.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "kari.nordmann@drammen.kommune.no");
    assert_eq!(outbox[0].state, "queued");
    assert!(outbox[0].body.contains(&link), "{}", outbox[0].body);
    // The same address again is refused, whatever its case.
    assert!(
        naermiljo::accounts::create_staff(
            store,
            "KARI.NORDMANN@drammen.kommune.no",
            "K",
            StaffRole::Admin,
            "nb",
            "http://test.local",
            None
        )
        .await
        .unwrap()
        .is_none()
    );

    // The outbox worker sends it to the SMTP server.
    let (port, inbox) = smtp_server().await;
    let worker = OutboxWorker::new(
        t.store.clone(),
        &SmtpSettings {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "Nærmiljø <noreply@test.local>".into(),
        },
    )
    .unwrap();
    assert_eq!(
        worker
            .send_due(naermiljo::store::editing::now_ms())
            .await
            .unwrap(),
        1
    );
    let received: Vec<String> = inbox.lock().unwrap().iter().map(|m| unquote(m)).collect();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].contains("Åpne denne lenken"),
        "Norwegian, as the account says: {}",
        received[0]
    );
    assert!(
        received[0].contains("RCPT TO:<kari.nordmann@drammen.kommune.no>"),
        "{}",
        received[0]
    );
    let path = link.strip_prefix("http://test.local").unwrap();
    assert!(
        received[0].contains(path),
        "the email carries the link: {}",
        received[0]
    );
    assert_eq!(store.outbox(10).await.unwrap()[0].state, "sent");

    // Opening the link shows a button; only the POST uses the link.
    let page = send(&state, "GET", path, None, None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    let opened = send(&state, "POST", path, None, None, None).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text);
    assert_eq!(opened.location.as_deref(), Some("/org?account=password"));
    let cookie = cookie_of(opened.set_cookie.as_deref().unwrap());
    // A link works once.
    let again = send(&state, "POST", path, None, None, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Who am I, and the CSRF token for what changes something.
    let me = send(&state, "GET", "/api/me", Some(&cookie), None, None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["id"], id);
    assert_eq!(me.body["staff_role"], "admin");
    let csrf = me.body["csrf"].as_str().unwrap().to_string();
    assert_eq!(csrf.len(), 64);

    // Choosing a password: refused without the CSRF token and when too short.
    let password = serde_json::json!({ "password": "Elva renner gjennom Drammen" });
    let no_csrf = send(
        &state,
        "POST",
        "/auth/password",
        Some(&cookie),
        None,
        Some(password.clone()),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let short = send(
        &state,
        "POST",
        "/auth/password",
        Some(&cookie),
        Some(&csrf),
        Some(serde_json::json!({ "password": "kort" })),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = send(
        &state,
        "POST",
        "/auth/password",
        Some(&cookie),
        Some(&csrf),
        Some(password),
    )
    .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.text);

    // Sign out; the cookie is then worth nothing.
    let out = send(
        &state,
        "POST",
        "/auth/sign-out",
        Some(&cookie),
        Some(&csrf),
        None,
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    let me = send(&state, "GET", "/api/me", Some(&cookie), None, None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);

    // Sign in with the password (the address in any case).
    let signed = send(
        &state,
        "POST",
        "/auth/sign-in",
        None,
        None,
        Some(serde_json::json!({ "email": "KARI.nordmann@drammen.kommune.no", "password": "Elva renner gjennom Drammen" })),
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.text);
    let cookie2 = cookie_of(signed.set_cookie.as_deref().unwrap());
    assert_ne!(cookie2, cookie);
    assert!(signed.body.get("password_hash").is_none());

    // Changing the password later needs the current one, and ends the other sessions.
    let other = send(&state, "POST", "/auth/sign-in", None, None, Some(serde_json::json!({ "email": "kari.nordmann@drammen.kommune.no", "password": "Elva renner gjennom Drammen" }))).await;
    let other = cookie_of(other.set_cookie.as_deref().unwrap());
    let csrf2 = signed.body["csrf"].as_str().unwrap().to_string();
    let new_password = serde_json::json!({ "password": "Bragernes torg om natta" });
    let r = send(
        &state,
        "POST",
        "/auth/password",
        Some(&cookie2),
        Some(&csrf2),
        Some(new_password.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.body["errors"][0]["field"], "current_password");
    let mut with_current = new_password.clone();
    with_current["current_password"] = "Elva renner gjennom Drammen".into();
    let r = send(
        &state,
        "POST",
        "/auth/password",
        Some(&cookie2),
        Some(&csrf2),
        Some(with_current),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        send(&state, "GET", "/api/me", Some(&other), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&state, "GET", "/api/me", Some(&cookie2), None, None)
            .await
            .status,
        StatusCode::OK
    );

    // Every change above left an audit row with who made it; no secret is in them.
    let audit = store.audit_log(50).await.unwrap();
    let actions: Vec<String> = audit
        .iter()
        .map(|r| format!("{} {}", r.action, r.collection))
        .collect();
    for expected in [
        "create people",
        "replace people",
        "create sessions",
        "delete sessions",
    ] {
        assert!(
            actions.contains(&expected.to_string()),
            "{expected} missing from {actions:?}"
        );
    }
    let all = serde_json::to_string(&audit).unwrap();
    assert!(!all.contains("argon2") && !all.contains(&cookie) && !all.contains(&csrf));
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_answers_alike_for_unknown_and_wrong_and_is_rate_limited() {
    let t = TestStore::new().await;
    let state = t.state().await;
    let store = t.store.as_ref();
    let id = store
        .create_person("ola@example.org", "Ola", None, "en", None)
        .await
        .unwrap()
        .unwrap();
    let hash = naermiljo::accounts::hash_password("et langt passord her");
    store.set_password(id, &hash, None).await.unwrap();

    let try_sign_in = |email: &'static str, password: &'static str| {
        let state = state.clone();
        async move {
            send(
                &state,
                "POST",
                "/auth/sign-in",
                None,
                None,
                Some(serde_json::json!({ "email": email, "password": password })),
            )
            .await
        }
    };
    let unknown = try_sign_in("nobody@example.org", "et langt passord her").await;
    let wrong = try_sign_in("ola@example.org", "feil passord!!").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.body["detail"], wrong.body["detail"],
        "no account enumeration"
    );
    assert!(unknown.set_cookie.is_none() && wrong.set_cookie.is_none());

    // Five failures for the account (one above, four here), then even the right password waits.
    for _ in 0..4 {
        assert_eq!(
            try_sign_in("ola@example.org", "feil passord!!")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = try_sign_in("ola@example.org", "et langt passord her").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.text
    );
    assert!(limited.set_cookie.is_none());

    // A sign-in link is answered alike for known and unknown addresses; only a known one
    // gets email.
    let known = send(
        &state,
        "POST",
        "/auth/link",
        None,
        None,
        Some(serde_json::json!({ "email": "ola@example.org" })),
    )
    .await;
    let unknown = send(
        &state,
        "POST",
        "/auth/link",
        None,
        None,
        Some(serde_json::json!({ "email": "nobody@example.org" })),
    )
    .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(known.text, unknown.text);
    // The answer comes before the work (so its timing tells nothing): wait for the email.
    let outbox = outbox_with(store, 1).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].recipient, "ola@example.org");
    assert_eq!(outbox[0].kind, "sign_in");
    assert!(
        outbox[0].subject.contains("sign-in"),
        "English, as Ola's account says"
    );

    // Links name the service's own address whatever Host or X-Forwarded-Host says, and an
    // address gets at most three in 15 minutes.
    let asked = |n: i64| async move {
        // Each request is counted before its email is made; wait for the count and, for
        // the first three, the email, so that the requests are handled one after the other
        // (a request still counting when the next is noted may see it and stay silent).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.failures("link:ola@example.org", 0).await.unwrap() < n
            || (store.outbox(100).await.unwrap().len() as i64) < n.min(3)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "link request {n} never handled"
            );
            tokio::task::yield_now().await;
        }
    };
    asked(1).await;
    for i in 0..4 {
        let r = Request::post("/auth/link")
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"email":"ola@example.org"}"#))
            .unwrap();
        let response = naermiljo::http::router(state.clone())
            .oneshot(r)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        asked(i + 2).await;
    }
    let outbox = outbox_with(store, 3).await;
    for m in &outbox {
        assert!(!m.body.contains("evil.example"), "{}", m.body);
        assert!(
            m.body
                .contains(&format!("{}/auth/link/", state.public_url())),
            "{}",
            m.body
        );
    }
    let mut r = Request::post("/auth/link")
        .header("host", "test.local")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"email":"ola@example.org"}"#))
        .unwrap();
    r.headers_mut()
        .insert("x-forwarded-for", "10.0.0.8".parse().unwrap());
    naermiljo::http::router(state.clone())
        .oneshot(r)
        .await
        .unwrap();
    asked(6).await;
    assert_eq!(store.outbox(100).await.unwrap().len(), 3, "no fourth link");

    // Another site may not sign anyone in.
    let mut r = Request::post("/auth/sign-in")
        .header("host", "test.local")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"email":"ola@example.org","password":"et langt passord her"}"#,
        ))
        .unwrap();
    r.headers_mut()
        .insert("x-forwarded-for", "10.0.0.9".parse().unwrap());
    let response = naermiljo::http::router(state.clone())
        .oneshot(r)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn email_waits_while_the_relay_is_down_and_goes_when_it_is_back() {
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    let person = store
        .create_person("per@example.org", "Per", None, "nb", None)
        .await
        .unwrap()
        .unwrap();
    let person = store.person(person).await.unwrap().unwrap();
    let link = naermiljo::accounts::new_link(
        store,
        &person,
        naermiljo::store::accounts::LinkPurpose::SignIn,
        "http://test.local",
    )
    .await
    .unwrap();
    store
        .enqueue_mail(
            &naermiljo::mail::sign_in_link(&person, &link),
            naermiljo::store::editing::now_ms(),
        )
        .await
        .unwrap();

    // A port nothing listens on: the relay is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let settings = |port: u16| SmtpSettings {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "Nærmiljø <noreply@test.local>".into(),
    };
    let down = OutboxWorker::new(t.store.clone(), &settings(port)).unwrap();
    let now = naermiljo::store::editing::now_ms();
    assert_eq!(down.send_due(now).await.unwrap(), 0);
    let row = &store.outbox(10).await.unwrap()[0];
    assert_eq!(row.state, "queued");
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.is_some());
    assert!(
        row.next_attempt_ms >= now + 60_000,
        "tried again a minute later at the soonest"
    );
    // Not before its time.
    assert_eq!(down.send_due(now + 1_000).await.unwrap(), 0);
    assert_eq!(store.outbox(10).await.unwrap()[0].attempts, 1);

    // The relay is back: sent at the next attempt, nothing lost.
    let (port, inbox) = smtp_server().await;
    let up = OutboxWorker::new(t.store.clone(), &settings(port)).unwrap();
    assert_eq!(up.send_due(now + 61_000).await.unwrap(), 1);
    assert_eq!(inbox.lock().unwrap().len(), 1);
    let row = &store.outbox(10).await.unwrap()[0];
    assert_eq!((row.state.as_str(), row.attempts), ("sent", 2));

    // A bad relay URL is a clear error.
    let bad = OutboxWorker::new(
        t.store.clone(),
        &SmtpSettings {
            url: "nonsense://x".into(),
            from: "x@y.z".into(),
        },
    );
    assert!(bad.err().unwrap().contains("--smtp-url"));
}

/// The accounts' store functions, the same on both backends.
async fn accounts_contract(t: &TestStore) {
    use naermiljo::store::accounts::{LinkPurpose, NewMail, OrgRole};
    let store = t.store.as_ref();
    let id = store
        .create_person("a@example.org", "A", Some(StaffRole::Moderator), "nb", None)
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .create_person("a@example.org", "B", None, "nb", None)
            .await
            .unwrap()
            .is_none()
    );
    let p = store
        .person_by_email("a@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (p.id, p.staff_role, p.password_hash.clone()),
        (id, Some(StaffRole::Moderator), None)
    );
    store
        .set_password(id, "$argon2id$x", Some(id))
        .await
        .unwrap();
    assert_eq!(
        store
            .person(id)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .as_deref(),
        Some("$argon2id$x")
    );

    let org = store
        .create_organisation(
            "Strømsø IL",
            naermiljo::domain::activity::OrgKind::SportsClub,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    store
        .set_membership(id, org, OrgRole::Editor, None)
        .await
        .unwrap();
    store
        .set_membership(id, org, OrgRole::OrgAdmin, None)
        .await
        .unwrap();
    let m = store.memberships(id).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].org_id, m[0].role), (org, OrgRole::OrgAdmin));

    // Sessions: valid while used, gone when idle too long or too old.
    let now = 1_000_000_000_000;
    store
        .create_session("s1", id, "c1", now, None)
        .await
        .unwrap();
    let s = store
        .session("s1", now + 10, 1_000, 10_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s.person_id, s.csrf.as_str()), (id, "c1"));
    assert!(
        store
            .session("s1", now + 2_000, 1_000, 10_000)
            .await
            .unwrap()
            .is_none(),
        "idle"
    );
    assert!(
        store
            .session("s1", now, 1_000, 10_000)
            .await
            .unwrap()
            .is_none(),
        "deleted once expired"
    );
    store
        .create_session("s2", id, "c2", now, None)
        .await
        .unwrap();
    store
        .create_session("s3", id, "c3", now, None)
        .await
        .unwrap();
    assert!(store.end_session("s2").await.unwrap());
    assert!(!store.end_session("s2").await.unwrap());
    assert_eq!(store.end_sessions_of(id, None).await.unwrap(), 1);

    // A link works once and not after it expires.
    store
        .create_link("l1", id, LinkPurpose::Invitation, now, now + 100)
        .await
        .unwrap();
    store
        .create_link("l2", id, LinkPurpose::SignIn, now, now + 100)
        .await
        .unwrap();
    assert_eq!(
        store.use_link("l1", now + 1).await.unwrap(),
        Some((id, LinkPurpose::Invitation))
    );
    assert_eq!(store.use_link("l1", now + 2).await.unwrap(), None);
    assert_eq!(store.use_link("l2", now + 100).await.unwrap(), None);

    // Failures count per key and time.
    store
        .note_failure(&["k".into(), "j".into()], now)
        .await
        .unwrap();
    store.note_failure(&["k".into()], now + 10).await.unwrap();
    assert_eq!(store.failures("k", now).await.unwrap(), 2);
    assert_eq!(store.failures("k", now + 5).await.unwrap(), 1);
    assert_eq!(store.failures("j", now).await.unwrap(), 1);

    // The outbox.
    let mail = NewMail {
        recipient: "a@example.org".into(),
        subject: "Emne".into(),
        body: "Tekst".into(),
        kind: "test".into(),
    };
    let m1 = store.enqueue_mail(&mail, now).await.unwrap();
    let m2 = store.enqueue_mail(&mail, now + 1).await.unwrap();
    assert_eq!(
        store
            .due_mail(now, 10)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![m1]
    );
    store
        .mail_failed(m1, "connection refused", now + 60_000)
        .await
        .unwrap();
    store.mail_sent(m2, now + 2).await.unwrap();
    assert!(store.due_mail(now + 59_000, 10).await.unwrap().is_empty());
    let rows = store.outbox(10).await.unwrap();
    assert_eq!(rows[0].id, m2);
    assert_eq!(
        (rows[1].attempts, rows[1].last_error.as_deref()),
        (1, Some("connection refused"))
    );

    // Sent email keeps no body.
    assert_eq!(store.outbox(10).await.unwrap()[0].body, "");
    // A purge two days on leaves the queued email (its 7 days are not over).
    let early = store
        .purge_accounts(now + 2 * 24 * 3600 * 1000, 1_000, 10_000)
        .await
        .unwrap();
    assert_eq!(
        early,
        2 + 3,
        "two used or expired links, three old failures"
    );
    assert_eq!(store.outbox(10).await.unwrap().len(), 2);
    // The purge: used links, old failures, old sent email, expired sessions.
    store
        .create_session("s4", id, "c4", now, None)
        .await
        .unwrap();
    let day = 24 * 3600 * 1000;
    let purged = store
        .purge_accounts(now + 31 * day, 1_000, 10_000)
        .await
        .unwrap();
    assert_eq!(
        purged,
        1 + 2,
        "an expired session, the sent and the unsent email"
    );
    assert!(
        store
            .session("s4", now, i64::MAX / 2, i64::MAX / 2)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.failures("k", 0).await.unwrap(), 0);
    assert!(
        store.outbox(10).await.unwrap().is_empty(),
        "unsent email is gone after 7 days, sent after 30"
    );

    // Every change to a person, membership or session is in the audit log.
    let audit = store.audit_log(100).await.unwrap();
    assert!(
        audit
            .iter()
            .filter(|r| r.collection == "memberships")
            .count()
            == 2
    );
    assert!(
        audit
            .iter()
            .any(|r| r.collection == "people" && r.action == "replace")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_store_contract_on_sqlite() {
    accounts_contract(&TestStore::new().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_store_contract_on_postgis() {
    accounts_contract(&TestStore::postgis().await).await;
}

/// Signs a person in through the router; returns (cookie, csrf).
pub(crate) async fn session_of(state: &AppState, email: &str, password: &str) -> (String, String) {
    let r = send(
        state,
        "POST",
        "/auth/sign-in",
        None,
        None,
        Some(serde_json::json!({ "email": email, "password": password })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (
        cookie_of(r.set_cookie.as_deref().unwrap()),
        r.body["csrf"].as_str().unwrap().to_string(),
    )
}

/// One facility of `kind` in Drammen, so that documents have a place to name.
pub(crate) async fn one_facility(
    store: &dyn naermiljo::store::Store,
    kind: naermiljo::domain::FacilityKind,
    name: &str,
) {
    store
        .apply_import(naermiljo::store::ImportBatch {
            importer: "test".into(),
            source: "test".into(),
            file: "inline".into(),
            facilities: Some(vec![naermiljo::domain::NewFacility {
                kind,
                name: Some(name.into()),
                position: naermiljo::domain::LonLat::new(10.19, 59.74),
                address: None,
                wheelchair: None,
                opening_hours: None,
                source_id: "a".into(),
                properties: Default::default(),
                area: None,
            }]),
            ..Default::default()
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_member_writes_through_the_same_api_as_tokens() {
    use naermiljo::domain::FacilityKind;
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::accounts::OrgRole;
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    one_facility(store, FacilityKind::Pitch, "Marienlyst").await;
    let club = store
        .create_organisation("Strømsø IL", OrgKind::SportsClub, None, false, None)
        .await
        .unwrap();
    let choir = store
        .create_organisation(
            "Bragernes kor",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    let password = "trening hver tirsdag";
    let hash = naermiljo::accounts::hash_password(password);
    let mut people = Vec::new();
    for (email, org, staff) in [
        ("trener@stromso.example", Some(club), None),
        ("dirigent@kor.example", Some(choir), None),
        ("admin@drammen.example", None, Some(StaffRole::Admin)),
    ] {
        let id = store
            .create_person(email, email, staff, "nb", None)
            .await
            .unwrap()
            .unwrap();
        store.set_password(id, &hash, None).await.unwrap();
        if let Some(org) = org {
            store
                .set_membership(id, org, OrgRole::Editor, None)
                .await
                .unwrap();
        }
        people.push(id);
    }
    let state = t.state().await;
    let facility_id = state.snapshot.load().facilities[0].id;
    let activity = serde_json::json!({
        "title": "Fotballtrening",
        "category": "sport",
        "age_min": 8,
        "age_max": 12,
        "price_nok": 0,
        "place": { "facility_id": facility_id },
        "schedule": { "sessions": [
            { "weekday": 2, "start": "17:00", "end": "18:30" },
            { "weekday": 4, "start": "17:00", "end": "18:30" }
        ] },
    });
    let (coach, coach_csrf) = session_of(&state, "trener@stromso.example", password).await;
    let (conductor, conductor_csrf) = session_of(&state, "dirigent@kor.example", password).await;
    let (admin, admin_csrf) = session_of(&state, "admin@drammen.example", password).await;
    let items = "/api/collections/activities/items";

    // Without the CSRF token a session writes nothing.
    let before = crate::common::dump(store).await;
    let r = send(
        &state,
        "POST",
        items,
        Some(&coach),
        None,
        Some(activity.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(crate::common::dump(store).await, before);

    // With it, the member writes for the club: the only organisation they belong to.
    let r = send(
        &state,
        "POST",
        items,
        Some(&coach),
        Some(&coach_csrf),
        Some(activity.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["properties"]["organisation"]["id"], club);
    let id = r.body["id"].as_i64().unwrap();
    // It is on the public map at once, with both sessions.
    let public = crate::common::get(&state, &format!("{items}/{id}")).await;
    assert_eq!(
        public.body["properties"]["schedule"]["sessions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The choir's conductor can neither change it nor write for the club.
    let item = format!("{items}/{id}");
    let before = crate::common::dump(store).await;
    let mut patch = Request::builder()
        .method("PATCH")
        .uri(&item)
        .header("host", "test.local")
        .header(header::COOKIE, format!("naermiljo_session={conductor}"))
        .header("x-csrf-token", &conductor_csrf)
        .header(header::IF_MATCH, "\"v1\"")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"title":"Korøvelse"}"#))
        .unwrap();
    let r = naermiljo::http::router(state.clone())
        .oneshot(patch)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut for_club = activity.clone();
    for_club["org_id"] = club.into();
    let r = send(
        &state,
        "POST",
        items,
        Some(&conductor),
        Some(&conductor_csrf),
        Some(for_club),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(crate::common::dump(store).await, before);

    // The municipality's admin may, with If-Match as anyone.
    patch = Request::builder()
        .method("PATCH")
        .uri(&item)
        .header("host", "test.local")
        .header(header::COOKIE, format!("naermiljo_session={admin}"))
        .header("x-csrf-token", &admin_csrf)
        .header(header::IF_MATCH, "\"v1\"")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"title":"Fotballtrening for alle"}"#))
        .unwrap();
    let r = naermiljo::http::router(state.clone())
        .oneshot(patch)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A need, an offer of help from a resident: the club's member gets an email and
    // answers the offer; the choir's conductor may not.
    let valid_until = naermiljo::domain::activity::today(jiff::Timestamp::now())
        .checked_add(jiff::Span::new().days(20))
        .unwrap()
        .to_string();
    let need = serde_json::json!({
        "title": "Trenerassistent",
        "place": { "facility_id": facility_id },
        "time_commitment": "2 timer i uka",
        "skills": ["fotball"],
        "valid_until": valid_until,
    });
    let r = send(
        &state,
        "POST",
        "/api/collections/volunteer-needs/items",
        Some(&coach),
        Some(&coach_csrf),
        Some(need),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let need_id = r.body["id"].as_i64().unwrap();
    let offers = format!("/api/collections/volunteer-needs/items/{need_id}/offers");
    let offer = serde_json::json!({ "name": "Ida", "contact": "ida@example.org", "message": "Jeg kan tirsdager" });
    let r = send(&state, "POST", &offers, None, None, Some(offer)).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let mail = store.outbox(10).await.unwrap();
    let to_coach: Vec<_> = mail.iter().filter(|m| m.kind == "offer").collect();
    assert_eq!(to_coach.len(), 1, "one member, one email");
    assert_eq!(to_coach[0].recipient, "trener@stromso.example");
    assert!(
        to_coach[0].body.contains("ida@example.org")
            && to_coach[0].body.contains("Trenerassistent")
    );
    let inbox = send(&state, "GET", &offers, Some(&coach), None, None).await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    let offer_id = inbox.body["offers"][0]["id"].as_i64().unwrap();
    assert_eq!(inbox.body["offers"][0]["state"], "new");
    let denied = send(&state, "GET", &offers, Some(&conductor), None, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let mark = serde_json::json!({ "state": "contacted" });
    let offer_path = format!("/api/offers/{offer_id}");
    let r = send(
        &state,
        "PATCH",
        &offer_path,
        Some(&conductor),
        Some(&conductor_csrf),
        Some(mark.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &state,
        "PATCH",
        &offer_path,
        Some(&coach),
        None,
        Some(mark.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token");
    let r = send(
        &state,
        "PATCH",
        &offer_path,
        Some(&coach),
        Some(&coach_csrf),
        Some(mark),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let inbox = send(&state, "GET", &offers, Some(&coach), None, None).await;
    assert_eq!(inbox.body["offers"][0]["state"], "contacted");

    // The audit log says which person made each change.
    let audit = store.audit_log(50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.collection == "help_offers" && r.person_id == Some(people[0]))
    );
    let writes: Vec<_> = audit
        .iter()
        .filter(|r| r.collection == "activities")
        .collect();
    assert_eq!(writes.len(), 2);
    assert_eq!(
        writes[0].person_id,
        Some(people[2]),
        "the admin's edit, newest first"
    );
    assert_eq!(writes[1].person_id, Some(people[0]));
    assert_eq!(writes[1].org_id, Some(club));
}

/// Who may do what in the portal's own endpoints: anonymous, a member of org A, its
/// org_admin, a member of org B, a moderator and an admin. A refused request changes
/// nothing.
#[tokio::test(flavor = "multi_thread")]
async fn portal_authorisation_matrix() {
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::accounts::OrgRole;
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    let a = store
        .create_organisation("Lag A", OrgKind::SportsClub, None, false, None)
        .await
        .unwrap();
    let b = store
        .create_organisation("Lag B", OrgKind::SportsClub, None, false, None)
        .await
        .unwrap();
    let password = "et passord som er langt";
    let hash = naermiljo::accounts::hash_password(password);
    let mut who = Vec::new();
    let mut ids = Vec::new();
    for (email, membership, staff) in [
        ("editor-a@x.example", Some((a, OrgRole::Editor)), None),
        ("admin-a@x.example", Some((a, OrgRole::OrgAdmin)), None),
        ("editor-b@x.example", Some((b, OrgRole::Editor)), None),
        ("moderator@x.example", None, Some(StaffRole::Moderator)),
        ("admin@x.example", None, Some(StaffRole::Admin)),
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
        who.push(email);
        ids.push(id);
    }
    let state = t.state().await;
    let mut sessions = vec![("anonymous", None)];
    for email in &who {
        let (cookie, csrf) = session_of(&state, email, password).await;
        sessions.push((email, Some((cookie, csrf))));
    }
    let invite = serde_json::json!({ "email": "ny@x.example", "name": "Ny", "role": "editor" });
    let new_org = serde_json::json!({ "name": "Lag C", "kind": "sports_club" });
    // (method, path, body, who may: by index into sessions)
    let cases: Vec<(&str, String, Option<serde_json::Value>, &[usize])> = vec![
        (
            "GET",
            format!("/api/organisations/{a}/members"),
            None,
            &[2, 5],
        ),
        (
            "POST",
            format!("/api/organisations/{a}/invitations"),
            Some(invite.clone()),
            &[2, 5],
        ),
        ("GET", format!("/api/organisations/{b}/members"), None, &[5]),
        ("POST", "/api/organisations".into(), Some(new_org), &[5]),
        ("GET", "/api/outbox".into(), None, &[5]),
        ("GET", "/api/people".into(), None, &[5]),
        ("GET", "/api/audit?limit=5".into(), None, &[5]),
        (
            "PATCH",
            format!("/api/people/{}", ids[2]),
            Some(serde_json::json!({ "staff_role": "moderator" })),
            &[5],
        ),
        (
            "PATCH",
            format!("/api/organisations/{a}"),
            Some(serde_json::json!({ "contact": "post@lag-a.example" })),
            &[2, 5],
        ),
        (
            "PATCH",
            format!("/api/organisations/{a}/members/{}", ids[0]),
            Some(serde_json::json!({ "role": "editor" })),
            &[2, 5],
        ),
        (
            "PATCH",
            format!("/api/organisations/{b}"),
            Some(serde_json::json!({ "active": true })),
            &[5],
        ),
        ("GET", "/api/tokens".into(), None, &[5]),
        (
            "POST",
            "/api/tokens".into(),
            Some(serde_json::json!({ "org_id": a, "role": "editor" })),
            &[5],
        ),
    ];
    for (method, path, body, allowed) in cases {
        for (i, (name, session)) in sessions.iter().enumerate() {
            let before = (
                crate::common::dump(store).await,
                store.outbox(100).await.unwrap().len(),
                format!("{:?}", store.people().await.unwrap()),
            );
            let (cookie, csrf) = match session {
                Some((c, x)) => (Some(c.as_str()), Some(x.as_str())),
                None => (None, None),
            };
            let r = send(&state, method, &path, cookie, csrf, body.clone()).await;
            let expected = if allowed.contains(&i) {
                match method {
                    "POST" => StatusCode::CREATED,
                    "PATCH" => StatusCode::NO_CONTENT,
                    _ => StatusCode::OK,
                }
            } else if session.is_none() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, expected, "{name} {method} {path}: {}", r.text);
            if !allowed.contains(&i) {
                let after = (
                    crate::common::dump(store).await,
                    store.outbox(100).await.unwrap().len(),
                    format!("{:?}", store.people().await.unwrap()),
                );
                assert_eq!(before, after, "{name} {method} {path} changed something");
            }
            // Allowed writes without the CSRF token are refused too.
            if allowed.contains(&i) && method != "GET" {
                let r = send(&state, method, &path, cookie, None, body.clone()).await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{name} {method} {path} without CSRF"
                );
            }
        }
    }
    // The admin's change took effect; disabling ends the person's sessions and sign-ins
    // are refused alike.
    assert_eq!(
        store.person(ids[2]).await.unwrap().unwrap().staff_role,
        Some(StaffRole::Moderator)
    );
    let (admin_cookie, admin_csrf) = sessions[5].1.clone().unwrap();
    let (b_cookie, _) = sessions[3].1.clone().unwrap();
    let r = send(
        &state,
        "PATCH",
        &format!("/api/people/{}", ids[2]),
        Some(&admin_cookie),
        Some(&admin_csrf),
        Some(serde_json::json!({ "disabled": true })),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        send(&state, "GET", "/api/me", Some(&b_cookie), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let again = send(
        &state,
        "POST",
        "/auth/sign-in",
        None,
        None,
        Some(serde_json::json!({ "email": "editor-b@x.example", "password": password })),
    )
    .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    let own = send(
        &state,
        "PATCH",
        &format!("/api/people/{}", ids[4]),
        Some(&admin_cookie),
        Some(&admin_csrf),
        Some(serde_json::json!({ "staff_role": null })),
    )
    .await;
    assert_eq!(
        own.status,
        StatusCode::FORBIDDEN,
        "an admin does not demote themself"
    );

    // The list of organisations is public, as the activities that show them are.
    let orgs = send(&state, "GET", "/api/organisations", None, None, None).await;
    assert_eq!(orgs.status, StatusCode::OK);
    let names: Vec<&str> = orgs.body["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Lag A", "Lag B", "Lag C"]);

    // The invitation made an account, a membership waiting for the invitee's yes, and an
    // email with a link.
    let invited = store
        .person_by_email("ny@x.example")
        .await
        .unwrap()
        .unwrap();
    assert!(store.memberships(invited.id).await.unwrap().is_empty());
    assert!(
        store
            .members(a)
            .await
            .unwrap()
            .iter()
            .any(|m| m.person.id == invited.id && m.pending)
    );
    let mail = store.outbox(10).await.unwrap();
    assert!(mail.iter().any(|m| m.recipient == "ny@x.example"
        && m.kind == "invitation"
        && m.body.contains("Lag A")));
}

/// A volunteer need of `org` written by its member `person` at a point in Drammen, until
/// `until` (YYYY-MM-DD); its id.
async fn need_of(
    store: &dyn naermiljo::store::Store,
    org: i64,
    person: i64,
    title: &str,
    until: &str,
) -> i64 {
    use naermiljo::store::editing::{Actor, ItemCollection, ItemWrite, Role, WriteOutcome};
    let doc = serde_json::json!({
        "title": title, "place": { "lon": 10.19, "lat": 59.74 },
        "time_commitment": "1 time", "skills": [], "valid_until": until,
    });
    let actor = Actor {
        token_id: None,
        person_id: Some(person),
        org_id: org,
        role: Role::Editor,
    };
    let write = ItemWrite::Create {
        org_id: org,
        example: false,
        doc,
        valid_until: Some(until.into()),
    };
    match store
        .write_item(ItemCollection::VolunteerNeeds, &actor, write)
        .await
        .unwrap()
    {
        WriteOutcome::Done { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_is_reminded_once_of_a_need_about_to_expire() {
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::accounts::OrgRole;
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    let org = store
        .create_organisation(
            "Frivilligsentralen",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    let member = store
        .create_person("leder@frivillig.example", "Leder", None, "nb", None)
        .await
        .unwrap()
        .unwrap();
    store
        .set_membership(member, org, OrgRole::OrgAdmin, None)
        .await
        .unwrap();
    let today = naermiljo::domain::activity::today(jiff::Timestamp::now());
    let day = |n: i64| {
        today
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
            .to_string()
    };
    for (title, until) in [("Snart slutt", day(2)), ("Lenge igjen", day(20))] {
        need_of(store, org, member, title, &until).await;
    }
    let state = t.state().await;
    let snapshot = state.snapshot.load();
    let queued =
        naermiljo::mail::remind_expiring_needs(store, &snapshot, today, "https://kart.example")
            .await
            .unwrap();
    assert_eq!(queued, 1);
    let mail = store.outbox(10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(
        (mail[0].recipient.as_str(), mail[0].kind.as_str()),
        ("leder@frivillig.example", "need_expires")
    );
    assert!(
        mail[0].subject.contains("Snart slutt")
            && mail[0].body.contains("https://kart.example/org")
    );
    let until: jiff::civil::Date = day(2).parse().unwrap();
    let written = naermiljo::mail::written_date(until, "nb");
    assert!(
        mail[0].body.contains(&written) && !mail[0].body.contains(&day(2)),
        "the date as people write it: {}",
        mail[0].body
    );
    // Once only, also from a second instance.
    let again =
        naermiljo::mail::remind_expiring_needs(store, &snapshot, today, "https://kart.example")
            .await
            .unwrap();
    assert_eq!(again, 0);
    assert_eq!(store.outbox(10).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_seasons_activities_come_from_one_csv_file_all_or_nothing() {
    use naermiljo::domain::FacilityKind;
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::accounts::OrgRole;
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    one_facility(store, FacilityKind::SportsHall, "Drammenshallen").await;
    let club = store
        .create_organisation("Drammen HK", OrgKind::SportsClub, None, false, None)
        .await
        .unwrap();
    let id = store
        .create_person("leder@hk.example", "Leder", None, "nb", None)
        .await
        .unwrap()
        .unwrap();
    store
        .set_password(
            id,
            &naermiljo::accounts::hash_password("håndball hele året"),
            None,
        )
        .await
        .unwrap();
    store
        .set_membership(id, club, OrgRole::Editor, None)
        .await
        .unwrap();
    let state = t.state().await;
    let hall = state.snapshot.load().facilities[0].id;
    let (cookie, csrf) = session_of(&state, "leder@hk.example", "håndball hele året").await;

    let template = send(
        &state,
        "GET",
        "/api/activities/template.csv",
        None,
        None,
        None,
    )
    .await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(
        template
            .text
            .starts_with("\u{feff}title;description;category")
    );

    let upload = |csv: String, csrf: Option<String>| {
        let state = state.clone();
        let cookie = cookie.clone();
        async move {
            let mut r = Request::post(format!("/api/organisations/{club}/activities.csv"))
                .header("host", "test.local")
                .header(header::COOKIE, format!("naermiljo_session={cookie}"))
                .header(header::CONTENT_TYPE, "text/csv");
            if let Some(c) = csrf {
                r = r.header("x-csrf-token", c);
            }
            let response = naermiljo::http::router(state)
                .oneshot(r.body(Body::from(csv)).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default(),
            )
        }
    };
    let header = "title;category;age_min;age_max;facility_id;sessions;exceptions\n";
    let good = [
        format!("Håndball J10;sport;9;10;{hall};man 17:00-18:00, ons 17:00-18:00;2026-12-28"),
        format!("Håndball J12;sport;11;12;{hall};tir 18:00-19:30;"),
        format!("Foreldrekaffe;meeting_place;;;{hall};lør 10:00-12:00;"),
    ];
    // One bad row: nothing of the file is written, and each problem names row and column.
    let before = crate::common::dump(store).await;
    let bad = format!(
        "{header}{}\n{}\nHåndball J14;curling;13;14;999999;fre 19:00-18:00;\n",
        good[0], good[1]
    );
    let (status, body) = upload(bad, Some(csrf.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| e["row"] == 4), "{body}");
    let columns: Vec<&str> = errors
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert!(
        columns.contains(&"category") || columns.contains(&""),
        "{body}"
    );
    assert_eq!(crate::common::dump(store).await, before, "nothing written");

    // Without the CSRF token: refused.
    let all = format!("{header}{}\n", good.join("\n"));
    let (status, _) = upload(all.clone(), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(crate::common::dump(store).await, before);

    // The whole file: three activities, on the public list at once.
    let (status, body) = upload(all, Some(csrf)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"].as_array().unwrap().len(), 3);
    let list = crate::common::get(
        &state,
        &format!("/api/collections/activities/items?org={club}"),
    )
    .await;
    assert_eq!(list.body["numberMatched"], 3);
    let j10 = list.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["title"] == "Håndball J10")
        .unwrap();
    assert_eq!(
        j10["properties"]["schedule"]["sessions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(j10["properties"]["schedule"]["exceptions"][0], "2026-12-28");
    let audit = store.audit_log(10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.collection == "activities" && r.person_id == Some(id))
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offers_of_help_from_one_address_are_limited() {
    use naermiljo::domain::FacilityKind;
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::accounts::OrgRole;
    let t = TestStore::new().await;
    let store = t.store.as_ref();
    one_facility(store, FacilityKind::Library, "Drammen bibliotek").await;
    let org = store
        .create_organisation(
            "Leksehjelpen",
            OrgKind::VolunteerOrganisation,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    let member = store
        .create_person("leder@lekse.example", "Leder", None, "nb", None)
        .await
        .unwrap()
        .unwrap();
    store
        .set_membership(member, org, OrgRole::Editor, None)
        .await
        .unwrap();
    let until = naermiljo::domain::activity::today(jiff::Timestamp::now())
        .checked_add(jiff::Span::new().days(10))
        .unwrap()
        .to_string();
    let need = need_of(store, org, member, "Leksehjelper", &until).await;
    let state = t.state().await;
    let path = format!("/api/collections/volunteer-needs/items/{need}/offers");
    let offer = |from: &'static str| {
        let state = state.clone();
        let path = path.clone();
        async move {
            let r = Request::post(path)
                .header("host", "test.local")
                .header(header::CONTENT_TYPE, "application/json")
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [127, 0, 0, 1],
                    40000,
                ))))
                .header("x-forwarded-for", from)
                .body(Body::from(r#"{"name":"Ida","contact":"ida@example.org"}"#))
                .unwrap();
            naermiljo::http::router(state)
                .oneshot(r)
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..naermiljo::http::programme::MAX_OFFERS_PER_ADDRESS {
        assert_eq!(offer("203.0.113.7").await, StatusCode::ACCEPTED);
    }
    let emails = store.outbox(100).await.unwrap().len();
    assert_eq!(offer("203.0.113.7").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        store.outbox(100).await.unwrap().len(),
        emails,
        "no email for a refused offer"
    );
    assert_eq!(store.offers(need).await.unwrap().len(), 20);
    // Another address is not held back.
    assert_eq!(offer("198.51.100.2").await, StatusCode::ACCEPTED);
}
