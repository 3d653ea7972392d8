"""OWSLib, an OGC API client no one here wrote, reads the service as a GIS script would
(issue 17): the collections, a collection's queryables, a CQL2 filter, and items in
EUREF89 UTM 32 (crs=). Prints what it found as one JSON object for tests/suite/crs.rs.

Usage: owslib_features.py http://HOST:PORT
"""

import json
import sys

from owslib.ogcapi.features import Features

base = sys.argv[1].rstrip("/") + "/api"
api = Features(base)

collections = [c["id"] for c in api.collections()["collections"]]
queryables = sorted(api.collection_queryables("facilities")["properties"])
schools = api.collection_items("facilities", filter="kind = 'school'", limit=10000)
utm = api.collection_items(
    "facilities",
    filter="kind = 'school'",
    crs="http://www.opengis.net/def/crs/EPSG/0/25832",
    limit=3,
)
print(
    json.dumps(
        {
            "collections": collections,
            "queryables": queryables,
            "schools": schools["numberMatched"],
            "schools_returned": len(schools["features"]),
            "utm_first": utm["features"][0]["geometry"]["coordinates"],
            "utm_first_id": utm["features"][0]["id"],
        }
    )
)
