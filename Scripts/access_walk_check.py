#!/usr/bin/env python3
"""Independent check of `atlas access --mode walk` on Porto Alegre.

Reads the same OSM ways with pyosmium, applies the walk rules (documented in
Sources/Atlas/Network/TravelProfile.swift) again in Python, projects with pyproj to the UTM
zone atlas picks (EPSG:32722), finds the strongly connected components with scipy's
csgraph.connected_components(connection="strong") and keeps those of at least --min-component
nodes (200, atlas's default; the largest alone if none is that big), snaps hexagon centroids
and care points to the nearest point on a segment with both ends in kept components with
shapely, and runs scipy's csgraph.dijkstra(min_only=True) from all care points at once. Then it
compares per-cell minutes and snapping distances (`snap_m`) with the cells layer atlas wrote.

Usage: access_walk_check.py CELLS_FROM_ATLAS.geojson [--data DIR] [--min-component N]
                            [--time | --pandana | --components]

Tolerance: 0.01 minutes (0.6 s). Both sides use the same projection (PROJ) and the same
centroids (GEOS), so minutes should agree to rounding; what may differ is which of two
equally near segments a point snaps to (at a shared vertex the snap point is the same, so the
time is the same) and float summation order. A larger difference means a real disagreement.
"""
import argparse
import json
import sys
import time

import numpy as np
import osmium
import shapely
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

WALK_HIGHWAYS = {
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
    "unclassified", "road", "residential", "living_street", "service", "cycleway", "path", "track",
    "footway", "pedestrian", "steps", "bridleway", "corridor",
}
DENY = {"no", "private", "agricultural", "forestry", "delivery"}
ALLOW = {"yes", "designated", "permissive", "destination", "customers"}
WALK_KMH = 5.0
ACCESS_KMH = 5.0
MAX_SNAP = 1000.0


def walkable(tags):
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return False
    allowed = None
    explicit = False
    if tags.get("access") in DENY:
        allowed = False
    if tags.get("access") in ALLOW:
        allowed = True
    foot = tags.get("foot")
    if foot in DENY:
        allowed, explicit = False, False
    if foot in ALLOW:
        allowed, explicit = True, True
    if allowed is False:
        return False
    if highway not in WALK_HIGHWAYS:
        return explicit and highway not in ("motorway", "motorway_link")
    return True


class Ways(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.segments = []  # (lon1, lat1, lon2, lat2, node id 1, node id 2)

    def way(self, w):
        if len(w.nodes) < 2 or not walkable({t.k: t.v for t in w.tags}):
            return
        previous = None
        for n in w.nodes:
            here = (n.ref, n.location.lon, n.location.lat) if n.location.valid() else None
            if previous and here and previous[0] != here[0]:
                self.segments.append((previous[1], previous[2], here[1], here[2], previous[0], here[0]))
            previous = here


def kept_segments(a, b, n, min_component):
    """Segments with both ends in a strongly connected component of at least min_component
    nodes (or in the largest, when none is that big); walking uses every segment both ways."""
    graph = csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    count, label = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=count)
    keep = sizes >= min_component
    if not keep.any():
        keep[np.argmax(sizes)] = True
    return keep[label[a]] & keep[label[b]], sizes


def snap(tree, lines, points, allowed):
    """Nearest segment among `allowed` (indices into lines, ascending) within MAX_SNAP for
    each point: (segment, fraction, distance) or None."""
    idx_points, idx_lines = tree.query_nearest(points, max_distance=MAX_SNAP, all_matches=True)
    best = {}
    for p, s in zip(idx_points, allowed[idx_lines]):
        if p not in best or s < best[p]:
            best[p] = s  # equal distances: lowest segment index, as atlas does
    out = []
    for i, pt in enumerate(points):
        if i not in best:
            out.append(None)
            continue
        line = lines[best[i]]
        fraction = shapely.line_locate_point(line, pt, normalized=True)
        out.append((best[i], float(fraction), float(shapely.distance(line, pt))))
    return out


def pandana_seconds(node_ids, inverse, a, b, seconds, x1, y1, x2, y2, origins, destinations):
    """pandana on the same nodes and edges; points snap to the nearest node (pandana's way).
    Timed: POI registration, node snapping and nearest_pois, not the contraction build."""
    import pandas as pd
    import pandana

    node_x = np.zeros(len(node_ids))
    node_y = np.zeros(len(node_ids))
    node_x[a], node_y[a] = x1, y1
    node_x[b], node_y[b] = x2, y2
    nodes = pd.DataFrame({"x": node_x, "y": node_y})
    edges = pd.DataFrame({"from": a, "to": b, "seconds": seconds})
    net = pandana.Network(nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["seconds"]], twoway=True)
    started = time.perf_counter()
    net.set_pois("care", 3 * 3600, 1, shapely.get_x(destinations), shapely.get_y(destinations))
    origin_nodes = net.get_node_ids(shapely.get_x(origins), shapely.get_y(origins))
    nearest = net.nearest_pois(3 * 3600, "care", num_pois=1)
    _ = nearest.loc[origin_nodes.values]
    return time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cells")
    ap.add_argument("--data", default="/work/shared/data/porto-alegre")
    ap.add_argument("--time", action="store_true", help="print only the seconds of snapping + scipy search")
    ap.add_argument("--pandana", action="store_true", help="print only the seconds of pandana's nearest_pois on the same graph")
    ap.add_argument("--min-component", type=int, default=200, help="smallest strongly connected component points snap to")
    ap.add_argument("--components", action="store_true", help="print only the strongly connected components found")
    args = ap.parse_args()

    handler = Ways()
    handler.apply_file(f"{args.data}/poa_osm.pbf", locations=True)
    seg = np.array([s[:4] for s in handler.segments])
    ids = np.array([s[4:] for s in handler.segments], dtype=np.int64)
    to_utm = Transformer.from_crs(4326, 32722, always_xy=True)
    x1, y1 = to_utm.transform(seg[:, 0], seg[:, 1])
    x2, y2 = to_utm.transform(seg[:, 2], seg[:, 3])
    node_ids, inverse = np.unique(ids.ravel(), return_inverse=True)
    a, b = inverse[0::2], inverse[1::2]
    seconds = np.hypot(x2 - x1, y2 - y1) * 3.6 / WALK_KMH
    lines = shapely.linestrings(np.stack([np.stack([x1, y1], 1), np.stack([x2, y2], 1)], 1))
    n = len(node_ids)
    eligible, sizes = kept_segments(a, b, n, args.min_component)
    if args.components:
        print(f"walk network: {n} nodes, {len(sizes)} strongly connected components, largest {sizes.max()}, "
              f"{(sizes >= args.min_component).sum()} of at least {args.min_component} nodes; "
              f"{(~eligible).sum()} segments outside them")
        return

    hexes = json.load(open(f"{args.data}/poa_hexgrid.geojson"))["features"]
    care = json.load(open(f"{args.data}/poa_healthcare.geojson"))["features"]

    def projected_points(features, centroid):
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
        coords = shapely.get_coordinates(geoms) if not centroid else None
        if centroid:
            # Project the polygon, then take its centroid, as atlas does.
            geoms = shapely.transform(geoms, lambda c: np.stack(to_utm.transform(c[:, 0], c[:, 1]), 1))
            return shapely.centroid(geoms)
        xs, ys = to_utm.transform(coords[:, 0], coords[:, 1])
        return shapely.points(xs, ys)

    origins = projected_points(hexes, centroid=True)
    destinations = projected_points(care, centroid=False)
    if args.pandana:
        print(f"{pandana_seconds(node_ids, inverse, a, b, seconds, x1, y1, x2, y2, origins, destinations):.3f}")
        return
    # Timed like atlas's "nearest facility" step: the segment index, snapping, the graph with
    # the snapped points joined in (scipy's way of starting and ending part-way along an edge)
    # and the search.
    started = time.perf_counter()
    allowed = np.flatnonzero(eligible)
    tree = shapely.STRtree(lines[allowed])
    o_snap = snap(tree, lines, origins, allowed)
    d_snap = snap(tree, lines, destinations, allowed)

    rows, cols, costs = list(a) + list(b), list(b) + list(a), list(seconds) + list(seconds)
    d_nodes = []
    for k, s in enumerate(d_snap):
        if s is None:
            continue
        node = n + len(d_nodes)
        d_nodes.append((node, k))
        segment, t, dist = s
        walk = dist * 3.6 / ACCESS_KMH
        rows += [node, node]
        cols += [a[segment], b[segment]]
        costs += [walk + seconds[segment] * t, walk + seconds[segment] * (1 - t)]
    o_base = n + len(d_nodes)
    for k, s in enumerate(o_snap):
        if s is None:
            continue
        segment, t, dist = s
        walk = dist * 3.6 / ACCESS_KMH
        rows += [a[segment], b[segment]]
        cols += [o_base + k, o_base + k]
        costs += [walk + seconds[segment] * t, walk + seconds[segment] * (1 - t)]
        for node, d in d_nodes:  # origin and destination on the same segment
            if d_snap[d][0] == segment:
                rows.append(node)
                cols.append(o_base + k)
                costs.append(walk + d_snap[d][2] * 3.6 / ACCESS_KMH + seconds[segment] * abs(t - d_snap[d][1]))
    size = o_base + len(o_snap)
    # Zero-cost arcs would vanish from a sparse matrix: nudge them by a negligible amount.
    graph = csr_matrix((np.maximum(costs, 1e-9), (rows, cols)), shape=(size, size))
    dist = dijkstra(graph, directed=True, indices=[node for node, _ in d_nodes], min_only=True)
    elapsed = time.perf_counter() - started
    expected = dist[o_base:] / 60
    if args.time:
        print(f"{elapsed:.3f}")
        return

    atlas = json.load(open(args.cells))["features"]
    assert len(atlas) == len(hexes), "the cells layer does not match the hexagon grid"
    diffs, both_unreachable, mismatched = [], 0, []
    for k, f in enumerate(atlas):
        m = f["properties"]["minutes"]
        e = expected[k]
        if m is None or not np.isfinite(e):
            if m is None and not np.isfinite(e):
                both_unreachable += 1
            else:
                mismatched.append((hexes[k]["properties"]["id"], m, e))
            continue
        diffs.append(abs(m - e))
    diffs = np.array(diffs)
    # The off-road distance of each cell: null in atlas exactly where no kept road is in reach.
    snap_diffs, snap_mismatched = [0.0], 0
    for k, f in enumerate(atlas):
        if "snap_m" not in f["properties"]:
            break  # a cells layer from before atlas wrote snap_m
        m, e = f["properties"]["snap_m"], o_snap[k]
        if (m is None) != (e is None):
            snap_mismatched += 1
        elif m is not None:
            snap_diffs.append(abs(m - e[2]))
    print(f"walk network: {n} nodes, {len(seconds)} segments, {len(sizes)} strongly connected components, "
          f"{(~eligible).sum()} segments outside those of at least {args.min_component} nodes; "
          f"{len(d_nodes)} of {len(care)} care points snapped")
    print(f"cells compared: {len(diffs)}, unreachable in both: {both_unreachable}, reachable in one only: {len(mismatched)}")
    print(f"minutes difference: max {diffs.max():.6f}, mean {diffs.mean():.6f}, cells above 0.01: {(diffs > 0.01).sum()}")
    print(f"snap_m difference: max {max(snap_diffs):.6f} m, snapped in one only: {snap_mismatched}")
    ok = len(mismatched) == 0 and diffs.max() <= 0.01 and snap_mismatched == 0 and max(snap_diffs) <= 0.001
    print("agree" if ok else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
