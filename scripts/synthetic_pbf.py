"""A large synthetic OSM extract for the cut benchmark: the central-Oslo extract copied
`n × n` times on a grid (each copy shifted by the extract's own size), written with
pyosmium. Ids are renumbered densely (copy k's objects follow copy k-1's), as in a real
country file, so that tools which index by id (osmium) are measured fairly.
Usage: synthetic_pbf.py IN.osm.pbf OUT.osm.pbf N"""
import sys

import osmium

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# The extract's bounds: 10.72–10.78 E, 59.90–59.94 N.
DX, DY = 0.06, 0.04


class Ids(osmium.SimpleHandler):
    """The original ids of each kind, in file order."""

    def __init__(self):
        super().__init__()
        self.ids = {"n": [], "w": [], "r": []}

    def node(self, o):
        self.ids["n"].append(o.id)

    def way(self, o):
        self.ids["w"].append(o.id)

    def relation(self, o):
        self.ids["r"].append(o.id)


ids = Ids()
ids.apply_file(src)
index = {k: {old: i + 1 for i, old in enumerate(v)} for k, v in ids.ids.items()}
count = {k: len(v) for k, v in ids.ids.items()}


def new(kind, k, old):
    # A member outside the extract has no index: give it an id past every copy's.
    i = index[kind].get(old)
    return k * count[kind] + i if i else n * n * count[kind] + old


class Copy(osmium.SimpleHandler):
    def __init__(self, writer, kind, k, dx, dy):
        super().__init__()
        self.w, self.kind, self.k, self.dx, self.dy = writer, kind, k, dx, dy

    def node(self, o):
        if self.kind == "n":
            loc = osmium.osm.Location(o.location.lon + self.dx, o.location.lat + self.dy)
            self.w.add_node(o.replace(id=new("n", self.k, o.id), location=loc))

    def way(self, o):
        if self.kind == "w":
            self.w.add_way(o.replace(id=new("w", self.k, o.id), nodes=[new("n", self.k, r.ref) for r in o.nodes]))

    def relation(self, o):
        if self.kind == "r":
            members = [(m.type, new(m.type, self.k, m.ref), m.role) for m in o.members]
            self.w.add_relation(o.replace(id=new("r", self.k, o.id), members=members))


writer = osmium.SimpleWriter(dst, overwrite=True)
# Every copy's nodes, then ways, then relations, ids rising: the order PBF readers expect.
for kind in ("n", "w", "r"):
    for k in range(n * n):
        Copy(writer, kind, k, (k // n) * DX, (k % n) * DY).apply_file(src)
writer.close()
