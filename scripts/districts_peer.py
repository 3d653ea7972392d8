"""The peer for benches/districts.rs: GEOS through shapely 2 (STRtree, vectorised
`query(points, predicate="intersects")`) on the same polygons and points, timed the same
way (loading excluded), and its answer compared with ours point by point."""
import sys
import time
from pathlib import Path

import numpy as np
import shapely

d = Path(sys.argv[1])
polygons = shapely.from_wkt(d.joinpath("polygons.wkt").read_text().splitlines())
xy = np.fromfile(d / "points.bin", dtype="<f8").reshape(-1, 2)
ours = np.fromfile(d / "ours.bin", dtype="<i4")
points = shapely.points(xy)
runs = []
for _ in range(3):
    t = time.perf_counter()
    tree = shapely.STRtree(polygons)
    pi, gi = tree.query(points, predicate="intersects")
    runs.append(time.perf_counter() - t)
runs.sort()
theirs = np.full(len(points), -1, dtype=np.int64)
theirs[pi] = gi  # a point on a shared edge: the last polygon listed
located = int((theirs >= 0).sum())
same = int((theirs == ours).sum())
print(
    f"GEOS {shapely.geos_version_string} (shapely {shapely.__version__} STRtree, one thread): "
    f"{len(points)} points → {len(polygons)} polygons: best {runs[0]:.2f} s, median {runs[1]:.2f} s of 3 "
    f"(tree build included); {located} located; same polygon as ours for {same} of {len(points)} points"
)
