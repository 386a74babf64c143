#!/usr/bin/env python3
"""Builds a synthetic national re-aggregation case for the lowincome benchmark, in SWEREF 99 TM
(EPSG:3006), over the 290 municipalities of ../shared/data/sweden:

- AREAS.geojson: about 6,000 DeSO-size areas (`area`, `total`, `count`): a Voronoi tessellation
  of seeded random points in each municipality, clipped to it, so the areas nest in the
  municipalities as DeSO do, with a vertex at least every 100 m. Seeds are spread by municipal
  area (at least 3 per municipality).
  Written with the 2008 `crs` member naming EPSG:3006.
- WEIGHTS.csv: an SCB-style 1 km population grid (`rutid`, `befolkning`) of about 100,000
  populated cells inside Sweden, clustered around seeded "towns" so that some areas in the
  north have no population in it (those go by area).
The areas' totals are the grid population whose cell centres lie in them plus a few residents
(so that unpopulated areas have figures too), and their counts about 20 % of that.

Usage: Scripts/make_national_areas.py SHARED_DIR AREAS.geojson WEIGHTS.csv [--areas N] [--cells N]
"""
import argparse
import json

import geopandas as gpd
import numpy as np
import shapely

parser = argparse.ArgumentParser()
parser.add_argument("shared")
parser.add_argument("areas")
parser.add_argument("weights")
parser.add_argument("--areas", dest="area_count", type=int, default=6_000)
parser.add_argument("--cells", type=int, default=100_000)
args = parser.parse_args()
rng = np.random.default_rng(2025)

kommun = gpd.read_file(f"{args.shared}/sweden/kommun_wgs84.geojson").to_crs(3006)
kommun = kommun[kommun.geometry.area > 0].reset_index(drop=True)
shapely.prepare(kommun.geometry.values)

# Seeds per municipality in proportion to its area, at least 3.
areas_km2 = kommun.geometry.area.values / 1e6
seeds_per = np.maximum(3, np.round(areas_km2 / areas_km2.sum() * args.area_count)).astype(int)


def random_points(polygon, n):
    """n seeded random points inside polygon (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = polygon.bounds
    found = []
    while len(found) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        points = shapely.points(x, y)
        found.extend(points[shapely.contains(polygon, points)])
    return found[:n]


pieces, municipality = [], []
for geometry, n, code in zip(kommun.geometry.values, seeds_per, kommun.kommun_kod.values):
    seeds = shapely.multipoints(random_points(geometry, n))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.envelope(geometry).buffer(1000)))
    # Vertices every 100 m at most, as DeSO boundaries that follow roads and streams have.
    clipped = shapely.segmentize(shapely.make_valid(shapely.intersection(cells, geometry)), 100)
    for g in clipped:
        # Keep the polygonal part (a clip may leave a line or point on a shared edge).
        polygons = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0]
        if polygons:
            pieces.append(shapely.multipolygons(polygons) if len(polygons) > 1 else polygons[0])
            municipality.append(code)
areas = gpd.GeoDataFrame({"kommun_kod": municipality}, geometry=pieces, crs=3006)
areas["area"] = [f"A{i:05d}" for i in range(len(areas))]

# Populated 1 km cells: centres drawn around towns (half of them) and over the whole country.
land = shapely.union_all(kommun.geometry.values)
shapely.prepare(land)
minx, miny, maxx, maxy = land.bounds
towns = np.array([[p.x, p.y] for p in random_points(land, 400)])
chosen = set()
while len(chosen) < args.cells:
    k = args.cells
    town = towns[rng.integers(0, len(towns), k)]
    near = town + rng.normal(0, 1, (k, 2)) * rng.choice([3_000, 12_000], (k, 1))
    # The scattered half stays south of 66° N, leaving parts of the north empty.
    spread = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, 7_300_000, k)])
    xy = np.where(rng.random((k, 1)) < 0.5, near, spread)
    corners = np.floor(xy / 1000).astype(np.int64) * 1000
    inside = shapely.contains_xy(land, corners[:, 0] + 500.0, corners[:, 1] + 500.0)
    for e, n in corners[inside]:
        chosen.add((int(e), int(n)))
        if len(chosen) == args.cells:
            break
cells = np.array(sorted(chosen))
population = np.maximum(1, np.round(rng.lognormal(3.5, 1.3, len(cells)))).astype(int)
with open(args.weights, "w") as f:
    f.write("rutid,befolkning\n")
    for (e, n), p in zip(cells, population):
        f.write(f"{e:06d}{n:07d},{p}\n")

# Figures per area from the cells whose centres it holds.
centres = shapely.points(cells[:, 0] + 500.0, cells[:, 1] + 500.0)
hit_cell, hit_area = shapely.STRtree(areas.geometry.values).query(centres, predicate="within")
total = np.bincount(hit_area, weights=population[hit_cell], minlength=len(areas)) + rng.integers(5, 50, len(areas))
areas["total"] = total.astype(int)
areas["count"] = rng.binomial(areas.total.values, 0.2)
collection = json.loads(areas[["area", "kommun_kod", "total", "count", "geometry"]].to_json(drop_id=True))
collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
with open(args.areas, "w") as f:
    json.dump(collection, f)
unpopulated = int((np.bincount(hit_area, minlength=len(areas)) == 0).sum())
print(f"{args.areas}: {len(areas)} areas ({unpopulated} without a populated cell centre); "
      f"{args.weights}: {len(cells)} cells, {population.sum()} people")
