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
    let s = crate::index::Snapshot::build(store.load().await?);
    let text = format!(
        "{}: {} facilities, {} addresses, {} district {} stored (data version {})\n{}\n",
        settings.backend(),
        counts.facilities,
        counts.addresses,
        counts.districts,
        if counts.districts == 1 {
            "polygon"
        } else {
            "polygons"
        },
        s.data_version,
        super::import::district_levels_of(&s)
    ) + &sources(&s, &last);
    // A reader that stops early (`status | head -1`) is not an error.
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// What each source holds (issue 20): its rows per table (facilities by kind, districts by
/// level), and its last import's importer, file and time.
fn sources(s: &crate::index::Snapshot, last: &[crate::store::LastImport]) -> String {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for f in &s.facilities {
        *rows
            .entry(&f.source.source)
            .or_default()
            .entry(f.kind.as_str().to_string())
            .or_default() += 1;
    }
    for a in &s.addresses {
        *rows
            .entry(&a.source.source)
            .or_default()
            .entry("addresses".into())
            .or_default() += 1;
    }
    for d in &s.districts {
        if let Some(src) = &d.source {
            *rows
                .entry(&src.source)
                .or_default()
                .entry(format!("{} districts", d.level))
                .or_default() += 1;
        }
    }
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
            .unwrap_or_else(|| "no rows".into());
        out.push_str(&format!(
            "  {}: {held}; last imported {} by `import {}` from {}\n",
            l.source, l.finished_at, l.importer, l.file
        ));
    }
    if last.is_empty() {
        out.push_str("  none imported yet\n");
    }
    let walk = if s.walk.is_some() || s.walk_problem.is_some() {
        "yes"
    } else {
        "no (import an OSM extract)"
    };
    let p = &s.programme;
    out.push_str(&format!(
        "walking network: {walk}\norganisations: {}, activities: {}, volunteer needs: {}\n",
        p.organisations.len(),
        p.activities.len(),
        p.needs.len()
    ));
    out
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
