//! One contract for every store backend: each test runs against SQLite and against PostGIS
//! (a fresh database in the throwaway cluster per test).

use std::future::Future;

use naermiljo::domain::{FacilityKind, LonLat, NewAddress, NewDistrict, NewFacility};
use std::sync::Arc;

use naermiljo::store::{GraphBlob, ImportBatch, Store};

use crate::common::{TestStore, addresses, dump, elverum_csv, oslo_pbf, osm};

/// Runs `body` once per backend, naming the backend in any failure. The `TestStore` (and
/// with it the SQLite file's folder) lives here, around the whole run of `body`.
async fn each_backend<F, Fut>(body: F)
where
    F: Fn(Arc<dyn Store>, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let sqlite = TestStore::new().await;
    body(sqlite.store.clone(), "sqlite").await;
    let postgis = TestStore::postgis().await;
    body(postgis.store.clone(), "postgis").await;
}

fn facility(id: &str, lon: f64, lat: f64) -> NewFacility {
    let mut properties = serde_json::Map::new();
    properties.insert("operator".into(), "Drammen kommune".into());
    NewFacility {
        kind: FacilityKind::Playground,
        name: Some(format!("Lekeplass {id}")),
        position: LonLat::new(lon, lat),
        address: Some("Bragernes torg 1".into()),
        wheelchair: Some("limited".into()),
        opening_hours: None,
        source_id: id.into(),
        properties,
        area: None,
    }
}

fn address(id: &str, lon: f64, lat: f64) -> NewAddress {
    NewAddress {
        street: "Tollbugata".into(),
        number: format!("{id}B"),
        postcode: Some("3044".into()),
        city: Some("DRAMMEN".into()),
        municipality_code: Some("3301".into()),
        grunnkrets_code: Some("33010101".into()),
        grunnkrets_name: Some("Sentrum".into()),
        position: LonLat::new(lon, lat),
        // Kartverket's entrance point, a few metres off: kept by both stores.
        access: Some(LonLat::new(lon + 0.0001, lat)),
        source_id: id.into(),
    }
}

fn district(id: &str) -> NewDistrict {
    let ring = geo::LineString::from(vec![
        (10.1, 59.7),
        (10.3, 59.7),
        (10.3, 59.8),
        (10.1, 59.8),
        (10.1, 59.7),
    ]);
    let hole = geo::LineString::from(vec![
        (10.15, 59.72),
        (10.2, 59.72),
        (10.2, 59.75),
        (10.15, 59.72),
    ]);
    NewDistrict {
        name: format!("Område {id}"),
        level: "kommunedel".into(),
        geometry: geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![hole])]),
        population: Some(12_345),
        source_id: id.into(),
    }
}

fn batch(
    source: &str,
    f: Vec<NewFacility>,
    a: Vec<NewAddress>,
    d: Vec<NewDistrict>,
) -> ImportBatch {
    ImportBatch {
        importer: "test".into(),
        source: source.into(),
        file: "contract".into(),
        facilities: Some(f),
        addresses: Some(a),
        districts: Some(d),
        population: Some(vec![naermiljo::domain::AreaPopulation {
            code: format!("3301{:04}", source.len()),
            name: Some("Bragernes".into()),
            year: Some(2024),
            persons: 1234,
        }]),
        walk_graph: Some(GraphBlob {
            nodes: 3,
            edges: 4,
            data: vec![1, 2, 3, 255],
        }),
        nature: Some(nature_rows()),
    }
}

/// A forest with a hole, a river drawn as a line, and a bathing place drawn as a point.
fn nature_rows() -> Vec<naermiljo::domain::nature::NewNatureArea> {
    use naermiljo::domain::nature::{NatureClass, NatureGeometry, NewNatureArea};
    let forest = district("forest").geometry;
    let river = geo::MultiLineString(vec![geo::LineString::from(vec![
        (10.2012345, 59.7412345),
        (10.2023456, 59.7423456),
    ])]);
    vec![
        NewNatureArea {
            class: NatureClass::Forest,
            tag: "landuse=forest".into(),
            name: Some("Skauen".into()),
            area_ha: 12.3456,
            position: LonLat::new(10.2, 59.74),
            source_id: "relation/1".into(),
            geometry: NatureGeometry::Area(forest),
        },
        NewNatureArea {
            class: NatureClass::Shore,
            tag: "waterway=river".into(),
            name: Some("Elva".into()),
            area_ha: 0.0,
            position: LonLat::new(10.2012345, 59.7412345),
            source_id: "way/2".into(),
            geometry: NatureGeometry::Line(river),
        },
        NewNatureArea {
            class: NatureClass::Shore,
            tag: "leisure=bathing_place".into(),
            name: None,
            area_ha: 0.0,
            position: LonLat::new(10.21, 59.75),
            source_id: "node/3".into(),
            geometry: NatureGeometry::Point(LonLat::new(10.21, 59.75)),
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_store() {
    each_backend(|store, backend| async move {
        let c = store.load().await.unwrap();
        assert_eq!(
            (
                c.data_version,
                c.facilities.len(),
                c.addresses.len(),
                c.districts.len()
            ),
            (0, 0, 0, 0),
            "{backend}"
        );
        assert!(c.walk_graph.is_none(), "{backend}");
        store.ping().await.unwrap();
        // Migrating again is harmless.
        store.migrate().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_come_back_exactly_as_written() {
    each_backend(|store, backend| async move {
        let outcome = store
            .apply_import(batch(
                "a",
                vec![
                    facility("1", 10.2041234, 59.7431234),
                    facility("2", -179.9999999, -89.9999999),
                ],
                vec![address("1", 10.2000001, 59.7400001)],
                vec![district("k1")],
            ))
            .await
            .unwrap();
        assert_eq!(outcome.data_version, 1, "{backend}");
        assert_eq!(outcome.facilities.unwrap().inserted, 2, "{backend}");
        let c = store.load().await.unwrap();
        assert_eq!(c.facilities.len(), 2);
        let f = &c.facilities[0];
        assert_eq!(
            (f.position, f.kind, f.name.as_deref()),
            (
                LonLat::new(10.2041234, 59.7431234),
                FacilityKind::Playground,
                Some("Lekeplass 1")
            ),
            "{backend}"
        );
        assert_eq!(f.properties["operator"], "Drammen kommune", "{backend}");
        assert_eq!(
            (f.source.source.as_str(), f.source.source_id.as_str()),
            ("a", "1")
        );
        assert_eq!(
            c.facilities[1].position,
            LonLat::new(-179.9999999, -89.9999999),
            "{backend}"
        );
        let a = &c.addresses[0];
        assert_eq!(
            (a.label().as_str(), a.grunnkrets_code.as_deref()),
            ("Tollbugata 1B, 3044 DRAMMEN", Some("33010101")),
            "{backend}"
        );
        assert_eq!(
            a.access.map(|p| p.rounded()),
            Some(LonLat::new(a.position.lon + 0.0001, a.position.lat).rounded()),
            "{backend}: the access point"
        );
        assert_eq!(
            c.districts[0].geometry,
            district("k1").geometry,
            "{backend}: polygons with holes survive"
        );
        assert_eq!(c.districts[0].population, Some(12_345));
        let nature: Vec<_> = c
            .nature
            .iter()
            .map(|n| {
                (
                    n.class,
                    n.tag.clone(),
                    n.name.clone(),
                    n.area_ha,
                    n.position,
                    n.source.source_id.clone(),
                    n.geometry.clone(),
                )
            })
            .collect();
        let written: Vec<_> = nature_rows()
            .into_iter()
            .map(|n| {
                (
                    n.class,
                    n.tag,
                    n.name,
                    n.area_ha,
                    n.position,
                    n.source_id,
                    n.geometry,
                )
            })
            .collect();
        assert_eq!(nature, written, "{backend}: nature areas, lines and points");
        assert_eq!(
            c.walk_graph.as_deref(),
            Some(&[1u8, 2, 3, 255][..]),
            "{backend}"
        );
        assert_eq!(store.counts().await.unwrap().facilities, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn re_imports_update_in_place_and_remove_only_their_own_source() {
    each_backend(|store, backend| async move {
        store
            .apply_import(batch(
                "a",
                vec![facility("1", 10.2, 59.7), facility("2", 10.3, 59.8)],
                vec![],
                vec![],
            ))
            .await
            .unwrap();
        store
            .apply_import(batch("b", vec![facility("1", 10.4, 59.9)], vec![], vec![]))
            .await
            .unwrap();
        let before = store.load().await.unwrap();
        let id_of = |c: &naermiljo::store::StoreContents, source: &str, sid: &str| {
            c.facilities
                .iter()
                .find(|f| f.source.source == source && f.source.source_id == sid)
                .map(|f| f.id)
        };
        // Source a again: 1 moved, 2 gone, 3 new.
        let o = store
            .apply_import(batch(
                "a",
                vec![facility("1", 10.25, 59.75), facility("3", 10.1, 59.6)],
                vec![],
                vec![],
            ))
            .await
            .unwrap();
        let change = o.facilities.unwrap();
        assert_eq!(
            (change.inserted, change.updated, change.removed),
            (1, 1, 1),
            "{backend}"
        );
        let after = store.load().await.unwrap();
        assert_eq!(
            id_of(&after, "a", "1"),
            id_of(&before, "a", "1"),
            "{backend}: ids survive"
        );
        assert_eq!(id_of(&after, "a", "2"), None);
        assert_eq!(
            id_of(&after, "b", "1"),
            id_of(&before, "b", "1"),
            "{backend}: other sources untouched"
        );
        assert_eq!(after.data_version, before.data_version + 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_import_changes_nothing() {
    each_backend(|store, backend| async move {
        store
            .apply_import(batch(
                "a",
                vec![facility("1", 10.2, 59.7)],
                vec![address("1", 10.2, 59.7)],
                vec![],
            ))
            .await
            .unwrap();
        let before = dump(store.as_ref()).await;
        // Facilities are written first; the address after them breaks a constraint.
        let bad = batch(
            "a",
            vec![facility("9", 10.3, 59.8)],
            vec![address("1", 10.2, 95.0)],
            vec![district("k")],
        );
        assert!(store.apply_import(bad).await.is_err(), "{backend}");
        assert_eq!(dump(store.as_ref()).await, before, "{backend}");
        // A batch naming one id twice is refused before anything is written.
        let twice = batch(
            "a",
            vec![facility("1", 10.2, 59.7), facility("1", 10.3, 59.8)],
            vec![],
            vec![],
        );
        let err = store.apply_import(twice).await.unwrap_err().to_string();
        assert!(
            err.contains("the import names facilities source id \"1\" twice"),
            "{backend}: {err}"
        );
        assert_eq!(dump(store.as_ref()).await, before, "{backend}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_importers_give_the_same_rows_on_both_backends() {
    let sqlite = TestStore::new().await;
    let postgis = TestStore::postgis().await;
    for t in [&sqlite, &postgis] {
        t.import(osm(oslo_pbf())).await.unwrap();
        t.import(addresses(elverum_csv())).await.unwrap();
        // Idempotent on both.
        let again = t.import(addresses(elverum_csv())).await.unwrap();
        assert_eq!(again.outcome.addresses.unwrap().inserted, 0);
    }
    let (a, b) = (
        sqlite.store.load().await.unwrap(),
        postgis.store.load().await.unwrap(),
    );
    assert_eq!(a.data_version, b.data_version);
    assert_eq!(a.facilities, b.facilities);
    assert_eq!(a.addresses, b.addresses);
    assert_eq!(a.walk_graph, b.walk_graph);
    assert_eq!(a.nature, b.nature);
    assert!(a.facilities.len() > 500 && a.addresses.len() > 20_000);
    assert!(a.nature.len() > 100, "{} nature areas", a.nature.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn editing_checks_owner_and_version_in_the_write() {
    use naermiljo::domain::activity::{HelpOffer, OrgKind};
    use naermiljo::store::editing::{Actor, ItemCollection, ItemWrite, Role, WriteOutcome};
    each_backend(|store, backend| async move {
        let a = store.create_organisation("Lag A", OrgKind::SportsClub, None, false, None).await.unwrap();
        let b = store.create_organisation("Lag B", OrgKind::Business, Some("b@example.org"), true, None).await.unwrap();
        assert!(store.create_organisation("Lag A", OrgKind::SportsClub, None, false, None).await.is_err(), "{backend}: names are unique");
        let t = store.create_token(a, Role::Editor, "ab12", Some("x"), None).await.unwrap();
        assert!(store.create_token(999, Role::Editor, "cd34", None, None).await.is_err(), "{backend}");
        let editor_a = store.token("ab12").await.unwrap().expect("the token");
        assert_eq!(editor_a, Actor { token_id: Some(t), person_id: None, org_id: a, role: Role::Editor });
        assert_eq!(store.token("nope").await.unwrap(), None);
        let editor_b = Actor { token_id: None, person_id: None, org_id: b, role: Role::Editor };
        let doc = serde_json::json!({ "title": "Trenerhjelp", "place": { "lon": 10.2, "lat": 59.7 }, "time_commitment": "1 t", "valid_until": "2030-01-01" });
        let created = store
            .write_item(ItemCollection::VolunteerNeeds, &editor_a, ItemWrite::Create { org_id: a, example: false, doc: doc.clone(), valid_until: Some("2030-01-01".into()) })
            .await
            .unwrap();
        let WriteOutcome::Done { id, version: 1, .. } = created else { panic!("{backend}: {created:?}") };
        let replace = |expected_version| ItemWrite::Replace { id, expected_version, doc: doc.clone(), valid_until: Some("2030-01-01".into()) };
        assert_eq!(store.write_item(ItemCollection::VolunteerNeeds, &editor_b, replace(1)).await.unwrap(), WriteOutcome::Forbidden, "{backend}");
        assert_eq!(store.write_item(ItemCollection::VolunteerNeeds, &editor_a, replace(7)).await.unwrap(), WriteOutcome::Stale { current_version: 1 }, "{backend}");
        assert_eq!(store.write_item(ItemCollection::Activities, &editor_a, replace(1)).await.unwrap(), WriteOutcome::NotFound, "{backend}");
        // Two writers with the same version: one wins, one is stale.
        let (x, y) = tokio::join!(
            store.write_item(ItemCollection::VolunteerNeeds, &editor_a, replace(1)),
            store.write_item(ItemCollection::VolunteerNeeds, &editor_a, replace(1)),
        );
        let mut outcomes = [x.unwrap(), y.unwrap()];
        outcomes.sort_by_key(|o| matches!(o, WriteOutcome::Done { .. }));
        assert_eq!(outcomes[0], WriteOutcome::Stale { current_version: 2 }, "{backend}");
        assert!(matches!(outcomes[1], WriteOutcome::Done { version: 2, .. }), "{backend}");

        let offer = HelpOffer { name: "Ola".into(), contact: "ola@example.org".into(), message: None };
        assert!(store.add_offer(id, &offer, "2029-12-31").await.unwrap());
        assert!(!store.add_offer(id, &offer, "2030-01-02").await.unwrap(), "{backend}: expired needs take no offers");
        assert!(!store.add_offer(id + 100, &offer, "2029-12-31").await.unwrap());
        assert_eq!(store.offers(id).await.unwrap().len(), 1);
        assert_eq!(store.purge_expired_offers("2030-01-01").await.unwrap(), 0, "{backend}: valid through its last day");
        assert_eq!(store.purge_expired_offers("2030-01-02").await.unwrap(), 1, "{backend}");

        let contents = store.load().await.unwrap();
        assert_eq!(contents.organisations.len(), 2);
        assert!(contents.organisations[1].example);
        assert_eq!(contents.volunteer_needs[0].version, 2);
        assert_eq!(contents.volunteer_needs[0].doc.title, "Trenerhjelp");
        let audit = store.audit_log(10).await.unwrap();
        let rows = |collection: &str| audit.iter().filter(|r| r.collection == collection).map(|r| r.action.as_str()).collect::<Vec<_>>();
        assert_eq!(rows("volunteer-needs"), ["replace", "create"], "{backend}");
        assert_eq!(rows("organisations"), ["create", "create"], "{backend}: organisations are audited");
        assert_eq!(rows("api_tokens"), ["create"], "{backend}: tokens are audited");
        assert_eq!(audit[0].token_id, Some(t));
        assert_eq!(audit[0].before.as_ref().unwrap()["title"], "Trenerhjelp");
        let before = store.data_version().await.unwrap();
        assert_eq!(
            store.write_item(ItemCollection::VolunteerNeeds, &editor_a, ItemWrite::Delete { id, expected_version: 2 }).await.unwrap(),
            WriteOutcome::Done { id, version: 0, data_version: before + 1 },
            "{backend}"
        );
    })
    .await;
}

/// Writes that read before they write (a token checks its organisation first) wait for each
/// other instead of failing: on SQLite a deferred transaction that has read cannot wait for
/// the write lock, so every write transaction must take it as it begins.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writes_that_read_first_wait_for_each_other() {
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::editing::Role;
    each_backend(|store, backend| async move {
        let org = store
            .create_organisation("Lag", OrgKind::SportsClub, None, false, None)
            .await
            .unwrap();
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..24 {
            let store = store.clone();
            writes.spawn(async move {
                let name = format!("Lag {i}");
                let other = store
                    .create_organisation(&name, OrgKind::SportsClub, None, false, None)
                    .await?;
                store
                    .create_token(org, Role::Editor, &format!("hash{i}"), None, None)
                    .await?;
                store
                    .create_token(other, Role::Editor, &format!("other{i}"), None, None)
                    .await
            });
        }
        for write in writes.join_all().await {
            write.unwrap_or_else(|e| panic!("{backend}: {e}"));
        }
        assert_eq!(store.tokens().await.unwrap().len(), 48, "{backend}");
    })
    .await;
}

/// What `status` says of each source: its last import, the same on both backends, with the
/// time in UTC as RFC 3339.
#[tokio::test(flavor = "multi_thread")]
async fn each_sources_last_import_is_listed() {
    each_backend(|store, backend| async move {
        assert_eq!(store.last_imports().await.unwrap(), vec![], "{backend}");
        for (source, file) in [
            ("a", "first.geojson"),
            ("b", "other.csv"),
            ("a", "second.geojson"),
        ] {
            store
                .apply_import(ImportBatch {
                    importer: "facilities".into(),
                    source: source.into(),
                    file: file.into(),
                    facilities: Some(vec![facility(file, 10.2, 59.7)]),
                    ..Default::default()
                })
                .await
                .unwrap();
        }
        let last = store.last_imports().await.unwrap();
        let listed: Vec<(&str, &str)> = last
            .iter()
            .map(|l| (l.source.as_str(), l.file.as_str()))
            .collect();
        assert_eq!(
            listed,
            [("a", "second.geojson"), ("b", "other.csv")],
            "{backend}"
        );
        for l in &last {
            assert_eq!(l.importer, "facilities");
            let t: jiff::Timestamp = l
                .finished_at
                .parse()
                .unwrap_or_else(|e| panic!("{backend}: {:?}: {e}", l.finished_at));
            assert!(
                (jiff::Timestamp::now().as_second() - t.as_second()).abs() < 600,
                "{backend}: {t}"
            );
        }
    })
    .await;
}

/// An import of `f` as the source `lekeplasser`.
fn lekeplasser(f: Vec<NewFacility>) -> ImportBatch {
    ImportBatch {
        importer: "test".into(),
        source: "lekeplasser".into(),
        file: "contract".into(),
        facilities: Some(f),
        ..Default::default()
    }
}

/// Issue 20 item 3: a re-import that removes a facility where an organisation holds an
/// activity and a volunteer need keeps both at the facility's last position (as points), with
/// a new version and an audit row each; items at facilities that stay are not touched.
#[tokio::test(flavor = "multi_thread")]
async fn items_at_a_removed_facility_stay_at_its_last_position() {
    use naermiljo::domain::activity::{OrgKind, Place};
    use naermiljo::store::editing::{Actor, ItemCollection, ItemWrite, Role};
    each_backend(|store, backend| async move {
        store
            .apply_import(lekeplasser(vec![facility("a", 10.2, 59.74), facility("b", 10.21, 59.75)]))
            .await
            .unwrap();
        let stored = store.load().await.unwrap().facilities;
        let id_of = |s: &str| stored.iter().find(|f| f.source.source_id == s).unwrap().id;
        let (a, b) = (id_of("a"), id_of("b"));
        let org = store.create_organisation("Lag A", OrgKind::SportsClub, None, false, None).await.unwrap();
        let actor = Actor { token_id: None, person_id: None, org_id: org, role: Role::Editor };
        let activity = |facility_id: i64, title: &str| {
            serde_json::json!({
                "title": title, "category": "sport", "price_nok": 0, "place": { "facility_id": facility_id },
                "schedule": { "sessions": [{ "weekday": 2, "start": "18:00", "end": "19:00" }] }
            })
        };
        for (collection, doc, valid_until) in [
            (ItemCollection::Activities, activity(a, "Fotball på A"), None),
            (ItemCollection::Activities, activity(b, "Fotball på B"), None),
            (
                ItemCollection::VolunteerNeeds,
                serde_json::json!({ "title": "Trener på A", "place": { "facility_id": a }, "time_commitment": "1 t", "valid_until": "2030-01-01" }),
                Some("2030-01-01".to_string()),
            ),
        ] {
            let out = store
                .write_item(collection, &actor, ItemWrite::Create { org_id: org, example: false, doc, valid_until })
                .await
                .unwrap();
            assert!(matches!(out, naermiljo::store::editing::WriteOutcome::Done { .. }), "{backend}: {out:?}");
        }

        // The next file has only b.
        let outcome = store.apply_import(lekeplasser(vec![facility("b", 10.21, 59.75)])).await.unwrap();
        assert_eq!(outcome.relocated, 2, "{backend}");
        let c = store.load().await.unwrap();
        assert_eq!(c.facilities.len(), 1);
        let place = |title: &str| {
            c.activities.iter().find(|x| x.doc.title == title).map(|x| (x.doc.place.clone(), x.version))
                .or_else(|| c.volunteer_needs.iter().find(|x| x.doc.title == title).map(|x| (x.doc.place.clone(), x.version)))
                .unwrap()
        };
        assert_eq!(place("Fotball på A"), (Place::Point { lon: 10.2, lat: 59.74 }, 2), "{backend}");
        assert_eq!(place("Trener på A"), (Place::Point { lon: 10.2, lat: 59.74 }, 2), "{backend}");
        assert_eq!(place("Fotball på B"), (Place::Facility { facility_id: b }, 1), "{backend}: untouched");
        let audit = store.audit_log(10).await.unwrap();
        let moved: Vec<(&str, &str)> = audit
            .iter()
            .filter(|r| r.person_id.is_none() && r.token_id.is_none() && r.action == "replace")
            .map(|r| (r.collection.as_str(), r.after.as_ref().unwrap()["title"].as_str().unwrap()))
            .collect();
        assert_eq!(moved.len(), 2, "{backend}: {moved:?}");
        assert!(moved.contains(&("activities", "Fotball på A")) && moved.contains(&("volunteer-needs", "Trener på A")), "{backend}: {moved:?}");
    })
    .await;
}

/// A re-import that renames one facility and moves another writes an audit row for each
/// (role `import`, name and position before and after), and the open feed's change numbers
/// of those facilities rise past the activity held there; the same file again, or a shift
/// of 3 cm, changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_rename_or_a_move_by_an_import_is_audited_for_the_open_feed() {
    use naermiljo::domain::activity::OrgKind;
    use naermiljo::store::editing::{Actor, ItemCollection, ItemWrite, Role};
    each_backend(|store, backend| async move {
        let first = || vec![facility("a", 10.2, 59.74), facility("b", 10.21, 59.75), facility("c", 10.22, 59.76)];
        store.apply_import(lekeplasser(first())).await.unwrap();
        let stored = store.load().await.unwrap().facilities;
        let id_of = |s: &str| stored.iter().find(|f| f.source.source_id == s).unwrap().id;
        let (a, b, c) = (id_of("a"), id_of("b"), id_of("c"));
        let org = store.create_organisation("Lag A", OrgKind::SportsClub, None, false, None).await.unwrap();
        let actor = Actor { token_id: None, person_id: None, org_id: org, role: Role::Editor };
        let doc = serde_json::json!({
            "title": "Fotball på A", "category": "sport", "price_nok": 0, "place": { "facility_id": a },
            "schedule": { "sessions": [{ "weekday": 2, "start": "18:00", "end": "19:00" }] }
        });
        store
            .write_item(ItemCollection::Activities, &actor, ItemWrite::Create { org_id: org, example: false, doc, valid_until: None })
            .await
            .unwrap();
        let written = store.load().await.unwrap().feed_changes;
        let activity_change = *written.activities.values().next().unwrap();

        // The same file, and c shifted by 3 cm (5e-7° of longitude): no change for the log or the feed.
        store.apply_import(lekeplasser(first())).await.unwrap();
        let mut shifted = first();
        shifted[2].position = LonLat::new(10.22 + 5e-7, 59.76);
        store.apply_import(lekeplasser(shifted)).await.unwrap();
        let c1 = store.load().await.unwrap();
        assert!(c1.feed_changes.facilities.is_empty(), "{backend}: {:?}", c1.feed_changes.facilities);
        assert!(!store.audit_log(20).await.unwrap().iter().any(|r| r.collection == "facilities"), "{backend}");

        // a renamed, b moved by about 11 m, c as it was.
        let mut next = first();
        next[0].name = Some("Lekeplass a (ny)".into());
        next[1].position = LonLat::new(10.21, 59.7501);
        store.apply_import(lekeplasser(next)).await.unwrap();
        let c2 = store.load().await.unwrap();
        let changes = &c2.feed_changes.facilities;
        assert_eq!(changes.keys().copied().collect::<std::collections::BTreeSet<_>>(), [a, b].into(), "{backend}: {changes:?}");
        assert!(changes[&a] > activity_change, "{backend}: the rename comes after the activity's write");
        let audit = store.audit_log(20).await.unwrap();
        let rows: Vec<_> = audit.iter().filter(|r| r.collection == "facilities").collect();
        assert_eq!(rows.len(), 2, "{backend}: {rows:?}");
        for r in &rows {
            assert_eq!((r.role.as_deref(), r.action.as_str(), r.person_id, r.token_id), (Some("import"), "update", None, None), "{backend}");
            assert_ne!(r.item_id, c, "{backend}");
        }
        let renamed = rows.iter().find(|r| r.item_id == a).unwrap();
        assert_eq!(renamed.before.as_ref().unwrap()["name"], "Lekeplass a", "{backend}");
        assert_eq!(renamed.after.as_ref().unwrap()["name"], "Lekeplass a (ny)", "{backend}");
        // The log read by collection and organisation in the store (the admin page's filters).
        use naermiljo::store::editing::AuditFilter;
        let only = |collection: &str, org_id: Option<i64>| AuditFilter { collection: Some(collection.into()), person_id: None, org_id };
        let facilities = store.audit_log_where(&only("facilities", None), 1).await.unwrap();
        assert_eq!(facilities.iter().map(|r| r.item_id).collect::<Vec<_>>(), [rows[0].item_id], "{backend}: the newest one");
        let activities = store.audit_log_where(&only("activities", Some(org)), 10).await.unwrap();
        assert_eq!(activities.iter().map(|r| (r.action.as_str(), r.org_id)).collect::<Vec<_>>(), [("create", Some(org))], "{backend}");
        assert!(store.audit_log_where(&only("activities", Some(org + 1)), 10).await.unwrap().is_empty(), "{backend}");
        let moved = rows.iter().find(|r| r.item_id == b).unwrap();
        assert_eq!(moved.before.as_ref().unwrap()["lat"], 59.75, "{backend}");
        assert_eq!(moved.after.as_ref().unwrap()["lat"], 59.7501, "{backend}");
    })
    .await;
}
