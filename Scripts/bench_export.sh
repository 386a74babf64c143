#!/usr/bin/env bash
# Export to RFC 7946 GeoJSON: atlas against ogr2ogr (GDAL) and geopandas (pyogrio), whole runs;
# then GeoPackage read and write against ogr2ogr; a portal-sized grid layer; shared-arc simplification against topojson.
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

# GeoPackage read and write. Read: a GeoPackage layer to RFC 7946 GeoJSON.
# Write: a shapefile to a new GeoPackage layer in its own CRS (SWEREF 99 TM), R-tree included.
# The inputs: GDAL's Dalarna file (the 4,004-cell 1 km grid), the municipalities (write only), and the
# 1 km grid cut into 250 m squares (64,064 cells, made once into BENCH_TMP with geopandas).
grid250="$BENCH_TMP/grid250"
if [ ! -f "$grid250.gpkg" ]; then
  python3 - "$SHARED/dalarna/shp/befolkning_1km_2025.shp" "$grid250" <<'PY'
import sys
import geopandas as gpd
from shapely import box
source, target = sys.argv[1], sys.argv[2]
cells = gpd.read_file(source)
rows, shapes = [], []
for row in cells.itertuples(index=False):
    minx, miny, _, _ = row.geometry.bounds
    for i in range(4):
        for j in range(4):
            rows.append(row._asdict())
            shapes.append(box(minx + 250 * i, miny + 250 * j, minx + 250 * (i + 1), miny + 250 * (j + 1)))
grid = gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "geometry"} for r in rows], geometry=shapes, crs=cells.crs)
grid.to_file(target + ".shp")
grid.to_file(target + ".gpkg", layer="grid250", driver="GPKG")
PY
fi
for case in "dalarna:$SHARED/dalarna/gpkg/dalarna.gpkg:befolkning_1km_2025:$SHARED/dalarna/shp/befolkning_1km_2025.shp" \
            "kommun:::$SHARED/sweden/shp/kommun.shp" \
            "grid250:$grid250.gpkg:grid250:$grid250.shp"; do
  IFS=: read -r name gpkg layer shp <<<"$case"
  if [ -n "$layer" ]; then
    echo "GeoPackage read $name ($layer → GeoJSON)"
    measure "atlas export" 5 "$ATLAS" export "$gpkg|layername=$layer" --out "$BENCH_TMP/$name.gpkg-read.atlas.geojson" --quiet
    a=$BEST_SECONDS
    measure "ogr2ogr -f GeoJSON -lco RFC7946=YES" 5 sh -c "rm -f '$BENCH_TMP/$name.gpkg-read.ogr.geojson' && ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=6 '$BENCH_TMP/$name.gpkg-read.ogr.geojson' '$gpkg' '$layer'"
    ratio "GeoPackage read $name" "$a" "ogr2ogr" "$BEST_SECONDS"
  fi
  echo "GeoPackage write $name ($(basename "$shp") → GPKG, EPSG:3006)"
  measure "atlas export --out-crs EPSG:3006" 5 sh -c "rm -f '$BENCH_TMP/$name.atlas.gpkg' && '$ATLAS' export '$shp' --out '$BENCH_TMP/$name.atlas.gpkg' --out-crs EPSG:3006 --quiet"
  a=$BEST_SECONDS
  measure "ogr2ogr -f GPKG" 5 sh -c "rm -f '$BENCH_TMP/$name.ogr.gpkg' && ogr2ogr -f GPKG '$BENCH_TMP/$name.ogr.gpkg' '$shp'"
  ratio "GeoPackage write $name" "$a" "ogr2ogr" "$BEST_SECONDS"
done

# A portal-sized layer. The Dalarna 250 m grid of the 65+ share, re-aggregated from the DeSO and
# weighted by the 1 km population grid (atlas lowincome --target-grid 250), has a cell for every
# 250 m of the county, 99 % of them without anyone living there. It takes minutes to make, so it
# is kept in .build/bench-data (remove it, or set BENCH_FRESH=1, to make it again).
cache="$PWD/.build/bench-data"
mkdir -p "$cache"
grid="$cache/dalarna_grid250.geojson"
deso="$SHARED/dalarna/deso_2025_dalarna.geojson"
if [ ! -s "$grid" ] || [ -n "${BENCH_FRESH:-}" ]; then
  echo "  making the Dalarna 250 m grid layer with atlas lowincome --target-grid 250 …" >&2
  "$ATLAS" lowincome --quiet --areas "$deso" --area-id desokod \
    --stats "$SHARED/dalarna/deso_befolkning_2024.csv" --stats-id desokod \
    --count befolkning_65_plus_2024 --total befolkning_2024 --target-grid 250 \
    --weights "$SHARED/dalarna/befolkning_1km_2025_dalarna.geojson" --weight-field befolkning_2025 --out "$grid"
fi
echo "export for a portal: dalarna 250 m grid"
"$ATLAS" export "$grid" --out "$BENCH_TMP/grid_plain.geojson" --quiet
"$ATLAS" export "$grid" --out "$BENCH_TMP/grid_small.geojson" --quiet \
  --drop-empty total --simplify 25 --digits 4 --precision 5
plain=$(stat -c %s "$BENCH_TMP/grid_plain.geojson")
small=$(stat -c %s "$BENCH_TMP/grid_small.geojson")
printf '  %-44s %12d bytes\n' "plain" "$plain"
printf '  %-44s %12d bytes  (%.2f %% of plain)\n' "--drop-empty total --simplify 25 --digits 4 --precision 5" "$small" \
  "$(echo "100 * $small / $plain" | bc -l)"

# Shared-arc simplification to 25 m: atlas export --simplify against topojson (Python) on the
# same layers, the Dalarna DeSO and the grid's populated cells. atlas's simplification time is a
# whole run with --simplify less one without; topojson is timed inside Python (building the
# topology, simplifying each arc with shapely's Douglas–Peucker, rebuilding the polygons), after
# reading and projecting to SWEREF 99 TM.
"$ATLAS" export "$grid" --out "$BENCH_TMP/grid_populated.geojson" --quiet --drop-empty total
for input in "$deso" "$BENCH_TMP/grid_populated.geojson"; do
  name=$(basename "$input" .geojson)
  echo "simplify $name to 25 m"
  measure "atlas export (no simplification)" 5 "$ATLAS" export "$input" --out "$BENCH_TMP/$name.copy.geojson" --quiet
  base=$BEST_SECONDS
  measure "atlas export --simplify 25" 5 "$ATLAS" export "$input" --out "$BENCH_TMP/$name.s25.geojson" --quiet --simplify 25
  with=$BEST_SECONDS
  simplify=$(echo "$with - $base" | bc -l)
  (( $(echo "$simplify < 0.001" | bc -l) )) && simplify=0.001
  printf '  %-44s %8.3f s\n' "atlas simplification (difference)" "$simplify"
  atlas_positions=$("$ATLAS" export "$input" --out "$BENCH_TMP/$name.s25.geojson" --simplify 25 2>&1 | sed -n 's/.*→ \([0-9]*\) positions.*/\1/p')
  t=$(python3 -W ignore - "$input" <<'PY'
import sys, time, warnings
warnings.filterwarnings("ignore")
import geopandas as gpd, shapely, topojson
layer = gpd.read_file(sys.argv[1]).to_crs(3006)
best = None
for _ in range(3):
    start = time.perf_counter()
    out = topojson.Topology(layer, prequantize=False, toposimplify=25, simplify_algorithm="dp").to_gdf()
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
positions = int(shapely.get_num_coordinates(out.geometry.values).sum())
print(f"{best} {positions} {int((~out.is_valid).sum())}")
PY
)
  read -r topo topo_positions topo_invalid <<<"$t"
  printf '  %-44s %8.3f s  (in-process)\n' "topojson Topology(toposimplify=25).to_gdf()" "$topo"
  echo "  positions after: atlas $atlas_positions, topojson $topo_positions ($topo_invalid invalid)"
  ratio "simplify $name" "$simplify" "topojson" "$topo"
done
