#!/usr/bin/env python3
"""The dasymetric re-aggregation atlas documents, in geopandas, as an independent peer of
`atlas lowincome --target … --weights …` (Scripts/bench_lowincome.sh, and by hand on other data).

Each populated weight cell's people are shared between the source areas by the part of its
covered area in each; those parts are overlaid with the square target cells, and each source's
count and total go to the cells in proportion to the people of its source ∩ cell pieces (by
area for a source with nobody in the weights). Sources and weights are reprojected to the
metric CRS; the target cells are the squares whose south-west corners the rutids give
(easting: all digits but the last seven; northing: the last seven).

usage: dasymetric_peer.py SOURCES COUNT TOTAL RUTID_CSV CELL_SIZE WEIGHTS WEIGHT_FIELD EPSG OUT_CSV
"""
import sys

import geopandas as gpd
import pandas as pd
import shapely

sources_path, count, total, grid_path, size, weights_path, weight_field, epsg, out = sys.argv[1:10]
size, epsg = float(size), int(epsg)
sources = gpd.read_file(sources_path).to_crs(epsg)[[count, total, "geometry"]]
sources["s"] = range(len(sources))
rutid = pd.read_csv(grid_path, dtype=str).rutid
e = rutid.str[:-7].astype(float).values
n = rutid.str[-7:].astype(float).values
cells = gpd.GeoDataFrame({"t": range(len(rutid))}, geometry=shapely.box(e, n, e + size, n + size), crs=epsg)
weights = gpd.read_file(weights_path).to_crs(epsg)
weights = weights[weights[weight_field] > 0][[weight_field, "geometry"]].rename(columns={weight_field: "p"})
weights["w"] = range(len(weights))

# Each populated cell's people shared between the sources by the part of its covered area in each.
parts = gpd.overlay(weights, sources[["s", "geometry"]], how="intersection", keep_geom_type=True)
parts["covered"] = parts.area.groupby(parts.w).transform("sum")
source_people = (parts.p * parts.area / parts.covered).groupby(parts.s).sum()
# Those parts over the target cells: the people of each source ∩ cell piece.
pieces = gpd.overlay(parts[["s", "p", "covered", "geometry"]], cells, how="intersection", keep_geom_type=True)
pieces["people"] = pieces.p * pieces.area / pieces.covered
fraction = pieces.groupby(["s", "t"]).people.sum().div(source_people, level="s").rename("f").reset_index()
fraction = fraction[fraction.f > 0]
# A source with nobody in the weights goes by area.
empty = sources[~sources.s.isin(source_people[source_people > 0].index)]
if len(empty):
    by_area = gpd.overlay(empty[["s", "geometry"]], cells, how="intersection", keep_geom_type=True)
    by_area["f"] = by_area.area / by_area.s.map(sources.set_index("s").area)
    fraction = pd.concat([fraction, by_area[["s", "t", "f"]]])
fraction = fraction.join(sources.set_index("s")[[count, total]], on="s")
result = pd.DataFrame({
    "t": fraction.t,
    "count": fraction.f * fraction[count],
    "total": fraction.f * fraction[total],
}).groupby("t").sum()
result.insert(0, "rutid", rutid.values[result.index])
result.to_csv(out, index=False, float_format="%.12g")
