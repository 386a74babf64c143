#!/usr/bin/env python3
"""The peer side of Scripts/bench_transit.sh.

departures FEED DATE: gtfs-kit reads the feed and counts trips per stop on the date
  (compute_stop_stats, window 06-20), the closest gtfs-kit workload to atlas's departures.
near STOPS GRID AREAS: geopandas marks stops with departures >= 14, buffers them 500 m,
  unions the buffers, joins cell centroids to the union and to the areas, sums per area.
"""
import sys

if sys.argv[1] == "departures":
    import gtfs_kit as gk
    feed = gk.read_feed(sys.argv[2], dist_units="km")
    stats = gk.compute_stop_stats(feed, [sys.argv[3].replace("-", "")],
                                  headway_start_time="06:00:00", headway_end_time="20:00:00")
    print(len(stats), "stops")
elif sys.argv[1] == "near":
    import geopandas as gpd
    stops = gpd.read_file(sys.argv[2], engine="pyogrio")
    cells = gpd.read_file(sys.argv[3], engine="pyogrio").to_crs(32722)
    areas = gpd.read_file(sys.argv[4], engine="pyogrio").to_crs(32722)
    qualifying = stops[stops.departures >= 14].to_crs(32722)
    coverage = gpd.GeoDataFrame(geometry=[qualifying.buffer(500).union_all()], crs=32722)
    centroids = gpd.GeoDataFrame({"pop": cells["pop"]}, geometry=cells.centroid, crs=32722)
    near = gpd.sjoin(centroids, coverage, predicate="within").index
    centroids["near"] = 0.0
    centroids.loc[near, "near"] = centroids.loc[near, "pop"]
    joined = gpd.sjoin(centroids, areas[["area", "geometry"]], predicate="within")
    sums = joined.groupby("area")[["pop", "near"]].sum()
    print(len(sums), "areas", sums.near.sum() / sums["pop"].sum())
