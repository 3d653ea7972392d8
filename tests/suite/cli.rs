//! The `naermiljo` binary as an operator runs it: exit codes, messages, a live server.

use std::time::{Duration, Instant};

use crate::common::{Server, elverum_csv, naermiljo, oslo_pbf, run_ok, shared};

#[test]
fn a_bad_file_exits_non_zero_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    let original = std::fs::read_to_string(elverum_csv()).unwrap();
    let edited: String = original
        .split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == 7 {
                l.replacen(";25833;", ";9999;", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&csv, edited).unwrap();
    let out = naermiljo(dir.path())
        .args(["import", "addresses"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: {}:8: unknown EPSG code 9999",
            csv.display()
        )),
        "{stderr}"
    );

    let out = naermiljo(dir.path())
        .args(["import", "facilities", "x.csv", "--kind", "castle"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind \"castle\""));

    let status = naermiljo(dir.path()).arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("0 facilities, 0 addresses"),
        "nothing was imported"
    );
}

#[test]
fn a_running_server_follows_an_import_from_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let summary = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["import", "osm"]).arg(oslo_pbf());
        c
    });
    assert!(
        summary.contains("facilities") && summary.contains("addresses"),
        "{summary}"
    );

    let server = Server::start(naermiljo(dir.path()), &[]);
    let before = server.health();
    assert!(before["facilities"].as_u64().unwrap() > 0);
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    // The residents' map: MapLibre from this server, with the data's attribution.
    assert!(
        page.contains("/vendor/maplibre-gl/maplibre-gl.mjs"),
        "{page}"
    );
    assert!(page.contains("OpenStreetMap contributors"), "{page}");
    // The search hints' example is a real address of this store (issue 21 item 5).
    let example = page
        .split("<meta name=\"naermiljo-example-address\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the example address meta")
        .to_string();
    let query = example.replace(' ', "+");
    let (_, found) = server.get(&format!("/api/addresses/search?q={query}"));
    assert!(
        !example.is_empty() && found.contains(&format!("\"{example}")),
        "{example}: {found}"
    );

    run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["import", "addresses"]).arg(elverum_csv());
        c
    });
    // The server polls the store's data version every second; give it a few.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = server.health();
        if now["addresses"].as_u64() == Some(before["addresses"].as_u64().unwrap() + 10_871) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "snapshot never followed the import: {now}\n{}",
            server.stderr_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A web server on port 0 that answers every GET with `body`; its URL.
fn serving(rt: &tokio::runtime::Runtime, body: Vec<u8>) -> String {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!(
        "http://{}/oslo-center.osm.pbf",
        listener.local_addr().unwrap()
    );
    let app = axum::Router::new().fallback(move || {
        let body = body.clone();
        async move { body }
    });
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[test]
fn demo_mode_downloads_imports_once_or_says_what_to_download() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("no-shared-data");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let demo = |data: &std::path::Path, url: &str| {
        let mut c = naermiljo(data);
        c.env("NAERMILJO_SHARED_DATA", &nowhere)
            .env("NAERMILJO_DEMO_URL", url);
        c
    };
    // Offline: says what to download and where to put it, and exits non-zero.
    let offline = dir.path().join("offline");
    let out = demo(&offline, "http://127.0.0.1:9/oslo-center.osm.pbf")
        .args(["serve", "--listen", "127.0.0.1:0", "--demo"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains(naermiljo::cli::DEMO_URL), "{said}");
    assert!(said.contains(naermiljo::cli::DEMO_SHA256), "{said}");
    assert!(
        said.contains(
            &offline
                .join("demo/oslo-center.osm.pbf")
                .display()
                .to_string()
        ),
        "{said}"
    );
    assert!(said.contains("NAERMILJO_SHARED_DATA"), "{said}");
    // Another file under the name: refused, nothing kept.
    let wrong = serving(&rt, b"not a PBF".to_vec());
    let out = demo(&offline, &wrong)
        .args(["serve", "--listen", "127.0.0.1:0", "--demo"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("is not the demo region's file"),
        "{said}"
    );
    assert!(!offline.join("demo/oslo-center.osm.pbf").exists());
    // Online: the real file, downloaded into the data folder and imported.
    let published = serving(
        &rt,
        std::fs::read(shared("oslo_fallback/oslo-center.osm.pbf")).unwrap(),
    );
    let fresh = dir.path().join("fresh");
    let server = Server::start(demo(&fresh, &published), &["--demo"]);
    assert!(server.health()["facilities"].as_u64().unwrap() > 500);
    assert!(fresh.join("demo/oslo-center.osm.pbf").exists());
    drop(server);

    let shared_root = shared("oslo_fallback/oslo-center.osm.pbf")
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let data = dir.path().join("demo");
    let server = Server::start(
        {
            let mut c = naermiljo(&data);
            c.env("NAERMILJO_SHARED_DATA", &shared_root);
            c
        },
        &["--demo"],
    );
    let first = server.health();
    assert!(first["facilities"].as_u64().unwrap() > 500);
    drop(server);
    // Second start: already imported, nothing imported again.
    drop(rt);
    let server = Server::start(
        {
            let mut c = naermiljo(&data);
            c.env("NAERMILJO_SHARED_DATA", &shared_root);
            c
        },
        &["--demo"],
    );
    assert_eq!(server.health()["data_version"], first["data_version"]);
}

#[test]
fn tokens_are_made_listed_and_revoked_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let org = run_ok({
        let mut c = naermiljo(dir.path());
        c.args([
            "org",
            "create",
            "--name",
            "Strømsø IL",
            "--kind",
            "sports_club",
        ]);
        c
    });
    let org = org.trim();
    let bad = naermiljo(dir.path())
        .args(["org", "create", "--name", "X Y", "--kind", "castle"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown kind \"castle\""));
    // The same name again (in other case) is refused once, in words.
    let twice = naermiljo(dir.path())
        .args([
            "org",
            "create",
            "--name",
            "strømsø il",
            "--kind",
            "sports_club",
        ])
        .output()
        .unwrap();
    assert!(!twice.status.success());
    let said = String::from_utf8_lossy(&twice.stderr);
    assert!(
        said.contains(&format!("exists already (id {org})")),
        "{said}"
    );
    assert!(
        !said.to_lowercase().contains("unique"),
        "no database words: {said}"
    );
    // The list has a header, names, creation times and states.
    let orgs = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["org", "list"]);
        c
    });
    assert!(
        orgs.starts_with("id\tkind\tname\tcreated (Oslo)\tstate\n"),
        "{orgs}"
    );
    let row = orgs
        .lines()
        .find(|l| l.contains("Strømsø IL"))
        .expect("listed");
    let cells: Vec<&str> = row.split('\t').collect();
    assert_eq!((cells[1], cells[4]), ("sports_club", "active"), "{row}");
    assert_eq!(cells[3].len(), "2026-11-30 15:04".len(), "{row}");
    // A token for the organisation by its name.
    let by_name = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["token", "create", "--org", "Strømsø IL", "--role", "editor"]);
        c
    });
    assert!(by_name.trim().starts_with("nm_"), "{by_name}");
    let unknown = naermiljo(dir.path())
        .args(["token", "create", "--org", "Ingen slik", "--role", "editor"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no organisation \"Ingen slik\""));
    let token = run_ok({
        let mut c = naermiljo(dir.path());
        c.args([
            "token",
            "create",
            "--org",
            org,
            "--role",
            "editor",
            "--label",
            "nettskjema",
        ]);
        c
    });
    let token = token.trim().to_string();
    assert!(token.starts_with("nm_") && token.len() == 67, "{token}");
    let listed = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["token", "list"]);
        c
    });
    assert!(
        listed.contains(&format!("\tStrømsø IL ({org})\teditor\tnettskjema\t20"))
            && listed.contains("\tactive")
            && !listed.contains(&token[3..]),
        "names, creation times, states: {listed}"
    );
    assert!(
        listed
            .starts_with("id\torganisation\trole\tlabel\tcreated (Oslo)\tlast used (Oslo)\tstate"),
        "a header: {listed}"
    );
    let id = listed
        .lines()
        .find(|l| l.contains("nettskjema"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();

    let server = Server::start(naermiljo(dir.path()), &[]);
    let offers = "/api/collections/volunteer-needs/items/1/offers";
    let auth = format!("Authorization: Bearer {token}");
    // A known token reaches the handler (no such need: 404); after revoking, 401.
    assert!(listed.contains("\tnever\tactive"), "not used yet: {listed}");
    assert_eq!(server.send("GET", offers, &[&auth], "").0, 404);
    let listed = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["token", "list"]);
        c
    });
    let line = listed.lines().find(|l| l.contains("nettskjema")).unwrap();
    assert_eq!(
        line.split('\t').nth(5).unwrap().len(),
        "2026-11-30 15:04".len(),
        "used now: {line}"
    );
    run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["token", "revoke", &id]);
        c
    });
    let (status, body) = server.send("GET", offers, &[&auth], "");
    assert_eq!(status, 401, "{body}");
    let again = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["token", "revoke", &id]);
        c
    });
    assert!(
        again.contains(&format!("token {id} was revoked already")),
        "{again}"
    );
    // The audit log: one JSON line per change, with a time people read (Oslo, with offset).
    let audit = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["audit", "--limit", "10"]);
        c
    });
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 3, "{audit}");
    for l in &lines {
        let at = l["at"].as_str().unwrap();
        assert!(at.ends_with("+01:00") || at.ends_with("+02:00"), "{at}");
    }
    assert!(
        lines.iter().any(|l| l["collection"] == "api_tokens"),
        "{audit}"
    );
    let none = naermiljo(dir.path())
        .args(["token", "revoke", "9999"])
        .output()
        .unwrap();
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("no token 9999 to revoke"));
}

#[test]
fn the_first_admin_is_made_from_the_terminal_and_the_outbox_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let link = run_ok({
        let mut c = naermiljo(dir.path());
        c.args([
            "admin",
            "create",
            "--email",
            "Kari@Drammen.example",
            "--name",
            "Kari Nordmann",
            "--public-url",
            "https://naermiljo.drammen.example",
        ]);
        c
    });
    let link = link.trim();
    assert!(
        link.starts_with("https://naermiljo.drammen.example/auth/link/") && link.len() > 60,
        "{link}"
    );
    // Again: refused, saying why, non-zero.
    let again = naermiljo(dir.path())
        .args([
            "admin",
            "create",
            "--email",
            "kari@drammen.example",
            "--name",
            "K",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("has an account already"));
    let bad = naermiljo(dir.path())
        .args([
            "admin",
            "create",
            "--email",
            "not-an-address",
            "--name",
            "K",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"));

    // The invitation waits in the outbox; its body (the link) only when asked for.
    let rows = run_ok({
        let mut c = naermiljo(dir.path());
        c.arg("outbox");
        c
    });
    let row: serde_json::Value = serde_json::from_str(rows.lines().next().unwrap()).unwrap();
    assert_eq!(row["recipient"], "kari@drammen.example");
    assert_eq!(row["kind"], "invitation");
    assert_eq!(row["state"], "queued");
    assert!(row.get("body").is_none() && !rows.contains(link));
    let with_body = run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["outbox", "--with-body"]);
        c
    });
    assert!(with_body.contains(link));
}

/// Issue 20: a 100-row extract of Kartverket's 10,871-row address file would remove 10,771
/// addresses; the import stops, says so and changes nothing. `--dry-run` lists what would
/// change, by name, and changes nothing; `--allow-removal` does it on purpose.
#[test]
fn an_import_that_would_remove_most_of_its_source_stops_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let import = |file: &std::path::Path, flags: &[&str]| {
        naermiljo(dir.path())
            .args(["import", "addresses"])
            .arg(file)
            .args(flags)
            .output()
            .unwrap()
    };
    assert!(import(&elverum_csv(), &[]).status.success());
    let count = || {
        let out = run_ok({
            let mut c = naermiljo(dir.path());
            c.arg("status");
            c
        });
        out.lines().next().unwrap_or_default().to_string()
    };
    let before = count();
    assert!(before.contains("10871 addresses"), "{before}");

    // The same file again changes nothing: nothing counted as updated, the data version
    // (which servers follow) stays.
    let again = import(&elverum_csv(), &[]);
    assert!(again.status.success());
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("10871 in file: 0 new, 0 updated, 0 removed"),
        "{said}"
    );
    assert_eq!(count(), before, "the data version stays");

    // The same file's first 100 rows, under the same source name.
    let part = dir
        .path()
        .join("part")
        .join(elverum_csv().file_name().unwrap());
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    let text = std::fs::read_to_string(elverum_csv()).unwrap();
    std::fs::write(
        &part,
        text.split_inclusive('\n').take(101).collect::<String>(),
    )
    .unwrap();
    let out = import(&part, &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("would remove 10771 of the 10871 addresses")
            && stderr.contains("--allow-removal"),
        "{stderr}"
    );
    assert_eq!(count(), before, "nothing changed");

    // A dry run lists the removals by address and changes nothing.
    let out = import(&part, &["--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(plan.contains("Dry run: nothing was changed"), "{plan}");
    assert!(
        plan.contains("addresses: 0 added, 0 changed, 10771 removed, 100 unchanged (of 10871 now)"),
        "{plan}"
    );
    assert!(
        plan.contains("    remove ") && plan.contains("… and 10751 more remove"),
        "{plan}"
    );
    assert_eq!(count(), before);

    // On purpose.
    assert!(import(&part, &["--allow-removal"]).status.success());
    assert!(count().contains(" 100 addresses"), "{}", count());
}

/// Issue 20 items 4 and 9: Elverum's addresses into a Drammen store are refused (named, with
/// the flag that takes them on purpose) and change nothing; a facility file with one point
/// far outside the kommune is imported with a warning that names it.
#[test]
fn rows_from_outside_the_stores_kommune_are_refused_or_counted() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], file: &std::path::Path, flags: &[&str]| {
        naermiljo(dir.path())
            .args(args)
            .arg(file)
            .args(flags)
            .output()
            .unwrap()
    };
    let boundary = run(
        &["import", "districts"],
        &shared("drammen/drammen_kommune_3301.geojson"),
        &[
            "--level",
            "kommune",
            "--name-property",
            "kommunenavn",
            "--id-property",
            "kommunenummer",
        ],
    );
    assert!(
        boundary.status.success(),
        "{}",
        String::from_utf8_lossy(&boundary.stderr)
    );
    let status = || {
        run_ok({
            let mut c = naermiljo(dir.path());
            c.arg("status");
            c
        })
    };
    let before = status();

    let out = run(&["import", "addresses"], &elverum_csv(), &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("10871 of the file's 10871 addresses lie more than 5 km outside the store's kommune (Drammen)")
            && stderr.contains("--allow-outside"),
        "{stderr}"
    );
    assert_eq!(status(), before, "nothing changed");
    let dry = run(&["import", "addresses"], &elverum_csv(), &["--dry-run"]);
    let plan = String::from_utf8_lossy(&dry.stdout);
    assert!(
        plan.contains("10871 of the 10871 addresses lie more than 5 km outside Drammen"),
        "{plan}"
    );

    // One kindergarten of 76 placed in Bergen: imported, and told.
    let text = std::fs::read_to_string(shared("drammen/drammen_barnehager_3301.csv")).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let bergen = header
        .split(',')
        .map(|h| match h {
            "name" => "Invented Bergen barnehage",
            "lat" => "60.3913",
            "lon" => "5.3221",
            "orgnr" => "999999999",
            _ => "",
        })
        .collect::<Vec<_>>()
        .join(",");
    let file = dir.path().join("barnehager.csv");
    std::fs::write(&file, format!("{text}{bergen}\n")).unwrap();
    let out = run(
        &["import", "facilities"],
        &file,
        &["--kind", "kindergarten"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("warning: 1 of the 76 facilities lie more than 5 km outside Drammen (e.g. Invented Bergen barnehage (999999999) at 5.3221, 60.3913)"),
        "{said}"
    );

    // `status` says per source what it holds and when it came, the kommune, and what is
    // missing with the command that makes it (issue 20 item 11).
    let said = status();
    for expected in [
        "drammen_kommune_3301: 1 kommune districts; last imported 20",
        "by `import districts` from ",
        "barnehager: 76 kindergarten; last imported",
        "kommune: 3301 Drammen\n",
        "walking network: no (no walking network yet: build it from an OpenStreetMap extract with `naermiljo build-graph FILE.osm.pbf`",
        "basemap: none at ",
        "API tokens: 0 active, 0 revoked",
    ] {
        assert!(said.contains(expected), "{expected:?} in {said}");
    }
}

/// Issue 20: a mistyped `--kind` would turn a source's 75 kindergartens into schools, and
/// next month's file under a new name would add all 75 a second time; both stop, name what
/// would happen and the flag that does it on purpose, and change nothing.
#[test]
fn a_file_that_looks_like_another_source_or_the_same_rows_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let geojson = shared("drammen/drammen_barnehager_3301.geojson");
    let import = |file: &std::path::Path, flags: &[&str]| {
        naermiljo(dir.path())
            .args(["import", "facilities"])
            .arg(file)
            .args(flags)
            .output()
            .unwrap()
    };
    let status = || {
        run_ok({
            let mut c = naermiljo(dir.path());
            c.arg("status");
            c
        })
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
    };
    assert!(
        import(&geojson, &["--kind", "kindergarten"])
            .status
            .success()
    );
    let before = status();
    assert!(before.contains("75 facilities"), "{before}");

    let out = import(&geojson, &["--kind", "school"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("would change the kind of 75 of the 75 facilities")
            && stderr.contains("75 from kindergarten to school")
            && stderr.contains("--allow-kind-change"),
        "{stderr}"
    );
    assert_eq!(status(), before);

    let december = dir.path().join("barnehager-desember.geojson");
    std::fs::copy(&geojson, &december).unwrap();
    let out = import(&december, &["--kind", "kindergarten"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "75 of this file's 75 facilities are already in source \"drammen_barnehager_3301\""
        ) && stderr.contains("--source drammen_barnehager_3301")
            && stderr.contains("--allow-duplicates"),
        "{stderr}"
    );
    assert_eq!(status(), before);
    // Named as the source it is, it updates in place.
    assert!(
        import(
            &december,
            &[
                "--kind",
                "kindergarten",
                "--source",
                "drammen_barnehager_3301"
            ]
        )
        .status
        .success()
    );
    assert_eq!(
        status().split(" (data").next(),
        before.split(" (data").next()
    );
}

/// Issue 20: a mistyped `--data` made a new empty store that `serve` would serve as an empty
/// map; reading commands now refuse it and name the folders nearby that hold a store.
#[test]
fn a_mistyped_data_folder_is_refused_with_the_stores_nearby() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run_ok({
        let mut c = naermiljo(&data);
        c.arg("migrate");
        c
    });
    let typo = dir.path().join("dta");
    for args in [
        vec!["status"],
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec!["coverage", "--kind", "school"],
    ] {
        let out = naermiljo(&typo).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("no store at") && stderr.contains(&data.display().to_string()),
            "{args:?}: {stderr}"
        );
        assert!(!typo.exists(), "{args:?} made the folder");
    }
}

/// Issue 21 item 1: a client generated by openapi-python-client (pinned in
/// tests/requirements.txt) from the served OpenAPI document alone creates an activity, and
/// reads a refusal as a Problem whose errors point at the fields.
#[test]
fn a_client_generated_from_the_openapi_document_posts_an_activity() {
    let python = std::env::var("NAERMILJO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "NAERMILJO_TEST_PYTHON is not set: run the tests with scripts/test, which makes a \
             virtual environment with tests/requirements.txt (openapi-python-client)"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/facilities/barnehager-excel-semikolon.csv");
    run_ok({
        let mut c = naermiljo(dir.path());
        c.args(["import", "facilities"])
            .arg(&fixture)
            .args(["--kind", "kindergarten"]);
        c
    });
    run_ok({
        let mut c = naermiljo(dir.path());
        c.args([
            "org",
            "create",
            "--name",
            "Sjakklubben",
            "--kind",
            "volunteer_organisation",
        ]);
        c
    });
    let token = run_ok({
        let mut c = naermiljo(dir.path());
        c.args([
            "token",
            "create",
            "--org",
            "Sjakklubben",
            "--role",
            "editor",
        ]);
        c
    });
    let server = Server::start(naermiljo(dir.path()), &[]);
    let (_, items) = server.get("/api/collections/facilities/items?limit=1");
    let items: serde_json::Value = serde_json::from_str(&items).unwrap();
    let facility = items["features"][0]["id"].to_string();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/post_activity.py");
    let out = crate::common::tool(
        &python,
        &[
            script.to_str().unwrap(),
            &format!("http://{}", server.addr),
            token.trim(),
            &facility,
        ],
        None,
    );
    let said: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(said["created"].as_i64().unwrap() > 0, "{said}");
    assert_eq!(
        said["refused"],
        serde_json::json!(["/properties/languages/1", "/properties/title"]),
        "{said}"
    );
    let (status, created) = server.get(&format!(
        "/api/collections/activities/items/{}",
        said["created"]
    ));
    assert_eq!(status, 200);
    assert!(created.contains("Sjakk for nybegynnere"), "{created}");
}

/// Issue 16 item 3: no path from where the binary was built is used at run time. A copy of
/// the binary in an empty folder, started from another empty folder, finds no pages and
/// says how to give them; with `--web-dir` and `--styles-dir` it serves them; started in
/// the checkout (as `scripts/demo` does) it finds them by itself.
#[test]
fn pages_and_styles_are_found_at_run_time_not_from_the_build() {
    let data = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let bin = elsewhere.path().join("naermiljo");
    std::fs::copy(env!("CARGO_BIN_EXE_naermiljo"), &bin).unwrap();
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cmd = |cwd: &std::path::Path| {
        let mut c = std::process::Command::new(&bin);
        c.current_dir(cwd)
            .arg("--data")
            .arg(data.path())
            .env_remove("NAERMILJO_DB")
            .env_remove("NAERMILJO_WEB_DIR")
            .env_remove("NAERMILJO_STYLES_DIR")
            .env("RUST_LOG", "warn");
        c
    };

    run_ok({
        let mut c = cmd(elsewhere.path());
        c.arg("migrate");
        c
    });
    let alone = Server::start(cmd(elsewhere.path()), &[]);
    let (status, body) = alone.get("/");
    assert_eq!(status, 404, "{body}");
    let (status, _) = alone.get("/styles/default.json");
    assert_eq!(status, 404);
    drop(alone);

    let told = Server::start(
        cmd(elsewhere.path()),
        &[
            "--web-dir",
            checkout.join("web").to_str().unwrap(),
            "--styles-dir",
            checkout.join("tiles/styles").to_str().unwrap(),
        ],
    );
    let (status, body) = told.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("<html"), "{body}");
    let (status, body) = told.get("/styles/default.json");
    assert_eq!(status, 200, "{body}");
    drop(told);

    let in_checkout = Server::start(cmd(checkout), &[]);
    let (status, _) = in_checkout.get("/");
    assert_eq!(status, 200);
    let (status, _) = in_checkout.get("/styles/high-contrast.json");
    assert_eq!(status, 200);
}
