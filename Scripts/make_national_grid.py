#!/usr/bin/env python3
"""Builds a synthetic national population grid for the transit benchmark: 250 m squares
(EPSG:32722, written as WGS 84 GeoJSON) over the extent of the synthetic national feed's
stops (Scripts/make_national_feed.py), about 700,000 cells with seeded random populations,
and 10 km squares as report areas.

With --rutid PREFIX it also writes the same grid as SCB publishes one, PREFIX_grid.csv with a
`rutid` column (the 250 m cells moved to SWEREF 99 TM, EPSG:3006: shifted east by a whole number
of metres so that they lie in Sweden and their corners on the 250 m lattice), and the stops and
areas moved alike as PREFIX_stops.geojson and PREFIX_areas.geojson (WGS 84).

Usage: Scripts/make_national_grid.py STOPS.geojson GRID.geojson AREAS.geojson [--cells N] [--rutid PREFIX]
"""
import argparse
import json

import geopandas as gpd
import numpy as np
from shapely import box

parser = argparse.ArgumentParser()
parser.add_argument("stops")
parser.add_argument("grid")
parser.add_argument("areas")
parser.add_argument("--cells", type=int, default=700_000)
parser.add_argument("--rutid")
args = parser.parse_args()

stops = gpd.read_file(args.stops).to_crs(32722)
minx, miny, maxx, maxy = stops.total_bounds
size = 250.0
nx = int((maxx - minx) // size) + 1
ny = max(1, args.cells // nx)
xs, ys = np.meshgrid(minx + size * np.arange(nx), miny + size * np.arange(ny))
xs, ys = xs.ravel(), ys.ravel()
rng = np.random.default_rng(2024)
cells = gpd.GeoDataFrame({"pop": rng.integers(0, 60, len(xs))}, geometry=box(xs, ys, xs + size, ys + size), crs=32722)
cells.to_crs(4326).to_file(args.grid, driver="GeoJSON", engine="pyogrio")
ax, ay = np.meshgrid(minx + 10_000 * np.arange(int(nx * size // 10_000) + 1),
                     miny + 10_000 * np.arange(int(ny * size // 10_000) + 1))
ax, ay = ax.ravel(), ay.ravel()
areas = gpd.GeoDataFrame({"area": [f"A{i}" for i in range(len(ax))]},
                         geometry=box(ax, ay, ax + 10_000, ay + 10_000), crs=32722)
areas.to_crs(4326).to_file(args.areas, driver="GeoJSON", engine="pyogrio")
print(f"{args.grid}: {len(cells)} cells; {args.areas}: {len(areas)} areas")

if args.rutid:
    from shapely import affinity
    # The cells' south-west corners land on multiples of 250 m from E 250,000 (6-digit
    # eastings, inside Sweden's extent) and the next multiple of 250 m north.
    dx = 250_000 - minx
    dy = np.ceil(miny / size) * size - miny
    east = np.rint(xs + dx).astype(np.int64)
    north = np.rint(ys + dy).astype(np.int64)
    assert (east % 250 == 0).all() and (north % 250 == 0).all() and east.max() < 1_000_000
    with open(f"{args.rutid}_grid.csv", "w") as out:
        out.write("rutid,pop\n")
        out.writelines(f"{e:06d}{n:07d},{p}\n" for e, n, p in zip(east, north, cells["pop"]))
    for layer, name in [(stops, "stops"), (areas.to_crs(32722), "areas")]:
        moved = layer.copy()
        moved["geometry"] = [affinity.translate(g, dx, dy) for g in layer.geometry]
        moved.set_crs(3006, allow_override=True).to_crs(4326).to_file(
            f"{args.rutid}_{name}.geojson", driver="GeoJSON", engine="pyogrio")
    print(f"{args.rutid}_grid.csv: {len(east)} rutid cells; {args.rutid}_stops.geojson, {args.rutid}_areas.geojson")
