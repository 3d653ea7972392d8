"""Checks that our tiles and martin's hold the same features, for scripts/bench-tiles.

martin also puts points that lie in a tile's 64-unit buffer into the tile (we put each point
in exactly one tile), and serves addresses below zoom 15 (we start there), so the comparison
keeps martin's points inside the tile proper and compares addresses from zoom 15 on.
"""
import gzip, sys, urllib.request, urllib.error

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, w = key >> 3, key & 7
        if w == 0:
            v, i = varint(b, i); yield f, v
        elif w == 2:
            n, i = varint(b, i); yield f, b[i:i + n]; i += n
        elif w == 5:
            yield f, b[i:i + 4]; i += 4
        elif w == 1:
            yield f, b[i:i + 8]; i += 8

def packed(b):
    out, i = [], 0
    while i < len(b):
        v, i = varint(b, i); out.append(v)
    return out

def ids_in_tile(data, id_from_tag, edge=None):
    ids = set()
    for f, layer in fields(data):
        if f != 3:
            continue
        keys, values, feats = [], [], []
        for lf, v in fields(layer):
            if lf == 3: keys.append(v.decode())
            elif lf == 4:
                val = dict(fields(v)); values.append(val)
            elif lf == 2: feats.append(v)
        for feat in feats:
            d = {}; tags = []; geom = []
            for ff, v in fields(feat):
                if ff == 1: d["id"] = v
                elif ff == 2: tags = packed(v)
                elif ff == 4: geom = packed(v)
            x = ((geom[1] >> 1) ^ -(geom[1] & 1)); y = ((geom[2] >> 1) ^ -(geom[2] & 1))
            if not (0 <= x < 4096 and 0 <= y < 4096):
                continue
            on_edge = x in (0, 4095) or y in (0, 4095)
            if id_from_tag:
                for k, v in zip(tags[::2], tags[1::2]):
                    if keys[k] == "id":
                        val = values[v]
                        ids.add(int(next(iter(val.values()))))
                        if on_edge and edge is not None:
                            edge.add(int(next(iter(val.values()))))
            else:
                ids.add(d["id"])
    return ids

def fetch(url):
    try:
        with urllib.request.urlopen(url) as r:
            body = r.read()
            if r.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return body
    except urllib.error.HTTPError as e:
        if e.code in (204, 404):
            return b""
        raise

ours, martin, tile_list = sys.argv[1:4]
# martin rounds coordinates to whole tile units before it clips, so a point a fraction of a
# unit outside a tile can land on its edge; such points are counted apart.
compared = differ = features = edge_only = 0
for line in open(tile_list):
    z, x, y = line.split()
    for layer in ("facilities", "addresses"):
        if layer == "addresses" and int(z) < 15:
            continue
        a = ids_in_tile(fetch(f"{ours}/tiles/{layer}/{z}/{x}/{y}.mvt"), False)
        edge = set()
        b = ids_in_tile(fetch(f"{martin}/{layer}/{z}/{x}/{y}"), True, edge)
        compared += 1; features += len(a)
        if a != b and not (a - b) and (b - a) <= edge:
            edge_only += 1
        elif a != b:
            differ += 1
            if differ <= 5:
                print(f"{layer} {z}/{x}/{y}: only ours {sorted(a - b)[:5]}, only martin's {sorted(b - a)[:5]}")
print(f"same features per tile: {compared - differ - edge_only} of {compared} tiles agree exactly ({features} features in ours); "
      f"{edge_only} differ only by points martin rounded onto the tile's edge; {differ} differ otherwise")
