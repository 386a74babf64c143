#!/usr/bin/env bash
# Export to RFC 7946 GeoJSON: atlas against ogr2ogr (GDAL) and geopandas (pyogrio), whole runs.
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
: "${ATLAS:?run through Scripts/bench}" "${SHARED:?}" "${BENCH_TMP:?}"

for input in "$SHARED/dalarna/shp/befolkning_1km_2025.shp" "$SHARED/sweden/shp/kommun.shp"; do
  name=$(basename "$input" .shp)
  echo "export $name"
  measure "atlas" 5 "$ATLAS" export "$input" --out "$BENCH_TMP/$name.atlas.geojson" --quiet
  a=$BEST_SECONDS
  rm -f "$BENCH_TMP/$name.ogr.geojson"
  measure "ogr2ogr -lco RFC7946=YES" 5 sh -c "rm -f '$BENCH_TMP/$name.ogr.geojson' && ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=6 '$BENCH_TMP/$name.ogr.geojson' '$input'"
  o=$BEST_SECONDS
  # geopandas is timed inside Python (read, to_crs, write), without interpreter start-up and
  # imports, which would otherwise dominate; atlas and ogr2ogr are timed as whole processes.
  g=$(python3 -c "
import time, geopandas as gpd
best = None
for _ in range(5):
    t = time.perf_counter()
    gpd.read_file('$input').to_crs(4326).to_file('$BENCH_TMP/$name.gpd.geojson', driver='GeoJSON', engine='pyogrio')
    e = time.perf_counter() - t
    best = e if best is None else min(best, e)
print(best)")
  printf '  %-44s %8.3f s  (in-process)\n' "geopandas (read, to_crs, write)" "$g"
  ratio "export $name" "$a" "ogr2ogr" "$o"
  ratio "export $name" "$a" "geopandas" "$g"
done
