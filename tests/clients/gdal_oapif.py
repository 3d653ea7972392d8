"""GDAL's OGR, through its OAPIF driver, reads the service as ogr2ogr, GeoPandas and GIS scripts
do (issue 17). GDAL comes from pyogrio's wheel, which bundles a GDAL recent enough (3.7 or
later) for the driver's CRS open option: the layer is asked for in ETRS89 UTM 33 (EPSG:25833)
and GDAL sends crs= itself, with no reprojection on the client. It reads the facilities layer
four times: whole, with an OGR SQL attribute filter, with a spatial filter in UTM 33 metres
(which GDAL forwards as bbox= and bbox-crs=), and with both. PAGE_SIZE=100 makes it page
through the facilities by following the server's next links. GDAL 3.12 sends an attribute
filter only as a declared query parameter or as draft "cql-text", so it evaluates kind =
'school' itself on the pages it fetched; where_on_client says so.

Prints one JSON object for the Rust test to compare with the API's own numberMatched and
coordinates: per read the feature count, the first feature's id (GDAL takes the integer
GeoJSON id as FID) and its coordinates, plus the layer's CRS as GDAL reports it, GDAL's
version, and the items URLs GDAL fetched (from GDAL's debug log), so the test can see that
the bbox and crs went to the server and that paging happened.

Usage: gdal_oapif.py http://HOST:PORT
"""

import atexit
import json
import os
import struct
import sys
import tempfile
import warnings

# GDAL reads CPL_LOG and CPL_DEBUG when it first logs, so set them before pyogrio loads it.
log_path = tempfile.NamedTemporaryFile(prefix="gdal-oapif-", suffix=".log", delete=False).name
os.environ["CPL_LOG"] = log_path
os.environ["CPL_DEBUG"] = "ON"
atexit.register(lambda: os.path.exists(log_path) and os.unlink(log_path))

import pyogrio  # noqa: E402
from pyogrio.raw import read  # noqa: E402

base = sys.argv[1].rstrip("/")
dataset = "OAPIF:" + base + "/api"
LAYER = "facilities"
# Open options of the OAPIF driver (pyogrio passes extra keyword arguments as open options).
OPEN_OPTIONS = {"CRS": "EPSG:25833", "PAGE_SIZE": "100"}
# A piece of central Oslo in EPSG:25833 metres (minx, miny, maxx, maxy): the data lie in
# about x 260700..264300, y 6647900..6652400 in this CRS.
BBOX = (262000.0, 6648000.0, 263500.0, 6650000.0)
WHERE = "kind = 'school'"


def point_xy(wkb):
    """Coordinates of a WKB Point (all facilities are points)."""
    order = "<" if wkb[0] == 1 else ">"
    (kind,) = struct.unpack(order + "I", wkb[1:5])
    if kind % 1000 != 1:
        raise SystemExit(f"expected a Point, got WKB type {kind}")
    return list(struct.unpack(order + "dd", wkb[5:21]))


def log_lines_since(offset):
    """GDAL's debug lines written to its log after offset, and the log's new end."""
    with open(log_path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        text = log.read()
        return text.splitlines(), log.tell()


def run(**filters):
    _, start = log_lines_since(0)
    meta, fids, geometry, _fields = read(
        dataset, layer=LAYER, return_fids=True, **filters, **OPEN_OPTIONS
    )
    lines, _ = log_lines_since(start)
    fetched = [
        line[len("HTTP: Fetch(") : -1]
        for line in lines
        if line.startswith("HTTP: Fetch(") and line.endswith(")")
    ]
    result = {
        "count": len(fids),
        "crs": meta["crs"],
        # The items pages GDAL fetched for this read (the first, limit=20, samples the schema).
        "items_requests": [url for url in fetched if "/items" in url],
        # GDAL logs this when it keeps an attribute filter to itself instead of sending filter=.
        "where_on_client": any("evaluated on client side" in line for line in lines),
    }
    if len(fids):
        result["first_id"] = int(fids[0])
        result["first_xy"] = point_xy(geometry[0])
    return result


# pyogrio only warns (from inside GDAL's error handler) about an open option the driver lacks,
# as CRS before GDAL 3.7: record the warnings and fail on that one.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    info = pyogrio.read_info(dataset, layer=LAYER, **OPEN_OPTIONS)
    reads = {
        "all": run(),
        "where": run(where=WHERE),
        "bbox": run(bbox=BBOX),
        "where_bbox": run(where=WHERE, bbox=BBOX),
    }
unsupported = [str(w.message) for w in caught if "does not support open option" in str(w.message)]
if unsupported:
    raise SystemExit("; ".join(sorted(set(unsupported))))

crs = info["crs"] or ""
print(
    json.dumps(
        {
            "gdal_version": pyogrio.__gdal_version_string__,
            "pyogrio_version": pyogrio.__version__,
            "layer_crs": crs,
            "layer_epsg": int(crs.split(":")[1]) if crs.upper().startswith("EPSG:") else None,
            "layer_feature_count": info["features"],
            "where": WHERE,
            "bbox": list(BBOX),
            "reads": reads,
        }
    )
)
