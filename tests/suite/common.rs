//! Helpers shared by the suite: where the real data is, a fresh store, requests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use naermiljo::cli::{ImportCommand, ImportReport};
use naermiljo::config::Settings;
use naermiljo::http::AppState;
use naermiljo::store::{SqliteStore, Store};
use tower::ServiceExt;

/// A file under `NAERMILJO_SHARED_DATA` (default `../shared/data`); fails the test with a
/// message saying where to put it when it is missing.
pub fn shared(relative: &str) -> PathBuf {
    let root = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data")
            .to_string_lossy()
            .into_owned()
    });
    let path = Path::new(&root).join(relative);
    assert!(
        path.exists(),
        "missing test input {}: set NAERMILJO_SHARED_DATA to the folder holding {relative} (see ../shared/data/PROVENANCE.md)",
        path.display()
    );
    path
}

pub fn oslo_pbf() -> PathBuf {
    shared("oslo_fallback/oslo-center.osm.pbf")
}

pub fn elverum_csv() -> PathBuf {
    shared("elverum_addresses/Basisdata_3420_Elverum_25833_MatrikkelenAdresse.csv")
}

/// Runs a command that the test setup installs (osmium-tool, proj-bin), failing clearly if absent.
pub fn tool(program: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(std::process::Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}): install it with scripts/test (apt-get install osmium-tool proj-bin)")
    });
    // Written from another thread while the output is read: a large input would otherwise
    // fill both pipes and wait forever.
    let writer = stdin.map(|input| {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_string();
        std::thread::spawn(move || pipe.write_all(input.as_bytes()))
    });
    let out = child.wait_with_output().unwrap();
    if let Some(w) = writer {
        w.join().unwrap().unwrap();
    }
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh, migrated SQLite store in a temporary folder (kept alive by the returned guard).
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Arc<dyn Store>,
}

impl TestStore {
    pub async fn new() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("naermiljo.sqlite"))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        TestStore {
            dir,
            store: Arc::new(store),
        }
    }

    pub async fn import(
        &self,
        cmd: ImportCommand,
    ) -> Result<ImportReport, naermiljo::import::ImportError> {
        naermiljo::cli::import(self.store.as_ref(), cmd, &indicatif::ProgressBar::hidden()).await
    }

    pub async fn state(&self) -> AppState {
        let mut settings = Settings::new(self.dir.path().to_path_buf());
        // Each test its own archive: a test sees only what it built.
        settings.basemap = self.dir.path().join("basemap.pmtiles");
        naermiljo::app::build_state(&settings, self.store.clone())
            .await
            .unwrap()
    }

    /// Everything the store holds, as comparable text: for "unchanged" assertions.
    pub async fn dump(&self) -> String {
        dump(self.store.as_ref()).await
    }
}

/// Everything a store holds, as comparable text.
pub async fn dump(store: &dyn Store) -> String {
    let c = store.load().await.unwrap();
    format!(
        "v{} {:?}\n{:?}\n{:?}\n{:?}",
        c.data_version,
        c.facilities,
        c.addresses,
        c.districts
            .iter()
            .map(|d| (&d.id, &d.name, &d.geometry))
            .collect::<Vec<_>>(),
        c.walk_graph.as_ref().map(|g| g.len())
    ) + &format!("\n{:?}", c.population)
}

pub fn osm(file: PathBuf) -> ImportCommand {
    ImportCommand::osm(file)
}

pub fn addresses(file: PathBuf) -> ImportCommand {
    ImportCommand::Addresses { file, source: None }
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    /// A response header's value, or `""`.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// One GET through the router, as a client would see it.
pub async fn get(state: &AppState, uri: &str) -> Reply {
    let response = naermiljo::http::router(state.clone())
        .oneshot(
            Request::get(uri)
                .header("host", "test.local")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// Asserts a problem+json reply with `status`, and returns its detail.
pub fn assert_problem(reply: &Reply, status: u16) -> String {
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.body["status"], status);
    assert!(
        reply.body["type"]
            .as_str()
            .unwrap()
            .starts_with("/problems/")
    );
    reply.body["detail"].as_str().unwrap().to_string()
}

/// The throwaway PostgreSQL that scripts/test starts; fails with what to run when absent.
pub fn test_pg_url() -> String {
    std::env::var("NAERMILJO_TEST_PG").unwrap_or_else(|_| {
        panic!("NAERMILJO_TEST_PG is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL 15 with PostGIS")
    })
}

/// A new, empty database in the test cluster; returns its URL.
pub async fn fresh_pg_database(prefix: &str) -> String {
    use sqlx::Connection;
    let url = test_pg_url();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

impl TestStore {
    /// A fresh, migrated PostGIS store in its own database of the test cluster.
    pub async fn postgis() -> TestStore {
        let url = fresh_pg_database("store").await;
        let store = naermiljo::store::PostgisStore::connect(&url, 4, "naermiljo-test")
            .await
            .unwrap();
        store.migrate().await.unwrap();
        TestStore {
            dir: tempfile::tempdir().unwrap(),
            store: Arc::new(store),
        }
    }
}

/// The binary under test, on a data folder, with the environment cleared of our settings.
pub fn naermiljo(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_naermiljo"));
    cmd.arg("--data")
        .arg(data)
        // Each test its own archive.
        .env("NAERMILJO_BASEMAP", data.join("basemap.pmtiles"))
        .env_remove("NAERMILJO_DB")
        .env("RUST_LOG", "warn");
    cmd
}

/// A server process on a free port; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Server {
    pub fn start(mut cmd: Command, serve_args: &[&str]) -> Server {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Keep stderr drained (and collected) so the server never blocks on a full pipe.
        let (tx, stderr) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // Readiness: the server prints its address once the socket is bound.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        if line.is_empty() {
            let status = child.wait().unwrap();
            let said: Vec<String> = stderr.try_iter().collect();
            panic!(
                "the server exited ({status}) before listening:\n{}",
                said.join("\n")
            );
        }
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server {
            child,
            addr,
            stderr,
        }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.send("GET", path, &[], "")
    }

    /// One request with extra header lines (`Name: value`) and a body.
    pub fn send(&self, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for h in headers {
            head.push_str(h);
            head.push_str("\r\n");
        }
        if !body.is_empty() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        write!(s, "{head}\r\n{body}").unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// Kills the server at once (SIGKILL), as a crash or the OOM killer would.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn health(&self) -> serde_json::Value {
        let (status, body) = self.get("/healthz");
        assert_eq!(status, 200);
        serde_json::from_str(&body).unwrap()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One store with the Oslo extract imported, and its state, shared by the read-only tests
/// of a test binary (they read only the snapshot, never the store, after the import).
pub async fn oslo() -> &'static (TestStore, AppState) {
    static CELL: tokio::sync::OnceCell<(TestStore, AppState)> = tokio::sync::OnceCell::const_new();
    CELL.get_or_init(|| async {
        let t = TestStore::new().await;
        t.import(osm(oslo_pbf())).await.unwrap();
        let state = t.state().await;
        (t, state)
    })
    .await
}

/// Runs the binary on data folder `data` with `args`, which must succeed; returns its
/// standard output trimmed (an id or a token is its last line).
pub fn run_naermiljo(data: &Path, args: &[&str]) -> String {
    let mut c = naermiljo(data);
    c.args(args);
    run_ok(c).trim().to_string()
}

/// Runs a command that must succeed; returns its standard output, or fails with its errors.
pub fn run_ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The Python of the tests' virtual environment (`NAERMILJO_TEST_PYTHON`), where
/// tests/requirements.txt is installed (OWSLib, pyogrio, schemathesis, …).
pub fn test_python() -> String {
    std::env::var("NAERMILJO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "NAERMILJO_TEST_PYTHON is not set: run the tests with scripts/test, which makes a \
             virtual environment with tests/requirements.txt (OWSLib, pyogrio, schemathesis)"
        )
    })
}
