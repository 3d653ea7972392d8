"""schemathesis hooks for tests/suite/schemathesis.rs: rules between parameters that an
OpenAPI document cannot state (JSON Schema constrains one value at a time).

Only *positive* cases are filtered, and only those that break one of the rules below: a
request the document allows and the server must refuse with 400. Every other positive case,
and every negative case, reaches the server and is checked as schemathesis checks it. Each
rule is also said in the parameter's description in the document.
"""

import json
import os
import urllib.request
from datetime import date
from functools import cache

import schemathesis
from schemathesis.generation import GenerationMode


@cache
def _districts():
    """The districts' ids and levels, read once from the server under test (NAERMILJO_URL)."""
    url = os.environ["NAERMILJO_URL"].rstrip("/") + "/api/collections/districts/items?limit=10000"
    with urllib.request.urlopen(url) as r:
        features = json.load(r)["features"]
    return {str(f["id"]) for f in features}, {f["properties"]["level"] for f in features}


def _numbers(value):
    """`bbox` as numbers, from `a,b,c,d` or a list; None when it is not numbers."""
    parts = value if isinstance(value, list) else str(value).split(",")
    try:
        return [float(p) for p in parts]
    except (TypeError, ValueError):
        return None


def _bbox_ok(value):
    n = _numbers(value)
    if n is None or len(n) not in (4, 6):
        return True  # the document's own schema speaks to these
    if len(n) == 6:
        n = [n[0], n[1], n[3], n[4]]
    min_lon, min_lat, max_lon, max_lat = n
    return (
        -180 <= min_lon <= max_lon <= 180
        and -90 <= min_lat <= max_lat <= 90
    )


def _date_ok(value):
    """`open_at`'s pattern admits 2026-02-31; the calendar does not."""
    try:
        date.fromisoformat(str(value).strip()[:10])
        return True
    except ValueError:
        return False


def _minutes(value):
    return [int(m) for m in str(value).split(",")]


def _query_ok(path, query):
    present = lambda name: query.get(name) not in (None, "")  # noqa: E731
    if "bbox" in query and not _bbox_ok(query["bbox"]):
        return False
    if "open_at" in query and not _date_ok(query["open_at"]):
        return False
    if present("bbox-crs") and not present("bbox"):
        return False  # the CRS of a bbox comes with one
    if present("filter") or present("filter-lang"):
        # A CQL2 expression has a grammar, not a JSON Schema: tests/suite/api.rs and crs.rs,
        # and the GDAL and OWSLib clients, try filters.
        return False
    if present("unknown_hours") and not present("open_at"):
        return False  # how unknown hours count, at a time asked
    if present("crs") and query.get("f") == "jsonld":
        return False  # JSON-LD has schema.org latitude and longitude, no CRS
    if path == "/api/calendar":
        # The days run forward from `from` (default today), at most 62 of them.
        start = str(query.get("from") or date.today().isoformat())
        if present("to"):
            if not (_date_ok(query["to"]) and _date_ok(start)):
                return False
            days = (date.fromisoformat(str(query["to"])[:10]) - date.fromisoformat(start[:10])).days
            if not 0 <= days <= 62:
                return False
    if present("lon") != present("lat"):
        return False  # a point is both or neither
    for name in ("parent", "district"):
        if present(name) and str(query[name]) not in _districts()[0]:
            return False  # a district that exists
    if present("level") and str(query["level"]) not in _districts()[1]:
        return False  # a level the districts have
    if path.startswith("/api/coverage"):
        # One question: kind, category or nature; a CRS is chosen for GeoPackages only;
        # opening hours are those of facilities (kind), not of activities (category).
        asked = [n for n in ("kind", "category", "nature") if present(n)]
        if len(asked) != 1:
            return False
        if present("crs") and query.get("format") != "gpkg":
            return False
        if present("open_at") and not present("kind"):
            return False
    if path == "/api/feeds/session-series":
        # RPDE: the last item's modified and id come together.
        if present("afterTimestamp") != present("afterId"):
            return False
    if path == "/api/reach" and present("bands"):
        # Each band lies within the walk asked for (default 15 minutes).
        limit = int(query.get("minutes") or 15)
        if any(m > limit for m in _minutes(query["bands"])):
            return False
    return True


def _path_ok(path, path_parameters, query):
    if path.startswith("/tiles/{layer}/") and path_parameters.get("layer") != "facilities":
        if any(query.get(n) not in (None, "") for n in ("open_at", "open_now")):
            return False  # opening hours are facilities'
    if path.startswith("/tiles/") and "z" in path_parameters:
        # A tile's column and row lie in 0..2^zoom.
        side = 2 ** int(path_parameters["z"])
        if not (0 <= int(path_parameters["x"]) < side and 0 <= int(path_parameters["y"]) < side):
            return False
    if path.startswith("/api/collections/{id}/items"):
        # Opening hours belong to facilities; kinds too.
        collection = path_parameters.get("id")
        if collection != "facilities" and any(
            query.get(n) not in (None, "") for n in ("open_at", "open_now", "kind")
        ):
            return False
        # Levels and parents are districts'.
        if collection != "districts" and any(
            query.get(n) not in (None, "") for n in ("level", "parent")
        ):
            return False
    return True


def _body_ok(path, body):
    if path == "/api/coverage/scenario" and isinstance(body, dict):
        asked = [n for n in ("kind", "nature") if body.get(n) not in (None, "")]
        if len(asked) != 1:
            return False
        if "nature" in asked and (body.get("add") or body.get("remove")):
            return False
        if "kind" in asked and body.get("add_areas"):
            return False
    return True


def _allowed(case):
    path = case.operation.path
    query = dict(case.query or {})
    return (
        _query_ok(path, query)
        and _path_ok(path, dict(case.path_parameters or {}), query)
        and _body_ok(path, case.body)
    )


@schemathesis.hook
def filter_case(context, case):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return True
    return _allowed(case)


@schemathesis.hook
def before_add_examples(context, examples):
    """The examples phase is positive, and takes no `filter_case`."""
    examples[:] = [case for case in examples if _allowed(case)]
