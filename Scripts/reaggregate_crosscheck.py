#!/usr/bin/env python3
"""Independent re-aggregation of the Dalarna DeSO population to the Dalarna municipalities,
for checking `atlas lowincome --target` (Tests/AtlasTests/Indicators/ReaggregationDalarnaTests.swift).

Sources: DeSO 2025 with befolkning_65_plus_2024 (count) of befolkning_2024 (total).
Targets: the municipalities with a code starting with 20 (Dalarna).
1. Dasymetric, weighted by the SCB 1 km grid (befolkning_2025), computed with geopandas overlays:
   each cell's population is split between the DeSO by the fraction of the cell's covered area
   that lies in each; each DeSO's figures go to the municipalities in proportion to the
   population in DeSO ∩ municipality (by area where a DeSO has no population in the grid).
2. By area only, with tobler.area_weighted.area_interpolate (extensive variables,
   allocate_total=False).
All areas in SWEREF 99 TM (EPSG:3006).

usage: Scripts/reaggregate_crosscheck.py [DATA_DIR]   (default ../shared/data)
"""
import os
import sys

import geopandas as gpd
import pandas as pd
from tobler.area_weighted import area_interpolate

here = os.path.dirname(os.path.abspath(__file__))
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data")

deso = gpd.read_file(os.path.join(data, "dalarna/deso_2025_dalarna.geojson")).to_crs(3006)
deso = deso[["desokod", "befolkning_2024", "befolkning_65_plus_2024", "geometry"]].rename(
    columns={"befolkning_65_plus_2024": "count", "befolkning_2024": "total"})
deso["s"] = range(len(deso))
grid = gpd.read_file(os.path.join(data, "dalarna/befolkning_1km_2025_dalarna.geojson")).to_crs(3006)
grid = grid[["rutid", "befolkning_2025", "geometry"]]
grid = grid[grid.befolkning_2025 > 0]


def weighted_by_grid(targets):
    """Dasymetric apportioning of the DeSO count/total to `targets` (kommun_kod, geometry)."""
    # DeSO ∩ municipality pieces and their areas.
    pieces = gpd.overlay(deso[["s", "geometry"]], targets, how="intersection", keep_geom_type=True)
    pieces["piece_area"] = pieces.area
    pieces = pieces[pieces.piece_area > 0]
    source_area = deso.set_index("s").area

    # Each cell's population split over the DeSO by covered area.
    cell_deso = gpd.overlay(grid, deso[["s", "geometry"]], how="intersection", keep_geom_type=True)
    cell_deso["a"] = cell_deso.area
    covered = cell_deso.groupby("rutid")["a"].sum().rename("covered")
    cell_deso = cell_deso.join(covered, on="rutid")
    cell_deso["w"] = cell_deso.befolkning_2025 * cell_deso.a / cell_deso.covered
    source_weight = cell_deso.groupby("s")["w"].sum()

    cell_piece = gpd.overlay(grid, pieces[["s", "kommun_kod", "geometry"]], how="intersection", keep_geom_type=True)
    cell_piece = cell_piece.join(covered, on="rutid")
    cell_piece["w"] = cell_piece.befolkning_2025 * cell_piece.area / cell_piece.covered
    piece_weight = cell_piece.groupby(["s", "kommun_kod"])["w"].sum()

    rows = []
    for _, p in pieces.iterrows():
        s, k = p.s, p.kommun_kod
        sw = source_weight.get(s, 0.0)
        if sw > 0:
            fraction = piece_weight.get((s, k), 0.0) / sw
        else:
            fraction = p.piece_area / source_area[s]
        rows.append((k, fraction * deso.loc[deso.s == s, "count"].iloc[0], fraction * deso.loc[deso.s == s, "total"].iloc[0]))
    weighted = pd.DataFrame(rows, columns=["kommun_kod", "count", "total"]).groupby("kommun_kod").sum()

    unpopulated = sorted(deso.desokod[~deso.s.isin(source_weight[source_weight > 0].index)])
    return weighted, unpopulated


all_kommun = gpd.read_file(os.path.join(data, "sweden/kommun_wgs84.geojson")).to_crs(3006)[["kommun_kod", "geometry"]]
kommun = all_kommun[all_kommun.kommun_kod.str.startswith("20")].reset_index(drop=True)
weighted, unpopulated = weighted_by_grid(kommun)
everywhere, _ = weighted_by_grid(all_kommun)

# allocate_total=False: a DeSO only partly inside the municipalities gives them only the part
# inside (by area), as atlas does; tobler's default would hand them the whole DeSO.
by_area = area_interpolate(deso, kommun, extensive_variables=["count", "total"], allocate_total=False)
by_area["kommun_kod"] = kommun.kommun_kod.values
by_area = by_area.set_index("kommun_kod")

print(f"DeSO without grid population (apportioned by area): {len(unpopulated)} {unpopulated[:10]}")
print(f"sum over DeSO: count {deso['count'].sum()} total {deso['total'].sum()}")
print(f"weighted sum over municipalities: count {weighted['count'].sum():.6f} total {weighted['total'].sum():.6f}")
print(f"weighted sum over all 290 municipalities: count {everywhere['count'].sum():.6f} total {everywhere['total'].sum():.6f}")
print(f"by-area sum over municipalities: count {by_area['count'].sum():.6f} total {by_area['total'].sum():.6f}")
print("kommun_kod  weighted_count  weighted_total  area_count  area_total")
for k in kommun.kommun_kod:
    print(f'("{k}", {weighted.loc[k, "count"]:.6f}, {weighted.loc[k, "total"]:.6f}, '
          f'{by_area.loc[k, "count"]:.6f}, {by_area.loc[k, "total"]:.6f}),')
