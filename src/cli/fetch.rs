//! `fetch`: one kommune's official data into a folder (see [`crate::fetch`]).

use std::io::IsTerminal;
use std::time::Duration;

use super::FetchArgs;
use crate::config::Settings;
use crate::fetch::{Endpoints, FetchOptions, Http, RetryPolicy, Source};

pub async fn fetch(settings: &Settings, args: FetchArgs) -> anyhow::Result<()> {
    let mut endpoints = Endpoints::default();
    for e in &args.endpoints {
        endpoints.set(e).map_err(anyhow::Error::msg)?;
    }
    let out = args
        .out
        .unwrap_or_else(|| settings.data_dir.join(format!("kommune-{}", args.kommune)));
    let opts = FetchOptions {
        kommune: args.kommune.clone(),
        out: out.clone(),
        endpoints,
        sources: {
            let mut sources = if args.sources.is_empty() {
                Source::ALL.to_vec()
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
