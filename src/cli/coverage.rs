//! `coverage` and `export-graph`: what planners and GIS tools take away: coverage per
//! district (CSV, JSON, GeoJSON) and the walking graph for pgRouting.

use anyhow::Context;

use super::import::progress_bar;
use super::{CoverageArgs, CoverageFormat, ExportArgs, ExportFormat};
use crate::app;
use crate::config::Settings;
use crate::routing::{WalkGraph, export};

/// `naermiljo coverage`: the share of homes within a walk, per district.
pub async fn coverage(settings: &Settings, args: CoverageArgs) -> anyhow::Result<()> {
    let CoverageArgs {
        kind,
        category,
        minutes,
        profile,
        format,
        level,
        parent,
    } = args;
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
    let store = app::open_existing_store(settings, "naermiljo-coverage").await?;
    let progress = progress_bar();
    progress.set_message("loading the snapshot");
    let snapshot = crate::index::Snapshot::build(store.load().await?);
    let view = crate::coverage::View::parse(&snapshot, level.as_deref(), parent.as_deref())?;
    progress.set_message("walking from every facility");
    let times = match &categories {
        Some(c) => crate::coverage::activity_times(&snapshot, c, profile)?,
        None => crate::coverage::address_times(&snapshot, &kinds, profile, &[], &[])?,
    };
    let table = crate::coverage::aggregate_at(&snapshot, &times, minutes, profile, view);
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
