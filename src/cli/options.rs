//! The command line's words: global options, the commands and their option structs, and
//! the parsers of their values. What each command does is in its group's file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::FacilityKind;
use crate::routing::Profile;

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
    /// by `serve` (default: basemap.pmtiles in the data folder, beside the store).
    #[arg(long, global = true, env = "NAERMILJO_BASEMAP")]
    pub basemap: Option<PathBuf>,
    /// The web pages' folder (default: `web/` in the working directory, or in
    /// `../share/naermiljo` beside the binary, or in a folder above the binary, as in a
    /// checkout; `npm ci --prefix web` fills web/node_modules).
    #[arg(long, global = true, env = "NAERMILJO_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// The map style templates' folder (default: `tiles/styles/` found as `web/` is).
    #[arg(long, global = true, env = "NAERMILJO_STYLES_DIR")]
    pub styles_dir: Option<PathBuf>,
    /// The SMTP relay for email: `smtp://user:pass@host:587` (STARTTLS), `smtps://host:465`
    /// (TLS). Without one, email waits in the outbox (`naermiljo outbox`).
    #[arg(long, global = true, env = "NAERMILJO_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// The address residents and staff open the service at, e.g.
    /// `https://www.example-kommune.no/kart`: for links in email, and, when given, for every
    /// link, page, style and tile URL (its path is the prefix the service lives under; headers
    /// from a proxy are then not consulted). Default: the address the server listens on, and
    /// links follow `Forwarded` / `X-Forwarded-*` from a trusted proxy.
    #[arg(long, global = true, env = "NAERMILJO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The From: address of every email.
    #[arg(
        long,
        global = true,
        env = "NAERMILJO_MAIL_FROM",
        default_value = "Nærmiljø <noreply@localhost>"
    )]
    pub mail_from: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the map and the API.
    Serve(ServeArgs),
    /// Download one kommune's official open data (boundary, addresses, schools,
    /// kindergartens, sports facilities, residents per grunnkrets) into a folder, with
    /// DIR/manifest.json; each source all or nothing.
    Fetch(FetchArgs),
    /// Fetch a kommune (as `fetch`) and import everything fetched (as `import kommune`):
    /// one command from nothing to a store ready to serve.
    Setup(FetchArgs),
    /// Import a data file into the store (all or nothing).
    Import(ImportArgs),
    /// Build only the walking graph from an OSM extract, leaving facilities and addresses.
    BuildGraph {
        /// The OpenStreetMap extract (.osm.pbf).
        file: PathBuf,
        /// The source name its rows are kept under: importing again under the same name
        /// updates them.
        #[arg(long, default_value = "osm")]
        source: String,
    },
    /// Build only the basemap archive (PMTiles, zoom 10–16) from an OSM extract.
    BuildBasemap {
        /// The OpenStreetMap extract (.osm.pbf).
        file: PathBuf,
    },
    /// Write the walking graph as pgRouting-ready CSV or SQL (costs in seconds).
    ExportGraph(ExportArgs),
    /// Coverage per district: the share of addresses within a walk of a facility kind.
    Coverage(CoverageArgs),
    /// Organisations that keep activities and volunteer needs.
    #[command(subcommand)]
    Org(OrgCommand),
    /// API tokens for organisations' editors and administrators.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write the demo region's example activities and volunteer needs (marked as examples),
    /// generated from the imported facilities; does nothing when organisations exist.
    DemoProgramme {
        /// The seed of the generator: the same seed gives the same programme.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The newest changes (who, when, what), as JSON lines; `at` is Oslo time.
    Audit {
        /// How many, newest first (1–10 000).
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Accounts of municipal staff (the first admin is made here).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The email outbox, newest first, as JSON lines (without the bodies, which hold
    /// sign-in links, unless --with-body).
    Outbox {
        /// How many, newest first.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Print the bodies too (they hold sign-in links: keep them to yourself).
        #[arg(long)]
        with_body: bool,
    },
    /// Apply the store's migrations and exit (servers and imports also do this at start).
    Migrate,
    /// Show what the store holds.
    Status,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The kommune's number, four digits (3301 for Drammen).
    #[arg(long, value_parser = parse_kommune)]
    pub kommune: String,
    /// The folder to fetch into (default: DATA/kommune-KNR).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only these sources (default: all, OpenStreetMap included); repeat or separate with
    /// commas.
    #[arg(long = "source", value_enum, value_delimiter = ',')]
    pub sources: Vec<crate::fetch::Source>,
    /// Another base URL for a publisher, for a mirror: NAME=URL, NAME one of kommuneinfo,
    /// address-feed, nsr, nbr, anlegg, ssb, geonorge-download, klass, osm-country.
    /// Repeatable.
    #[arg(long = "endpoint", value_name = "NAME=URL")]
    pub endpoints: Vec<String>,
    /// The most time one download may take with its retries, in seconds.
    #[arg(long, default_value_t = 300)]
    pub max_seconds: u64,
    /// An OpenStreetMap extract holding the kommune (a region's or Norway's .osm.pbf):
    /// linked into the folder and cut to the kommune (and 3 km around) when imported.
    /// Without it, Norway's extract is downloaded from Geofabrik (about 1.3 GB) into
    /// --osm-cache once, and asked for again only if it changed.
    #[arg(long)]
    pub osm: Option<PathBuf>,
    /// Where the downloaded country extract is kept for every kommune (default:
    /// DATA/osm-cache).
    #[arg(long)]
    pub osm_cache: Option<PathBuf>,
}

pub(crate) fn parse_kommune(s: &str) -> Result<String, String> {
    crate::fetch::kommune_number(s)
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add an organisation; prints its id.
    Create {
        /// Its public name, unique in the store.
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
pub enum AdminCommand {
    /// Make a staff account and invite it: the invitation goes to the outbox, and its link
    /// is printed here too, for the first admin of a server without an SMTP relay.
    Create {
        /// The address the invitation goes to; it is also the sign-in name.
        #[arg(long)]
        email: String,
        /// The name shown to other staff (in the audit, on answers).
        #[arg(long)]
        name: String,
        /// admin (everything) or moderator.
        #[arg(long, default_value = "admin", value_parser = parse_staff_role)]
        role: crate::store::accounts::StaffRole,
        /// The language of the emails: nb or en.
        #[arg(long, default_value = "nb", value_parser = ["nb", "en"])]
        lang: String,
    },
}

pub(crate) fn parse_staff_role(s: &str) -> Result<crate::store::accounts::StaffRole, String> {
    crate::store::accounts::StaffRole::parse(s)
        .ok_or_else(|| format!("unknown role {s:?}; roles: admin, moderator"))
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once and stored only as a hash.
    Create {
        /// The organisation: its id or its name (as `naermiljo org list` shows them).
        #[arg(long)]
        org: String,
        /// editor: its own organisation's items; admin: every item.
        #[arg(long, value_parser = parse_role)]
        role: crate::store::editing::Role,
        /// What the token is for, e.g. "nettside-integrasjon" (shown in `token list`).
        #[arg(long)]
        label: Option<String>,
    },
    /// List the tokens (id, organisation, role, label; never the tokens themselves).
    List,
    /// Revoke a token by its id (from `token list`): it stops working at once.
    Revoke {
        /// The token's id, from `token list`.
        id: i64,
    },
}

pub(crate) fn parse_org_kind(s: &str) -> Result<crate::domain::activity::OrgKind, String> {
    crate::domain::activity::OrgKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}; kinds: volunteer_organisation, municipality, sports_club, business"
        )
    })
}

pub(crate) fn parse_role(s: &str) -> Result<crate::store::editing::Role, String> {
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

pub(crate) fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s)
        .ok_or_else(|| format!("unknown profile {s:?}; profiles: walk, slow, wheelchair"))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on (port 0: any free port, printed at start).
    #[arg(long, env = "NAERMILJO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Import the demo region (central Oslo, from NAERMILJO_SHARED_DATA) when the store is empty.
    #[arg(long)]
    pub demo: bool,
    /// Where the shared real-data files live.
    #[arg(long, env = "NAERMILJO_SHARED_DATA", default_value = "../shared/data")]
    pub shared_data: PathBuf,
    /// Where `--demo` downloads the demo region when it is not in the shared data folder
    /// (checked against its SHA-256).
    #[arg(long, env = "NAERMILJO_DEMO_URL", default_value = crate::cli::DEMO_URL)]
    pub demo_url: String,
    /// A reverse proxy whose `X-Forwarded-For` is believed (an address or a network such
    /// as 10.0.0.0/8; repeat or separate with commas). Default: loopback only.
    #[arg(
        long = "trusted-proxy",
        env = "NAERMILJO_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
}

/// `import`: what to import, and how carefully.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub what: ImportCommand,
    /// Print what the import would add, change (with the fields) and remove, by name, and
    /// change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Let the import remove more than 10 % of its source's rows in a table (without it,
    /// such an import stops and changes nothing).
    #[arg(long, global = true)]
    pub allow_removal: bool,
    /// Let the import change the kind of more than 10 % of its source's facilities (without
    /// it, such an import stops: a mistyped --kind).
    #[arg(long, global = true)]
    pub allow_kind_change: bool,
    /// Let the import add facilities whose ids another source already holds (they would
    /// show twice; without it, such an import stops and names that source).
    #[arg(long, global = true)]
    pub allow_duplicates: bool,
    /// Let the import add more than 10 % of rows lying over 5 km outside the store's
    /// kommune(s) (without it, such an import stops: another kommune's file?).
    #[arg(long, global = true)]
    pub allow_outside: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Facilities and addresses from an OpenStreetMap extract (.osm.pbf).
    Osm {
        /// The OpenStreetMap extract (.osm.pbf), e.g. from Geofabrik.
        file: PathBuf,
        /// The source name its rows are kept under: importing again under the same name
        /// updates them.
        #[arg(long, default_value = "osm")]
        source: String,
        /// Keep only what lies in this polygon (GeoJSON, e.g. a fetched kommune.geojson)
        /// widened by --buffer-m: nodes inside, ways with a node inside kept whole, and
        /// relations with such a member, as `osmium extract -s complete_ways` does.
        #[arg(long)]
        clip: Option<PathBuf>,
        /// How far around the --clip polygon to keep, in metres.
        #[arg(long, default_value_t = crate::import::clip::DEFAULT_BUFFER_M, requires = "clip")]
        buffer_m: f64,
        /// Leave OSM's addresses out (the homes come from Kartverket's register instead).
        #[arg(long)]
        no_addresses: bool,
    },
    /// Addresses from Kartverket's "Matrikkelen adresse" CSV.
    Addresses {
        /// Kartverket's CSV (semicolon-separated, UTF-8, EPSG:25832/25833/25835 or 4258).
        file: PathBuf,
        /// Default: matrikkelen-KOMMUNENUMMER.
        #[arg(long)]
        source: Option<String>,
    },
    /// Facilities of one kind from a GeoJSON or CSV file.
    ///
    /// CSV as Excel saves it: UTF-8 (with or without BOM), Windows-1252 or UTF-16; `;`, `,`
    /// or tab between fields; decimal commas. Columns, named in any case: longitude `lon`,
    /// `lng`, `long`, `longitude`, `x`, `lengdegrad`; latitude `lat`, `latitude`, `y`,
    /// `breddegrad`; with --crs in metres: east `øst`, `ost`, `east`, `easting`, `x`; north
    /// `nord`, `north`, `northing`, `y`; a stable id `id`, `orgnr`, `organisasjonsnummer`,
    /// `nsrid`, `nbrid`, `anleggsnummer`; the name `name`, `navn`, `fulltnavn`, `anleggsnavn`;
    /// `address`/`adresse`, `wheelchair`, `opening_hours` (OSM syntax), `services`/`tjenester`
    /// (knutepunkter). Other columns are kept as properties (numbers as numbers).
    /// GeoJSON: points or polygons in lon/lat; the id is the feature id or one of the id names.
    Facilities {
        /// A .geojson, .csv or Excel "Unicode text" .txt file.
        file: PathBuf,
        /// What they are, e.g. school, kindergarten, library, pitch (an unknown kind lists
        /// them all).
        #[arg(long, value_parser = parse_kind)]
        kind: FacilityKind,
        /// A GeoJSON property with each feature's kind (then --kind is the fallback).
        #[arg(long)]
        kind_property: Option<String>,
        /// Property or column with a stable id (default: the feature id, else `id`, `orgnr`,
        /// `organisasjonsnummer`, `nsrid`, `nbrid` or `anleggsnummer`).
        #[arg(long)]
        id_property: Option<String>,
        /// Property or column with the name (default: `name`, else `navn`, `fulltnavn` or
        /// `anleggsnavn`).
        #[arg(long, default_value = crate::import::facilities::DEFAULT_NAME)]
        name_property: String,
        /// CSV: the longitude (or, with --crs in metres, east) column.
        #[arg(long)]
        lon_column: Option<String>,
        /// CSV: the latitude (or, with --crs in metres, north) column.
        #[arg(long)]
        lat_column: Option<String>,
        /// CSV: the coordinates' system, e.g. EPSG:25832 (UTM zone 32, metres), EPSG:25833,
        /// EPSG:25835; default lon/lat (EPSG:4326).
        #[arg(long, value_parser = crate::import::facilities::parse_crs)]
        crs: Option<u32>,
        /// Default: the file name without extension.
        #[arg(long)]
        source: Option<String>,
    },
    /// Everything `naermiljo fetch` put in a folder (see its manifest.json): the kommune
    /// boundary, addresses, residents, schools, kindergartens and sports facilities, each
    /// source all or nothing.
    Kommune {
        /// The folder `naermiljo fetch --out` wrote.
        dir: PathBuf,
    },
    /// Residents per grunnkrets or kommune from an SSB StatBank CSV export (e.g. table
    /// 04317); coverage then counts residents, not only addresses.
    Population {
        /// The CSV as SSB exports it (`;` or `,`, UTF-8 or Windows-1252).
        file: PathBuf,
        /// The source name its rows are kept under: importing again under the same name
        /// updates them.
        #[arg(long, default_value = "ssb")]
        source: String,
    },
    /// District polygons (grunnkretser, kommunedeler, a kommune's boundary) from GeoJSON,
    /// in lon/lat or with a `crs` member naming EPSG:25832/25833/25835 or 4258.
    Districts {
        /// The GeoJSON FeatureCollection of Polygons or MultiPolygons.
        file: PathBuf,
        /// The feature property holding each district's name (e.g. grunnkretsnavn, navn).
        #[arg(long)]
        name_property: String,
        /// The property holding its stable id or code (e.g. grunnkretsnummer); default the
        /// feature's id, else `grunnkretsnummer`, `delomradenummer`, `kommunedelnummer`,
        /// `bydelsnummer`, `kommunenummer`, `nummer`, `kode` or `id`, else the name (which
        /// changes when the district is renamed).
        #[arg(long)]
        id_property: Option<String>,
        /// The property holding its residents, where the file has them.
        #[arg(long)]
        population_property: Option<String>,
        /// What kind of division: kommune, kommunedel, bydel, delomrade, grunnkrets, …
        /// A grunnkrets file also yields its delområder (the first six digits).
        #[arg(long, default_value = "district")]
        level: String,
        /// The source name its rows are kept under (default: the file name without
        /// extension).
        #[arg(long)]
        source: Option<String>,
    },
    /// Kommunedeler from a table assigning the imported grunnkretser to them
    /// (CSV `grunnkretsnummer;kommunedel`), each dissolved from its grunnkretser.
    Kommunedeler {
        /// The CSV: `grunnkretsnummer;kommunedel` per row.
        file: PathBuf,
        /// The source name its rows are kept under: importing again under the same name
        /// updates them.
        #[arg(long, default_value = "kommunedeler")]
        source: String,
    },
}

impl ImportCommand {
    /// The whole of an OSM extract, under source `osm`: `import osm FILE` with no options.
    pub fn osm(file: PathBuf) -> ImportCommand {
        ImportCommand::Osm {
            file,
            source: "osm".into(),
            clip: None,
            buffer_m: 0.0,
            no_addresses: false,
        }
    }
}

pub(crate) fn parse_kind(s: &str) -> Result<FacilityKind, String> {
    FacilityKind::parse(s).ok_or_else(|| {
        format!(
            "unknown kind {s:?}; kinds: {}",
            FacilityKind::ALL.map(|k| k.as_str()).join(", ")
        )
    })
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Facility kinds, comma-separated, or `naermiljoanlegg`.
    #[arg(
        long,
        required_unless_present_any = ["category", "nature"],
        conflicts_with_all = ["category", "nature"]
    )]
    pub kind: Option<String>,
    /// Activity categories instead of facility kinds (e.g. `sport,music`).
    #[arg(long, conflicts_with = "nature")]
    pub category: Option<String>,
    /// Nature instead (issue 22): `green` (a green area or forest of at least 0.5 ha, the
    /// WHO proxy), `green_1ha`, `forest` (the forest edge) or `shore` (water, beach,
    /// bathing place); reached at their edge.
    #[arg(long)]
    pub nature: Option<String>,
    /// The walk, in whole minutes (1–60, as the API serves).
    #[arg(long, default_value = "10", value_parser = crate::coverage::parse_minutes)]
    pub minutes: u64,
    /// Who walks: walk, slow or wheelchair.
    #[arg(long, default_value = "walk")]
    pub profile: String,
    /// Only facilities open then by their opening hours (Oslo time, e.g.
    /// 2026-12-24T12:00; those without readable hours count as open unless
    /// --unknown-hours closed).
    #[arg(long)]
    pub open_at: Option<String>,
    /// With --open-at: whether facilities without known hours count as open (the default)
    /// or closed.
    #[arg(long)]
    pub unknown_hours: Option<String>,
    /// What to print.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: CoverageFormat,
    /// CSV: standard (`,` and `.`) or excel-nb (`;`, decimal commas, UTF-8 with BOM: what
    /// Norwegian Excel opens by double-click).
    #[arg(long, value_enum, default_value = "standard")]
    pub csv_dialect: crate::coverage::CsvDialect,
    /// CSV: leave out the last row (`total` in district_id).
    #[arg(long)]
    pub no_total: bool,
    /// District level of the rows (grunnkrets, delomrade, kommunedel, bydel, kommune, …);
    /// default: the coarsest level with at least three districts.
    #[arg(long)]
    pub level: Option<String>,
    /// Only the districts inside this district (its id, as in the districts collection).
    #[arg(long)]
    pub parent: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// CSV (nodes and edges) or SQL for pgRouting.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Whose costs: walk, slow or wheelchair.
    #[arg(long, default_value = "walk", value_parser = parse_profile)]
    pub profile: Profile,
    /// Default: standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument of every command says what it is for (issue 20): `--help` is the
    /// operator's manual.
    #[test]
    fn every_option_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if a.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                    missing.push(format!("{path} {id}"));
                }
            }
            for s in cmd.get_subcommands() {
                walk(s, &format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "naermiljo", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:#?}");
    }
}
