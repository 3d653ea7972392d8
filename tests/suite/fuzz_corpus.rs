//! The fuzz harnesses of `src/fuzz.rs` on stable Rust, within the test command's time
//! (issue 16): every seed (our fixtures and `fuzz/seeds`, as `fuzz/seeds.txt` lists them)
//! and everything libFuzzer found and kept in `fuzz/corpus/TARGET`, each as it is and in a
//! fixed set of mutations (truncated, bytes overwritten, spliced with another seed). An
//! input that once crashed stays here for good. The coverage-guided runs are
//! `scripts/fuzz-short` (ten seconds a target in the test command) and `scripts/bench-fuzz`
//! (cargo-fuzz on nightly, ten million executions; figures in docs/BENCHMARKS.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Harness = fn(&[u8]);

fn harnesses() -> BTreeMap<&'static str, Harness> {
    use naermiljo::fuzz::*;
    BTreeMap::from([
        ("query_strings", query_strings as Harness),
        ("merge_patch", merge_patch),
        ("activities_csv", activities_csv),
        ("opening_hours", opening_hours),
        ("addresses_csv", addresses_csv),
        ("ssb_population", ssb_population),
        ("facilities_file", facilities_file),
        ("districts_geojson", districts_geojson),
        ("osm_pbf", osm_pbf),
    ])
}

/// Every file of `path`, or `path` itself.
fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut all: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            // Not the scripts and notes that sit beside the fixtures.
            .filter(|p| p.is_file() && !p.extension().is_some_and(|e| e == "py" || e == "md"))
            .collect();
        all.sort();
        all
    } else {
        vec![path.to_path_buf()]
    }
}

/// The fixed mutations of `seed`: truncations, overwritten bytes, and `other` spliced in.
fn mutations(seed: &[u8], other: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![seed.to_vec(), Vec::new()];
    let n = seed.len();
    for k in 1..8 {
        out.push(seed[..n * k / 8].to_vec());
    }
    for k in 0..48 {
        for b in [0x00, 0xff, b'"', b',', b';', b'\n', b'-', b'9'] {
            if n > 0 {
                let mut m = seed.to_vec();
                m[(k * 7919) % n] = b;
                out.push(m);
            }
        }
    }
    let mut spliced = seed[..n / 2].to_vec();
    spliced.extend_from_slice(&other[other.len() / 2..]);
    out.push(spliced);
    let mut doubled = seed.to_vec();
    doubled.extend_from_slice(seed);
    out.push(doubled);
    out
}

#[test]
fn every_harness_takes_its_corpus_and_mutations_of_it_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let harnesses = harnesses();
    let mut seeds: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    let listed = std::fs::read_to_string(root.join("fuzz/seeds.txt")).unwrap();
    for line in listed
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (target, path) = line.split_once(' ').unwrap();
        assert!(
            harnesses.contains_key(target),
            "fuzz/seeds.txt: no harness {target}"
        );
        let path = root.join(path.trim());
        assert!(
            path.exists(),
            "fuzz/seeds.txt: {} is missing",
            path.display()
        );
        seeds.entry(target).or_default().extend(files(&path));
    }
    for (target, harness) in &harnesses {
        let mut inputs = seeds.remove(target).unwrap_or_default();
        let corpus = root.join("fuzz/corpus").join(target);
        if corpus.is_dir() {
            inputs.extend(files(&corpus));
        }
        assert!(!inputs.is_empty(), "{target}: no seeds in fuzz/seeds.txt");
        let bytes: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();
        let mut runs = 0;
        for (i, seed) in bytes.iter().enumerate() {
            let other = &bytes[(i + 1) % bytes.len()];
            for input in mutations(seed, other) {
                let caught = std::panic::catch_unwind(|| harness(&input));
                assert!(
                    caught.is_ok(),
                    "{target} panicked on a mutation of {} ({} bytes): {:?}",
                    inputs[i].display(),
                    input.len(),
                    String::from_utf8_lossy(&input)
                );
                runs += 1;
            }
        }
        eprintln!("{target}: {runs} inputs");
    }
    naermiljo::fuzz::clean_up();
}
