//! Running on PostGIS as a municipality does: several server processes on one database,
//! the database going away and coming back, an import killed half-way.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use naermiljo::store::{PostgisStore, Store};

use crate::common::{
    Server, dump, elverum_csv, fresh_pg_database, naermiljo, oslo_pbf, run_ok, shared,
};

fn on_db(url: &str, data: &std::path::Path) -> Command {
    let mut c = naermiljo(data);
    c.env("NAERMILJO_DB", url);
    c
}

fn kindergartens() -> PathBuf {
    shared("drammen/drammen_barnehager_3301.geojson")
}

/// Polls `f` until it is true or `limit` passes; returns how long it took.
fn within(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_follow_each_others_writes_within_a_second() {
    let url = fresh_pg_database("instances").await;
    let dir = tempfile::tempdir().unwrap();
    run_ok({
        let mut c = on_db(&url, dir.path());
        c.arg("migrate");
        c
    });
    let a = Server::start(on_db(&url, dir.path()), &[]);
    let b = Server::start(on_db(&url, dir.path()), &[]);
    assert_eq!(a.health()["facilities"], 0);

    run_ok({
        let mut c = on_db(&url, dir.path());
        c.args(["import", "facilities", "--kind", "kindergarten"])
            .arg(kindergartens());
        c
    });
    let imported = Instant::now();
    for server in [&a, &b] {
        within(
            Duration::from_secs(1).saturating_sub(imported.elapsed()),
            "an instance follows the import",
            || server.health()["facilities"] == 75,
        );
    }
    eprintln!(
        "both instances followed the import in {:?}",
        imported.elapsed()
    );
    let (status, body) = b.get("/api/collections/facilities/items?kind=kindergarten&limit=1");
    assert_eq!(status, 200);
    assert!(body.contains("\"numberMatched\":75"));
}

/// A PostgreSQL cluster of this test's own, which it can stop and start.
struct PrivateCluster {
    dir: tempfile::TempDir,
    port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn as_owner(program: &str) -> Command {
    // PostgreSQL refuses to run as root; scripts/test runs as root on our machines.
    if unsafe { libc_geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

impl PrivateCluster {
    fn start() -> PrivateCluster {
        let dir = tempfile::Builder::new()
            .prefix("naermiljo-pg-private")
            .tempdir()
            .unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if unsafe { libc_geteuid() } == 0 {
            Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let data = dir.path().join("data");
        let out = as_owner(&format!("{PG_BIN}/initdb"))
            .args(["-U", "postgres", "-A", "trust", "-D"])
            .arg(&data)
            .output()
            .unwrap_or_else(|e| panic!("cannot run initdb ({e}): run the tests with scripts/test, which installs PostgreSQL 15"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = PrivateCluster { dir, port };
        cluster.pg_ctl("start");
        cluster
    }

    fn pg_ctl(&self, action: &str) {
        self.pg_ctl_mode(action, "fast");
    }

    /// `pg_ctl ACTION` with shutdown mode `mode` (`fast`: a clean checkpoint; `immediate`:
    /// as a crash, recovered from the write-ahead log at the next start).
    fn pg_ctl_mode(&self, action: &str, mode: &str) {
        let data = self.dir.path().join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let out = as_owner(&format!("{PG_BIN}/pg_ctl"))
            .args([
                "-D",
                data.to_str().unwrap(),
                "-l",
                self.dir.path().join("log").to_str().unwrap(),
                "-w",
                "-m",
                mode,
                "-o",
                &options,
                action,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = as_owner(&format!("{PG_BIN}/pg_ctl"))
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_go_on_while_the_database_is_down_and_writes_resume_after() {
    let pg = PrivateCluster::start();
    let url = pg.url();
    let dir = tempfile::tempdir().unwrap();
    run_ok({
        let mut c = on_db(&url, dir.path());
        c.args(["import", "facilities", "--kind", "kindergarten"])
            .arg(kindergartens());
        c
    });
    let server = Server::start(on_db(&url, dir.path()), &[]);
    assert_eq!(server.get("/readyz").0, 200);

    pg.pg_ctl("stop");
    // Reads come from memory; liveness stays up; readiness says the database is down.
    let (status, body) = server.get("/api/collections/facilities/items?limit=5");
    assert_eq!(status, 200);
    assert!(body.contains("\"numberMatched\":75"), "{body}");
    assert_eq!(server.health()["facilities"], 75);
    let (status, body) = server.get("/readyz");
    assert_eq!(status, 503);
    assert!(body.contains("/problems/database-unavailable"), "{body}");
    // A write now fails plainly and changes nothing.
    let out = on_db(&url, dir.path())
        .args(["import", "addresses"])
        .arg(elverum_csv())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("cannot connect to PostgreSQL at postgres://postgres@127.0.0.1"),
        "{said}"
    );
    // A write through the API: 503 problem, not a hang or a 500.
    let (status, body) = server.send(
        "POST",
        "/api/collections/activities/items",
        &["Authorization: Bearer nm_any"],
        r#"{"title":"Kor"}"#,
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("/problems/database-unavailable"), "{body}");

    pg.pg_ctl("start");
    within(Duration::from_secs(10), "readiness comes back", || {
        server.get("/readyz").0 == 200
    });
    run_ok({
        let mut c = on_db(&url, dir.path());
        c.args(["import", "addresses"]).arg(elverum_csv());
        c
    });
    within(
        Duration::from_secs(5),
        "the server follows the write after the outage",
        || server.health()["addresses"] == 10_871,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_killed_half_way_leaves_the_previous_data_whole() {
    use sqlx::Connection;
    let url = fresh_pg_database("killed").await;
    let dir = tempfile::tempdir().unwrap();
    run_ok({
        let mut c = on_db(&url, dir.path());
        c.args(["import", "addresses"]).arg(elverum_csv());
        c
    });
    let store = PostgisStore::connect(&url, 2, "naermiljo-test")
        .await
        .unwrap();
    let before = dump(&store).await;

    let mut child = on_db(&url, dir.path())
        .args(["import", "osm"])
        .arg(oslo_pbf())
        .spawn()
        .unwrap();
    // Kill it once its transaction has written something (it holds a transaction id).
    let mut watcher = sqlx::PgConnection::connect(&url).await.unwrap();
    let started = Instant::now();
    loop {
        let writing: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'naermiljo-import' AND backend_xid IS NOT NULL",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if writing > 0 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed"
        );
        assert!(started.elapsed() < Duration::from_secs(60));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // PostgreSQL rolls the dead client's transaction back once it notices the closed socket.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'naermiljo-import'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the killed import's session lingers"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        dump(&store).await,
        before,
        "the half-done import left traces"
    );
    assert_eq!(store.counts().await.unwrap().facilities, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_says_plainly_when_it_cannot_reach_or_migrate_the_database() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = on_db(
        &format!("postgres://naermiljo:secret@127.0.0.1:{port}/x"),
        dir.path(),
    )
    .args(["serve", "--listen", "127.0.0.1:0"])
    .output()
    .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "cannot connect to PostgreSQL at postgres://naermiljo:***@127.0.0.1:{port}/x"
        )),
        "{said}"
    );
    assert!(!said.contains("secret"), "the password leaked: {said}");

    // A database whose `facilities` table is not ours: migrating fails, and says so.
    let url = fresh_pg_database("clash").await;
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE facilities (id text)")
        .execute(&mut c)
        .await
        .unwrap();
    let out = on_db(&url, dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("cannot migrate the store at postgres://"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pool_never_exceeds_the_servers_max_connections() {
    let url = fresh_pg_database("pool").await;
    let store = PostgisStore::connect(&url, 100_000, "naermiljo-test")
        .await
        .unwrap();
    let mut admin = store.pool().acquire().await.unwrap();
    let allowed: i32 = sqlx::query_scalar(
        "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int",
    )
    .fetch_one(&mut *admin)
    .await
    .unwrap();
    assert_eq!(store.pool_size(), allowed as u32);
    let small = PostgisStore::connect(&url, 3, "naermiljo-test")
        .await
        .unwrap();
    assert_eq!(small.pool_size(), 3);
}

/// Issue 16 item 3: what an import derives lives with the store. Two instances on one
/// database, each with its own data folder: a basemap built from another folder (as an
/// import job on a third machine would) is served by both, the same bytes, without a
/// restart; each keeps its copy in its own folder.
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_database_serve_the_basemap_built_anywhere() {
    let url = fresh_pg_database("basemap").await;
    let (a_dir, b_dir, job_dir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    run_ok({
        let mut c = on_db(&url, job_dir.path());
        c.arg("migrate");
        c
    });
    let a = Server::start(on_db(&url, a_dir.path()), &[]);
    let b = Server::start(on_db(&url, b_dir.path()), &[]);
    for server in [&a, &b] {
        let (status, _) = server.get("/tiles/basemap.json");
        assert_eq!(status, 404, "no basemap yet");
    }
    let said = run_ok({
        let mut c = on_db(&url, job_dir.path());
        c.arg("build-basemap").arg(oslo_pbf());
        c
    });
    assert!(said.contains("kept in the database"), "{said}");
    let built = std::fs::read(job_dir.path().join("basemap.pmtiles")).unwrap();
    for (server, dir) in [(&a, &a_dir), (&b, &b_dir)] {
        within(
            Duration::from_secs(10),
            "an instance serves the new basemap",
            || server.get("/tiles/basemap.json").0 == 200,
        );
        let copy = std::fs::read(dir.path().join("basemap.pmtiles")).unwrap();
        assert!(
            copy == built,
            "the instance's copy differs from the archive built"
        );
        let (status, tile) = server.get("/tiles/basemap/12/2170/1189.mvt");
        assert!(status == 200 || status == 204, "{status}: {tile}");
    }
    // The same tile from both.
    assert_eq!(
        a.get("/tiles/basemap/13/4340/2379.mvt"),
        b.get("/tiles/basemap/13/4340/2379.mvt")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_crashed_and_restarted_under_writes_keeps_every_acknowledged_one() {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let pg = PrivateCluster::start();
    let url = pg.url();
    let dir = tempfile::tempdir().unwrap();
    run_ok({
        let mut c = on_db(&url, dir.path());
        c.args(["import", "facilities", "--kind", "kindergarten"])
            .arg(kindergartens());
        c
    });
    let cli = |args: &[&str]| {
        let mut c = on_db(&url, dir.path());
        c.args(args);
        run_ok(c).trim().lines().last().unwrap().to_string()
    };
    let org = cli(&[
        "org",
        "create",
        "--name",
        "Omstart IL",
        "--kind",
        "sports_club",
    ]);
    let token = cli(&["token", "create", "--org", &org, "--role", "editor"]);
    let server = Server::start(on_db(&url, dir.path()), &[]);
    let base = format!("http://{}", server.addr);
    let (_, body) = server.get("/api/collections/facilities/items?limit=1");
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    let place = first["features"][0]["geometry"]["coordinates"].clone();

    let client = reqwest::Client::new();
    let acknowledged: Arc<Mutex<BTreeMap<i64, String>>> = Arc::default();
    let refused = Arc::new(Mutex::new(Vec::<u16>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            let (acknowledged, refused, stop) =
                (acknowledged.clone(), refused.clone(), stop.clone());
            let place = place.clone();
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let title = format!("Omstart {w}-{i}");
                    let body = serde_json::json!({
                        "title": title, "category": "sport", "price_nok": 0,
                        "place": { "lon": place[0], "lat": place[1] },
                        "schedule": { "sessions": [{ "weekday": 3, "start": "18:00", "end": "20:00" }] },
                    });
                    let r = client
                        .post(format!("{base}/api/collections/activities/items"))
                        .header("Authorization", format!("Bearer {token}"))
                        .header("Content-Type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await
                        .expect("the server stays up while its database restarts");
                    let status = r.status().as_u16();
                    let bytes = r.bytes().await.unwrap();
                    if status == 201 {
                        let stored: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                        acknowledged
                            .lock()
                            .unwrap()
                            .insert(stored["id"].as_i64().unwrap(), title);
                    } else {
                        refused.lock().unwrap().push(status);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            })
        })
        .collect();
    let acks = || acknowledged.lock().unwrap().len();
    let waited = Instant::now();
    while acks() < 20 {
        assert!(waited.elapsed() < Duration::from_secs(60), "no writes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A crash of the database (immediate: no checkpoint), then its restart, under the writes.
    let before_crash = acks();
    tokio::task::block_in_place(|| {
        pg.pg_ctl_mode("stop", "immediate");
        pg.pg_ctl("start");
    });
    let after = Instant::now();
    while acks() < before_crash + 20 {
        assert!(
            after.elapsed() < Duration::from_secs(60),
            "writes did not resume after the restart: {:?}",
            refused.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    // Refusals during the outage are 503 problems, nothing else.
    assert!(
        refused.lock().unwrap().iter().all(|s| *s == 503),
        "{:?}",
        refused.lock().unwrap()
    );
    let acknowledged = acknowledged.lock().unwrap().clone();
    let store = PostgisStore::connect(&url, 2, "naermiljo-test")
        .await
        .unwrap();
    let stored: BTreeMap<i64, String> = store
        .load()
        .await
        .unwrap()
        .activities
        .into_iter()
        .map(|a| (a.id, a.doc.title))
        .collect();
    for (id, title) in &acknowledged {
        assert_eq!(stored.get(id), Some(title), "acknowledged write {id} lost");
    }
    assert!(stored.len() <= acknowledged.len() + 4, "{stored:?}");
}
