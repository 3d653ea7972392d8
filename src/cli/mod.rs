//! The command line: `naermiljo serve`, `naermiljo import …`, `naermiljo status` and the
//! rest. `options.rs` holds every command's words (clap); each group of commands has its
//! own file: `serve.rs` (serve, migrate, status), `import.rs` (import, build-graph,
//! build-basemap), `coverage.rs` (coverage, export-graph), `orgs.rs` (org, token, audit), `admin.rs` (admin, outbox),
//! `demo.rs` (the demo region and its example programme).

mod admin;
mod coverage;
mod demo;
mod fetch;
mod import;
mod options;
mod orgs;
pub mod plan;
mod serve;

pub use demo::{DEMO_PBF, DEMO_SHA256, DEMO_URL, write_demo_programme};
pub use import::{
    BasemapReport, ImportReport, Imported, import, import_guarded, kommune_imports, progress_bar,
    write_basemap,
};
pub use options::*;

use crate::config::Settings;

/// Runs one command line.
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
    if let Some(dir) = cli.styles_dir {
        settings.styles_dir = dir;
    }
    settings.smtp_url = cli.smtp_url;
    settings.mail_from = cli.mail_from;
    settings.public_url = cli.public_url;
    match cli.command {
        Command::Serve(args) => serve::serve(settings, args).await,
        Command::Fetch(args) => fetch::fetch(&settings, args).await,
        Command::Setup(args) => fetch::setup(&settings, args).await,
        Command::Import(args) => import::run(&settings, args).await,
        Command::BuildBasemap { file } => import::build_basemap(&settings, file).await,
        Command::BuildGraph { file, source } => import::build_graph(&settings, file, source).await,
        Command::ExportGraph(args) => coverage::export_graph(&settings, args).await,
        Command::Coverage(args) => coverage::coverage(&settings, args).await,
        Command::Org(cmd) => orgs::org(&settings, cmd).await,
        Command::Token(cmd) => orgs::token(&settings, cmd).await,
        Command::DemoProgramme { seed } => demo::demo_programme(&settings, seed).await,
        Command::Audit { limit } => orgs::audit(&settings, limit).await,
        Command::Admin(cmd) => admin::admin(&settings, cmd).await,
        Command::Outbox { limit, with_body } => admin::outbox(&settings, limit, with_body).await,
        Command::Migrate => serve::migrate(&settings).await,
        Command::Status => serve::status(&settings).await,
    }
}
