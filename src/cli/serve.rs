//! `serve`, `migrate`, `status`: running the server and looking after its store.

use std::time::Instant;

use super::ServeArgs;
use super::demo::import_demo_if_empty;
use crate::app;
use crate::config::Settings;

/// Serves the map and the API until stopped (see [`app::serve`]); with `--demo`, imports
/// the demo region first when the store is empty.
pub async fn serve(mut settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    settings.listen = args.listen;
    if !args.trusted_proxies.is_empty() {
        settings.limits.trusted_proxies = args
            .trusted_proxies
            .iter()
            .map(|p| trusted_proxy(p))
            .collect::<anyhow::Result<_>>()?;
    }
    let started = Instant::now();
    let store = if args.demo {
        app::open_store(&settings, "naermiljo-serve").await?
    } else {
        app::open_existing_store(&settings, "naermiljo-serve").await?
    };
    if args.demo {
        import_demo_if_empty(
            store.as_ref(),
            &args.shared_data,
            &settings.data_dir,
            &args.demo_url,
            &settings.basemap,
        )
        .await?;
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

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    app::open_store(settings, "naermiljo-migrate").await?;
    println!("{}: migrations applied", settings.backend());
    Ok(())
}

pub async fn status(settings: &Settings) -> anyhow::Result<()> {
    let store = app::open_existing_store(settings, "naermiljo-status").await?;
    let counts = store.counts().await?;
    let last = store.last_imports().await?;
    // The store read once: the district levels and the sources come from one snapshot.
    let contents = store.load().await?;
    let population_areas = contents.population.len();
    let s = crate::index::Snapshot::build(contents);
    // Register points replace OpenStreetMap's for the same place (`index::conflate`): the
    // rows stored and the facilities shown differ by those.
    let replaced = (counts.facilities as usize).saturating_sub(s.facilities.len());
    let facilities = if replaced > 0 {
        format!(
            "{} facilities ({} shown: {replaced} OpenStreetMap {} replaced by the registers')",
            counts.facilities,
            s.facilities.len(),
            if replaced == 1 { "point" } else { "points" }
        )
    } else {
        format!("{} facilities", counts.facilities)
    };
    let text = format!(
        "{}: {facilities}, {} addresses, {} district {} stored (data version {})\n{}\n",
        settings.backend(),
        counts.addresses,
        counts.districts,
        if counts.districts == 1 {
            "polygon"
        } else {
            "polygons"
        },
        s.data_version,
        super::import::district_levels_of(&s)
    ) + &sources(settings, store.as_ref(), &s, &last, population_areas).await?;
    // A reader that stops early (`status | head -1`) is not an error.
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// What each source holds (issue 20): its rows per table (facilities by kind, districts by
/// level), and its last import's importer, file and time; the kommuner, the walking network,
/// the basemap's area, the programme and the tokens.
async fn sources(
    settings: &Settings,
    store: &dyn crate::store::Store,
    s: &crate::index::Snapshot,
    last: &[crate::store::LastImport],
    population_areas: usize,
) -> anyhow::Result<String> {
    let rows = s.rows_by_source();
    let mut out = String::from("sources:\n");
    for l in last {
        let held = rows
            .get(l.source.as_str())
            .map(|m| {
                m.iter()
                    .map(|(what, n)| format!("{n} {what}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| {
                // Population figures are stored by area code, not as rows of their own.
                if l.importer == "population" && population_areas > 0 {
                    format!("residents of {population_areas} areas")
                } else {
                    "no rows".into()
                }
            });
        out.push_str(&format!(
            "  {}: {held}; last imported {} by `import {}` from {}\n",
            l.source, l.finished_at, l.importer, l.file
        ));
    }
    if last.is_empty() {
        out.push_str("  none imported yet\n");
    }
    let kommuner = s.kommuner();
    out.push_str(&format!(
        "kommune: {}\n",
        if kommuner.is_empty() {
            "none (import a kommune's boundary: `naermiljo import kommune DIR`, or \
             `import districts FILE --level kommune`)"
                .to_string()
        } else {
            kommuner
                .iter()
                .map(|(code, name)| format!("{code} {name}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    let walk = match (&s.walk, &s.walk_problem) {
        (Some(w), _) => format!("yes, {} nodes", w.network.graph.node_count()),
        (None, Some(problem)) => format!("unreadable ({problem})"),
        (None, None) => format!("no ({})", s.no_network_hint()),
    };
    let basemap = if settings.basemap.is_file() {
        match crate::basemap::Basemap::open(&settings.basemap).await {
            Ok(b) => {
                let [w, so, e, n] = b.bounds();
                format!(
                    "{} (lon {w:.3} to {e:.3}, lat {so:.3} to {n:.3})",
                    settings.basemap.display()
                )
            }
            Err(e) => format!("{} is unreadable: {e:#}", settings.basemap.display()),
        }
    } else {
        format!(
            "none at {} (`naermiljo build-basemap FILE.osm.pbf`)",
            settings.basemap.display()
        )
    };
    let tokens = store.tokens().await?;
    let active = tokens.iter().filter(|t| !t.revoked).count();
    let p = &s.programme;
    out.push_str(&format!(
        "walking network: {walk}\nbasemap: {basemap}\norganisations: {}, activities: {}, \
         volunteer needs: {}\nAPI tokens: {active} active, {} revoked\n",
        p.organisations.len(),
        p.activities.len(),
        p.needs.len(),
        tokens.len() - active
    ));
    Ok(out)
}

/// `--trusted-proxy`: an address (one host) or a network in CIDR notation.
fn trusted_proxy(s: &str) -> anyhow::Result<ipnet::IpNet> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            anyhow::anyhow!(
                "--trusted-proxy {s:?}: not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)"
            )
        })
}
