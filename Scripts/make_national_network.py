#!/usr/bin/env python3
"""A synthetic national-size road network for benchmarking `atlas access`.

Writes into OUT:
  national.osm.pbf               a jittered 1600 × 1600 grid of roads 300 m apart in SWEREF 99 TM
                                 (480 km square over southern Sweden): 2.56 M nodes, 5.1 M segments,
                                 in ways of up to 20 nodes with mixed classes, maxspeed tags and
                                 a few one-way streets
  national_origins.geojson       700,000 populated points (`population`)
  national_destinations.geojson  1,200 care points (`id`)
  national_graph.npz             the same graph as arrays (EPSG:3006 metres, car seconds by the
                                 rules in TravelProfile.swift) for the scipy comparison

`--scipy OUT` instead times scipy on that graph: the CSR matrix, then origins and destinations
snapping to the nearest node (cKDTree, queried on all cores), then csgraph.dijkstra(min_only=True,
return_predecessors=True: the nearest destination, as atlas's nearest_id) from all destinations
over the reversed graph, then the lookup of each origin's node. Prints the stages, then on the
last line the seconds of snapping + search + lookup (the part atlas's "nearest facility"
timing covers; the CSR matrix corresponds to atlas's graph build, timed with the network).
"""
import argparse
import os
import time

import numpy as np

DEFAULT_KMH = {"residential": 40, "tertiary": 60, "secondary": 70, "primary": 80, "trunk": 90}
CLASSES = ["residential", "tertiary", "secondary", "primary", "trunk"]
CLASS_WEIGHTS = [0.55, 0.2, 0.13, 0.08, 0.04]
MAXSPEEDS = [None, None, "50", "SE:rural", "30", "90"]
MAXSPEED_KMH = {"50": 50, "SE:rural": 70, "30": 30, "90": 90}


def generate(out, grid, n_origins, n_destinations, seed):
    import osmium
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    spacing = 300.0
    i, j = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    x = 300_000 + spacing * i.ravel() + rng.uniform(-60, 60, grid * grid)
    y = 6_200_000 + spacing * j.ravel() + rng.uniform(-60, 60, grid * grid)
    lon, lat = Transformer.from_crs(3006, 4326, always_xy=True).transform(x, y)
    node = lambda a, b: a * grid + b  # noqa: E731

    path = os.path.join(out, "national.osm.pbf")
    if os.path.exists(path):
        os.remove(path)
    writer = osmium.SimpleWriter(path)
    for k in range(grid * grid):
        writer.add_node(osmium.osm.mutable.Node(id=k + 1, location=(float(lon[k]), float(lat[k]))))

    edge_a, edge_b, forward, backward = [], [], [], []
    way_id = 0
    chunk = 20
    for direction in (0, 1):
        for line in range(grid):
            for start in range(0, grid - 1, chunk - 1):
                stop = min(start + chunk, grid)
                refs = [node(line, k) if direction == 0 else node(k, line) for k in range(start, stop)]
                cls = CLASSES[rng.choice(len(CLASSES), p=CLASS_WEIGHTS)]
                tags = {"highway": cls}
                maxspeed = MAXSPEEDS[rng.integers(len(MAXSPEEDS))]
                kmh = DEFAULT_KMH[cls]
                if maxspeed:
                    tags["maxspeed"] = maxspeed
                    kmh = MAXSPEED_KMH[maxspeed]
                oneway = cls == "residential" and rng.random() < 0.03
                if oneway:
                    tags["oneway"] = "yes"
                way_id += 1
                writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=[r + 1 for r in refs], tags=tags))
                a = np.array(refs[:-1])
                b = np.array(refs[1:])
                seconds = np.hypot(x[b] - x[a], y[b] - y[a]) * 3.6 / kmh
                edge_a.append(a)
                edge_b.append(b)
                forward.append(seconds)
                backward.append(np.full(len(a), np.inf) if oneway else seconds)
    writer.close()
    np.savez(
        os.path.join(out, "national_graph.npz"), x=x, y=y, a=np.concatenate(edge_a), b=np.concatenate(edge_b),
        forward=np.concatenate(forward), backward=np.concatenate(backward))

    def points(name, count, prop, values):
        px = rng.uniform(x.min(), x.max(), count)
        py = rng.uniform(y.min(), y.max(), count)
        plon, plat = Transformer.from_crs(3006, 4326, always_xy=True).transform(px, py)
        with open(os.path.join(out, name), "w") as f:
            f.write('{"type":"FeatureCollection","features":[\n')
            f.write(",\n".join(
                f'{{"type":"Feature","properties":{{"{prop}":{v}}},"geometry":{{"type":"Point","coordinates":[{a:.6f},{b:.6f}]}}}}'
                for a, b, v in zip(plon, plat, values)))
            f.write("\n]}\n")
        return px, py

    points("national_origins.geojson", n_origins, "population", rng.integers(1, 100, n_origins))
    points("national_destinations.geojson", n_destinations, "id", np.arange(1, n_destinations + 1))
    print(f"{grid * grid} nodes, {sum(len(a) for a in edge_a)} segments, {way_id} ways -> {out}")


def scipy_seconds(out):
    import json

    from pyproj import Transformer
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    g = np.load(os.path.join(out, "national_graph.npz"))
    to_metric = Transformer.from_crs(4326, 3006, always_xy=True)

    def load(name):
        feats = json.load(open(os.path.join(out, name)))["features"]
        c = np.array([f["geometry"]["coordinates"] for f in feats])
        return np.stack(to_metric.transform(c[:, 0], c[:, 1]), 1)

    origins, destinations = load("national_origins.geojson"), load("national_destinations.geojson")
    n = len(g["x"])
    ok_f, ok_b = np.isfinite(g["forward"]), np.isfinite(g["backward"])
    # Reversed graph: an arc a→b is stored b→a, so a search from destinations gives times to them.
    rows = np.concatenate([g["b"][ok_f], g["a"][ok_b]])
    cols = np.concatenate([g["a"][ok_f], g["b"][ok_b]])
    costs = np.concatenate([g["forward"][ok_f], g["backward"][ok_b]])
    started = time.perf_counter()
    matrix = csr_matrix((costs, (rows, cols)), shape=(n, n))
    built = time.perf_counter()
    tree = cKDTree(np.stack([g["x"], g["y"]], 1))
    # All cores, as atlas snaps with all cores.
    _, d_nodes = tree.query(destinations, workers=-1)
    _, o_nodes = tree.query(origins, workers=-1)
    snapped = time.perf_counter()
    dist, _, sources = dijkstra(
        matrix, directed=True, indices=np.unique(d_nodes), min_only=True, return_predecessors=True)
    searched = time.perf_counter()
    _ = dist[o_nodes], sources[o_nodes]
    done = time.perf_counter()
    return built - started, snapped - built, searched - snapped, done - searched


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--grid", type=int, default=1600)
    ap.add_argument("--origins", type=int, default=700_000)
    ap.add_argument("--destinations", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scipy", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.scipy:
        graph, snap, search, lookup = scipy_seconds(args.out)
        print(f"graph {graph:.3f} s, snapping {snap:.3f} s, search {search:.3f} s, lookup {lookup:.3f} s")
        print(f"{snap + search + lookup:.3f}")
    else:
        generate(args.out, args.grid, args.origins, args.destinations, args.seed)


if __name__ == "__main__":
    main()
