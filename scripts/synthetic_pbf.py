"""A large synthetic OSM extract for the cut benchmark (issue #12), up to a country's size in
minutes: the central-Oslo extract copied n × n times on a grid, without decoding an object in
Python (an earlier version of this script decoded and wrote every object with pyosmium, about
an hour for a country-sized file). osmium renumbers the extract once per copy into its own
dense id range (so ids rise across the copies, as in a real country file, and every reference
stays inside its copy); each copy's node blocks are moved on the grid by the PBF block's own
`lat_offset` / `lon_offset` (nanodegrees, OSM PBF format: PrimitiveBlock fields 19 and 20) and
recompressed; way and relation blobs are copied as they are. The file is then every copy's
node blobs, then every copy's way blobs, then relation blobs: sorted by type, then id.
Needs osmium-tool (Debian) and Python's standard library only.
Usage: synthetic_pbf.py IN.osm.pbf OUT.osm.pbf N [JOBS]"""
import multiprocessing
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

# The central-Oslo extract's size in degrees (10.72–10.78 E, 59.90–59.94 N): copy k sits (k // n) * DX east and (k % n) * DY north of the original.
DX, DY = 0.06, 0.04


def read_varint(b, i):
    shift = value = 0
    while True:
        byte = b[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def varint(n):
    n &= (1 << 64) - 1  # int64 as protobuf writes it: two's complement
    out = bytearray()
    while True:
        if n < 0x80:
            out.append(n)
            return bytes(out)
        out.append((n & 0x7F) | 0x80)
        n >>= 7


def fields(b):
    """(field number, wire type, value or bytes, the field's raw bytes) of a message."""
    i = 0
    while i < len(b):
        start = i
        key, i = read_varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(b, i)
        elif wire == 2:
            length, i = read_varint(b, i)
            value, i = b[i : i + length], i + length
        elif wire == 1:
            value, i = b[i : i + 8], i + 8
        elif wire == 5:
            value, i = b[i : i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire} in a PBF block")
        yield number, wire, value, b[start:i]


def blobs(data):
    """(type, Blob message bytes) of each blob of a PBF file's bytes, in file order."""
    i = 0
    while i < len(data):
        (header_len,) = struct.unpack(">I", data[i : i + 4])
        header = data[i + 4 : i + 4 + header_len]
        kind = size = None
        for number, _, value, _ in fields(header):
            if number == 1:
                kind = value.decode()
            elif number == 3:
                size = value
        start = i + 4 + header_len
        yield kind, data[start : start + size]
        i = start + size


def framed(kind, blob):
    header = b"\x0a" + varint(len(kind)) + kind.encode() + b"\x18" + varint(len(blob))
    return struct.pack(">I", len(header)) + header + blob


def block_of(blob):
    for number, _, value, _ in fields(blob):
        if number == 1:
            return value
        if number == 3:
            return zlib.decompress(value)
    raise ValueError("a blob neither raw nor zlib (osmium writes zlib)")


def moved(block, dlat_nano, dlon_nano):
    """What the block holds (the group types: 1 nodes, 2 dense nodes, 3 ways, 4 relations)
    and the block with its nodes moved."""
    rest, lat, lon, held = [], 0, 0, set()
    for number, _, value, raw in fields(block):
        if number == 19:
            lat = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 20:
            lon = value - (1 << 64) if value >= 1 << 63 else value
        else:
            rest.append(raw)
            if number == 2:
                held.update(n for n, _, _, _ in fields(value))
    return held, b"".join(rest) + b"\x98\x01" + varint(lat + dlat_nano) + b"\xa0\x01" + varint(lon + dlon_nano)


PARTS = ("header", "nodes", "ways", "relations")


def one_copy(args):
    """Renumbers and moves copy k; writes its node, way and relation blobs to three files."""
    src, work, k, n, spans = args
    path = os.path.join(work, f"copy{k}.osm.pbf")
    start = ",".join(str(k * s + 1) for s in spans)
    subprocess.run(["osmium", "renumber", "--no-progress", "-O", "-s", start, "-o", path, src], check=True)
    dlat, dlon = round((k % n) * DY * 1e9), round((k // n) * DX * 1e9)
    out = {t: open(os.path.join(work, f"copy{k}.{t}"), "wb") for t in PARTS}
    with open(path, "rb") as f:
        data = f.read()
    for kind, blob in blobs(data):
        if kind == "OSMHeader":
            out["header"].write(framed(kind, blob))
            continue
        held, block = moved(block_of(blob), dlat, dlon)
        if held & {1, 2}:
            if held - {1, 2}:
                raise ValueError(f"{path}: a block with nodes and other objects")
            z = zlib.compress(block, 6)
            out["nodes"].write(framed(kind, b"\x10" + varint(len(block)) + b"\x1a" + varint(len(z)) + z))
        elif held == {3}:
            out["ways"].write(framed(kind, blob))
        elif held == {4}:
            out["relations"].write(framed(kind, blob))
        else:
            raise ValueError(f"{path}: a block holding the groups {sorted(held)}")
    for f in out.values():
        f.close()
    os.remove(path)
    return k


def main():
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    jobs = int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count()
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as work:
        # Every id a copy uses, references to objects outside the extract included, fits in
        # its span: the largest id in the extract renumbered from 1, per type.
        dense = os.path.join(work, "dense.osm.pbf")
        subprocess.run(["osmium", "renumber", "--no-progress", "-O", "-o", dense, src], check=True)
        opl = subprocess.run(["osmium", "cat", "-f", "opl", dense], check=True, capture_output=True).stdout.decode()
        largest = {"n": 0, "w": 0, "r": 0}
        for t, i in re.findall(r"(?:^|[ ,])([nwr])(\d+)", opl, re.M):
            largest[t] = max(largest[t], int(i))
        spans = [largest["n"], largest["w"], largest["r"]]
        with multiprocessing.Pool(jobs) as pool:
            for done, _ in enumerate(pool.imap_unordered(one_copy, [(dense, work, k, n, spans) for k in range(n * n)]), 1):
                print(f"\r{done}/{n * n} copies", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        with open(dst, "wb") as out:
            for part in PARTS:
                for k in range(1 if part == "header" else n * n):
                    with open(os.path.join(work, f"copy{k}.{part}"), "rb") as f:
                        out.write(f.read())


if __name__ == "__main__":
    main()
