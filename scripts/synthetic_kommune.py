"""A synthetic fetch folder at Drammen's scale for the kommune import benchmark: the files
`naermiljo fetch --kommune 3301` leaves (manifest.json, kommune.geojson, grunnkretser.geojson,
adresser.csv, befolkning-04317.csv, skoler.geojson, barnehager.geojson, anlegg.geojson,
osm.pbf), in the fetchers' formats. Every value is invented; seeded, so the same folder each run.

At scale 1: a 20 × 14 km kommune (a rectangle in EPSG:25832 at lon 10.0–10.36, lat 59.68–59.80)
cut into 600 grunnkretser (30 × 20 cells, 30 delområder), 35,000 addresses, 40 schools,
80 kindergartens, 180 sports facilities, and an OSM street grid 2 km beyond the border
(inside the 3 km the import keeps): a lattice 54 m apart, ~148,600 nodes, every other line
a residential street, the others footways. Counts scale with --scale (the margin is capped).
Usage: synthetic_kommune.py OUT_DIR [--scale 1.0]   (needs pyosmium: pip install osmium)"""
import argparse
import hashlib
import json
import math
import os
import random
import uuid

import osmium

parser = argparse.ArgumentParser(description="A synthetic `naermiljo fetch` folder at Drammen's scale.")
parser.add_argument("out")
parser.add_argument("--scale", type=float, default=1.0)
args = parser.parse_args()
S, OUT = args.scale, args.out
os.makedirs(OUT, exist_ok=True)
rng = random.Random(3301)
KNR, KNAME = "3301", "Drammen"
NS = uuid.UUID("6f1c2a52-0d3e-4c47-9a51-330100000001")
FETCHED = "2025-08-20T04:00:00Z"
root = math.sqrt(S)
COLS, ROWS = max(2, round(30 * root)), max(2, round(20 * root))
CW, CH = 20000 * root / COLS, 14000 * root / ROWS  # cell size, metres
E0, N0 = 556400.0, 6616000.0  # the kommune's south-west corner (EPSG:25832)
W, H = COLS * CW, ROWS * CH
STEP, MARGIN = 54.0, 2000.0 * min(1.0, root)  # lattice spacing; network beyond the border
N_ADDR = round(35000 * S)
N_SCHOOL, N_KIND, N_ANLEGG = round(40 * S), round(80 * S), round(180 * S)

# ETRS89 / UTM zone 32 to lon/lat (Krüger's series, GRS80; well under a mm here).
_n = (1 / 298.257222101) / (2 - 1 / 298.257222101)
_A = 6378137.0 / (1 + _n) * (1 + _n**2 / 4 + _n**4 / 64)
_B = (_n / 2 - 2 * _n**2 / 3 + 37 * _n**3 / 96, _n**2 / 48 + _n**3 / 15, 17 * _n**3 / 480)
_D = (2 * _n - 2 * _n**2 / 3 - 2 * _n**3, 7 * _n**2 / 3 - 8 * _n**3 / 5, 56 * _n**3 / 15)


def lonlat(e, n):
    xi, eta = n / (0.9996 * _A), (e - 500000.0) / (0.9996 * _A)
    xp = xi - sum(b * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, b in enumerate(_B, 1))
    ep = eta - sum(b * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, b in enumerate(_B, 1))
    chi = math.asin(math.sin(xp) / math.cosh(ep))
    lat = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_D, 1))
    return [round(9.0 + math.degrees(math.atan2(math.sinh(ep), math.cos(xp))), 7), round(math.degrees(lat), 7)]


PRE = ("Aske Berg Bjørke Brå Dal Eike Fjell Furu Gran Haug Hegg Hol Hov Kjos Kleiv Lia Lind Lunde Mo Myr "
       "Nes Ous Rud Røn Sand Skog Sol Stein Strand Sætre Tang Tveit Vik Våg Øde Åker Ås Hage Løv Rype").split()
PLACE = "åsen haugen moen lia jordet løkka bakken dalen sletta tunet kollen stranda toppen vika enga".split()
ROAD = "veien gata stien bakken svingen lia".split()


def place(k):
    base = PRE[k % 40] + PLACE[(k // 40) % 15]
    return base if k < 600 else f"{base} {k // 600 + 1}"


def street(k):
    return ["", "Øvre ", "Nedre ", "Store ", "Lille ", "Gamle "][(k // 240) % 6] + PRE[k % 40] + ROAD[(k // 40) % 6]


def orgnr(rng, first="9"):
    while True:
        d = [int(first)] + [rng.randint(0, 9) for _ in range(7)]
        c = 11 - sum(a * b for a, b in zip(d, (3, 2, 7, 6, 5, 4, 3, 2))) % 11
        if c != 10:
            return "".join(map(str, d)) + str(c % 11)


# Grunnkretser: cell (c, r), delområder of 5 × 4 cells, numbered 3301DDKK.
DCOLS = math.ceil(COLS / 5)
assert DCOLS * math.ceil(ROWS / 4) <= 99, "delområde numbers have two digits: --scale up to about 3"
cells = []  # (code, name, delområde code, col, row)
for r in range(ROWS):
    for c in range(COLS):
        d = (r // 4) * DCOLS + c // 5 + 1
        cells.append([None, place(r * COLS + c), f"{KNR}{d:02d}", c, r])
for d in sorted({x[2] for x in cells}):
    for k, cell in enumerate(x for x in cells if x[2] == d):
        cell[0] = f"{d}{k + 1:02d}"
delomrader = {d: (place(int(d[4:]) * 37 + 11).split()[0], f"30{int(d[4:]):02d}", f"0303{int(d[4:]):04d}", orgnr(rng))
              for d in sorted({x[2] for x in cells})}  # name, postnummer, soknenummer, sokn orgnr


def corner(c, r):
    return lonlat(E0 + c * CW, N0 + r * CH)


def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def geojson(features):
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


ring = ([corner(c, 0) for c in range(COLS)] + [corner(COLS, r) for r in range(ROWS)]
        + [corner(c, ROWS) for c in range(COLS, 0, -1)] + [corner(0, r) for r in range(ROWS, -1, -1)])
write("kommune.geojson", geojson([{"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
                                   "properties": {"kommunenummer": KNR, "kommunenavn": KNAME,
                                                  "fylkesnummer": "33", "fylkesnavn": "Buskerud"}}]))
write("grunnkretser.geojson", geojson([{
    "type": "Feature", "id": code,
    "geometry": {"type": "Polygon", "coordinates": [[corner(c, r), corner(c + 1, r), corner(c + 1, r + 1),
                                                     corner(c, r + 1), corner(c, r)]]},
    "properties": {"grunnkretsnummer": code, "grunnkretsnavn": name, "delomradenummer": d[:6],
                   "delomradenavn": delomrader[d][0]}} for code, name, d, c, r in cells]))

# The OSM lattice: nodes (i, j) row by row; lines with even index are streets.
OX, OY = E0 - MARGIN, N0 - MARGIN
NX, NY = int((W + 2 * MARGIN) // STEP) + 1, int((H + 2 * MARGIN) // STEP) + 1
NODE0, WAY0 = 1_000_000, 50_000_000


def line_name(vertical, k):  # the k-th street line (lattice line 2k) of its direction
    return street(k if vertical else 400 + k)


# Addresses: cells weighted (dense centres, sparse edges), each at least 5; uniform in its cell.
weights = [rng.lognormvariate(0, 0.9) for _ in cells]
counts = [5 + int((N_ADDR - 5 * len(cells)) * w / sum(weights)) for w in weights]
for k in rng.sample(range(len(cells)), N_ADDR - sum(counts)):
    counts[k] += 1
HEADER = ("lokalid;kommunenummer;kommunenavn;adressetype;adressetilleggsnavn;adressetilleggsnavnKilde;"
          "adressekode;adressenavn;nummer;bokstav;gardsnummer;bruksnummer;festenummer;undernummer;"
          "adresseTekst;adresseTekstUtenAdressetilleggsnavn;EPSG-kode;Nord;Øst;postnummer;poststed;"
          "grunnkretsnummer;grunnkretsnavn;soknenummer;soknenavn;organisasjonsnummer;tettstednummer;"
          "tettstednavn;valgkretsnummer;valgkretsnavn;oppdateringsdato;datauttaksdato;adresseId;uuidAdresse;"
          "atkomstId;uuidAtkomst;atkomstNord;atkomstØst;sommeratkomstId;uuidSommeratkomst;sommeratkomstNord;"
          "sommeratkomstØst;vinteratkomstId;uuidVinteratkomst;vinteratkomstNord;vinteratkomstØst")
DATES = ["03.03.2025 13:55:03.617495", "29.03.2023 22:05:36.367", "15.06.2020 18:13:24.785",
         "11.03.2025 12:01:45.161981", "02.12.2024 08:40:11.9", "12.01.2024 08:00:00"]


def metres(v):  # Kartverket's style: 2 decimals, trailing zeros dropped
    return f"{v:.2f}".rstrip("0").rstrip(".")


lines, numbers, lokalid = ["\ufeff" + HEADER], {}, 700100000
for k, (code, gname, d, c, r) in enumerate(cells):
    dname, postnr, sokn, sokn_org = delomrader[d]
    town = ("1201", "Drammen") if int(d[4:]) % 5 else ("", "")
    for _ in range(counts[k]):
        e = round(E0 + c * CW + rng.uniform(2, CW - 2), 2)
        n = round(N0 + r * CH + rng.uniform(2, CH - 2), 2)
        i, j = round((e - OX) / (2 * STEP)), round((n - OY) / (2 * STEP))  # nearest street lines
        vertical = abs(e - (OX + 2 * STEP * i)) < abs(n - (OY + 2 * STEP * j))
        key = (vertical, i if vertical else j)
        name = line_name(*key)
        numbers[key] = numbers.get(key, 0) + rng.randint(1, 3)
        nr, letter = str(numbers[key]), "AB"[rng.randint(0, 1)] if rng.random() < 0.08 else ""
        lokalid += rng.randint(3, 40)
        lid, text = str(lokalid), f"{name} {numbers[key]}{letter}"
        atk = ["", "", "", ""]
        if rng.random() < 0.1:  # an access point (atkomst) a few metres off
            aid = str(6400000000 + lokalid)
            atk = [aid, str(uuid.uuid5(NS, "atkomst-" + aid)), metres(n + rng.uniform(-15, 15)), metres(e + rng.uniform(-15, 15))]
        f = [lid, KNR, KNAME.upper(), "vegadresse", "", "", str(1000 + key[1] + 5000 * vertical), name, nr, letter,
             str(k + 1), str(rng.randint(1, 400)), "", "", text, text, "25832", metres(n), metres(e), postnr,
             KNAME.upper(), code, gname, sokn, dname, sokn_org, town[0], town[1], str(int(d[4:])), dname,
             rng.choice(DATES), "20.08.2025 04:03:43", lid, str(uuid.uuid5(NS, "adresse-" + lid))] + atk + [""] * 8
        lines.append(";".join(f))
write("adresser.csv", "\r\n".join(lines) + "\r\n")
write("befolkning-04317.csv", "\"region\";\"år\";\"Personer\"\n" + "".join(
    f"\"{code} {name}\";\"2025\";\"{round(counts[k] * rng.uniform(1.6, 2.6))}\"\n"
    for k, (code, name, *_) in enumerate(cells)))


# Facilities: in distinct cells (schools, kindergartens), at a point away from the cell's edge.
def spot(cell):
    _, _, _, c, r = cell
    return E0 + c * CW + rng.uniform(0.2, 0.8) * CW, N0 + r * CH + rng.uniform(0.2, 0.8) * CH


def point(e, n, props, fid):
    return {"type": "Feature", "id": fid, "geometry": {"type": "Point", "coordinates": lonlat(e, n)},
            "properties": props}


osm_points = []  # (e, n, tags): what OpenStreetMap also maps
schools = []
for k, cell in enumerate(rng.sample(cells, N_SCHOOL)):
    e, n = spot(cell)
    org, vgs = orgnr(rng), k % 8 == 7
    name = f"{cell[1]} {'videregående skole' if vgs else 'skole'}"
    schools.append(point(e, n, {
        "name": name, "orgnr": org, "address": f"{street(k + 500)} {k + 1}, {delomrader[cell[2]][1]} DRAMMEN",
        "public": k % 6 != 5, "primary_school": not vgs, "upper_secondary": vgs,
        "categories": ["Videregående skole"] if vgs else ["Grunnskole"],
        **({} if vgs else {"grade_from": 1, "grade_to": 7 if k % 3 else 10}), "pupils": rng.randint(80, 700)}, org))
    if k % 3 == 0:
        osm_points.append((e + 30, n - 20, {"amenity": "school", "name": name}))
kindergartens = []
for k, cell in enumerate(rng.sample(cells, N_KIND)):
    e, n = spot(cell)
    org, name = orgnr(rng), f"{cell[1]} barnehage"
    kindergartens.append(point(e, n, {
        "name": name, "orgnr": org, "address": f"{street(k + 800)} {k + 2}, {delomrader[cell[2]][1]} DRAMMEN",
        "public": k % 2 == 0, "age_from": [0, 1, 3][k % 3], "age_to": 5, "children": rng.randint(20, 120)}, org))
    if k % 3 == 0:
        osm_points.append((e - 25, n + 25, {"amenity": "kindergarten", "name": name}))
TYPES = [("Ballbinge", "pitch", True), ("Flerbruksflate", "pitch", True), ("Skatepark", "skatepark", True),
         ("Trimpark", "fitness_station", True), ("Sandvolleyballbane", "pitch", True), ("Akebakke", "park", True),
         ("Fotballbane", "pitch", False), ("Kunstgressbane", "pitch", False), ("Idrettshall", "sports_hall", False),
         ("Svømmehall", "sports_hall", False), ("Friidrettsanlegg", "track", False), ("Tennisbane", "pitch", False)]
anlegg = []
for k in range(N_ANLEGG):
    cell = rng.choice(cells)
    e, n = spot(cell)
    outside = k % 30 == 29  # a few across the border, as the fetcher keeps within 3 km
    if outside:
        e = E0 - rng.uniform(200, MARGIN - 200)
    typ, kind, naer = TYPES[k % len(TYPES)]
    fid = str(100000 + k * 37)
    anlegg.append(point(e, n, {
        "name": f"{cell[1]} {typ.lower()}", "anleggsnummer": fid, "type": typ,
        "category": "Nærmiljøanlegg" if naer else "Ordinære anlegg", "owner": f"{KNAME} kommune",
        "operator": None if k % 4 else f"{cell[1]} idrettslag", "built": 1960 + k % 64,
        "naermiljoanlegg": naer, "kind": kind, "outside_kommune": outside}, fid))
osm_points += [(*spot(rng.choice(cells)), {"leisure": "playground"}) for _ in range(round(60 * S))]
write("skoler.geojson", geojson(schools))
write("barnehager.geojson", geojson(kindergartens))
write("anlegg.geojson", geojson(anlegg))

# osm.pbf: lattice nodes, then the points and park corners; the ways along each line in
# pieces of 8 edges, then the parks (closed ways). Ids rise within each kind.
w = osmium.SimpleWriter(os.path.join(OUT, "osm.pbf"), overwrite=True)
for j in range(NY):
    for i in range(NX):
        loc = lonlat(OX + i * STEP + rng.uniform(-3, 3), OY + j * STEP + rng.uniform(-3, 3))
        w.add_node(osmium.osm.mutable.Node(id=NODE0 + j * NX + i, location=loc, version=1))
nid = NODE0 + NX * NY
for e, n, tags in osm_points:
    w.add_node(osmium.osm.mutable.Node(id=nid, location=lonlat(e, n), tags=tags, version=1))
    nid += 1
parks = []
for k in range(round(20 * S)):
    cell = rng.choice(cells)
    e, n = spot(cell)
    ids = list(range(nid, nid + 4))
    for dx, dy in ((0, 0), (160, 0), (160, 120), (0, 120)):
        w.add_node(osmium.osm.mutable.Node(id=nid, location=lonlat(e + dx, n + dy), version=1))
        nid += 1
    parks.append((ids + ids[:1], {"leisure": "park", "name": f"{cell[1]}parken"}))
wid = WAY0
for vertical, count, length in ((True, NX, NY), (False, NY, NX)):
    for k in range(count):
        for s in range(0, length - 1, 8):
            at = range(s, min(s + 9, length))
            refs = [NODE0 + (t * NX + k if vertical else k * NX + t) for t in at]
            h = wid % 50
            if k % 20 == 0:
                tags = {"highway": "tertiary", "name": line_name(vertical, k // 2), "maxspeed": "50"}
            elif k % 2 == 0:
                tags = {"highway": "living_street" if h == 0 else "residential", "name": line_name(vertical, k // 2),
                        "maxspeed": "30", "surface": "asphalt"}
            else:
                tags = {"highway": "path" if h < 3 else "cycleway" if h < 5 else "footway",
                        "surface": "gravel" if h % 2 else "asphalt"}
                if h == 5:
                    tags = {"highway": "steps", "incline": "up"}
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags, version=1))
            wid += 1
for refs, tags in parks:
    w.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags, version=1))
    wid += 1
w.close()

# manifest.json, as `fetch` writes it: each source's files with size and SHA-256.
LIC = {"k": ("CC BY 4.0", "© Kartverket (CC BY 4.0)"), "u": ("NLOD 2.0", "Utdanningsdirektoratet, NSR/NBR (NLOD)"),
       "a": ("NLOD 2.0", "Anleggsregisteret, Kultur- og likestillingsdepartementet (NLOD)"),
       "s": ("CC BY 4.0", "Kilde: Statistisk sentralbyrå (CC BY 4.0)"), "o": ("ODbL 1.0", "© OpenStreetMap contributors (ODbL)")}
SOURCES = {
    "kommune": ("kommune.geojson", "k", "https://ws.geonorge.no/kommuneinfo/v1/kommuner/3301/omrade?utkoordsys=4326",
                f"{KNAME} ({KNR})"),
    "grunnkretser": ("grunnkretser.geojson", "k", "https://nedlasting.geonorge.no/api/download/order/synthetic",
                     f"{len(cells)} grunnkretser (EPSG:25832)"),
    "addresses": ("adresser.csv", "k", "https://nedlasting.geonorge.no/geonorge/Basisdata/MatrikkelenAdresse/CSV/"
                  "Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip",
                  f"Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip: EPSG:25832, {N_ADDR} lines"),
    "schools": ("skoler.geojson", "u", "https://data-nsr.udir.no/v4/enheter/kommune/3301", f"{N_SCHOOL} units"),
    "kindergartens": ("barnehager.geojson", "u", "https://data-nbr.udir.no/v4/enheter/kommune/3301", f"{N_KIND} units"),
    "sports-facilities": ("anlegg.geojson", "a", "https://backoffice.anleggsregisteret.no/api/facilities",
                          f"{N_ANLEGG} facilities within 3 km of the boundary"),
    "population": ("befolkning-04317.csv", "s", "https://data.ssb.no/api/pxwebapi/v2/tables/04317/data",
                   f"{len(cells)} grunnkretser, 2025"),
    "osm": ("osm.pbf", "o", "file:///synthetic/osm.pbf", "cut to the kommune's polygon and 3000 m around it when imported"),
}
manifest = {"kommune": KNR, "sources": {}}
for key, (name, lic, url, note) in SOURCES.items():
    data = open(os.path.join(OUT, name), "rb").read()
    manifest["sources"][key] = {
        "fetched_at": FETCHED, "urls": [url],
        "files": [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "url": url}],
        "licence": LIC[lic][0], "attribution": LIC[lic][1],
        "notes": [note, f"synthetic (scripts/synthetic_kommune.py --scale {S})"]}
write("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
print(f"{OUT}: {len(cells)} grunnkretser, {N_ADDR} addresses, {len(schools)} schools, {len(kindergartens)} "
      f"kindergartens, {len(anlegg)} sports facilities; osm.pbf {NX * NY} lattice nodes, {wid - WAY0} ways")
