//! ARCHITECTURE.md's structural rules, read off the source: arrows between modules point
//! one way (no module uses one that uses it back, directly or around a longer loop), and
//! the files people read at once stay short.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/http/programme/read.rs` → `["http", "programme", "read"]`; `mod.rs` names its folder.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The modules a file's code names, as paths from the crate root: `crate::a::b` and
/// `super::…`, comments and strings included (a doc link is an arrow too).
fn references(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let path_after = |rest: &str| -> Vec<String> {
        rest.split("::")
            .map(|seg| {
                seg.chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|seg| !seg.is_empty())
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        // `naermiljo_crate::` or `$crate::` are not ours to follow.
        if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        out.push(path_after(&text[i + "crate::".len()..]));
    }
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // `super` is the parent of the file's module (a `mod.rs` is its folder's module).
        let mut base: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
        let mut rest = &text[i + "super::".len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            base.pop();
        }
        base.extend(path_after(rest));
        out.push(base);
    }
    out
}

/// Arrows between the crate's modules cut at `depth` path segments.
fn module_graph(depth: usize) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(REPO).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let cut = |m: &[String]| m[..m.len().min(depth)].join("::");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if module.is_empty() {
            continue; // lib.rs and main.rs name every module
        }
        let text = std::fs::read_to_string(file).expect("readable source");
        let from = cut(&module);
        for r in references(&module, &text) {
            // The longest prefix of the path that is a module of ours.
            let Some(target) = (1..=r.len())
                .rev()
                .map(|n| r[..n].to_vec())
                .find(|p| known.contains(p))
            else {
                continue;
            };
            let to = cut(&target);
            if to != from
                && !from.starts_with(&format!("{to}::"))
                && !to.starts_with(&format!("{from}::"))
            {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// Each loop of arrows, as the modules on it (Tarjan's strongly connected components).
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        for to in w.graph.get(v).into_iter().flatten() {
            let to = to.as_str();
            if !w.index.contains_key(to) {
                visit(w, to);
                let low = w.low[v].min(w.low[to]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(to) {
                let low = w.low[v].min(w.index[to]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut component = Vec::new();
            while let Some(x) = w.stack.pop() {
                w.on_stack.remove(x);
                component.push(x.to_string());
                if x == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.found.push(component);
            }
        }
    }
    let mut w = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("index".into()).or_default().insert("tiles".into());
    g.entry("tiles".into())
        .or_default()
        .insert("coverage".into());
    g.entry("coverage".into())
        .or_default()
        .insert("index".into());
    g.entry("http".into()).or_default().insert("index".into());
    assert_eq!(loops(&g), vec![vec!["coverage", "index", "tiles"]]);
    let module = vec!["http".to_string(), "programme".into(), "read".into()];
    assert_eq!(
        references(
            &module,
            "use super::super::error::ApiError; crate::edit::write_item"
        ),
        vec![
            vec!["edit".to_string(), "write_item".into()],
            vec!["http".into(), "error".into()],
        ]
    );
}

#[test]
fn arrows_between_modules_point_one_way() {
    for depth in [1, 2] {
        let graph = module_graph(depth);
        assert!(
            graph.len() > 5,
            "the module graph was not read (depth {depth}): {graph:?}"
        );
        let found = loops(&graph);
        assert!(
            found.is_empty(),
            "modules that use each other (at depth {depth}), see ARCHITECTURE.md's layers: {found:?}"
        );
    }
}

/// The pages' own files: scripts, styles and markup, not the npm packages.
fn web_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "node_modules") {
                web_files(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "js" || e == "mjs" || e == "css" || e == "html")
        {
            out.push(path);
        }
    }
}

#[test]
fn http_handlers_and_pages_are_short_enough_to_read_at_once() {
    const MOST: usize = 600;
    let mut long = Vec::new();
    let mut files = Vec::new();
    rust_files(&Path::new(REPO).join("src/http"), &mut files);
    web_files(&Path::new(REPO).join("web"), &mut files);
    assert!(files.len() > 10, "too few files found: {files:?}");
    for f in files {
        let lines = std::fs::read_to_string(&f)
            .expect("readable")
            .lines()
            .count();
        if lines >= MOST {
            long.push(format!("{} ({lines} lines)", f.display()));
        }
    }
    assert!(
        long.is_empty(),
        "split these by responsibility (under {MOST} lines each): {long:?}"
    );
}

/// The build units (`cargo … --unit-graph`, nightly output read with `RUSTC_BOOTSTRAP=1`) that
/// `args` asks cargo for, each as (package id, target, platform, features). One package may
/// be built more than once (for the build scripts' host and for the target). Nothing is
/// compiled.
fn build_units(args: &[&str]) -> BTreeSet<(String, String, String, Vec<String>)> {
    unit_graph(Path::new(REPO), args)
        .into_iter()
        .map(|(pkg, target, platform, features, _)| (pkg, target, platform, features))
        .collect()
}

/// [`build_units`] in the workspace at `dir`, each with its profile (as JSON: optimisation,
/// debug info, assertions…), which also decides whether cargo can reuse what it built.
fn unit_graph(
    dir: &Path,
    args: &[&str],
) -> BTreeSet<(String, String, String, Vec<String>, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(args)
        .args(["--locked", "--unit-graph", "-Z", "unstable-options"])
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(dir)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} --unit-graph in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let graph: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a unit graph");
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    graph["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter(|u| u["mode"] == "build")
        .map(|u| {
            let features = u["features"].as_array().expect("features");
            (
                text(&u["pkg_id"]),
                text(&u["target"]["name"]),
                u["platform"].to_string(),
                features.iter().map(text).collect(),
                u["profile"].to_string(),
            )
        })
        .collect()
}

/// The name in a cargo package id: `registry+https://…#cc@1.2.3` or `path+file:///…/x#y@0.1.0`
/// give `cc` and `y`; `path+file:///…/x#0.1.0` (a package named as its folder) gives `x`.
fn package_name(pkg_id: &str) -> &str {
    let (path, fragment) = pkg_id.rsplit_once('#').unwrap_or((pkg_id, ""));
    match fragment.split_once('@') {
        Some((name, _)) => name,
        None => path.rsplit('/').next().unwrap_or(path),
    }
}

/// scripts/fuzz-short builds the fuzz targets (fuzz/, a workspace of its own) into target/
/// after `cargo build --bin naermiljo`, instrumenting only our library and the targets. That
/// costs one compile of our library only if every dependency is built as the server's build
/// built it: the same version (fuzz/Cargo.lock agrees with Cargo.lock), features (Cargo.toml's
/// `cc` line) and profile (fuzz/Cargo.toml copies the debug profile). Only libFuzzer's own
/// crates and our library (debug assertions on, so a file of its own) may differ.
#[test]
fn the_fuzz_build_shares_the_servers_build() {
    let server = unit_graph(Path::new(REPO), &["build", "--bin", "naermiljo"]);
    let fuzz = unit_graph(&Path::new(REPO).join("fuzz"), &["build", "--bins"]);
    let own = |pkg: &str| {
        ["naermiljo", "naermiljo-fuzz", "libfuzzer-sys", "arbitrary"].contains(&package_name(pkg))
    };
    assert!(
        fuzz.iter().filter(|u| own(&u.0)).count() >= 10,
        "the fuzz build's own units (the nine targets, our library) not found: {:?}",
        fuzz.iter().filter(|u| own(&u.0)).collect::<Vec<_>>()
    );
    let again: Vec<String> = fuzz
        .iter()
        .filter(|u| !own(&u.0) && !server.contains(u))
        .map(|(pkg, target, _, features, profile)| {
            let theirs: Vec<_> = server
                .iter()
                .filter(|s| s.1 == *target && package_name(&s.0) == package_name(pkg))
                .map(|s| format!("{} {:?} {}", s.0, s.3, s.4))
                .collect();
            format!("{pkg} ({target}): {features:?} {profile} for the fuzz build, {theirs:?} for the server's")
        })
        .collect();
    // Our library itself must be built differently there: cargo does not hash the wrapper
    // that instruments it, so the same profile would give the instrumented and the plain
    // library one file, and each build would take the other's as fresh.
    let library = |units: &BTreeSet<(String, String, String, Vec<String>, String)>| {
        units
            .iter()
            .find(|u| package_name(&u.0) == "naermiljo" && u.1 == "naermiljo")
            .map(|u| u.4.clone())
            .expect("our library among the units")
    };
    assert_ne!(
        library(&fuzz),
        library(&server),
        "fuzz/Cargo.toml must build our library with a profile of its own"
    );
    assert!(
        again.is_empty(),
        "compiled again for the fuzz build (if only versions differ: cp Cargo.lock fuzz/ and run \
         `cargo metadata --manifest-path fuzz/Cargo.toml` to add libFuzzer's crates back):\n{}",
        again.join("\n")
    );
}

/// scripts/test builds the server binary first and starts the browser tests while the test
/// binaries compile. That saves time only if the test build reuses what the first built: a
/// dependency's features must not differ between them (the dev-dependencies turned on
/// bitflags' `std`, and png, image, sqlx and our library were compiled twice; Cargo.toml's
/// `bitflags` line mends it).
#[test]
fn the_server_binary_and_the_tests_share_one_build() {
    let server = build_units(&["build", "--bin", "naermiljo"]);
    let tests = build_units(&["test", "--all-targets", "--no-run"]);
    let differ: Vec<String> = server
        .difference(&tests)
        .map(|(pkg, target, _, features)| {
            let theirs: Vec<_> = tests
                .iter()
                .filter(|(p, t, _, _)| p == pkg && t == target)
                .map(|u| &u.3)
                .collect();
            format!("{pkg} ({target}): {features:?} for the binary, {theirs:?} for the tests")
        })
        .collect();
    assert!(
        server.len() > 100,
        "the binary's build has {} units",
        server.len()
    );
    assert!(differ.is_empty(), "built twice:\n{}", differ.join("\n"));
}
