//! Embeds the migrations (`migrations/sqlite`, `migrations/postgres`) in the binary as
//! `$OUT_DIR/migrations.rs`: per backend, `(version, description, sql)` for each file named
//! `NNNN_description.sql`, read with `include_str!`, in version order. `store::migrations`
//! turns them into sqlx's `Migrator` (the same versions, descriptions and checksums that
//! sqlx's `migrate!` macro gives, without building sqlx's macros and their database drivers
//! for the host). Cargo rebuilds when a migration is added or changed.
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut out = String::new();
    for (name, folder) in [("SQLITE", "sqlite"), ("POSTGRES", "postgres")] {
        let dir = root.join(folder);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, std::path::PathBuf)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .map(|path| {
                let file = path.file_name().unwrap().to_string_lossy().into_owned();
                let (version, rest) = file
                    .split_once('_')
                    .unwrap_or_else(|| panic!("{file}: migrations are named NNNN_description.sql"));
                let version: i64 = version
                    .parse()
                    .unwrap_or_else(|_| panic!("{file}: the part before _ is the version"));
                let description = rest.trim_end_matches(".sql").replace('_', " ");
                println!("cargo:rerun-if-changed={}", path.display());
                (version, description, path)
            })
            .collect();
        files.sort();
        writeln!(out, "pub const {name}: &[(i64, &str, &str)] = &[").unwrap();
        for (version, description, path) in files {
            writeln!(
                out,
                "    ({version}, {description:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    std::fs::write(target, out).expect("writing migrations.rs");
}
