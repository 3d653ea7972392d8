"""schemathesis hooks for tests/suite/schemathesis.rs: rules between parameters that an
OpenAPI document cannot state (JSON Schema constrains one value at a time).

Only *positive* cases are filtered, and only those that break one of the rules below: a
request the document allows and the server must refuse with 400. Every other positive case,
and every negative case, reaches the server and is checked as schemathesis checks it. Each
rule is also said in the parameter's description in the document.
"""

import json
import os
import re
import urllib.request
from datetime import date, datetime
from zoneinfo import ZoneInfo
from functools import cache

import schemathesis
from schemathesis.generation import GenerationMode


@cache
def _kind_pattern():
    """`kind=`'s pattern, as the served OpenAPI document gives it (for a body's `kind`)."""
    url = os.environ["NAERMILJO_URL"].rstrip("/") + "/api/openapi.json"
    with urllib.request.urlopen(url, timeout=60) as r:
        doc = json.load(r)
    kind = next(p for p in doc["paths"]["/api/coverage"]["get"]["parameters"] if p["name"] == "kind")
    return re.compile(kind["schema"]["pattern"])


@cache
def _districts():
    """The districts' ids and levels, read once from the server under test (NAERMILJO_URL)."""
    url = os.environ["NAERMILJO_URL"].rstrip("/") + "/api/collections/districts/items?limit=10000"
    with urllib.request.urlopen(url, timeout=60) as r:
        features = json.load(r)["features"]
    return {str(f["id"]) for f in features}, {f["properties"]["level"] for f in features}


def _numbers(value):
    """`bbox` as numbers, from `a,b,c,d` or a list; None when it is not numbers."""
    parts = value if isinstance(value, list) else str(value).split(",")
    try:
        return [float(p) for p in parts]
    except (TypeError, ValueError):
        return None


CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LAT_FIRST = ("http://www.opengis.net/def/crs/EPSG/0/4326", "http://www.opengis.net/def/crs/EPSG/0/4258")


def _bbox_ok(value, crs):
    """The corners in order, and within the world in lon/lat (in the axis order of `crs`)."""
    n = _numbers(value)
    if n is None or len(n) not in (4, 6):
        return True  # the document's own schema speaks to these
    if len(n) == 6:
        n = [n[0], n[1], n[3], n[4]]
    a_min, b_min, a_max, b_max = n
    if not (a_min <= a_max and b_min <= b_max):
        return False
    if crs in (None, "", CRS84):
        return -180 <= a_min and a_max <= 180 and -90 <= b_min and b_max <= 90
    if crs in LAT_FIRST:
        return -90 <= a_min and a_max <= 90 and -180 <= b_min and b_max <= 180
    # Projected metres: the corners must project back into lon/lat, which only the
    # server knows; a box within a UTM zone's usual range passes.
    return all(-1e7 <= v <= 1e7 for v in n)


def _date_ok(value):
    """`open_at`'s pattern admits 2026-02-31, the calendar does not; and the last hours of
    9999 lie past the largest time there is once Oslo's offset is applied."""
    try:
        d = date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return False
    return d.year < 9999


def _oslo_today():
    return datetime.now(ZoneInfo("Europe/Oslo")).date()


def _minutes(value):
    return [int(m) for m in str(value).split(",")]


def _query_ok(path, query):
    present = lambda name: query.get(name) not in (None, "")  # noqa: E731
    if "bbox" in query and not _bbox_ok(query["bbox"], query.get("bbox-crs")):
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
    if present("crs") and query.get("f") in ("jsonld", "csv"):
        return False  # JSON-LD and CSV give latitude and longitude, no CRS
    if path == "/api/calendar":
        # The days run forward from `from` (default today in Oslo), at most 62 of them.
        start = str(query.get("from") or _oslo_today().isoformat())
        if present("to"):
            if not (_date_ok(query["to"]) and _date_ok(start)):
                return False
            days = (date.fromisoformat(str(query["to"])[:10]) - date.fromisoformat(start[:10])).days
            if not 0 <= days <= 61:
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
        # The facilities to remove, the level and the parent district must exist; kinds are
        # the document's vocabulary, which a body's schema does not spell out.
        if body.get("remove"):
            return False
        ids, levels = _districts()
        if body.get("level") not in (None, "") and str(body["level"]) not in levels:
            return False
        if body.get("parent") not in (None, "") and str(body["parent"]) not in ids:
            return False
        if "kind" in asked and not _kind_pattern().search(str(body["kind"])):
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
