//! `coverage` and `export-graph`: what planners and GIS tools take away: coverage per
//! district (CSV, JSON, GeoJSON) and the walking graph for pgRouting.

use anyhow::Context;

use super::import::progress_bar;
use super::{CoverageArgs, CoverageFormat, ExportArgs, ExportFormat};
use crate::app;
use crate::config::Settings;
use crate::routing::{WalkGraph, export};

/// `naermiljo coverage`: the share of homes within a walk, per district; the same question,
/// checks and bytes as `/api/coverage` (issue 21 item 6).
pub async fn coverage(settings: &Settings, args: CoverageArgs) -> anyhow::Result<()> {
    let CoverageArgs {
        kind,
        category,
        nature,
        minutes,
        profile,
        open_at,
        unknown_hours,
        format,
        csv_dialect,
        no_total,
        level,
        parent,
    } = args;
    let asked = crate::coverage::Asked {
        kind: kind.as_deref(),
        category: category.as_deref(),
        nature: nature.as_deref(),
        minutes: Some(minutes),
        profile: Some(&profile),
        open_at: open_at.as_deref(),
        unknown_hours: unknown_hours.as_deref(),
    };
    let question = crate::coverage::Question::parse(&asked, crate::coverage::MAX_MINUTES)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.parameter.replace('_', "-"), e.message))?;
    let store = app::open_existing_store(settings, "naermiljo-coverage").await?;
    let progress = progress_bar();
    progress.set_message("loading the snapshot");
    let snapshot = crate::index::Snapshot::build(store.load().await?);
    let view = crate::coverage::View::parse(&snapshot, level.as_deref(), parent.as_deref())?;
    progress.set_message("walking from every facility");
    let times = question.times(&snapshot)?;
    let mut table =
        crate::coverage::aggregate_at(&snapshot, &times, question.minutes, question.profile, view);
    table.about = question.about(&snapshot, &times);
    progress.finish_and_clear();
    for note in &table.about.notes {
        eprintln!("note: {note}");
    }
    let unreachable = table.total.unreachable;
    if unreachable > 0 && unreachable * 10 > table.total.addresses {
        eprintln!(
            "warning: {unreachable} of the {} homes are not connected to the walking network \
             (column unreachable): is the network for this area? (`naermiljo status`)",
            table.total.addresses
        );
    }
    let format = match format {
        CoverageFormat::Csv => crate::coverage::Format::Csv(crate::coverage::CsvOptions {
            dialect: csv_dialect,
            total: !no_total,
        }),
        CoverageFormat::Json => crate::coverage::Format::Json,
        CoverageFormat::Geojson => crate::coverage::Format::Geojson,
    };
    let rendered = crate::coverage::render(&table, &snapshot, format);
    // As the API sends it; a terminal gets a last newline when the format has none.
    let mut body = rendered.body;
    if !body.ends_with('\n') {
        body.push('\n');
    }
    emit(&body)
}

/// `naermiljo export-graph`: pgRouting-ready CSV or SQL.
pub async fn export_graph(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let ExportArgs {
        format,
        profile,
        output,
    } = args;
    let store = app::open_existing_store(settings, "naermiljo-export").await?;
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

/// Writes to standard output; a reader that stopped early (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
