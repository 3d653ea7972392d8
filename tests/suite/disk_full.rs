//! A full disk, for real: each test runs the binary in its own mount namespace (util-linux's
//! `unshare`, as an unprivileged user namespace) on a small tmpfs, fills it, and checks that
//! a fetch and an import fail with a message naming what, where and why, exit non-zero and
//! leave the folder and the store exactly as they were.

use std::path::Path;
use std::process::Command;

/// Runs `script` (bash) with `$DISK` a fresh tmpfs (`fill [BYTES]` fills it up to BYTES
/// free, `unfill` empties it again) of `size` (as `mount -o size=` takes it),
/// `$OUT` a folder outside it, `$BIN` the binary under test and `extra` in the environment.
/// Its standard error is returned when it exits 0; any other exit fails the test.
fn on_a_small_disk(size: &str, out: &Path, script: &str, extra: &[(&str, String)]) -> String {
    let disk = out.join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let prelude = "set -euo pipefail\n\
        mount -t tmpfs -o size=\"$SIZE\" tmpfs \"$DISK\"\n\
        fill() { dd if=/dev/zero of=\"$DISK/filler\" bs=4096 2>/dev/null || true; truncate -s \"-${1:-0}\" \"$DISK/filler\"; }\n\
        unfill() { rm -f \"$DISK/filler\"; }\n\
        fingerprint() { (cd \"$1\" && find . -type f -o -type l | sort | xargs -r sha256sum); }\n";
    let mut cmd = Command::new("unshare");
    cmd.args(["--user", "--map-root-user", "--mount", "bash", "-c"])
        .arg(format!("{prelude}{script}"))
        .env("SIZE", size)
        .env("DISK", &disk)
        .env("OUT", out)
        .env("BIN", env!("CARGO_BIN_EXE_naermiljo"))
        .env("RUST_LOG", "warn")
        .env_remove("NAERMILJO_DB");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `unshare` ({e}): these tests need util-linux's unshare (Debian package \
             util-linux) and unprivileged user namespaces (kernel.unprivileged_userns_clone=1)"
        )
    });
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "the script failed ({}); if `unshare` or `mount` is refused, this machine needs \
         unprivileged user namespaces (kernel.unprivileged_userns_clone=1):\n{stderr}",
        output.status
    );
    stderr
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_fetch_on_a_full_disk_says_so_and_changes_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::fetch::FixtureServer::start());
    let e = server.endpoints();
    let out = tempfile::tempdir().unwrap();
    on_a_small_disk(
        "2m",
        out.path(),
        r#"
fetch() {
  "$BIN" --data "$OUT/data" fetch --kommune 3301 --out "$DISK/k" --source kommune,schools \
    --endpoint "kommuneinfo=$KOMMUNEINFO" --endpoint "nsr=$NSR"
}
fetch 2> "$OUT/first.err"
fingerprint "$DISK/k" > "$OUT/before"
fill
set +e
fetch 2> "$OUT/second.err"
echo $? > "$OUT/rc"
set -e
fingerprint "$DISK/k" > "$OUT/after"
ls -A "$DISK/k" > "$OUT/listing"
"#,
        &[
            ("KOMMUNEINFO", e.kommuneinfo.clone()),
            ("NSR", e.nsr.clone()),
        ],
    );
    let o = out.path();
    let before = read(&o.join("before"));
    assert!(before.contains("skoler.geojson"), "{before}");
    assert_ne!(
        read(&o.join("rc")).trim(),
        "0",
        "the full disk went unnoticed"
    );
    let stderr = read(&o.join("second.err"));
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("kommune: ") && stderr.contains("schools: "),
        "each source names itself: {stderr}"
    );
    assert!(
        stderr.contains(&format!("{}/kommuner/3301", e.kommuneinfo)),
        "the URL is named: {stderr}"
    );
    assert_eq!(before, read(&o.join("after")), "the folder changed");
    assert!(
        !read(&o.join("listing")).contains(".staging"),
        "staged files are removed"
    );
    drop(rt);
}

#[test]
fn an_import_on_a_full_disk_says_so_and_changes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let small = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fetch/files/Basisdata_3301_Drammen_25832_MatrikkelenAdresse.csv");
    // Elverum's real address file (3.5 MB) grows the store by more than the disk has.
    let large = crate::common::elverum_csv();
    on_a_small_disk(
        "6m",
        out.path(),
        r#"
nm() { "$BIN" --data "$DISK/store" "$@"; }
nm import addresses "$SMALL" > /dev/null 2> "$OUT/first.err"
nm status > "$OUT/before"
# Room to open the store and begin, not to finish.
fill 512K
set +e
nm import addresses "$LARGE" > /dev/null 2> "$OUT/second.err"
echo $? > "$OUT/rc"
set -e
unfill
nm status > "$OUT/after"
"#,
        &[
            ("SMALL", small.display().to_string()),
            ("LARGE", large.display().to_string()),
        ],
    );
    let o = out.path();
    let before = read(&o.join("before"));
    assert!(before.contains("60"), "the first import arrived: {before}");
    assert_ne!(
        read(&o.join("rc")).trim(),
        "0",
        "the full disk went unnoticed"
    );
    let stderr = read(&o.join("second.err"));
    assert!(
        stderr.contains("full") || stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert!(stderr.contains("Elverum"), "the file is named: {stderr}");
    assert_eq!(before, read(&o.join("after")), "the store changed");
}
