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
