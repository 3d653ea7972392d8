//! `import …`, `build-graph`, `build-basemap`: data files into the store and the basemap.
//! [`import`] reads a whole file, then applies it to the store in one transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::ImportCommand;
use super::plan::ImportGuard;
use crate::app;
use crate::config::Settings;
use crate::domain::FacilityKind;
use crate::import::{self, ImportError};
use crate::routing::WalkGraph;
use crate::store::{GraphBlob, ImportBatch, ImportOutcome, Store, TableChange};

/// `naermiljo import …`: the file, then the basemap when the file was an OSM extract.
pub async fn run(settings: &Settings, args: super::options::ImportArgs) -> anyhow::Result<()> {
    let guard = ImportGuard {
        dry_run: args.dry_run,
        allow_removal: args.allow_removal,
        allow_kind_change: args.allow_kind_change,
        allow_duplicates: args.allow_duplicates,
        allow_outside: args.allow_outside,
    };
    let cmd = args.what;
    let store = app::open_store(settings, "naermiljo-import").await?;
    if let ImportCommand::Kommune { dir } = cmd {
        import_kommune(store.as_ref(), &dir, &settings.basemap, guard).await?;
        if !guard.dry_run {
            println!("{}", district_levels(store.as_ref()).await?);
        }
        return Ok(());
    }
    let touches_districts = matches!(
        cmd,
        ImportCommand::Osm { .. }
            | ImportCommand::Addresses { .. }
            | ImportCommand::Districts { .. }
            | ImportCommand::Kommunedeler { .. }
    );
    let report = match import_guarded(store.as_ref(), cmd, &progress_bar(), guard).await? {
        Imported::Done(report) => report,
        Imported::DryRun(plan) => {
            print!("{plan}");
            return Ok(());
        }
    };
    println!("{report}");
    if touches_districts {
        println!("{}", district_levels(store.as_ref()).await?);
    }
    if !report.basemap.is_empty() {
        let built = write_basemap(&report.basemap, &settings.basemap).with_context(|| {
            format!(
                "the data was imported, but the basemap could not be written; \
                     run `naermiljo build-basemap {}`",
                report.file.display()
            )
        })?;
        println!("{built}");
        publish_basemap(store.as_ref(), &settings.basemap).await?;
    }
    Ok(())
}

/// Keeps a basemap archive just written with the store, where the store keeps one
/// (PostgreSQL: every instance on the database then serves it).
pub async fn publish_basemap(store: &dyn crate::store::Store, path: &Path) -> anyhow::Result<()> {
    if store.keeps_basemap() {
        let archive = tokio::fs::read(path)
            .await
            .with_context(|| format!("reading the basemap {}", path.display()))?;
        store.put_basemap(&archive).await?;
        println!("basemap kept in the database ({} bytes)", archive.len());
    }
    Ok(())
}

/// How the homes sit on the walking network (issue 16): those moved off path fragments that
/// join nothing, and those left on such fragments (they reach only what the fragment holds),
/// with examples. Empty without a network.
fn network_report(s: &crate::index::Snapshot) -> String {
    let Some(walk) = &s.walk else {
        return String::new();
    };
    let (mut moved, mut isolated, mut unplaced) = (0, Vec::new(), 0);
    for (a, p) in s.addresses.iter().zip(&walk.address_snaps) {
        match &p.any {
            None => unplaced += 1,
            Some(snap) if snap.isolated => isolated.push(a.label()),
            Some(snap) => moved += snap.off_fragment as usize,
        }
    }
    let mut out = format!(
        "walking network: {} homes placed; {moved} were nearest to a path fragment that joins \
         nothing and are placed on the connected network (at most {} m farther)\n",
        s.addresses.len() - unplaced,
        crate::routing::snap::ISLAND_DETOUR_M
    );
    let areas = s.facilities.iter().filter(|f| f.area.is_some()).count();
    let entrances: usize = walk.facility_entrances.iter().map(|e| e.any.len()).sum();
    if areas > 0 {
        out.push_str(&format!(
            "  {areas} facilities are areas, reached at their edge: {entrances} entrances found \
             where paths enter or pass within {} m of them\n",
            crate::index::walk::EDGE_TOUCH_M
        ));
    }
    if unplaced > 0 {
        out.push_str(&format!(
            "  warning: {unplaced} homes are more than {} m from any path\n",
            crate::index::walk::MAX_FACILITY_SNAP_M
        ));
    }
    if !isolated.is_empty() {
        out.push_str(&format!(
            "  warning: {} homes lie on fragments of the network that join nothing (they \
             reach only what the fragment holds; coverage counts them as unreachable), e.g.:\n",
            isolated.len()
        ));
        for a in isolated.iter().take(5) {
            out.push_str(&format!("    {a}\n"));
        }
    }
    out
}

/// The district levels the store's data gives, as the service will use them: each level's
/// districts and the addresses it leaves out, and the addresses whose own grunnkrets number
/// disagrees with the polygon they lie in.
pub async fn district_levels(store: &dyn Store) -> anyhow::Result<String> {
    Ok(district_levels_of(&crate::index::Snapshot::build(
        store.load().await?,
    )))
}

/// As [`district_levels`], of a snapshot already built.
pub fn district_levels_of(s: &crate::index::Snapshot) -> String {
    if s.levels.is_empty() {
        return "district levels: none (no district polygons, and no address carries a grunnkrets or postcode)".into();
    }
    let mut out = network_report(s);
    out.push_str("district levels, coarsest first:");
    for l in &s.levels {
        let outside = l.address_district.iter().filter(|d| d.is_none()).count();
        out.push_str(&format!(
            "\n  {:<12} {:>6} {}{}{}.",
            l.level,
            l.districts.len(),
            if l.districts.len() == 1 {
                "district"
            } else {
                "districts"
            },
            if l.derived {
                " (derived from the addresses' codes)"
            } else {
                ""
            },
            if outside > 0 {
                format!(", {outside} addresses in none of them")
            } else {
                String::new()
            }
        ));
        if l.disagreements > 0 {
            out.push_str(&format!(
                "\n  {:<12} {} addresses carry a grunnkrets number other than that of the polygon they lie in (the number is used)",
                "",
                l.disagreements
            ));
        }
    }
    out
}

/// The imports a fetched kommune folder holds, in order, as the commands one would type:
/// the boundary (a district of level `kommune`), grunnkretser (level `grunnkrets`, with
/// their delområder), the operator's kommunedeler where the folder holds them
/// (`kommunedeler.csv`, a grunnkrets table, or `kommunedeler.geojson` with `navn` and
/// `nummer`), addresses, residents, schools (NSR),
/// kindergartens (NBR) and sports facilities (Anleggsregisteret, each of its own kind).
/// Sources not fetched are left out. Each source's official id is its row's id: lokalid,
/// orgnr, anleggsnummer.
pub fn kommune_imports(dir: &Path) -> anyhow::Result<Vec<(&'static str, ImportCommand)>> {
    let manifest = crate::fetch::Manifest::read(dir).map_err(anyhow::Error::msg)?;
    let knr = manifest.kommune.clone().with_context(|| {
        format!(
            "{} has no manifest.json from `naermiljo fetch`: fetch the kommune into it first",
            dir.display()
        )
    })?;
    let has = |source: &str| manifest.sources.contains_key(source);
    let file = |name: &str| dir.join(name);
    let facilities =
        |name: &str, kind, kind_property: Option<&str>, source: &str| ImportCommand::Facilities {
            file: file(name),
            kind,
            kind_property: kind_property.map(str::to_string),
            id_property: Some(
                if kind_property.is_some() {
                    "anleggsnummer"
                } else {
                    "orgnr"
                }
                .into(),
            ),
            name_property: "name".into(),
            lon_column: None,
            lat_column: None,
            crs: None,
            source: Some(source.to_string()),
        };
    let mut out = Vec::new();
    // The walking network and OSM's facilities first: the registers then replace OSM's
    // schools and kindergartens (conflation happens when the snapshot is built).
    if has("osm") && has("kommune") {
        out.push((
            "osm",
            ImportCommand::Osm {
                file: file(crate::fetch::OSM_FILE),
                source: "osm".into(),
                clip: Some(file("kommune.geojson")),
                buffer_m: crate::import::clip::DEFAULT_BUFFER_M,
                no_addresses: has("addresses"),
            },
        ));
    }
    if has("kommune") {
        out.push((
            "kommune",
            ImportCommand::Districts {
                file: file("kommune.geojson"),
                name_property: "kommunenavn".into(),
                id_property: Some("kommunenummer".into()),
                population_property: None,
                level: "kommune".into(),
                source: Some(format!("kommuneinfo-{knr}")),
            },
        ));
    }
    if has("grunnkretser") {
        out.push((
            "grunnkretser",
            ImportCommand::Districts {
                file: file("grunnkretser.geojson"),
                name_property: "grunnkretsnavn".into(),
                id_property: Some("grunnkretsnummer".into()),
                population_property: None,
                level: "grunnkrets".into(),
                source: Some(format!("grunnkretser-{knr}")),
            },
        ));
    }
    // Kommunedeler are the municipality's own division: put there by the operator.
    if file("kommunedeler.csv").is_file() {
        out.push((
            "kommunedeler",
            ImportCommand::Kommunedeler {
                file: file("kommunedeler.csv"),
                source: "kommunedeler".into(),
            },
        ));
    } else if file("kommunedeler.geojson").is_file() {
        out.push((
            "kommunedeler",
            ImportCommand::Districts {
                file: file("kommunedeler.geojson"),
                name_property: "navn".into(),
                id_property: Some("nummer".into()),
                population_property: None,
                level: "kommunedel".into(),
                source: Some("kommunedeler".into()),
            },
        ));
    }
    if has("addresses") {
        out.push((
            "addresses",
            ImportCommand::Addresses {
                file: file("adresser.csv"),
                source: Some(format!("matrikkelen-{knr}")),
            },
        ));
    }
    if has("population") {
        out.push((
            "population",
            ImportCommand::Population {
                file: file("befolkning-04317.csv"),
                source: "ssb".into(),
            },
        ));
    }
    use crate::domain::FacilityKind;
    if has("schools") {
        out.push((
            "schools",
            facilities("skoler.geojson", FacilityKind::School, None, "nsr"),
        ));
    }
    if has("kindergartens") {
        out.push((
            "kindergartens",
            facilities(
                "barnehager.geojson",
                FacilityKind::Kindergarten,
                None,
                "nbr",
            ),
        ));
    }
    if has("sports-facilities") {
        out.push((
            "sports-facilities",
            facilities(
                "anlegg.geojson",
                FacilityKind::Pitch,
                Some("kind"),
                "anleggsregisteret",
            ),
        ));
    }
    if out.is_empty() {
        anyhow::bail!("{}: the manifest lists no sources", dir.display());
    }
    Ok(out)
}

/// `naermiljo import kommune DIR`: every source of [`kommune_imports`], each all or
/// nothing; a source that fails is reported and the others go on (non-zero exit).
async fn import_kommune(
    store: &dyn crate::store::Store,
    dir: &Path,
    basemap: &Path,
    guard: ImportGuard,
) -> anyhow::Result<()> {
    let mut failed = Vec::new();
    // The basemap is cut and written on another thread while the other sources import.
    let mut basemap_job = None;
    for (name, cmd) in kommune_imports(dir)? {
        match import_guarded(store, cmd, &progress_bar(), guard).await {
            Ok(Imported::DryRun(plan)) => println!("{name}: {plan}"),
            Ok(Imported::Done(mut report)) => {
                println!("{name}: {report}");
                if !report.basemap.is_empty() {
                    let features = std::mem::take(&mut report.basemap);
                    let path = basemap.to_path_buf();
                    basemap_job = Some(tokio::task::spawn_blocking(move || {
                        write_basemap(&features, &path)
                    }));
                }
            }
            Err(e) => {
                eprintln!("error: {name}: {e}");
                failed.push(name);
            }
        }
    }
    if let Some(job) = basemap_job {
        match job.await.map_err(anyhow::Error::from).and_then(|r| r) {
            Ok(built) => {
                println!("{built}");
                publish_basemap(store, basemap).await?;
            }
            Err(e) => {
                eprintln!("error: the basemap could not be written: {e:#}");
                failed.push("basemap");
            }
        }
    }
    // Where the registers and OpenStreetMap name the same place, the register's point is
    // shown (see `index::conflate`): say which, how far apart and how alike the names.
    let contents = store.load().await?;
    let (_, conflation, _) = crate::index::conflate::conflate(contents.facilities);
    for m in &conflation.matches {
        println!(
            "{} {:?} replaces OSM {} ({} m apart, names {})",
            m.kind.as_str(),
            m.register_name.as_deref().unwrap_or("(no name)"),
            m.osm_source_id,
            m.distance_m,
            m.name_similarity
                .map_or("not compared".to_string(), |s| format!(
                    "{:.0} % alike",
                    s * 100.0
                ))
        );
    }
    if !conflation.matches.is_empty() || conflation.osm_only > 0 {
        println!(
            "registers replace {} OpenStreetMap points; {} OpenStreetMap points of the \
             registers' kinds are in no register (kept, marked not_in_register)",
            conflation.matches.len(),
            conflation.osm_only
        );
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} failed (each left as it was): {}",
            failed.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// `naermiljo build-basemap FILE`.
pub async fn build_basemap(settings: &Settings, file: PathBuf) -> anyhow::Result<()> {
    let progress = progress_bar();
    let reader_progress = progress.clone();
    let reader_file = file.clone();
    let data =
        tokio::task::spawn_blocking(move || import::osm::read(&reader_file, &reader_progress))
            .await??;
    progress.finish_and_clear();
    let target = settings.basemap.clone();
    let built =
        tokio::task::spawn_blocking(move || write_basemap(&data.basemap, &target)).await??;
    println!("{built}");
    if matches!(settings.backend(), crate::config::Backend::Postgis(_)) {
        let store = app::open_store(settings, "naermiljo-import").await?;
        publish_basemap(store.as_ref(), &settings.basemap).await?;
    }
    Ok(())
}

/// `naermiljo build-graph FILE`: only the walking graph.
pub async fn build_graph(settings: &Settings, file: PathBuf, source: String) -> anyhow::Result<()> {
    let store = app::open_store(settings, "naermiljo-import").await?;
    let progress = progress_bar();
    let reader_progress = progress.clone();
    let reader_file = file.clone();
    let data =
        tokio::task::spawn_blocking(move || import::osm::read(&reader_file, &reader_progress))
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
    /// Opening hours read (of facilities and of knutepunkt services), and those that could
    /// not be read (kept as text, shown as unknown, never as closed), each named.
    pub hours: (u64, Vec<String>),
    /// Rows in the file per table: facilities, addresses, districts.
    pub in_file: [u64; 3],
    /// What the reader detected and warnings (`warning: …`), one line each.
    pub notes: Vec<String>,
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
        let line = |f: &mut std::fmt::Formatter<'_>,
                    what: &str,
                    rows: u64,
                    c: &Option<TableChange>| match c {
            Some(c) => writeln!(
                f,
                "  {what:<11} {rows:>7} in file: {} new, {} updated, {} removed",
                c.inserted, c.updated, c.removed
            ),
            None => Ok(()),
        };
        let [facilities, addresses, districts] = self.in_file;
        line(f, "facilities", facilities, &self.outcome.facilities)?;
        for (kind, n) in &self.kinds {
            writeln!(f, "    {:<18} {n:>6}", kind.as_str())?;
        }
        line(f, "addresses", addresses, &self.outcome.addresses)?;
        line(f, "districts", districts, &self.outcome.districts)?;
        if let Some((before, now)) = self.outcome.population {
            writeln!(f, "  population  {now:>7} areas (this source had {before})")?;
        }
        if self.outcome.relocated > 0 {
            writeln!(
                f,
                "  kept {} of removed facilities at the facilities' last positions (their \
                 organisations can choose a new place)",
                match self.outcome.relocated {
                    1 => "1 activity or volunteer need".to_string(),
                    n => format!("{n} activities and volunteer needs"),
                }
            )?;
        }
        if let Some(c) = &self.outcome.nature {
            writeln!(
                f,
                "  nature areas: {} new, {} updated, {} removed",
                c.inserted, c.updated, c.removed
            )?;
        }
        if let Some((nodes, edges)) = self.outcome.walk_graph {
            writeln!(f, "  walking graph {nodes} nodes, {} segments", edges / 2)?;
        }
        let (with_hours, unreadable) = &self.hours;
        if *with_hours > 0 {
            writeln!(
                f,
                "  opening hours: {with_hours} (of facilities and knutepunkt services); {} could \
                 not be read (kept as text, told as unknown)",
                unreadable.len()
            )?;
            for e in unreadable.iter().take(5) {
                writeln!(f, "    {e}")?;
            }
        }
        for note in &self.notes {
            writeln!(f, "  {note}")?;
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

/// `nature: 41 areas (green 30, forest 8, shore 3); 2 slivers left out (green 2); 5
/// pieces merged into a neighbour` (issue 22).
fn nature_note(n: &import::nature::NatureData) -> String {
    use crate::domain::nature::NatureClass;
    let per_class: Vec<String> = NatureClass::ALL
        .iter()
        .map(|c| {
            let count = n.areas.iter().filter(|a| a.class == *c).count();
            format!("{} {count}", c.as_str())
        })
        .collect();
    let mut note = format!("nature: {} areas ({})", n.areas.len(), per_class.join(", "));
    let slivers: usize = n.slivers.values().sum();
    if slivers > 0 {
        let each: Vec<String> = n.slivers.iter().map(|(c, k)| format!("{c} {k}")).collect();
        note.push_str(&format!(
            "; {slivers} slivers under the minimum size left out ({})",
            each.join(", ")
        ));
    }
    if n.verges > 0 {
        note.push_str(&format!(
            "; {} grass pieces under {} ha (verges) left out",
            n.verges,
            crate::domain::nature::GRASS_MIN_HA
        ));
    }
    if n.merged > 0 {
        note.push_str(&format!("; {} pieces merged into a neighbour", n.merged));
    }
    if !n.mended.is_empty() {
        note.push_str(&format!(
            "; {} outlines that cross themselves mended (e.g. {})",
            n.mended.len(),
            n.mended[0]
        ));
    }
    if !n.skipped.is_empty() {
        let examples: Vec<&str> = n.skipped.iter().take(3).map(String::as_str).collect();
        note.push_str(&format!(
            "; {} outlines not usable, e.g. {}",
            n.skipped.len(),
            examples.join("; ")
        ));
    }
    note
}

/// Reads a file completely, then applies it to the store in one transaction, whatever it
/// removes (see [`import_guarded`]).
pub async fn import(
    store: &dyn Store,
    cmd: ImportCommand,
    progress: &ProgressBar,
) -> Result<ImportReport, ImportError> {
    match import_guarded(store, cmd, progress, ImportGuard::TRUSTED).await? {
        Imported::Done(report) => Ok(*report),
        Imported::DryRun(_) => unreachable!("a trusted import is not a dry run"),
    }
}

/// What [`import_guarded`] did: imported, or (a dry run) only planned.
#[derive(Debug)]
pub enum Imported {
    Done(Box<ImportReport>),
    DryRun(super::plan::ImportPlan),
}

/// Reads a file completely; unless `guard` trusts it, compares it with the source's rows in
/// the store (`plan`): a dry run stops there, and an import that would remove more than 10 %
/// of a table's rows of the source stops with an error that says so. Then applies it in one
/// transaction.
pub async fn import_guarded(
    store: &dyn Store,
    cmd: ImportCommand,
    progress: &ProgressBar,
    guard: ImportGuard,
) -> Result<Imported, ImportError> {
    let started = Instant::now();
    // Kommunedeler are dissolved from the grunnkretser already stored.
    let grunnkretser = match &cmd {
        ImportCommand::Kommunedeler { .. } => {
            progress.set_message("reading the stored grunnkretser");
            store
                .load()
                .await?
                .districts
                .into_iter()
                .filter(|d| d.level == "grunnkrets")
                .collect()
        }
        _ => Vec::new(),
    };
    // Reading and parsing is CPU work: off the async threads.
    let reader_progress = progress.clone();
    let ReadFile {
        file,
        batch,
        skipped,
        basemap,
        mut notes,
    } = tokio::task::spawn_blocking(move || read_import(cmd, &grunnkretser, &reader_progress))
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
    let mut hours = (0, Vec::new());
    for f in batch.facilities.iter().flatten() {
        // The facility's own hours, then each knutepunkt service's (issue 18).
        let services = f
            .properties
            .get("services")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let text = s.get("opening_hours")?.as_str()?;
                let service = s.get("name").or(s.get("service"))?.as_str()?;
                Some((Some(service), text))
            });
        let own = f.opening_hours.as_deref().map(|text| (None, text));
        for (service, text) in own.into_iter().chain(services) {
            hours.0 += 1;
            if let Err(e) = crate::hours::Hours::parse(text, None) {
                let facility = f.name.as_deref().unwrap_or(&f.source_id);
                let name = match service {
                    Some(service) => format!("{facility}, {service}"),
                    None => facility.to_string(),
                };
                // The parser's message is drawn over several lines: one line of it.
                let reason = e
                    .lines()
                    .map(|l| l.trim().trim_start_matches(['|', '=', '^']).trim())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                hours.1.push(format!("{name}: {text:?} ({reason})"));
            }
        }
    }
    let in_file = [
        batch.facilities.as_ref().map_or(0, Vec::len) as u64,
        batch.addresses.as_ref().map_or(0, Vec::len) as u64,
        batch.districts.as_ref().map_or(0, Vec::len) as u64,
    ];
    let mut planned = None;
    if !guard.trusts_everything() {
        progress.set_message("comparing with the store");
        let stored = store.load().await?;
        let plan = super::plan::plan(&stored, &batch);
        if guard.dry_run {
            progress.finish_and_clear();
            return Ok(Imported::DryRun(plan));
        }
        plan.check(&file, guard)?;
        notes.extend(plan.warnings());
        // Nothing to change: the store (and its data version, which servers follow) stays.
        let same_graph = batch
            .walk_graph
            .as_ref()
            .is_none_or(|g| stored.walk_graph.as_deref() == Some(g.data.as_slice()));
        let same_nature = batch.nature.as_ref().is_none_or(|rows| {
            // (id, class, size in 0.0001 ha, name): the same set means nothing to write.
            fn key<'a>(
                id: &'a str,
                class: crate::domain::nature::NatureClass,
                ha: f64,
                name: &'a Option<String>,
            ) -> (&'a str, &'static str, i64, Option<&'a str>) {
                (
                    id,
                    class.as_str(),
                    (ha * 1e4).round() as i64,
                    name.as_deref(),
                )
            }
            let mut stored_rows: Vec<_> = stored
                .nature
                .iter()
                .filter(|n| n.source.source == batch.source)
                .map(|n| key(&n.source.source_id, n.class, n.area_ha, &n.name))
                .collect();
            let mut new_rows: Vec<_> = rows
                .iter()
                .map(|n| key(&n.source_id, n.class, n.area_ha, &n.name))
                .collect();
            stored_rows.sort();
            new_rows.sort();
            stored_rows == new_rows
        });
        if plan.changes_nothing() && same_graph && same_nature && batch.population.is_none() {
            progress.finish_and_clear();
            let unchanged = |t: &str| plan.table_change(t);
            return Ok(Imported::Done(Box::new(ImportReport {
                file,
                outcome: ImportOutcome {
                    facilities: unchanged("facilities"),
                    addresses: unchanged("addresses"),
                    districts: unchanged("districts"),
                    nature: None,
                    walk_graph: None,
                    population: None,
                    relocated: 0,
                    data_version: stored.data_version,
                },
                kinds,
                skipped,
                elapsed: started.elapsed(),
                basemap: Vec::new(),
                hours,
                in_file,
                notes,
            })));
        }
        planned = Some(plan);
    }
    progress.set_message("writing to the store");
    let mut outcome = store.apply_import(batch).await.map_err(|e| {
        ImportError::file(
            &file,
            format!("not imported, the store is as it was before: {e}"),
        )
    })?;
    if let Some(plan) = &planned {
        // "updated" counts the rows that changed, not every row written.
        for (table, change) in [
            ("facilities", &mut outcome.facilities),
            ("addresses", &mut outcome.addresses),
            ("districts", &mut outcome.districts),
        ] {
            if change.is_some() {
                *change = plan.table_change(table);
            }
        }
    }
    progress.finish_and_clear();
    Ok(Imported::Done(Box::new(ImportReport {
        file,
        outcome,
        kinds,
        skipped,
        elapsed: started.elapsed(),
        basemap,
        hours,
        in_file,
        notes,
    })))
}

fn graph_blob(g: &WalkGraph) -> GraphBlob {
    GraphBlob {
        nodes: g.node_count() as u64,
        edges: g.edge_count() as u64,
        data: g.to_bytes(),
    }
}

/// What [`read_import`] read from a file, before the store is touched.
struct ReadFile {
    file: PathBuf,
    batch: ImportBatch,
    /// Objects left out, with why.
    skipped: Vec<String>,
    basemap: Vec<crate::basemap::MapFeature>,
    /// What the reader detected (encoding, separator) and warnings, for the operator.
    notes: Vec<String>,
}

fn read_import(
    cmd: ImportCommand,
    grunnkretser: &[crate::domain::District],
    progress: &ProgressBar,
) -> Result<ReadFile, ImportError> {
    progress.set_message("reading");
    let file_name = |p: &Path| p.display().to_string();
    let mut notes = Vec::new();
    let (file, batch, skipped, basemap) = match cmd {
        ImportCommand::Kommune { dir } => {
            return Err(ImportError::file(
                &dir,
                "a kommune folder is several imports: use `naermiljo import kommune` \
                 (cli::kommune_imports lists them)",
            ));
        }
        ImportCommand::Osm {
            file,
            source,
            clip,
            buffer_m,
            no_addresses,
        } => {
            let clip = clip
                .map(|c| import::clip::Clip::from_file(&c, buffer_m))
                .transpose()?;
            let data = import::osm::read_within(&file, clip.as_ref(), progress)?;
            notes.push(data.read_note.clone());
            notes.push(nature_note(&data.nature));
            let walk_graph =
                (data.walk_graph.edge_count() > 0).then(|| graph_blob(&data.walk_graph));
            let batch = ImportBatch {
                importer: "osm".into(),
                source,
                file: file_name(&file),
                facilities: Some(data.facilities),
                addresses: (!no_addresses).then_some(data.addresses),
                districts: Some(data.districts),
                walk_graph,
                population: None,
                nature: Some(data.nature.areas),
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
            kind_property,
            id_property,
            name_property,
            lon_column,
            lat_column,
            crs,
            source,
        } => {
            let options = import::facilities::FacilityFileOptions {
                kind,
                kind_property,
                id_property,
                name_property,
                lon_column,
                lat_column,
                crs,
            };
            let read = import::facilities::read(&file, &options)?;
            let batch = ImportBatch {
                importer: "facilities".into(),
                source: source.unwrap_or_else(|| import::default_source(&file)),
                file: file_name(&file),
                facilities: Some(read.rows),
                ..Default::default()
            };
            notes = read.notes;
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
        ImportCommand::Kommunedeler { file, source } => {
            let rows = import::districts::read_assignment(&file, grunnkretser)?;
            let batch = ImportBatch {
                importer: "kommunedeler".into(),
                source,
                file: file_name(&file),
                districts: Some(rows),
                ..Default::default()
            };
            (file, batch, Vec::new(), Vec::new())
        }
    };
    Ok(ReadFile {
        file,
        batch,
        skipped,
        basemap,
        notes,
    })
}
