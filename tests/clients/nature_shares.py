"""Independent oracle for the share of homes within a walk of nature (issue 22).

Reads the homes and the nature areas from a running server's OGC API Features
collections and the walking network from `naermiljo export-graph --format csv`,
computes for each question (green, green_1ha, forest, shore) the share of homes
within `--minutes` of walking from the documented rules alone, with shapely,
pyproj and scipy, and prints it beside the service's own figure
(`total.share` of GET /api/coverage?nature=Q&minutes=M) as one JSON object:

    {"minutes": 5, "homes": N,
     "shares": {"green": {"oracle": x, "service": y}, "green_1ha": {...},
                "forest": {...}, "shore": {...}}}

It does not decide pass or fail (the Rust test compares); it prints a table of
both figures to stderr, and with --examples K up to K homes per question where
the oracle and the service disagree (the service's seconds from
/api/coverage/gaps).

The rules (issue 22), in metres in EPSG:25832:
  * green = class green or forest, area_ha >= 0.5; green_1ha = the same with
    area_ha >= 1.0; forest = class forest, area_ha >= 0.5; shore = class shore.
  * An area is reached wherever the network comes within 15 m of its outline
    (any ring), a line within 30 m, a point within 50 m: every point of a
    segment inside that buffer is a place where it is reached.
  * Walking is 5 km/h along the segments; rows with a negative cost are not
    walkable in that direction.
  * A home joins the network at the nearest point of the nearest segment within
    500 m (that stretch is not counted); farther, it is unreachable.
  * A home inside a polygon answering the question has time 0.
  * Share = homes with time <= minutes*60 s (+1e-6) / all homes.

Exit status: 0 with the JSON on stdout; 2 when something cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pyproj
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

QUESTIONS = ("green", "green_1ha", "forest", "shore")
SPEED_MPS = 5000.0 / 3600.0  # 5 km/h
SNAP_MAX_M = 500.0
REACH_POLYGON_M = 15.0
REACH_LINE_M = 30.0
REACH_POINT_M = 50.0
TOLERANCE_S = 1e-6
PAGE_LIMIT = 10000
BUFFER_QUAD_SEGS = 32  # arcs of the buffers: at most 15 m * (1 - cos(pi/128)) ~ 5 mm short


class Unreadable(Exception):
    """Something the oracle needs could not be read."""


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- input


def get_json(url: str) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            body = resp.read()
    except urllib.error.HTTPError as err:
        detail = err.read()[:300].decode("utf-8", "replace")
        raise Unreadable(f"GET {url}: HTTP {err.code}: {detail}") from err
    except (urllib.error.URLError, OSError) as err:
        raise Unreadable(f"GET {url}: {err}") from err
    try:
        return json.loads(body)
    except ValueError as err:
        raise Unreadable(f"GET {url}: not JSON: {err}") from err


def all_features(base: str, collection: str) -> list[dict]:
    """Every feature of an OGC API Features collection, following `next` links."""
    url = f"{base}/api/collections/{collection}/items?limit={PAGE_LIMIT}"
    features: list[dict] = []
    seen: set[str] = set()
    matched = None
    while url:
        if url in seen:
            raise Unreadable(f"{collection}: the `next` links loop at {url}")
        seen.add(url)
        page = get_json(url)
        if page.get("type") != "FeatureCollection" or not isinstance(page.get("features"), list):
            raise Unreadable(f"GET {url}: not a GeoJSON FeatureCollection")
        features.extend(page["features"])
        matched = page.get("numberMatched", matched)
        url = next(
            (link["href"] for link in page.get("links", []) if link.get("rel") == "next"),
            None,
        )
        if url is not None and not page["features"]:
            raise Unreadable(f"{collection}: an empty page with a `next` link")
    if matched is not None and matched != len(features):
        raise Unreadable(
            f"{collection}: numberMatched {matched}, but {len(features)} features read"
        )
    return features


def read_graph(path: str):
    """The exported network: node ends and costs per segment (walk profile)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            want = [
                "id",
                "source",
                "target",
                "cost",
                "reverse_cost",
                "length_m",
                "x1",
                "y1",
                "x2",
                "y2",
            ]
            if header is None or [h.strip() for h in header] != want:
                raise Unreadable(f"{path}: header {header!r}, expected {','.join(want)}")
            rows = [r for r in reader if r]
    except OSError as err:
        raise Unreadable(f"{path}: {err}") from err
    if not rows:
        raise Unreadable(f"{path}: no segments")
    try:
        src = np.array([int(r[1]) for r in rows], dtype=np.int64)
        dst = np.array([int(r[2]) for r in rows], dtype=np.int64)
        num = np.array([[float(x) for x in r[3:10]] for r in rows], dtype=np.float64)
    except (ValueError, IndexError) as err:
        raise Unreadable(f"{path}: a row that is not numbers: {err}") from err
    cost, rcost, length, x1, y1, x2, y2 = num.T
    # A segment walkable in neither direction is no part of the walk network.
    keep = (cost >= 0) | (rcost >= 0)
    if not keep.all():
        log(f"graph: {int((~keep).sum())} segments not walkable in either direction left out")
    return (
        src[keep],
        dst[keep],
        cost[keep],
        rcost[keep],
        length[keep],
        x1[keep],
        y1[keep],
        x2[keep],
        y2[keep],
    )


# --------------------------------------------------------------------------- geometry


def along(frac, secs):
    """Seconds to walk a fraction of a segment (no distance costs nothing, even one way)."""
    with np.errstate(invalid="ignore"):
        return np.where(frac <= 0.0, 0.0, frac * secs)


def interval_on_segments(seg_ids, pieces, ax, ay, dx, dy, len2):
    """For each (segment, clipped piece) pair: the fractions [t0, t1] the piece covers."""
    parts, which = shapely.get_parts(pieces, return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, which = parts[keep], which[keep]
    if len(parts) == 0:
        return np.empty(0, np.int64), np.empty(0), np.empty(0)
    coords, cidx = shapely.get_coordinates(parts, return_index=True)
    seg_of_coord = seg_ids[which][cidx]
    t = (coords[:, 0] - ax[seg_of_coord]) * dx[seg_of_coord] + (
        coords[:, 1] - ay[seg_of_coord]
    ) * dy[seg_of_coord]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(len2[seg_of_coord] > 0, t / len2[seg_of_coord], 0.0)
    t = np.clip(t, 0.0, 1.0)
    n = len(parts)
    t0 = np.full(n, np.inf)
    t1 = np.full(n, -np.inf)
    np.minimum.at(t0, cidx, t)
    np.maximum.at(t1, cidx, t)
    return seg_ids[which], t0, t1


def service_gaps(base: str, q: str, m_arg: str, n_homes: int, coverage: dict):
    """The service's uncovered homes, id -> walk_seconds (None beyond an hour).

    /api/coverage/gaps has a largest `limit` and no paging; when the answer is
    cut short, ask district by district (the coverage answer's rows)."""

    def gaps(extra: dict) -> dict:
        url = f"{base}/api/coverage/gaps?" + urllib.parse.urlencode(
            {"nature": q, "minutes": m_arg, "limit": n_homes, **extra}
        )
        return get_json(url)

    def by_id(body: dict) -> dict:
        return {
            g.get("id"): (g.get("properties") or {}).get("walk_seconds")
            for g in body.get("features", [])
        }

    whole = gaps({})
    matched = whole.get("numberMatched")
    if matched is None or matched == len(whole.get("features", [])):
        return by_id(whole)
    out: dict = {}
    for d in coverage.get("districts", []):
        part = gaps({"parent": d["district_id"]})
        if part.get("numberMatched") != len(part.get("features", [])):
            break
        out.update(by_id(part))
    if len(out) != matched:
        log(
            f"{q}: the service's {matched} uncovered homes could not all be listed "
            f"({len(out)} read); no examples"
        )
        return None
    return out


# --------------------------------------------------------------------------- main work


def compute(base: str, graph_path: str, minutes: float, examples: int) -> dict:
    started = time.monotonic()
    to_m = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)

    # Homes.
    homes = all_features(base, "addresses")
    if not homes:
        raise Unreadable("addresses: the collection is empty")
    home_ids = []
    hlon, hlat = [], []
    for f in homes:
        g = f.get("geometry") or {}
        if g.get("type") != "Point":
            raise Unreadable(f"address {f.get('id')}: geometry {g.get('type')}, expected Point")
        home_ids.append(f.get("id"))
        hlon.append(g["coordinates"][0])
        hlat.append(g["coordinates"][1])
    hx, hy = to_m.transform(np.array(hlon), np.array(hlat))
    home_pts = shapely.points(hx, hy)
    n_homes = len(homes)

    # Nature.
    nature = all_features(base, "nature")
    if not nature:
        raise Unreadable("nature: the collection is empty")
    natures = []  # (class, area_ha, projected geometry)
    for f in nature:
        props = f.get("properties") or {}
        cls = props.get("class")
        if cls not in ("green", "forest", "shore"):
            raise Unreadable(f"nature {f.get('id')}: class {cls!r}")
        try:
            geom = shapely.geometry.shape(f["geometry"])
        except Exception as err:  # any unreadable geometry
            raise Unreadable(f"nature {f.get('id')}: geometry: {err}") from err
        geom = shapely.transform(geom, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))
        natures.append((cls, props.get("area_ha"), geom))

    # Network.
    src, dst, cost, rcost, length, x1, y1, x2, y2 = read_graph(graph_path)
    ax, ay = to_m.transform(x1, y1)
    bx, by = to_m.transform(x2, y2)
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    segs = shapely.linestrings(
        np.stack([np.column_stack([ax, ay]), np.column_stack([bx, by])], axis=1)
    )
    # Walking seconds along each segment, per direction (inf: not walkable that way).
    secs = length / SPEED_MPS
    fwd = np.where(cost >= 0, secs, np.inf)  # source -> target
    bwd = np.where(rcost >= 0, secs, np.inf)  # target -> source
    node_ids, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
    a = inv[: len(src)]
    b = inv[len(src) :]
    n_nodes = len(node_ids)
    seg_tree = shapely.STRtree(segs)
    log(
        f"read {n_homes} homes, {len(natures)} nature features, {len(segs)} segments, "
        f"{n_nodes} nodes in {time.monotonic() - started:.1f} s"
    )

    # Homes onto the network: nearest point of the nearest segment within 500 m.
    hidx, sidx = seg_tree.query_nearest(home_pts, max_distance=SNAP_MAX_M, all_matches=False)
    home_seg = np.full(n_homes, -1, dtype=np.int64)
    home_seg[hidx] = sidx
    placed = home_seg >= 0
    hs = home_seg[placed]
    th = np.zeros(n_homes)
    with np.errstate(divide="ignore", invalid="ignore"):
        tt = ((hx[placed] - ax[hs]) * dx[hs] + (hy[placed] - ay[hs]) * dy[hs]) / len2[hs]
    th[placed] = np.clip(np.nan_to_num(tt, nan=0.0), 0.0, 1.0)
    log(
        f"homes placed on the network: {int(placed.sum())}; farther than {SNAP_MAX_M:.0f} m: "
        f"{int((~placed).sum())}"
    )

    # Where each nature feature is reached: clipped intervals of segments.
    reach = []  # per feature: (seg ids, t0, t1)
    for cls, area_ha, geom in natures:
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            target, dist = shapely.boundary(geom), REACH_POLYGON_M
        elif geom.geom_type in ("LineString", "MultiLineString"):
            target, dist = geom, REACH_LINE_M
        elif geom.geom_type in ("Point", "MultiPoint"):
            target, dist = geom, REACH_POINT_M
        else:
            raise Unreadable(f"nature geometry {geom.geom_type} not understood")
        zone = shapely.buffer(target, dist, quad_segs=BUFFER_QUAD_SEGS)
        shapely.prepare(zone)
        cand = seg_tree.query(zone, predicate="intersects")
        if len(cand) == 0:
            reach.append((np.empty(0, np.int64), np.empty(0), np.empty(0)))
            continue
        pieces = shapely.intersection(segs[cand], zone)
        reach.append(interval_on_segments(cand, pieces, ax, ay, dx, dy, len2))

    # The graph in reverse (edges point towards where one walks from), so one
    # Dijkstra from a virtual source at the nature gives every node's time TO it.
    V = n_nodes
    finite_f = np.isfinite(fwd)
    finite_b = np.isfinite(bwd)
    # Walking a->b (fwd) is the reverse edge b->a; walking b->a (bwd) is a->b.
    base_rows = np.concatenate([b[finite_f], a[finite_b]])
    base_cols = np.concatenate([a[finite_f], b[finite_b]])
    base_w = np.concatenate([fwd[finite_f], bwd[finite_b]])

    def selects(q: str, cls: str, area_ha) -> bool:
        ha = area_ha if area_ha is not None else -1.0
        if q == "green":
            return cls in ("green", "forest") and ha >= 0.5
        if q == "green_1ha":
            return cls in ("green", "forest") and ha >= 1.0
        if q == "forest":
            return cls == "forest" and ha >= 0.5
        return cls == "shore"

    limit_s = minutes * 60.0 + TOLERANCE_S
    result_shares = {}
    oracle_times = {}
    for q in QUESTIONS:
        chosen = [i for i, (cls, ha, _g) in enumerate(natures) if selects(q, cls, ha)]
        if chosen:
            r_seg = np.concatenate([reach[i][0] for i in chosen])
            r_t0 = np.concatenate([reach[i][1] for i in chosen])
            r_t1 = np.concatenate([reach[i][2] for i in chosen])
        else:
            r_seg, r_t0, r_t1 = np.empty(0, np.int64), np.empty(0), np.empty(0)
        # Virtual source -> node: the time from that node to the nearest reached
        # point along the segment (reverse edges: V -> a costs walking a -> t0).
        vw_a = along(r_t0, fwd[r_seg])  # from a forward to t0
        vw_b = along(1.0 - r_t1, bwd[r_seg])  # from b backward to t1
        rows = np.concatenate([base_rows, np.full(len(r_seg) * 2, V)])
        cols = np.concatenate([base_cols, a[r_seg], b[r_seg]])
        w = np.concatenate([base_w, vw_a, vw_b])
        ok = np.isfinite(w)
        rows, cols, w = rows[ok], cols[ok], w[ok]
        # One edge per (row, col): the cheapest (a sparse matrix would add them up).
        order = np.lexsort((w, cols, rows))
        rows, cols, w = rows[order], cols[order], w[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, w = rows[first], cols[first], w[first]
        graph = csr_matrix((w, (rows, cols)), shape=(n_nodes + 1, n_nodes + 1))
        dist = dijkstra(graph, directed=True, indices=V)

        # Each home: to either end of its segment, then on.
        t = np.full(n_homes, np.inf)
        ph = np.nonzero(placed)[0]
        s = home_seg[ph]
        via_a = along(th[ph], bwd[s]) + dist[a[s]]  # walk back to a
        via_b = along(1.0 - th[ph], fwd[s]) + dist[b[s]]  # walk on to b
        t[ph] = np.minimum(via_a, via_b)
        # A reached point on the home's own segment: straight along it.
        if len(r_seg):
            seg_to_homes: dict[int, list[int]] = {}
            for h in ph:
                seg_to_homes.setdefault(int(home_seg[h]), []).append(int(h))
            for sg, t0, t1 in zip(r_seg.tolist(), r_t0.tolist(), r_t1.tolist()):
                for h in seg_to_homes.get(sg, ()):
                    x = th[h]
                    if t0 <= x <= t1:
                        d = 0.0
                    elif x < t0:
                        d = (t0 - x) * fwd[sg]
                    else:
                        d = (x - t1) * bwd[sg]
                    t[h] = min(t[h], d)
        # Inside a polygon answering the question: no walk at all.
        polys = [
            natures[i][2] for i in chosen if natures[i][2].geom_type in ("Polygon", "MultiPolygon")
        ]
        if polys:
            poly_tree = shapely.STRtree(polys)
            inside, _ = poly_tree.query(home_pts, predicate="intersects")
            t[np.unique(inside)] = 0.0
        oracle_times[q] = t
        covered = int((t <= limit_s).sum())
        result_shares[q] = {"oracle": covered / n_homes}
        log(
            f"{q}: {len(chosen)} features reached on {len(np.unique(r_seg))} segments; "
            f"oracle covers {covered} of {n_homes}; {int(np.isinf(t).sum())} homes reach none "
            f"(a network piece that joins no reached point, or placed nowhere)"
        )

    # The service's figures.
    m_arg = f"{minutes:g}"
    service_bodies = {}
    for q in QUESTIONS:
        url = f"{base}/api/coverage?" + urllib.parse.urlencode({"nature": q, "minutes": m_arg})
        body = get_json(url)
        share = (body.get("total") or {}).get("share")
        if not isinstance(share, (int, float)):
            raise Unreadable(f"GET {url}: no numeric total.share")
        result_shares[q]["service"] = float(share)
        service_bodies[q] = body

    log("")
    log(
        f"{'question':<10} {'oracle':>9} {'service':>9} {'diff (pp)':>10}   (within {m_arg} min, {n_homes} homes)"
    )
    for q in QUESTIONS:
        o, s = result_shares[q]["oracle"], result_shares[q]["service"]
        log(f"{q:<10} {o:>9.4f} {s:>9.4f} {100 * (s - o):>+10.2f}")

    if examples > 0:
        for q in QUESTIONS:
            svc_gap = service_gaps(base, q, m_arg, n_homes, service_bodies[q])
            if svc_gap is None:
                continue
            t = oracle_times[q]
            only_oracle = [h for h in range(n_homes) if t[h] <= limit_s and home_ids[h] in svc_gap]
            only_service = [
                h for h in range(n_homes) if t[h] > limit_s and home_ids[h] not in svc_gap
            ]
            log(
                f"\n{q}: covered by the oracle only: {len(only_oracle)}; by the service only: {len(only_service)}"
            )
            # The largest disagreements first.
            only_oracle.sort(key=lambda h: -((svc_gap[home_ids[h]] or 1e9) - t[h]))
            for h in only_oracle[:examples]:
                lab = homes[h].get("properties", {}).get("label")
                log(
                    f"  oracle {t[h]:7.1f} s, service {svc_gap[home_ids[h]]} s: "
                    f"#{home_ids[h]} {lab} ({hlon[h]:.6f}, {hlat[h]:.6f})"
                )
            for h in only_service[:examples]:
                lab = homes[h].get("properties", {}).get("label")
                log(
                    f"  oracle {t[h]:7.1f} s, service <= {m_arg} min: "
                    f"#{home_ids[h]} {lab} ({hlon[h]:.6f}, {hlat[h]:.6f})"
                )

    log(f"\noracle done in {time.monotonic() - started:.1f} s")
    return {
        "minutes": minutes if minutes != int(minutes) else int(minutes),
        "homes": n_homes,
        "shares": result_shares,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    ap.add_argument("--graph", required=True, help="CSV from `naermiljo export-graph --format csv`")
    ap.add_argument("--minutes", type=float, default=5.0, help="walking time (default 5)")
    ap.add_argument(
        "--examples",
        type=int,
        default=0,
        help="print up to this many homes per question where oracle and service disagree",
    )
    args = ap.parse_args()
    if not (args.minutes > 0):
        print("nature_shares: --minutes must be positive", file=sys.stderr)
        return 2
    try:
        out = compute(args.base_url.rstrip("/"), args.graph, args.minutes, args.examples)
    except Unreadable as err:
        print(f"nature_shares: cannot read: {err}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
