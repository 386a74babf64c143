#!/usr/bin/env python3
"""Builds the inputs of the transit access benchmarks from the Porto Alegre data.

county: the EPTC feed with every trip four times, shifted by 0, 2.5, 5 and 7.5 minutes
  (3,986 stops, 520,076 stop_times: a county-size timetable), 20,000 populated points on a
  regular grid over the OSM extract, the 117 care points; the network is poa_osm.pbf.
national: 13 copies of the walk network of poa_osm.pbf, each moved 0.5 degrees east as
  Scripts/make_national_feed.py moves the stops of its 13 copies of the EPTC feed (its zip is
  made here when missing), 100,000 points (7,693 per copy on a grid), 13 x 117 care points.

Every point has population 1..100 (seeded). Writes into OUT: feed.zip, origins.geojson,
destinations.geojson and, for national, network.osm.pbf.

Usage: Scripts/make_transit_access_cases.py county|national OUT
"""
import csv
import io
import json
import os
import random
import subprocess
import sys
import zipfile

import osmium

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POA = os.path.join(ROOT, "../shared/data/porto-alegre")
# The extent of poa_osm.pbf's nodes (lon, lat).
EXTENT = (-51.2663537, -30.1133278, -51.1321566, -29.9876429)


def grid_points(count, extent, shift=0.0):
    side = int(count ** 0.5) + 1
    minx, miny, maxx, maxy = extent
    points = []
    for i in range(side):
        for j in range(side):
            if len(points) == count:
                return points
            points.append((minx + (maxx - minx) * (j + 0.5) / side + shift, miny + (maxy - miny) * (i + 0.5) / side))
    return points


def write_points(path, points, rng):
    features = [{"type": "Feature", "properties": {"id": f"p{i}", "population": rng.randint(1, 100)},
                 "geometry": {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]}} for i, (x, y) in enumerate(points)]
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f)


def destinations(copies):
    care = json.load(open(os.path.join(POA, "poa_healthcare.geojson")))["features"]
    out = []
    for c in range(copies):
        for f in care:
            x, y = f["geometry"]["coordinates"]
            out.append({"type": "Feature", "properties": {"name": f"c{c}_{f['properties']['hex_id']}"},
                        "geometry": {"type": "Point", "coordinates": [x + 0.5 * c, y]}})
    return {"type": "FeatureCollection", "features": out}


def county(out):
    with zipfile.ZipFile(os.path.join(POA, "poa_eptc.zip")) as z:
        names = [n for n in z.namelist() if n.endswith(".txt")]
        data = {n: z.read(n) for n in names}
    rows = list(csv.reader(io.TextIOWrapper(io.BytesIO(data["stop_times.txt"]), encoding="utf-8-sig")))
    trips = list(csv.reader(io.TextIOWrapper(io.BytesIO(data["trips.txt"]), encoding="utf-8-sig")))
    h, th = rows[0], trips[0]
    t, a, d = h.index("trip_id"), h.index("arrival_time"), h.index("departure_time")

    def shifted(time, seconds):
        if not time:
            return ""
        hh, mm, ss = (int(x) for x in time.split(":"))
        v = hh * 3600 + mm * 60 + ss + seconds
        return f"{v // 3600:02d}:{v // 60 % 60:02d}:{v % 60:02d}"

    st = io.StringIO()
    w = csv.writer(st, lineterminator="\n")
    w.writerow(h)
    tr = io.StringIO()
    wt = csv.writer(tr, lineterminator="\n")
    wt.writerow(th)
    tid = th.index("trip_id")
    for k, shift in enumerate([0, 150, 300, 450]):
        for row in trips[1:]:
            row = list(row)
            row[tid] = f"{row[tid]}~{k}"
            wt.writerow(row)
        for row in rows[1:]:
            row = list(row)
            row[t] = f"{row[t]}~{k}"
            row[a], row[d] = shifted(row[a], shift), shifted(row[d], shift)
            w.writerow(row)
    with zipfile.ZipFile(os.path.join(out, "feed.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, b in data.items():
            if n not in ("stop_times.txt", "trips.txt", "shapes.txt"):
                z.writestr(n, b)
        z.writestr("stop_times.txt", st.getvalue())
        z.writestr("trips.txt", tr.getvalue())
    rng = random.Random(16)
    write_points(os.path.join(out, "origins.geojson"), grid_points(20_000, EXTENT), rng)
    json.dump(destinations(1), open(os.path.join(out, "destinations.geojson"), "w"))
    print(f"{out}: feed.zip ({4 * (len(rows) - 1)} stop_times), 20000 origins, 117 destinations")


class Copier(osmium.SimpleHandler):
    """Writes the nodes and highway ways of the extract once per copy, moved east, with ids offset."""

    def __init__(self, writer, copy):
        super().__init__()
        self.writer, self.shift, self.offset = writer, 0.5 * copy, copy * 10**10

    def node(self, n):
        self.writer.add_node(osmium.osm.mutable.Node(
            id=n.id + self.offset, location=(n.location.lon + self.shift, n.location.lat), tags={}))

    def way(self, w):
        if "highway" not in w.tags:
            return
        self.writer.add_way(osmium.osm.mutable.Way(
            id=w.id + self.offset, nodes=[r.ref + self.offset for r in w.nodes], tags={t.k: t.v for t in w.tags}))


def national(out):
    feed = os.path.join(out, "feed.zip")
    if not os.path.exists(feed):
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts/make_national_feed.py"), feed], check=True)
    pbf = os.path.join(out, "network.osm.pbf")
    if os.path.exists(pbf):
        os.remove(pbf)
    # Nodes of every copy first, then the ways, as a PBF reader expects.
    writer = osmium.SimpleWriter(pbf)
    for c in range(13):
        h = Copier(writer, c)
        h.apply_file(os.path.join(POA, "poa_osm.pbf"), locations=False)
    writer.close()
    rng = random.Random(16)
    points = []
    for c in range(13):
        points += grid_points(7_693 if c < 12 else 100_000 - 12 * 7_693, EXTENT, shift=0.5 * c)
    write_points(os.path.join(out, "origins.geojson"), points, rng)
    json.dump(destinations(13), open(os.path.join(out, "destinations.geojson"), "w"))
    print(f"{out}: feed.zip, network.osm.pbf (13 copies), {len(points)} origins, {13 * 117} destinations")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("county", "national"):
        sys.exit(__doc__)
    os.makedirs(sys.argv[2], exist_ok=True)
    (county if sys.argv[1] == "county" else national)(sys.argv[2])
