#!/usr/bin/env python3
"""Independent check of `atlas access --mode transit` on Porto Alegre.

atlas answers every origin and minute with one backward profile scan from all destinations;
this script answers each sampled origin and each departure minute of the window on its own,
with a forward earliest-arrival Connection Scan that counts boardings (one scan per origin
and minute), over a walk network and a timetable it builds itself:

- walk network: the OSM ways of poa_osm.pbf read with pyosmium under the walk rules of
  Scripts/access_walk_check.py, projected with pyproj to EPSG:32722 (the UTM zone atlas
  picks); every origin, stop and destination snaps to the nearest point on a segment of the
  components the island rule of Scripts/access_walk_check.py keeps (--min-component, 200)
  (shapely, within 1000 m), the segment is split at the snapped points and the straight line
  to the point added, and walking times come from scipy's csgraph.dijkstra: from all care
  points at once (egress from stops and walking all the way), from each stop within the
  walking limit (transfers), from each sampled origin within the limit (access).
- timetable: calendar.txt + calendar_dates.txt for the date, the previous day's trips at
  their times minus 24 h, frequencies.txt expanded, untimed stops interpolated (rounded down)
  between timed ones, arrival/departure kept non-decreasing along a trip, boarding where
  pickup_type != 1 and getting off where drop_off_type != 1, with pandas-free csv reading.
- journeys: walk to a stop (at most max-walk), board a trip departing at least board-slack
  seconds after arriving on foot, ride, get off, walk (at most max-walk, the same stop at 0)
  to a stop and board again (at most max-rides boardings), walk to the nearest care point (at
  most max-walk); or walk all the way. A minute whose arrival is more than max-minutes after
  it is unreachable.

It then compares every sampled origin's minutes per departure minute with the CSV atlas
wrote (`--minutes-csv`). Tolerance: 0.01 minutes (0.6 s) per origin and minute.

Usage: transit_access_crosscheck.py ATLAS_MINUTES.csv [--data DIR] [--date 2019-05-15]
         [--window 12:00-13:00] [--sample 40] [--max-walk 20] [--board-slack 60]
         [--max-rides 8] [--max-minutes 120] [--min-component 200] [--hospitals] [--time]

The destinations are the 117 care points of poa_healthcare.geojson, or with --hospitals the
two hospitals of poa_points_of_interest.csv (Santa Casa and Moinhos de Vento), which makes
journeys long enough to need rides and transfers; atlas must have been run on the same.
"""
import argparse
import csv
import datetime
import io
import json
import math
import os
import sys
import time
import zipfile
from bisect import bisect_left

import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from access_walk_check import Ways, kept_segments  # noqa: E402  (the walk and island rules)

MAX_SNAP = 1000.0
INF = math.inf


def hms(text):
    text = text.strip()
    if not text:
        return None
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def hm(text):
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def read_feed(path):
    z = zipfile.ZipFile(path)
    names = {os.path.basename(n): n for n in z.namelist() if not n.startswith("__MACOSX")}

    def table(name):
        if name not in names:
            return []
        return list(csv.DictReader(io.TextIOWrapper(z.open(names[name]), encoding="utf-8-sig")))

    return {n: table(n + ".txt") for n in ["stops", "trips", "stop_times", "calendar", "calendar_dates", "frequencies"]}


def services_on(feed, day):
    """Service ids running on a date (calendar weekday flags + calendar_dates exceptions)."""
    weekday = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day.weekday()]
    text = day.strftime("%Y%m%d")
    running = {c["service_id"] for c in feed["calendar"]
               if c[weekday].strip() == "1" and c["start_date"] <= text <= c["end_date"]}
    for d in feed["calendar_dates"]:
        if d["date"] == text:
            if d["exception_type"].strip() == "1":
                running.add(d["service_id"])
            else:
                running.discard(d["service_id"])
    return running


def connections(feed, prefix, date, earliest, latest):
    """(departure, arrival, from stop, to stop, trip key, boards, alights) inside [earliest, latest]."""
    by_trip = {}
    for r in feed["stop_times"]:
        by_trip.setdefault(r["trip_id"], []).append(r)
    trip_service = {t["trip_id"]: t["service_id"] for t in feed["trips"]}
    periods = {}
    for f in feed["frequencies"]:
        periods.setdefault(f["trip_id"], []).append((hms(f["start_time"]), hms(f["end_time"]), int(f["headway_secs"])))
    days = {k: services_on(feed, date + datetime.timedelta(days=k)) for k in (-2, -1, 0, 1)}
    out = []
    for trip, rows in by_trip.items():
        rows.sort(key=lambda r: int(r["stop_sequence"]))
        n = len(rows)
        if n < 2:
            continue
        arr = [hms(r.get("arrival_time", "")) for r in rows]
        dep = [hms(r.get("departure_time", "")) for r in rows]
        anchor = [d if d is not None else a for a, d in zip(arr, dep)]
        timed = [i for i in range(n) if anchor[i] is not None]
        for p, q in zip(timed, timed[1:]):
            for k in range(p + 1, q):
                anchor[k] = anchor[p] + ((anchor[q] - anchor[p]) * (k - p)) // (q - p)
        a_t, d_t, last = [], [], -10**9
        for i in range(n):
            a = max(last, arr[i] if arr[i] is not None else anchor[i])
            d = max(a, dep[i] if dep[i] is not None else anchor[i])
            a_t.append(a)
            d_t.append(d)
            last = d
        starts = [s - anchor[0] for (s0, e, h) in periods.get(trip, []) for s in range(s0, e, h)] or [0]
        boards = [r.get("pickup_type", "").strip() != "1" for r in rows]
        alights = [r.get("drop_off_type", "").strip() != "1" for r in rows]
        for day, running in days.items():
            if trip_service.get(trip) not in running:
                continue
            for shift in starts:
                s = shift + day * 86400
                key = (prefix, trip, day, shift)
                for i in range(n - 1):
                    d, a = d_t[i] + s, a_t[i + 1] + s
                    if d >= earliest and a <= latest:
                        out.append((d, a, prefix + rows[i]["stop_id"], prefix + rows[i + 1]["stop_id"], key,
                                    boards[i], alights[i + 1]))
    return out


class WalkGraph:
    """The walk network with the snapped points inserted into their segments."""

    def __init__(self, pbf, points, walk_kmh, min_component):
        handler = Ways()
        handler.apply_file(pbf, locations=True)
        seg = np.array([s[:4] for s in handler.segments])
        ids = np.array([s[4:] for s in handler.segments], dtype=np.int64)
        to_utm = Transformer.from_crs(4326, 32722, always_xy=True)
        x1, y1 = to_utm.transform(seg[:, 0], seg[:, 1])
        x2, y2 = to_utm.transform(seg[:, 2], seg[:, 3])
        node_ids, inverse = np.unique(ids.ravel(), return_inverse=True)
        a, b = inverse[0::2], inverse[1::2]
        pace = 3.6 / walk_kmh
        seconds = np.hypot(x2 - x1, y2 - y1) * pace
        lines = shapely.linestrings(np.stack([np.stack([x1, y1], 1), np.stack([x2, y2], 1)], 1))
        # Points snap only to segments of the components atlas keeps (the island rule).
        eligible, _ = kept_segments(a, b, len(node_ids), min_component)
        allowed = np.nonzero(eligible)[0]
        tree = shapely.STRtree(lines[allowed])
        idx_points, idx_lines = tree.query_nearest(points, max_distance=MAX_SNAP, all_matches=True)
        best = {}
        for p, s in zip(idx_points, allowed[idx_lines]):
            if p not in best or s < best[p]:
                best[p] = s
        n = len(node_ids)
        on_segment = {}
        self.node = [None] * len(points)  # the graph node of each point
        for p in range(len(points)):
            if p not in best:
                continue
            s = best[p]
            t = float(shapely.line_locate_point(lines[s], points[p], normalized=True))
            off = float(shapely.distance(lines[s], points[p])) * pace
            on_segment.setdefault(s, []).append((t, p, off))
        rows, cols, costs = [], [], []
        split = set(on_segment)
        for s in range(len(seconds)):
            if s not in split:
                rows.append(a[s]); cols.append(b[s]); costs.append(seconds[s])
        extra = n
        for s, pts in on_segment.items():
            pts.sort()
            previous, previous_t = a[s], 0.0
            for t, p, off in pts:
                here = extra          # the snap point on the segment
                point = extra + 1     # the point itself, `off` away
                extra += 2
                rows.append(previous); cols.append(here); costs.append(seconds[s] * (t - previous_t))
                rows.append(here); cols.append(point); costs.append(off)
                self.node[p] = point
                previous, previous_t = here, t
            rows.append(previous); cols.append(b[s]); costs.append(seconds[s] * (1 - previous_t))
        size = extra
        # Walking is the same both ways; zero-cost arcs would vanish from a sparse matrix.
        costs = np.maximum(np.array(costs), 1e-12)
        self.graph = csr_matrix((np.concatenate([costs, costs]), (rows + cols, cols + rows)), shape=(size, size))
        self.nodes, self.segments = n, len(seconds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("minutes_csv")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data/porto-alegre"))
    ap.add_argument("--date", default="2019-05-15")
    ap.add_argument("--window", default="12:00-13:00")
    ap.add_argument("--sample", type=int, default=40, help="origins compared (every k-th populated hexagon)")
    ap.add_argument("--walk-speed", type=float, default=5.0)
    ap.add_argument("--min-component", type=int, default=200, help="atlas's --min-component (the island rule)")
    ap.add_argument("--max-walk", type=float, default=20.0)
    ap.add_argument("--board-slack", type=float, default=60.0)
    ap.add_argument("--max-rides", type=int, default=8)
    ap.add_argument("--max-minutes", type=float, default=120.0)
    ap.add_argument("--hospitals", action="store_true", help="the two hospitals of poa_points_of_interest.csv as destinations")
    ap.add_argument("--show", type=int, default=0, help="print this many sampled origins' minutes per departure minute")
    ap.add_argument("--time", action="store_true", help="print the seconds per query of the search alone, last")
    args = ap.parse_args()

    date = datetime.date.fromisoformat(args.date)
    start, end = (hm(t) for t in args.window.split("-"))
    minutes = list(range(start, end, 60))
    max_seconds = args.max_minutes * 60
    limit = args.max_walk * 60
    latest = minutes[-1] + math.ceil(max_seconds)

    to_utm = Transformer.from_crs(4326, 32722, always_xy=True)
    hexes = json.load(open(f"{args.data}/poa_hexgrid.geojson"))["features"]
    if args.hospitals:
        with open(f"{args.data}/poa_points_of_interest.csv") as f:
            care = [{"geometry": {"coordinates": [float(r["lon"]), float(r["lat"])]}}
                    for r in csv.DictReader(f) if r["id"] in ("santa_casa_hospital", "moinhos_de_vento_hospital")]
    else:
        care = json.load(open(f"{args.data}/poa_healthcare.geojson"))["features"]
    hex_geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in hexes])
    hex_geoms = shapely.transform(hex_geoms, lambda c: np.stack(to_utm.transform(c[:, 0], c[:, 1]), 1))
    origins = shapely.centroid(hex_geoms)
    care_xy = np.array([f["geometry"]["coordinates"] for f in care])
    destinations = shapely.points(*to_utm.transform(care_xy[:, 0], care_xy[:, 1]))

    conns = []
    stop_xy = {}
    for name, prefix in [("poa_eptc.zip", "e:"), ("poa_trensurb.zip", "t:")]:
        feed = read_feed(f"{args.data}/{name}")
        for s in feed["stops"]:
            stop_xy[prefix + s["stop_id"]] = (float(s["stop_lon"]), float(s["stop_lat"]))
        conns += connections(feed, prefix, date, start, latest)
    conns.sort(key=lambda c: c[0])
    used = sorted({c[2] for c in conns} | {c[3] for c in conns})
    sx, sy = to_utm.transform([stop_xy[s][0] for s in used], [stop_xy[s][1] for s in used])
    stop_points = shapely.points(sx, sy)

    populated = [i for i, f in enumerate(hexes) if (f["properties"].get("population") or 0) > 0]
    step = max(1, len(populated) // args.sample)
    sample = populated[::step][: args.sample]

    points = np.concatenate([stop_points, origins[sample], destinations])
    walk = WalkGraph(f"{args.data}/poa_osm.pbf", points, args.walk_speed, args.min_component)
    stop_node = walk.node[: len(used)]
    origin_node = walk.node[len(used): len(used) + len(sample)]
    dest_nodes = [v for v in walk.node[len(used) + len(sample):] if v is not None]
    nearest = dijkstra(walk.graph, directed=True, indices=dest_nodes, min_only=True)
    egress = [nearest[v] if v is not None and nearest[v] <= limit else INF for v in stop_node]
    direct = [nearest[v] if v is not None else INF for v in origin_node]

    stop_index = {s: i for i, s in enumerate(used)}
    placed = [i for i, v in enumerate(stop_node) if v is not None]
    placed_nodes = np.array([stop_node[i] for i in placed])
    transfers = [[(i, 0.0)] for i in range(len(used))]
    for k in range(0, len(placed), 200):
        batch = placed[k: k + 200]
        d = dijkstra(walk.graph, directed=True, indices=[stop_node[i] for i in batch], limit=limit)
        d = d[:, placed_nodes]
        for row, i in enumerate(batch):
            for col in np.nonzero(d[row] <= limit)[0]:
                j = placed[col]
                if j != i:
                    transfers[i].append((j, float(d[row, col])))
    access = []
    for v in origin_node:
        if v is None:
            access.append([])
            continue
        d = dijkstra(walk.graph, directed=True, indices=v, limit=limit)[placed_nodes]
        access.append([(placed[c], float(d[c])) for c in np.nonzero(d <= limit)[0]])

    C = [(c[0], c[1], stop_index[c[2]], stop_index[c[3]], c[4], c[5], c[6]) for c in conns]
    departures = [c[0] for c in C]
    K, slack = args.max_rides, args.board_slack

    def earliest_arrival(o, tau):
        """Forward connection scan from origin o leaving at tau, counting boardings."""
        best = tau + direct[o]
        ready = {}  # stop -> [earliest time on foot there having used exactly k rides]
        for s, a in access[o]:
            ready[s] = [tau + a] + [INF] * K
        trip_rides = {}
        for i in range(bisect_left(departures, tau), len(C)):
            dep, arr, u, v, trip, boards, alights = C[i]
            if dep >= best:
                break
            r = trip_rides.get(trip, K + 1)
            if boards and r > 1:
                times = ready.get(u)
                if times is not None:
                    for k in range(min(r - 1, K)):
                        if times[k] + slack <= dep:
                            r = k + 1
                            break
                    trip_rides[trip] = r
            if r > K or not alights:
                continue
            if arr + egress[v] < best:
                best = arr + egress[v]
            if r < K:
                for s, w in transfers[v]:
                    t = arr + w
                    times = ready.get(s)
                    if times is None:
                        times = ready[s] = [INF] * (K + 1)
                    if t < times[r]:
                        times[r] = t
        return best - tau if best - tau <= max_seconds else INF

    started = time.perf_counter()
    expected = {o: [earliest_arrival(k, tau) for tau in minutes] for k, o in enumerate(sample)}
    per_query = (time.perf_counter() - started) / (len(sample) * len(minutes))

    with open(args.minutes_csv) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[1:] == [f"{t // 3600:02d}:{t // 60 % 60:02d}" for t in minutes], "the CSV's minutes differ from the window"
    assert len(body) == len(hexes), "the CSV's origins are not the hexagon grid"
    diffs, mismatched, both_unreachable, by_transit = [], [], 0, 0
    for o in sample:
        for i, tau in enumerate(minutes):
            got = body[o][1 + i]
            e = expected[o][i]
            if got == "" or e == INF:
                if got == "" and e == INF:
                    both_unreachable += 1
                else:
                    mismatched.append((hexes[o]["properties"]["id"], header[1 + i], got, e / 60))
                continue
            diffs.append(abs(float(got) - e / 60))
            if e < direct[sample.index(o)]:
                by_transit += 1
    diffs = np.array(diffs) if diffs else np.zeros(1)
    print(f"walk network: {walk.nodes} nodes, {walk.segments} segments; {len(placed)} of {len(used)} stops in use snapped; "
          f"{len(C)} connections; {sum(len(t) - 1 for t in transfers)} transfers")
    print(f"origins {len(sample)} x minutes {len(minutes)} = {len(sample) * len(minutes)} queries, "
          f"{per_query * 1000:.1f} ms per query")
    print(f"compared: {len(diffs)} (faster by public transport than on foot: {by_transit}), "
          f"unreachable in both: {both_unreachable}, reachable in one only: {len(mismatched)}")
    for m in mismatched[:5]:
        print("  mismatch:", m)
    print(f"minutes difference: max {diffs.max():.6f}, mean {diffs.mean():.6f}, above 0.01: {(diffs > 0.01).sum()}")
    for o in sample[: args.show]:
        print(f"  {hexes[o]['properties']['id']}: " + " ".join("-" if e == INF else f"{e / 60:.4f}" for e in expected[o]))
    ok = not mismatched and diffs.max() <= 0.01
    print("agree" if ok else "DISAGREE")
    if args.time:
        print(f"{per_query:.6f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
