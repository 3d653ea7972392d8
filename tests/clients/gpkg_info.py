"""GDAL's GeoPackage driver (pyogrio's wheel, the library behind ogrinfo) opens a GeoPackage the
service wrote (issue 17 item 5) and says what it holds: per layer the feature count, CRS,
geometry type, fields, and the first feature's bounds and fields; and, read with Python's
sqlite3, the file's application_id, user_version and integrity check.

Usage: gpkg_info.py FILE.gpkg
Prints one JSON object for the Rust test.
"""

import json
import math
import sqlite3
import sys

import pyogrio
from pyogrio.raw import read

path = sys.argv[1]
out = {"gdal_version": pyogrio.__gdal_version_string__, "layers": {}}
for name, geometry_type in pyogrio.list_layers(path):
    info = pyogrio.read_info(path, layer=name)
    meta, _fids, geometry, fields = read(path, layer=name, max_features=1, return_fids=True)
    first = {}
    if len(fields) and len(fields[0]):
        first = {
            field: (value.item() if hasattr(value, "item") else value)
            for field, value in zip(meta["fields"], (column[0] for column in fields))
        }
        # A NULL in a number column reads as NaN; JSON has null for it.
        first = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in first.items()}
    out["layers"][name] = {
        "features": int(info["features"]),
        "crs": info["crs"],
        "geometry_type": geometry_type,
        "fields": list(info["fields"]),
        "dtypes": [str(t) for t in info["dtypes"]],
        "total_bounds": [float(b) for b in info["total_bounds"]] if info["total_bounds"] is not None else None,
        "first": first,
    }
# The container itself, read with Python's own SQLite: GeoPackage 1.4's application_id
# ("GPKG") and user_version (10400), and SQLite's integrity check.
with sqlite3.connect(path) as db:
    out["application_id"] = db.execute("PRAGMA application_id").fetchone()[0]
    out["user_version"] = db.execute("PRAGMA user_version").fetchone()[0]
    out["integrity"] = db.execute("PRAGMA integrity_check").fetchone()[0]
print(json.dumps(out, default=str))
