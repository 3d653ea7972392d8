"""A large synthetic OSM extract for the cut benchmark: the central-Oslo extract copied
`n × n` times on a grid (each copy shifted by the extract's own size, ids renumbered so
they stay unique and sorted), written with pyosmium.
Usage: synthetic_pbf.py IN.osm.pbf OUT.osm.pbf N"""
import sys

import osmium

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
# The extract's bounds: 10.72–10.78 E, 59.90–59.94 N.
DX, DY = 0.06, 0.04
STRIDE = 10**10  # id offset per copy


class Copy(osmium.SimpleHandler):
    def __init__(self, writer, kind, k, dx, dy):
        super().__init__()
        self.w, self.kind, self.off, self.dx, self.dy = writer, kind, k * STRIDE, dx, dy

    def node(self, n):
        if self.kind == "node":
            loc = osmium.osm.Location(n.location.lon + self.dx, n.location.lat + self.dy)
            self.w.add_node(n.replace(id=n.id + self.off, location=loc))

    def way(self, w):
        if self.kind == "way":
            self.w.add_way(w.replace(id=w.id + self.off, nodes=[r.ref + self.off for r in w.nodes]))

    def relation(self, r):
        if self.kind == "relation":
            members = [(m.type, m.ref + self.off, m.role) for m in r.members]
            self.w.add_relation(r.replace(id=r.id + self.off, members=members))


writer = osmium.SimpleWriter(dst, overwrite=True)
# Every copy's nodes, then ways, then relations: the order PBF readers expect.
for kind in ("node", "way", "relation"):
    for k in range(n * n):
        Copy(writer, kind, k, (k // n) * DX, (k % n) * DY).apply_file(src)
writer.close()
