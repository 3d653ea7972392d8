//! The command line: `naermiljo serve`, `naermiljo import …`, `naermiljo status`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app;
use crate::config::Settings;
use crate::domain::FacilityKind;
use crate::import::{self, ImportError};
use crate::routing::{Profile, WalkGraph, export};
use crate::store::{GraphBlob, ImportBatch, ImportOutcome, Store, TableChange};
use anyhow::Context;

/// The demo region: central Oslo, read from the shared data folder.
pub const DEMO_PBF: &str = "oslo_fallback/oslo-center.osm.pbf";

#[derive(Debug, Parser)]
#[command(
    name = "naermiljo",
    version,
    about = "Neighbourhood facilities and what a resident can reach on foot"
)]
pub struct Cli {
    /// Folder for the store, the walking graph and the tiles.
    #[arg(long, global = true, env = "NAERMILJO_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Store: `postgres://…` for PostGIS, or a SQLite path (default DATA/naermiljo.sqlite).
    #[arg(long, global = true, env = "NAERMILJO_DB")]
    pub db: Option<String>,
    /// Most PostgreSQL connections per process (capped at the server's max_connections).
    #[arg(
        long,
        global = true,
        env = "NAERMILJO_DB_POOL_SIZE",
        default_value_t = 8
    )]
    pub db_pool_size: u32,
    /// The basemap's PMTiles archive: written by `import osm` and `build-basemap`, served
    /// by `serve` (default: tiles/basemap.pmtiles in the checkout).
    #[arg(long, global = true, env = "NAERMILJO_BASEMAP")]
    pub basemap: Option<PathBuf>,
    /// The web pages' folder (default: web/ in the checkout; `npm ci --prefix web` fills
    /// web/node_modules).
    #[arg(long, global = true, env = "NAERMILJO_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the map and the API.
    Serve(ServeArgs),
    /// Import a data file into the store (all or nothing).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Build only the walking graph from an OSM extract, leaving facilities and addresses.
    BuildGraph {
        file: PathBuf,
        #[arg(long, default_value = "osm")]
        source: String,
    },
    /// Build only the basemap archive (PMTiles, zoom 10–16) from an OSM extract.
    BuildBasemap { file: PathBuf },
    /// Write the walking graph as pgRouting-ready CSV or SQL (costs in seconds).
    ExportGraph {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        #[arg(long, default_value = "walk", value_parser = parse_profile)]
        profile: Profile,
        /// Default: standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Coverage per district: the share of addresses within a walk of a facility kind.
    Coverage {
        /// Facility kinds, comma-separated, or `naermiljoanlegg`.
        #[arg(
            long,
            required_unless_present = "category",
            conflicts_with = "category"
        )]
        kind: Option<String>,
        /// Activity categories instead of facility kinds (e.g. `sport,music`).
        #[arg(long)]
        category: Option<String>,
        #[arg(long, default_value_t = 10)]
        minutes: u32,
        #[arg(long, default_value = "walk", value_parser = parse_profile)]
        profile: Profile,
        #[arg(long, value_enum, default_value = "csv")]
        format: CoverageFormat,
    },
    /// Organisations that keep activities and volunteer needs.
    #[command(subcommand)]
    Org(OrgCommand),
    /// API tokens for organisations' editors and administrators.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write the demo region's example activities and volunteer needs (marked as examples),
    /// generated from the imported facilities; does nothing when organisations exist.
    DemoProgramme {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The newest writes made through the API (who, when, what), as JSON lines.
    Audit {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Apply the store's migrations and exit (servers and imports also do this at start).
    Migrate,
    /// Show what the store holds.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation; prints its id.
    Create {
        #[arg(long)]
        name: String,
        /// volunteer_organisation, municipality, sports_club or business.
        #[arg(long, value_parser = parse_org_kind)]
        kind: crate::domain::activity::OrgKind,
        /// A public contact: e-mail, phone or web page.
        #[arg(long)]
        contact: Option<String>,
    },
    /// List the organisations with their ids.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        org: i64,
        /// editor: its own organisation's items; admin: every item.
        #[arg(long, value_parser = parse_role)]
        role: crate::store::editing::Role,
        #[arg(long)]
        label: Option<String>,
    },
    /// List the tokens (id, organisation, role, label; never the tokens themselves).
    List,
    /// Revoke a token by its id (from `token list`): it stops working at once.
    Revoke { id: i64 },
}

fn parse_org_kind(s: &str) -> Result<crate::domain::activity::OrgKind, String> {
    crate::domain::activity::OrgKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}; kinds: volunteer_organisation, municipality, sports_club, business"
        )
    })
}

fn parse_role(s: &str) -> Result<crate::store::editing::Role, String> {
    crate::store::editing::Role::parse(s)
        .ok_or_else(|| format!("unknown role {s:?}; roles: editor, admin"))
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CoverageFormat {
    Csv,
    Json,
    /// The districts as GeoJSON polygons with their coverage as properties.
    Geojson,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Sql,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s)
        .ok_or_else(|| format!("unknown profile {s:?}; profiles: walk, slow, wheelchair"))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "NAERMILJO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Import the demo region (central Oslo, from NAERMILJO_SHARED_DATA) when the store is empty.
    #[arg(long)]
    pub demo: bool,
    /// Where the shared real-data files live.
    #[arg(long, env = "NAERMILJO_SHARED_DATA", default_value = "../shared/data")]
    pub shared_data: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Facilities and addresses from an OpenStreetMap extract (.osm.pbf).
    Osm {
        file: PathBuf,
        #[arg(long, default_value = "osm")]
        source: String,
    },
    /// Addresses from Kartverket's "Matrikkelen adresse" CSV.
    Addresses {
        file: PathBuf,
        /// Default: matrikkelen-KOMMUNENUMMER.
        #[arg(long)]
        source: Option<String>,
    },
    /// Facilities of one kind from a GeoJSON or CSV point file.
    Facilities {
        file: PathBuf,
        #[arg(long, value_parser = parse_kind)]
        kind: FacilityKind,
        /// Property or column with a stable id (default: feature id, `id`, `orgnr` or `nsrid`).
        #[arg(long)]
        id_property: Option<String>,
        #[arg(long, default_value = "name")]
        name_property: String,
        /// Default: the file name without extension.
        #[arg(long)]
        source: Option<String>,
    },
    /// District polygons from GeoJSON.
    /// Residents per grunnkrets or kommune from an SSB StatBank CSV export (e.g. table
    /// 04317); coverage then counts residents, not only addresses.
    Population {
        file: PathBuf,
        #[arg(long, default_value = "ssb")]
        source: String,
    },
    Districts {
        file: PathBuf,
        #[arg(long)]
        name_property: String,
        #[arg(long)]
        id_property: Option<String>,
        #[arg(long)]
        population_property: Option<String>,
        /// What kind of division: kommunedel, grunnkrets, bydel, …
        #[arg(long, default_value = "district")]
        level: String,
        #[arg(long)]
        source: Option<String>,
    },
}

fn parse_kind(s: &str) -> Result<FacilityKind, String> {
    FacilityKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}; kinds: {}",
            FacilityKind::ALL.map(|k| k.as_str()).join(", ")
        )
    })
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::new(cli.data.clone());
    settings.db = cli.db.clone();
    settings.db_pool_size = cli.db_pool_size;
    if let Some(path) = cli.basemap {
        settings.basemap = path;
    }
    if let Some(dir) = cli.web_dir {
        settings.web_dir = dir;
    }
    match cli.command {
        Command::Serve(args) => {
            settings.listen = args.listen;
            let started = Instant::now();
            let store = app::open_store(&settings, "naermiljo-serve").await?;
            if args.demo {
                import_demo_if_empty(store.as_ref(), &args.shared_data, &settings.basemap).await?;
            }
            let state = app::build_state(&settings, store).await?;
            let s = state.snapshot.load();
            tracing::info!(
                facilities = s.facilities.len(),
                addresses = s.addresses.len(),
                districts = s.districts.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "snapshot ready"
            );
            drop(s);
            app::serve(&settings, state).await
        }
        Command::Import(cmd) => {
            let store = app::open_store(&settings, "naermiljo-import").await?;
            let report = import(store.as_ref(), cmd, &progress_bar()).await?;
            println!("{report}");
            if !report.basemap.is_empty() {
                let built =
                    write_basemap(&report.basemap, &settings.basemap).with_context(|| {
                        format!(
                            "the data was imported, but the basemap could not be written; \
                         run `naermiljo build-basemap {}`",
                            report.file.display()
                        )
                    })?;
                println!("{built}");
            }
            Ok(())
        }
        Command::BuildBasemap { file } => {
            let progress = progress_bar();
            let reader_progress = progress.clone();
            let reader_file = file.clone();
            let data = tokio::task::spawn_blocking(move || {
                import::osm::read(&reader_file, &reader_progress)
            })
            .await??;
            progress.finish_and_clear();
            let target = settings.basemap.clone();
            let built = tokio::task::spawn_blocking(move || write_basemap(&data.basemap, &target))
                .await??;
            println!("{built}");
            Ok(())
        }
        Command::BuildGraph { file, source } => {
            let store = app::open_store(&settings, "naermiljo-import").await?;
            let progress = progress_bar();
            let reader_progress = progress.clone();
            let reader_file = file.clone();
            let data = tokio::task::spawn_blocking(move || {
                import::osm::read(&reader_file, &reader_progress)
            })
            .await??;
            let batch = ImportBatch {
                importer: "build-graph".into(),
                source,
                file: file.display().to_string(),
                walk_graph: Some(graph_blob(&data.walk_graph)),
                ..Default::default()
            };
            let outcome = store.apply_import(batch).await?;
            progress.finish_and_clear();
            let (nodes, edges) = outcome.walk_graph.unwrap_or_default();
            println!(
                "walking graph: {nodes} nodes, {} segments (data version {})",
                edges / 2,
                outcome.data_version
            );
            Ok(())
        }
        Command::ExportGraph {
            format,
            profile,
            output,
        } => {
            let store = app::open_store(&settings, "naermiljo-export").await?;
            let bytes = store.load().await?.walk_graph.ok_or_else(|| {
                anyhow::anyhow!("no walking graph in the store: import an OSM extract first")
            })?;
            let graph = WalkGraph::from_bytes(&bytes).map_err(anyhow::Error::msg)?;
            let format = match format {
                ExportFormat::Csv => export::Format::Csv,
                ExportFormat::Sql => export::Format::Sql,
            };
            let written = match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    let mut w = std::io::BufWriter::new(file);
                    export::write(&graph, profile, format, &mut w)
                        .and_then(|()| std::io::Write::flush(&mut w))
                }
                None => {
                    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                    export::write(&graph, profile, format, &mut w)
                        .and_then(|()| std::io::Write::flush(&mut w))
                }
            };
            match written {
                // A reader that stopped early (`| head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
        Command::Coverage {
            kind,
            category,
            minutes,
            profile,
            format,
        } => {
            let categories = category
                .map(|c| {
                    c.split(',')
                        .map(|x| {
                            crate::domain::activity::Category::parse(x.trim())
                                .ok_or_else(|| anyhow::anyhow!("unknown category {x:?}"))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
                .transpose()?;
            let kinds = crate::domain::KindFilter::parse(kind.as_deref().unwrap_or("school"))
                .map_err(|bad| anyhow::anyhow!("unknown kind {bad:?}"))?;
            let store = app::open_store(&settings, "naermiljo-coverage").await?;
            let progress = progress_bar();
            progress.set_message("loading the snapshot");
            let snapshot = crate::index::Snapshot::build(store.load().await?);
            progress.set_message("walking from every facility");
            let times = match &categories {
                Some(c) => crate::coverage::activity_times(&snapshot, c, profile)?,
                None => crate::coverage::address_times(&snapshot, &kinds, profile, &[], &[])?,
            };
            let table = crate::coverage::aggregate(&snapshot, &times, minutes, profile);
            progress.finish_and_clear();
            match format {
                CoverageFormat::Csv => emit(&crate::coverage::to_csv(&table))?,
                CoverageFormat::Json => emit(&(serde_json::to_string_pretty(&table)? + "\n"))?,
                CoverageFormat::Geojson => {
                    let features: Vec<serde_json::Value> = table
                        .districts
                        .iter()
                        .filter_map(|row| {
                            let i = snapshot.district(row.district_id.as_deref()?)?;
                            let mut feature: serde_json::Value =
                                serde_json::from_str(snapshot.district_json(i)).ok()?;
                            feature["properties"]["coverage"] = serde_json::to_value(row).ok()?;
                            Some(feature)
                        })
                        .collect();
                    emit(
                        &(serde_json::json!({ "type": "FeatureCollection", "features": features })
                            .to_string()
                            + "\n"),
                    )?;
                }
            }
            Ok(())
        }
        Command::Org(OrgCommand::Create {
            name,
            kind,
            contact,
        }) => {
            let store = app::open_store(&settings, "naermiljo-org").await?;
            let name = name.trim();
            anyhow::ensure!(
                (2..=120).contains(&name.chars().count()),
                "--name must be 2–120 characters"
            );
            let id = store
                .create_organisation(name, kind, contact.as_deref(), false)
                .await
                .with_context(|| {
                    format!("cannot add the organisation {name:?} (is the name taken?)")
                })?;
            println!("{id}");
            Ok(())
        }
        Command::Org(OrgCommand::List) => {
            let store = app::open_store(&settings, "naermiljo-org").await?;
            for o in store.load().await?.organisations {
                println!(
                    "{}\t{}\t{}{}",
                    o.id,
                    o.kind.as_str(),
                    o.name,
                    if o.example { "\t(example)" } else { "" }
                );
            }
            Ok(())
        }
        Command::Token(TokenCommand::Create { org, role, label }) => {
            let store = app::open_store(&settings, "naermiljo-token").await?;
            let token = new_token()?;
            let hash = crate::http::programme::token_sha256(&token);
            let id = store
                .create_token(org, role, &hash, label.as_deref())
                .await
                .with_context(|| format!("cannot make a token for organisation {org}"))?;
            eprintln!(
                "Token {id}: {} for organisation {org}. It is shown only now; keep it secret.\n\
                 Use it as `Authorization: Bearer TOKEN`; revoke it with `naermiljo token revoke {id}`.",
                role.as_str()
            );
            println!("{token}");
            Ok(())
        }
        Command::Token(TokenCommand::List) => {
            let store = app::open_store(&settings, "naermiljo-token").await?;
            for t in store.tokens().await? {
                println!(
                    "{}\torg {}\t{}\t{}{}",
                    t.id,
                    t.org_id,
                    t.role,
                    t.label.as_deref().unwrap_or("-"),
                    if t.revoked { "\trevoked" } else { "" }
                );
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let store = app::open_store(&settings, "naermiljo-token").await?;
            anyhow::ensure!(
                store.revoke_token(id).await?,
                "no token {id} to revoke (see `naermiljo token list`)"
            );
            println!("token {id} revoked");
            Ok(())
        }
        Command::DemoProgramme { seed } => {
            let store = app::open_store(&settings, "naermiljo-demo").await?;
            println!("{}", write_demo_programme(store.as_ref(), seed).await?);
            Ok(())
        }
        Command::Audit { limit } => {
            let store = app::open_store(&settings, "naermiljo-audit").await?;
            for row in store.audit_log(limit.clamp(1, 10_000)).await? {
                println!("{}", serde_json::to_string(&row)?);
            }
            Ok(())
        }
        Command::Migrate => {
            app::open_store(&settings, "naermiljo-migrate").await?;
            println!("{}: migrations applied", settings.backend());
            Ok(())
        }
        Command::Status => {
            let store = app::open_store(&settings, "naermiljo-status").await?;
            let counts = store.counts().await?;
            println!(
                "{}: {} facilities, {} addresses, {} districts (data version {})",
                settings.backend(),
                counts.facilities,
                counts.addresses,
                counts.districts,
                store.data_version().await?
            );
            Ok(())
        }
    }
}

async fn import_demo_if_empty(
    store: &dyn Store,
    shared: &Path,
    basemap: &Path,
) -> anyhow::Result<()> {
    let counts = store.counts().await?;
    let pbf = shared.join(DEMO_PBF);
    if counts.facilities > 0 || counts.addresses > 0 {
        if !basemap.exists() && pbf.exists() {
            eprintln!("Building the demo basemap from {}", pbf.display());
            let data = import::osm::read(&pbf, &ProgressBar::hidden())?;
            eprintln!("{}", write_basemap(&data.basemap, basemap)?);
        }
        return Ok(());
    }
    if !pbf.exists() {
        eprintln!(
            "The demo region is not imported and its file is missing: {}\n\
             Set NAERMILJO_SHARED_DATA to the folder that holds {DEMO_PBF}, or import any OSM extract with\n  \
             naermiljo import osm FILE.osm.pbf\n(Geofabrik publishes one per Norwegian county.) Serving an empty map meanwhile.",
            pbf.display()
        );
        return Ok(());
    }
    eprintln!(
        "Importing the demo region (central Oslo, © OpenStreetMap contributors) from {}",
        pbf.display()
    );
    let report = import(
        store,
        ImportCommand::Osm {
            file: pbf,
            source: "osm".into(),
        },
        &progress_bar(),
    )
    .await?;
    eprintln!("{report}");
    eprintln!("{}", write_basemap(&report.basemap, basemap)?);
    eprintln!("{}", write_demo_programme(store, 2026).await?);
    Ok(())
}

/// A new API token: 32 random bytes from the operating system, hex, with a prefix that
/// makes a leaked token easy to recognise.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!(
        "nm_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// Writes the example organisations, activities and needs of [`crate::demo`] unless the
/// store already has organisations. Returns what it did, in words.
pub async fn write_demo_programme(store: &dyn Store, seed: u64) -> anyhow::Result<String> {
    use crate::store::editing::{Actor, ItemCollection, ItemWrite, Role};
    let contents = store.load().await?;
    if !contents.organisations.is_empty() {
        return Ok("organisations exist already: no examples written".into());
    }
    let snapshot = crate::index::Snapshot::build(contents);
    let today = crate::domain::activity::today(jiff::Timestamp::now());
    let demo = crate::demo::generate(&snapshot, seed, today);
    let mut org_ids = Vec::new();
    for (name, kind, contact) in crate::demo::ORGANISATIONS {
        org_ids.push(
            store
                .create_organisation(name, kind, Some(contact), true)
                .await?,
        );
    }
    let system = |org_id| Actor {
        token_id: None,
        org_id,
        role: Role::Admin,
    };
    for (org, doc) in &demo.activities {
        let org_id = org_ids[*org];
        store
            .write_item(
                ItemCollection::Activities,
                &system(org_id),
                ItemWrite::Create {
                    org_id,
                    example: true,
                    doc: serde_json::to_value(doc)?,
                    valid_until: None,
                },
            )
            .await?;
    }
    for (org, doc) in &demo.needs {
        let org_id = org_ids[*org];
        store
            .write_item(
                ItemCollection::VolunteerNeeds,
                &system(org_id),
                ItemWrite::Create {
                    org_id,
                    example: true,
                    doc: serde_json::to_value(doc)?,
                    valid_until: Some(doc.valid_until.to_string()),
                },
            )
            .await?;
    }
    Ok(format!(
        "examples: {} organisations, {} activities, {} volunteer needs (seed {seed}; all marked as examples)",
        org_ids.len(),
        demo.activities.len(),
        demo.needs.len()
    ))
}

/// What a basemap build did, printed at the end.
pub struct BasemapReport {
    pub path: PathBuf,
    pub tiles: usize,
    pub bytes: u64,
    pub features: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for BasemapReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "basemap: {} features in {} tiles (zoom {}–{}), {:.1} MB, {:.2} s → {}",
            self.features,
            self.tiles,
            crate::basemap::MIN_ZOOM,
            crate::basemap::MAX_ZOOM,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64(),
            self.path.display()
        )
    }
}

/// Cuts the basemap into tiles and writes the archive (atomically) to `path`.
pub fn write_basemap(
    features: &[crate::basemap::MapFeature],
    path: &Path,
) -> anyhow::Result<BasemapReport> {
    let started = Instant::now();
    let cut = crate::basemap::cut(features);
    crate::basemap::write_archive(path, &cut)?;
    Ok(BasemapReport {
        path: path.to_path_buf(),
        tiles: cut.tiles.len(),
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        features: features.len(),
        elapsed: started.elapsed(),
    })
}

/// A progress bar on stderr; indicatif hides it when stderr is not a terminal.
pub fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg:<24} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
        )
        .expect("a fixed, valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// What an import did, printed at the end.
#[derive(Debug)]
pub struct ImportReport {
    pub file: PathBuf,
    pub outcome: ImportOutcome,
    /// Rows read per facility kind.
    pub kinds: BTreeMap<FacilityKind, u64>,
    pub skipped: Vec<String>,
    pub elapsed: Duration,
    /// What the basemap draws, from an OSM import (empty for other files).
    pub basemap: Vec<crate::basemap::MapFeature>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Imported {} in {:.2} s (data version {})",
            self.file.display(),
            self.elapsed.as_secs_f64(),
            self.outcome.data_version
        )?;
        let line = |f: &mut std::fmt::Formatter<'_>, what: &str, c: &Option<TableChange>| match c {
            Some(c) => writeln!(
                f,
                "  {what:<11} {:>7} in file: {} new, {} updated, {} removed",
                c.inserted + c.updated,
                c.inserted,
                c.updated,
                c.removed
            ),
            None => Ok(()),
        };
        line(f, "facilities", &self.outcome.facilities)?;
        for (kind, n) in &self.kinds {
            writeln!(f, "    {:<18} {n:>6}", kind.as_str())?;
        }
        line(f, "addresses", &self.outcome.addresses)?;
        line(f, "districts", &self.outcome.districts)?;
        if let Some((before, now)) = self.outcome.population {
            writeln!(f, "  population  {now:>7} areas (this source had {before})")?;
        }
        if let Some((nodes, edges)) = self.outcome.walk_graph {
            writeln!(f, "  walking graph {nodes} nodes, {} segments", edges / 2)?;
        }
        if !self.skipped.is_empty() {
            writeln!(
                f,
                "  skipped {} objects without a usable position, e.g.:",
                self.skipped.len()
            )?;
            for s in self.skipped.iter().take(5) {
                writeln!(f, "    {s}")?;
            }
        }
        Ok(())
    }
}

/// Reads a file completely, then applies it to the store in one transaction.
pub async fn import(
    store: &dyn Store,
    cmd: ImportCommand,
    progress: &ProgressBar,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    // Reading and parsing is CPU work: off the async threads.
    let reader_progress = progress.clone();
    let (file, batch, skipped, basemap) =
        tokio::task::spawn_blocking(move || read_import(cmd, &reader_progress))
            .await
            .map_err(|e| ImportError::File {
                file: PathBuf::new(),
                reason: format!("the reader failed: {e}"),
            })??;
    let kinds = batch
        .facilities
        .iter()
        .flatten()
        .fold(BTreeMap::new(), |mut m, f| {
            *m.entry(f.kind).or_insert(0) += 1;
            m
        });
    progress.set_message("writing to the store");
    let outcome = store.apply_import(batch).await?;
    progress.finish_and_clear();
    Ok(ImportReport {
        file,
        outcome,
        kinds,
        skipped,
        elapsed: started.elapsed(),
        basemap,
    })
}

/// Writes to standard output; a reader that stopped early (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn graph_blob(g: &WalkGraph) -> GraphBlob {
    GraphBlob {
        nodes: g.node_count() as u64,
        edges: g.edge_count() as u64,
        data: g.to_bytes(),
    }
}

fn read_import(
    cmd: ImportCommand,
    progress: &ProgressBar,
) -> Result<
    (
        PathBuf,
        ImportBatch,
        Vec<String>,
        Vec<crate::basemap::MapFeature>,
    ),
    ImportError,
> {
    progress.set_message("reading");
    let file_name = |p: &Path| p.display().to_string();
    Ok(match cmd {
        ImportCommand::Osm { file, source } => {
            let data = import::osm::read(&file, progress)?;
            let walk_graph =
                (data.walk_graph.edge_count() > 0).then(|| graph_blob(&data.walk_graph));
            let batch = ImportBatch {
                importer: "osm".into(),
                source,
                file: file_name(&file),
                facilities: Some(data.facilities),
                addresses: Some(data.addresses),
                districts: None,
                walk_graph,
                population: None,
            };
            (file, batch, data.skipped, data.basemap)
        }
        ImportCommand::Addresses { file, source } => {
            let data = import::addresses::read(&file, progress)?;
            let source = source.unwrap_or_else(|| match data.municipalities.iter().next() {
                Some(m) if data.municipalities.len() == 1 => format!("matrikkelen-{m}"),
                _ => "matrikkelen".into(),
            });
            let batch = ImportBatch {
                importer: "addresses".into(),
                source,
                file: file_name(&file),
                addresses: Some(data.addresses),
                ..Default::default()
            };
            (file, batch, Vec::new(), Vec::new())
        }
        ImportCommand::Facilities {
            file,
            kind,
            id_property,
            name_property,
            source,
        } => {
            let options = import::facilities::FacilityFileOptions {
                kind,
                id_property,
                name_property,
            };
            let rows = import::facilities::read(&file, &options)?;
            let batch = ImportBatch {
                importer: "facilities".into(),
                source: source.unwrap_or_else(|| import::default_source(&file)),
                file: file_name(&file),
                facilities: Some(rows),
                ..Default::default()
            };
            (file, batch, Vec::new(), Vec::new())
        }
        ImportCommand::Population { file, source } => {
            let rows = import::population::read(&file)?;
            let batch = ImportBatch {
                importer: "population".into(),
                source,
                file: file_name(&file),
                population: Some(rows),
                ..Default::default()
            };
            (file, batch, Vec::new(), Vec::new())
        }
        ImportCommand::Districts {
            file,
            name_property,
            id_property,
            population_property,
            level,
            source,
        } => {
            let options = import::districts::DistrictFileOptions {
                name_property,
                id_property,
                population_property,
                level,
            };
            let rows = import::districts::read(&file, &options)?;
            let batch = ImportBatch {
                importer: "districts".into(),
                source: source.unwrap_or_else(|| import::default_source(&file)),
                file: file_name(&file),
                districts: Some(rows),
                ..Default::default()
            };
            (file, batch, Vec::new(), Vec::new())
        }
    })
}
