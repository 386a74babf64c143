"""Small fuzz seeds cut from the real data: shapefile containers (see Fuzz/Shapefile.swift),
a reduced GTFS zip, and an OSM PBF with raw (uncompressed) blobs so that mutations reach the
protobuf decoding rather than dying in zlib.
Usage: python3 Scripts/fuzz_seeds.py SHARED_DATA SEEDS_FOLDER"""
import io
import os
import struct
import sys
import zipfile
import zlib

shared, seeds = sys.argv[1], sys.argv[2]


def container(base, out):
    parts = [open(base + ext, "rb").read() for ext in (".shp", ".shx", ".dbf")]
    with open(out, "wb") as f:
        f.write(struct.pack("<II", len(parts[0]), len(parts[1])) + b"".join(parts))


container(f"{shared}/falun/shp/falun_vard", f"{seeds}/Shapefile/falun_vard")
container(f"{shared}/dalarna/shp/vardcentraler_sjukhus", f"{seeds}/Shapefile/vardcentraler")

# Polygons: the three smallest municipalities, written by geopandas with its own encoder.
try:
    import geopandas
    import tempfile
    kommun = geopandas.read_file(f"{shared}/sweden/shp/kommun.shp")
    small = kommun.assign(size=kommun.geometry.apply(lambda g: len(g.wkb))).nsmallest(3, "size").drop(columns="size")
    with tempfile.TemporaryDirectory() as folder:
        small.to_file(f"{folder}/kommun.shp")
        container(f"{folder}/kommun", f"{seeds}/Shapefile/kommun3")
except Exception as error:  # the point seeds still cover the format
    print(f"no polygon shapefile seed: {error}", file=sys.stderr)

# GTFS: Trensurb with its large tables cut to their first rows.
with zipfile.ZipFile(f"{shared}/porto-alegre/poa_trensurb.zip") as source:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            lines = source.read(name).split(b"\n")
            target.writestr(name, b"\n".join(lines[:30]))
    open(f"{seeds}/GTFS/trensurb.zip", "wb").write(buffer.getvalue())

# GTFSFolder: the same cut tables joined by NUL bytes in the order Fuzz/GTFSFolder.swift reads.
tables = ["agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt",
          "calendar_dates.txt", "frequencies.txt"]
for feed in ("porto-alegre/poa_trensurb.zip", "porto-alegre/poa_eptc.zip", "sweden/gtfs_klt_kalmar_minified.zip"):
    with zipfile.ZipFile(f"{shared}/{feed}") as source:
        names = set(source.namelist())
        pieces = [b"\n".join(source.read(t).split(b"\n")[:25]) if t in names else b"" for t in tables]
        # Trips of the kept routes and stop_times of the kept trips, so that the seed reads
        # through to the departure count.
        routes = [line.split(b",") for line in pieces[2].splitlines()]
        route_ids = {row[routes[0].index(b"route_id")] for row in routes[1:]}
        lines = source.read("trips.txt").splitlines()
        column = lines[0].split(b",").index(b"route_id")
        pieces[3] = b"\n".join([lines[0]] + [l for l in lines[1:] if l.split(b",")[column] in route_ids][:25]) + b"\n"
        trips = [line.split(b",") for line in pieces[3].splitlines()]
        trip_ids = {row[trips[0].index(b"trip_id")] for row in trips[1:]}
        lines = source.read("stop_times.txt").splitlines()
        column = lines[0].split(b",").index(b"trip_id")
        kept = [line for line in lines[1:] if line.split(b",")[column] in trip_ids][:40]
        pieces[4] = b"\n".join([lines[0]] + kept) + b"\n"
    name = feed.split("/")[-1].replace(".zip", "")
    open(f"{seeds}/GTFSFolder/{name}", "wb").write(b"\0".join(pieces))

# The long-input variants (GTFSLong, GTFSFolderLong): the small seeds, and Trensurb whole
# (stop_times.txt of 714 KB, 90 KB zipped) with its shapes left out.
for target in ("GTFSLong", "GTFSFolderLong"):
    os.makedirs(f"{seeds}/{target}", exist_ok=True)
    small = target.replace("Long", "")
    for name in os.listdir(f"{seeds}/{small}"):
        open(f"{seeds}/{target}/{name}", "wb").write(open(f"{seeds}/{small}/{name}", "rb").read())
with zipfile.ZipFile(f"{shared}/porto-alegre/poa_trensurb.zip") as source:
    names = set(source.namelist())
    open(f"{seeds}/GTFSFolderLong/trensurb-whole", "wb").write(
        b"\0".join(source.read(t) if t in names else b"" for t in tables))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name != "shapes.txt":
                target.writestr(name, source.read(name))
    open(f"{seeds}/GTFSLong/trensurb-whole.zip", "wb").write(buffer.getvalue())


# PBF: the header block and a cut of the first data block, rewritten with raw blobs.
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def fields(data):
    i = 0
    while i < len(data):
        key, i = read_varint(data, i)
        wire = key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            value, i = data[i:i + n], i + n
        else:
            raise ValueError("unexpected wire type")
        yield key >> 3, wire, value


def block(kind, payload):
    blob = b"\x0a" + varint(len(payload)) + payload
    header = b"\x0a" + varint(len(kind)) + kind + b"\x18" + varint(len(blob))
    return struct.pack(">I", len(header)) + header + blob


data = open(f"{shared}/porto-alegre/poa_osm.pbf", "rb").read()
offset, blocks = 0, []
while offset < len(data):
    size = struct.unpack(">I", data[offset:offset + 4])[0]
    header = dict((f, v) for f, _, v in fields(data[offset + 4:offset + 4 + size]))
    blob = dict((f, v) for f, _, v in fields(data[offset + 4 + size:offset + 4 + size + header[3]]))
    offset += 4 + size + header[3]
    blocks.append((header[1], blob.get(1) or zlib.decompress(blob[3])))


def cut(primitive, wanted):
    """The block with only the first element of kind `wanted` (2 dense nodes, 3 ways) in its
    groups, or None when it has none; the string table and other fields stay."""
    kept, found = bytearray(), False
    for field, wire, value in fields(primitive):
        if field == 2:
            for gf, gw, gv in fields(value):
                if gf == wanted and gw == 2 and len(gv) < 8192 and not found:
                    group = varint(gf << 3 | 2) + varint(len(gv)) + gv
                    kept += varint(field << 3 | 2) + varint(len(group)) + group
                    found = True
        elif wire == 2:
            kept += varint(field << 3 | 2) + varint(len(value)) + value
        else:
            kept += varint(field << 3) + varint(value)
    return bytes(kept) if found else None


seed = bytearray(block(blocks[0][0], blocks[0][1]))
for wanted in (2, 3):
    for kind, payload in blocks[1:]:
        small = cut(payload, wanted)
        if small is not None:
            seed += block(kind, small)
            break
open(f"{seeds}/PBF/poa.osm.pbf", "wb").write(seed)

# GeoPackage (see Fuzz/GeoPackage.swift): the first byte picks the kind of input.
import shutil
import sqlite3
import tempfile

with tempfile.TemporaryDirectory() as folder:
    # 0: GDAL's Dalarna file with three features per layer, repacked into 512-byte pages.
    small = f"{folder}/dalarna.gpkg"
    shutil.copy(f"{shared}/dalarna/gpkg/dalarna.gpkg", small)
    connection = sqlite3.connect(small)
    blobs = []
    for table in ("deso_2025", "befolkning_1km_2025", "vardcentraler_sjukhus"):
        # GDAL's delete triggers need no ST_ functions; its update triggers would.
        connection.execute(f'DELETE FROM "{table}" WHERE fid > 3')
        blobs += [row[0] for row in connection.execute(f'SELECT geom FROM "{table}" ORDER BY length(geom) LIMIT 2')]
    connection.commit()
    connection.execute("PRAGMA page_size = 512")
    connection.execute("VACUUM")
    connection.close()
    open(f"{seeds}/GeoPackage/dalarna", "wb").write(b"\x00" + open(small, "rb").read())

# 1: geometry blobs: GDAL's points and polygons, and hand-made big-endian multi and
# collection geometries with a Z coordinate and an envelope.
for n, blob in enumerate(blobs):
    open(f"{seeds}/GeoPackage/blob{n}", "wb").write(b"\x01" + blob)
header = b"GP\x00\x02" + struct.pack(">i", 3006) + struct.pack(">4d", 0, 10, 0, 10)
multipoint = b"\x00" + struct.pack(">II", 1004, 2) + b"".join(b"\x00" + struct.pack(">I3d", 1001, x, y, 1) for x, y in ((0, 0), (10, 10)))
ring = struct.pack("<I", 4) + b"".join(struct.pack("<2d", x, y) for x, y in ((0, 0), (10, 0), (0, 10), (0, 0)))
collection = b"\x01" + struct.pack("<II", 7, 2) + b"\x01" + struct.pack("<II", 3, 1) + ring \
    + b"\x01" + struct.pack("<II", 2, 2) + struct.pack("<4d", 0, 0, 10, 10)
open(f"{seeds}/GeoPackage/multipoint_z", "wb").write(b"\x01" + header + multipoint)
open(f"{seeds}/GeoPackage/collection", "wb").write(b"\x01" + header + collection)

# 2: the Falun care points as a zipped shapefile.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        target.write(f"{shared}/falun/shp/falun_vard.{ext}", f"falun_vard.{ext}")
open(f"{seeds}/GeoPackage/falun_vard.zip", "wb").write(b"\x02" + buffer.getvalue())
