//! `fetch`: one kommune's official data into a folder (see [`crate::fetch`]).

use std::io::IsTerminal;
use std::time::Duration;

use super::FetchArgs;
use crate::config::Settings;
use crate::fetch::{Endpoints, FetchOptions, Http, RetryPolicy, Source};

pub async fn fetch(settings: &Settings, args: FetchArgs) -> anyhow::Result<()> {
    fetch_into(settings, args).await.1
}

/// `naermiljo setup`: fetch, then import what the folder holds (also when a source failed:
/// its earlier files, if any, are imported and the failure is reported at the end).
pub async fn setup(settings: &Settings, args: FetchArgs) -> anyhow::Result<()> {
    let (out, fetched) = fetch_into(settings, args).await;
    if let Err(e) = &fetched {
        eprintln!("error: {e:#}");
    }
    if crate::fetch::Manifest::read(&out).map_or(true, |m| m.sources.is_empty()) {
        return fetched;
    }
    let args = super::options::ImportArgs {
        what: super::ImportCommand::Kommune { dir: out.clone() },
        dry_run: false,
        allow_removal: false,
        allow_kind_change: false,
        allow_duplicates: false,
        allow_outside: false,
    };
    super::import::run(settings, args).await?;
    fetched.map(|()| {
        eprintln!(
            "set up from {}: start the map with `naermiljo serve`",
            out.display()
        )
    })
}

/// Fetches into the folder; returns it, and whether every source arrived.
async fn fetch_into(
    settings: &Settings,
    args: FetchArgs,
) -> (std::path::PathBuf, anyhow::Result<()>) {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| settings.data_dir.join(format!("kommune-{}", args.kommune)));
    let osm_cache = args
        .osm_cache
        .clone()
        .unwrap_or_else(|| settings.data_dir.join("osm-cache"));
    let result = fetch_to(out.clone(), osm_cache, args).await;
    (out, result)
}

async fn fetch_to(
    out: std::path::PathBuf,
    osm_cache: std::path::PathBuf,
    args: FetchArgs,
) -> anyhow::Result<()> {
    let mut endpoints = Endpoints::default();
    for e in &args.endpoints {
        endpoints.set(e).map_err(anyhow::Error::msg)?;
    }
    let opts = FetchOptions {
        kommune: args.kommune.clone(),
        out: out.clone(),
        endpoints,
        sources: {
            let mut sources = if args.sources.is_empty() {
                let mut all = Source::ALL.to_vec();
                all.push(Source::Osm);
                all
            } else {
                args.sources
            };
            if args.osm.is_some() && !sources.contains(&Source::Osm) {
                sources.push(Source::Osm);
            }
            sources
        },
        poll_interval: Duration::from_secs(5),
        poll_timeout: Duration::from_secs(args.max_seconds.max(60)),
        osm: args.osm,
        osm_cache,
    };
    let retry = RetryPolicy {
        total: Duration::from_secs(args.max_seconds.max(1)),
        ..RetryPolicy::default()
    };
    let http = Http::new(retry, std::io::stderr().is_terminal()).map_err(anyhow::Error::msg)?;
    let report = crate::fetch::fetch(&opts, &http).await?;
    for (source, entry) in &report.fetched {
        let bytes: u64 = entry.files.iter().map(|f| f.bytes).sum();
        eprintln!(
            "{}: {} ({bytes} bytes) — {}",
            source.name(),
            entry
                .files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            entry.attribution
        );
    }
    for e in &report.failed {
        eprintln!("error: {e}");
    }
    if !report.failed.is_empty() {
        anyhow::bail!(
            "{} of {} sources failed (their earlier files in {} are kept): {}",
            report.failed.len(),
            report.failed.len() + report.fetched.len(),
            out.display(),
            report
                .failed
                .iter()
                .map(|e| e.dataset.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!("fetched into {} (manifest.json)", out.display());
    Ok(())
}
