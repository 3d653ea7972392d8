//! Faults on the embedded store (issue 16): the process killed (SIGKILL) in the middle of an
//! import and in the middle of writes. Nothing acknowledged is lost, nothing half-written
//! is visible, and the store opens whole. (A full disk: `disk_full.rs`; PostgreSQL going
//! away under load and an import killed there: `postgis_ops.rs`.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use naermiljo::store::{SqliteStore, Store};
use serde_json::{Value, json};

use crate::common::{Server, dump, elverum_csv, naermiljo, oslo_pbf, run_naermiljo};

/// SQLite's own check of the file: `ok`, or what is broken.
async fn integrity(path: &std::path::Path) -> String {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_half_way_leaves_the_sqlite_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("naermiljo.sqlite");
    run_naermiljo(
        dir.path(),
        &["import", "addresses", &elverum_csv().to_string_lossy()],
    );
    let before = {
        let store = SqliteStore::open(&db).await.unwrap();
        dump(&store).await
    };
    // What the import gives when it is not killed, on a copy: on a loaded machine the kill
    // may come after the commit, and then this is what must be there.
    let reference = tempfile::tempdir().unwrap();
    run_naermiljo(
        reference.path(),
        &["import", "addresses", &elverum_csv().to_string_lossy()],
    );
    run_naermiljo(
        reference.path(),
        &["import", "osm", &oslo_pbf().to_string_lossy()],
    );
    let after = {
        let store = SqliteStore::open(&reference.path().join("naermiljo.sqlite"))
            .await
            .unwrap();
        store.counts().await.unwrap()
    };
    assert!(after.facilities > 100);
    let wal = dir.path().join("naermiljo.sqlite-wal");
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let at_rest = size(&wal);
    let mut child = naermiljo(dir.path())
        .args(["import", "osm"])
        .arg(oslo_pbf())
        .spawn()
        .unwrap();
    // Kill it once its transaction has written pages to the write-ahead log.
    let started = Instant::now();
    while size(&wal) <= at_rest + 64 * 1024 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(integrity(&db).await, "ok");
    let store = SqliteStore::open(&db).await.unwrap();
    let now = dump(&store).await;
    if now != before {
        // Only when the kill landed after the commit: then all of the import is there.
        assert_eq!(
            store.counts().await.unwrap(),
            after,
            "the killed import left a state that is neither the old nor the new one"
        );
        eprintln!("the import committed before the kill landed; nothing half-written either way");
    }
    // And the next import runs as if nothing had happened.
    run_naermiljo(
        dir.path(),
        &["import", "osm", &oslo_pbf().to_string_lossy()],
    );
    assert!(store.counts().await.unwrap().facilities > 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_during_writes_keeps_every_acknowledged_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    run_naermiljo(
        dir.path(),
        &["import", "osm", &oslo_pbf().to_string_lossy()],
    );
    let org = run_naermiljo(
        dir.path(),
        &[
            "org",
            "create",
            "--name",
            "Kill IL",
            "--kind",
            "sports_club",
        ],
    )
    .lines()
    .last()
    .unwrap()
    .to_string();
    let token = run_naermiljo(
        dir.path(),
        &["token", "create", "--org", &org, "--role", "editor"],
    )
    .lines()
    .last()
    .unwrap()
    .to_string();
    let mut server = Server::start(naermiljo(dir.path()), &[]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    // Acknowledged writes: id → the title the server said it stored.
    let acknowledged: Arc<Mutex<BTreeMap<i64, String>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            let acknowledged = acknowledged.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let title = format!("Skrevet {w}-{i}");
                    let body = json!({
                        "title": title, "category": "sport", "price_nok": 0,
                        "place": { "lon": 10.75, "lat": 59.92 },
                        "schedule": { "sessions": [{ "weekday": 3, "start": "18:00", "end": "20:00" }] },
                    });
                    let Ok(r) = client
                        .post(format!("{base}/api/collections/activities/items"))
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await
                    else {
                        return; // the server is gone
                    };
                    if r.status() != 201 {
                        return;
                    }
                    let Ok(bytes) = r.bytes().await else { return };
                    let stored: Value = serde_json::from_slice(&bytes).unwrap();
                    let id = stored["id"].as_i64().unwrap();
                    acknowledged.lock().unwrap().insert(id, title);
                }
            })
        })
        .collect();
    // Kill it once writes are flowing.
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(started.elapsed() < Duration::from_secs(60), "no writes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    for w in writers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let db = dir.path().join("naermiljo.sqlite");
    assert_eq!(integrity(&db).await, "ok");
    let server = Server::start(naermiljo(dir.path()), &[]);
    let (status, body) = server.get(&format!(
        "/api/collections/activities/items?org={org}&limit=10000"
    ));
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let stored: BTreeMap<i64, String> = listed["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_i64().unwrap(),
                f["properties"]["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (id, title) in &acknowledged {
        assert_eq!(stored.get(id), Some(title), "acknowledged write {id} lost");
    }
    // At most the writes in flight when it died are there unacknowledged, each whole: its
    // audit row was written in the same transaction.
    assert!(stored.len() <= acknowledged.len() + 4, "{stored:?}");
    let audit = run_naermiljo(dir.path(), &["audit", "--limit", "10000"]);
    for id in stored.keys() {
        assert!(
            audit.lines().any(|l| {
                let row: Value = serde_json::from_str(l).unwrap();
                row["collection"] == "activities" && row["item_id"] == *id
            }),
            "activity {id} has no audit row:\n{audit}"
        );
    }
}
