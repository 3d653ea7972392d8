//! Settings: parsed and validated, no I/O. `app.rs` turns them into a running service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Request limits, named in the errors they cause.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `limit` when a request gives none (OGC API – Features items).
    pub default_limit: u64,
    /// The largest `limit` served; larger requests are clamped to it, as OGC asks.
    pub max_limit: u64,
    /// The longest `q` accepted, in characters.
    pub max_query_chars: usize,
    pub search_default_limit: u64,
    pub search_max_limit: u64,
    /// The longest walk a reach or isochrone request may ask for, in minutes.
    pub max_walk_minutes: u32,
    /// The most isochrone bands in one request.
    pub max_bands: usize,
    /// An origin farther than this from every walkable segment is refused, in metres.
    pub max_snap_m: f64,
    /// Peers whose `X-Forwarded-For` is believed: the reverse proxies in front of the
    /// server. The per-address sign-in and offer limits count the address they forward;
    /// anyone else is counted by their own socket address. Default: loopback only.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_limit: 100,
            max_limit: 10_000,
            max_query_chars: 200,
            search_default_limit: 10,
            search_max_limit: 50,
            max_walk_minutes: 60,
            max_bands: 6,
            max_snap_m: 500.0,
            trusted_proxies: vec![
                "127.0.0.0/8".parse().expect("a network"),
                "::1/128".parse().expect("a network"),
            ],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Folder of the embedded store, the walking graph and the tiles.
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `postgres://…` for PostGIS; `sqlite://…` or a path; `None` means `data_dir/naermiljo.sqlite`.
    pub db: Option<String>,
    /// Most connections to PostgreSQL per process (capped at what the server allows).
    pub db_pool_size: u32,
    /// How often the server asks the store whether the data changed.
    pub refresh_interval: Duration,
    pub limits: Limits,
    /// The basemap's PMTiles archive (built by `import osm` and `build-basemap`).
    pub basemap: PathBuf,
    /// The web pages and their scripts (`web/`; npm packages in `web/node_modules`).
    pub web_dir: PathBuf,
    /// MapLibre style templates (`tiles/styles/NAME.json`).
    pub styles_dir: PathBuf,
    /// The SMTP relay the outbox is sent through (`smtp://…`, `smtps://…`); `None`: email
    /// stays in the outbox, where staff see it.
    pub smtp_url: Option<String>,
    /// The `From:` of every email.
    pub mail_from: String,
    /// How often the outbox worker looks for email to send.
    pub mail_interval: Duration,
    /// The origin (and path) people open the service at, for links in email sent outside
    /// a request; `None`: `http://` and the listening address.
    pub public_url: Option<String>,
}

/// The folder that holds the pages (`web/`, with `web/index.html`) and the style templates
/// (`tiles/styles/`), found at run time, never from where the binary was built (issue 16
/// item 3): the working directory; then `../share/naermiljo` beside the executable (an
/// installed binary); then the executable's folder and each folder above it (a checkout's
/// `target/debug/naermiljo` finds the checkout). `None` when none holds `web/index.html`:
/// then `--web-dir` and `--styles-dir` (or their environment variables) say where they are.
pub fn find_asset_root() -> Option<PathBuf> {
    let holds = |d: &std::path::Path| d.join("web/index.html").is_file();
    let mut candidates: Vec<PathBuf> = std::env::current_dir().into_iter().collect();
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok());
    if let Some(folder) = exe.as_deref().and_then(std::path::Path::parent) {
        candidates.push(folder.join("../share/naermiljo"));
        candidates.extend(folder.ancestors().map(std::path::Path::to_path_buf));
    }
    candidates.into_iter().find(|d| holds(d))
}

impl Settings {
    pub fn new(data_dir: PathBuf) -> Settings {
        let asset_root = find_asset_root().unwrap_or_else(|| PathBuf::from("."));
        Settings {
            data_dir: data_dir.clone(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: None,
            db_pool_size: 8,
            refresh_interval: Duration::from_secs(1),
            limits: Limits::default(),
            basemap: data_dir.join("basemap.pmtiles"),
            web_dir: asset_root.join("web"),
            styles_dir: asset_root.join("tiles/styles"),
            smtp_url: None,
            mail_from: "Nærmiljø <noreply@localhost>".into(),
            mail_interval: Duration::from_secs(2),
            public_url: None,
        }
    }

    /// [`Settings::public_url`], or this server's listening address, without a final `/`.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }

    /// Which store the settings name.
    pub fn backend(&self) -> Backend {
        match self.db.as_deref() {
            None => Backend::Sqlite(self.data_dir.join("naermiljo.sqlite")),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Backend::Postgis(url.to_string())
            }
            Some(url) => {
                Backend::Sqlite(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded store: one SQLite file.
    Sqlite(PathBuf),
    /// PostgreSQL with PostGIS, by URL.
    Postgis(String),
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Sqlite(path) => write!(f, "{}", path.display()),
            Backend::Postgis(url) => f.write_str(&crate::store::postgis::redact(url)),
        }
    }
}
