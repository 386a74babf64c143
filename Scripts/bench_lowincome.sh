#!/usr/bin/env bash
# Re-aggregation by area of the 175 Dalarna DeSO (population and 65+) to a 250 m grid over
# Dalarna: atlas lowincome against tobler.area_weighted.area_interpolate, in the same run.
# The grid spans the 1 km grid's extent and keeps the cells that meet a DeSO; both tools read
# it from the same rutid CSV. atlas is timed as a whole run (reading, computing, writing the
# GeoJSON); tobler as reading, building the cells and interpolating, without writing.
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
: "${ATLAS:?run through Scripts/bench}" "${SHARED:?}" "${BENCH_TMP:?}"

runs="${BENCH_RUNS:-3}"
deso="$SHARED/dalarna/deso_2025_dalarna.geojson"
grid="$BENCH_TMP/dalarna_250m.csv"
python3 -W ignore - "$SHARED" "$grid" <<'PY'
import sys
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

shared, out = sys.argv[1], sys.argv[2]
cells_1km = pd.read_csv(f"{shared}/dalarna/befolkning_1km_2025_dalarna.csv", dtype=str, encoding="utf-8-sig")
e = cells_1km.rutid.str[:6].astype(int)
n = cells_1km.rutid.str[6:].astype(int)
x = np.arange(e.min(), e.max() + 1000, 250)
y = np.arange(n.min(), n.max() + 1000, 250)
xx, yy = [a.ravel() for a in np.meshgrid(x, y)]
boxes = shapely.box(xx, yy, xx + 250, yy + 250)
deso = gpd.read_file(f"{shared}/dalarna/deso_2025_dalarna.geojson").to_crs(3006)
hit = np.unique(shapely.STRtree(boxes).query(deso.geometry.values, predicate="intersects")[1])
with open(out, "w") as f:
    f.write("rutid\n")
    for i in hit:
        f.write(f"{xx[i]:06d}{yy[i]:07d}\n")
print(f"  250 m grid: {len(hit)} cells of {len(boxes)} in the 1 km grid's extent", file=sys.stderr)
PY

echo "lowincome reaggregate dalarna 250m"
measure "atlas lowincome --target (250 m cells)" "$runs" "$ATLAS" lowincome --quiet \
  --areas "$deso" --area-id desokod --count befolkning_65_plus_2024 --total befolkning_2024 \
  --target "$grid" --target-id rutid --cell-size 250 --out "$BENCH_TMP/lowincome_250m.geojson"
a=$BEST_SECONDS
measure "tobler area_interpolate" "$runs" python3 -W ignore -c "
import geopandas as gpd, pandas as pd, shapely
from tobler.area_weighted import area_interpolate
deso = gpd.read_file('$deso').to_crs(3006)
rutid = pd.read_csv('$grid', dtype=str).rutid
e = rutid.str[:6].astype(float).values
n = rutid.str[6:].astype(float).values
cells = gpd.GeoDataFrame({'rutid': rutid}, geometry=shapely.box(e, n, e + 250, n + 250), crs=3006)
area_interpolate(deso, cells, extensive_variables=['befolkning_65_plus_2024', 'befolkning_2024'], allocate_total=False)"
t=$BEST_SECONDS
ratio "lowincome reaggregate dalarna 250m" "$a" "tobler" "$t"

# Dasymetric: the same DeSO and cells, the population split by the SCB 1 km grid (the WGS 84
# GeoJSON, so reprojected cells that are near-squares). atlas runs with --min-total 0 so that
# every cell's figures can be compared with the peer's. The peer is the dasymetric split atlas
# documents, in geopandas (tobler's area_interpolate cannot weight by a grid): overlay of the
# populated 1 km cells with the DeSO (each cell's population shared by covered area), overlay
# of those parts with the 250 m cells, each DeSO apportioned by the population of its parts
# (by area for a DeSO with nobody in the grid). Both are timed as whole processes: reading,
# computing and writing (atlas the GeoJSON layer, the peer a CSV of count and total per cell).
echo "lowincome reaggregate dalarna 250m weighted by the 1 km grid"
weights_1km="$SHARED/dalarna/befolkning_1km_2025_dalarna.geojson"
measure "atlas lowincome --target --weights (1 km)" "$runs" "$ATLAS" lowincome --quiet \
  --areas "$deso" --area-id desokod --count befolkning_65_plus_2024 --total befolkning_2024 \
  --target "$grid" --target-id rutid --cell-size 250 --weights "$weights_1km" --weight-field befolkning_2025 \
  --min-total 0 --out "$BENCH_TMP/lowincome_250m_weighted.geojson"
a=$BEST_SECONDS a_mb=$PEAK_MB
measure "geopandas dasymetric overlays" "$runs" python3 -W ignore "$(dirname "$0")/dasymetric_peer.py" \
  "$deso" befolkning_65_plus_2024 befolkning_2024 "$grid" 250 "$weights_1km" befolkning_2025 3006 "$BENCH_TMP/dasymetric_peer.csv"
t=$BEST_SECONDS
# Not timed: the two agree on every cell the peer gives figures for, to 1e-6 relative, or to
# 1e-9 people where a cell holds less than a thousandth of a person: slivers left by the two
# overlays (areas of square millimetres) differ in their fifth digit.
python3 - "$BENCH_TMP/lowincome_250m_weighted.geojson" "$BENCH_TMP/dasymetric_peer.csv" <<'PY'
import json, sys
import pandas as pd
layer = json.load(open(sys.argv[1]))
atlas = {f["properties"]["rutid"]: f["properties"] for f in layer["features"]}
peer = pd.read_csv(sys.argv[2], dtype={"rutid": str})
worst = 0.0
for rutid, count, total in zip(peer.rutid, peer["count"], peer["total"]):
    mine = atlas[rutid]
    for a, b in ((mine["count"], count), (mine["total"], total)):
        worst = max(worst, float("inf") if a is None else abs(a - b) / max(abs(b), 1e-3))
print(f"  atlas and the peer: {len(peer)} cells with figures, largest relative difference {worst:.1e}")
assert worst < 1e-6, "atlas and the dasymetric peer disagree"
PY
goal "lowincome reaggregate dalarna 250m weighted (1 km)" "$a" 3 "$a_mb"
ratio "lowincome reaggregate dalarna 250m weighted (1 km)" "$a" "geopandas" "$t" "$a_mb"

# National: ~6,000 DeSO-size areas over Sweden (Scripts/make_national_areas.py) to the 250 m
# grid over them, weighted by a 1 km grid of 100,000 populated cells (an SCB rutid CSV). atlas
# is timed as a whole run, writing only the cells with figures (--drop-empty); there is no peer:
# the geopandas split above would take well over ten minutes at this size.
areas="$BENCH_TMP/national_deso_areas.geojson"
weights_national="$BENCH_TMP/national_1km.csv"
[ -s "$areas" ] && [ -s "$weights_national" ] ||
  python3 -W ignore "$(dirname "$0")/make_national_areas.py" "$SHARED" "$areas" "$weights_national" >&2
echo "lowincome reaggregate national 250m weighted"
measure "atlas lowincome --target-grid 250 --weights" 1 "$ATLAS" lowincome --quiet \
  --areas "$areas" --area-id area --count count --total total --target-grid 250 \
  --weights "$weights_national" --weight-field befolkning --drop-empty --out "$BENCH_TMP/lowincome_national.geojson"
goal "lowincome reaggregate national 250m weighted" "$BEST_SECONDS" 30 "$PEAK_MB" 4096
