#!/usr/bin/env python3
"""Porto Alegre end to end: `atlas transit` against geopandas computing the same rule.

Qualifying stops come from the independent pandas departure count of
Scripts/gtfs_departures_check.py (every hour of the window has >= MIN departures, stops
grouped by parent station). Hexagons are projected to the UTM zone atlas picks (EPSG:32722),
a hexagon is near when its centroid lies within RADIUS of a qualifying stop (centroid model)
or counts by the share of its area inside the union of the 500 m buffers (areal model), and
it belongs to the first district whose polygon covers its centroid. share_near must agree
to 1e-9 for all 44 districts. The trimmed EPTC feed only runs 11:30-17:30, hence the window.

Usage: Scripts/transit_crosscheck.py   (ATLAS=path/to/atlas overrides .build/debug/atlas)
"""
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "../shared/data/porto-alegre")
FEED = os.path.join(DATA, "poa_eptc.zip")
DATE, WINDOW, MIN, RADIUS = "2019-05-15", "12:00-17:00", 1, 500.0
METRIC = "EPSG:32722"

spec = importlib.util.spec_from_file_location("check", os.path.join(ROOT, "Scripts/gtfs_departures_check.py"))
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def expected(model):
    feed = check.read_feed(FEED)
    counts = check.departures(feed, dt.date.fromisoformat(DATE), WINDOW, "parent")
    qualifying = counts.index[(counts >= MIN).all(axis=1)]
    stops = feed["stops"].set_index("stop_id").loc[qualifying]
    stops = gpd.GeoDataFrame(geometry=gpd.points_from_xy(stops.stop_lon.astype(float), stops.stop_lat.astype(float)),
                             crs="EPSG:4326").to_crs(METRIC)
    hexes = gpd.read_file(os.path.join(DATA, "poa_hexgrid.geojson")).to_crs(METRIC)
    districts = gpd.read_file(os.path.join(DATA, "poa_districts.geojson")).to_crs(METRIC)
    centroids = hexes.geometry.centroid
    if model == "centroid":
        cell, _ = stops.sindex.query(centroids, predicate="dwithin", distance=RADIUS)
        near = np.zeros(len(hexes))
        near[np.unique(cell)] = 1.0
    else:
        coverage = stops.buffer(RADIUS, quad_segs=16).union_all()
        near = (hexes.geometry.intersection(coverage).area / hexes.geometry.area).clip(upper=1).to_numpy()
    point, area = districts.sindex.query(centroids, predicate="covered_by")
    owner = pd.Series(area, index=point).groupby(level=0).min()
    table = pd.DataFrame({"district": districts.district.to_numpy()[owner.to_numpy()],
                          "population": hexes.population.to_numpy()[owner.index],
                          "near": hexes.population.to_numpy()[owner.index] * near[owner.index]})
    sums = table.groupby("district")[["population", "near"]].sum()
    return sums.reindex(districts.district, fill_value=0)


def atlas(model):
    binary = os.environ.get("ATLAS", os.path.join(ROOT, ".build/debug/atlas"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "transit.geojson")
        subprocess.run([binary, "transit", "--gtfs", FEED, "--date", DATE, "--window", WINDOW,
                        "--min-per-hour", str(MIN), "--radius", str(RADIUS), "--population-model", model,
                        "--population", os.path.join(DATA, "poa_hexgrid.geojson"), "--population-field", "population",
                        "--areas", os.path.join(DATA, "poa_districts.geojson"), "--area-id", "district",
                        "--out", out, "--quiet"], check=True)
        features = json.load(open(out))["features"]
    return pd.DataFrame([f["properties"] for f in features]).set_index("district")


def main():
    failures = 0
    for model in ["centroid", "areal"]:
        want = expected(model)
        got = atlas(model)
        share_want = (want.near / want.population).where(want.population > 0)
        share_got = got.share_near.astype(float)
        share_diff = (share_got - share_want).abs().max()
        pop_diff = (got.population - want.population).abs().max()
        near_diff = (got.population_near - want.near).abs().max()
        nulls_agree = (share_got.isna() == share_want.isna()).all()
        ok = len(got) == 44 and share_diff <= 1e-9 and pop_diff <= 1e-6 and near_diff <= 1e-6 and nulls_agree
        print(f"transit {model}: {len(got)} districts, population {got.population.sum():.0f} "
              f"(geopandas {want.population.sum():.0f}), near {got.population_near.sum():.3f} "
              f"(geopandas {want.near.sum():.3f}), max |share_near difference| {share_diff:.2e} "
              f"-> {'ok' if ok else 'DIFFERENT'}")
        failures += 0 if ok else 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
