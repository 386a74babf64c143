#!/usr/bin/env bash
# Indicator 3 benchmarks, called by Scripts/bench (which sets ATLAS, SHARED, BENCH_TMP).
# Porto Alegre: atlas's indicator step (snapping + multi-source search + summaries, from
# `--timings`) against snapping + scipy csgraph.dijkstra(min_only=True) and pandana's
# nearest_pois on the same walk graph (Scripts/access_walk_check.py builds it with pyosmium).
# National: a synthetic 5.1 M-segment network, 700,000 origins, 1,200 destinations
# (Scripts/make_national_network.py, generated once into BENCH_TMP), whole run and search alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bench_common.sh
ATLAS=${ATLAS:-$PWD/.build/release/atlas}
SHARED=${SHARED:-$PWD/../shared/data}
BENCH_TMP=${BENCH_TMP:-$(mktemp -d)}
POA=$SHARED/porto-alegre
out=$BENCH_TMP/access
mkdir -p "$out"

indicator_seconds() {  # runs atlas access with --timings, prints the indicator seconds
  "$ATLAS" access --timings "$@" 2>&1 >/dev/null | sed -n 's/.*indicator \([0-9.]*\) s.*/\1/p'
}

echo "access (indicator 3)"
for mode in walk car; do
  measure "atlas access poa $mode (whole run)" 3 "$ATLAS" access --network "$POA/poa_osm.pbf" \
    --destinations "$POA/poa_healthcare.geojson" --origins "$POA/poa_hexgrid.geojson" \
    --population-field population --areas "$POA/poa_districts.geojson" --area-id district \
    --mode "$mode" --out "$out/areas_$mode.geojson" --cells-out "$out/cells_$mode.geojson"
done
atlas_s=$(indicator_seconds --network "$POA/poa_osm.pbf" --destinations "$POA/poa_healthcare.geojson" \
  --origins "$POA/poa_hexgrid.geojson" --population-field population --mode walk --out "$out/t.geojson")
scipy_s=$(python3 Scripts/access_walk_check.py "$out/cells_walk.geojson" --time | tail -1)
ratio "access poa nearest" "$atlas_s" scipy "$scipy_s"
if python3 -c 'import pandana' 2>/dev/null; then
  pandana_s=$(python3 Scripts/access_walk_check.py "$out/cells_walk.geojson" --pandana 2>/dev/null | tail -1)
  ratio "access poa nearest" "$atlas_s" pandana "$pandana_s"
else
  echo "access poa nearest: pandana not installed" >&2
fi
python3 Scripts/access_walk_check.py "$out/cells_walk.geojson" | tail -1 | sed 's/^/access poa walk check: /'

national=$BENCH_TMP/national
if [ ! -f "$national/national_graph.npz" ]; then
  python3 Scripts/make_national_network.py "$national" >&2
fi
measure "atlas access national car (whole run)" 1 "$ATLAS" access --network "$national/national.osm.pbf" \
  --destinations "$national/national_destinations.geojson" --origins "$national/national_origins.geojson" \
  --population-field population --out "$out/national.geojson"
echo "  whole run under 30 s: $( (( $(echo "$BEST_SECONDS < 30" | bc -l) )) && echo yes || echo NO ), under 4 GB: $( (( PEAK_MB < 4096 )) && echo yes || echo NO )"
atlas_s=$(indicator_seconds --network "$national/national.osm.pbf" --destinations "$national/national_destinations.geojson" \
  --origins "$national/national_origins.geojson" --population-field population --out "$out/national.geojson")
scipy_s=$(python3 Scripts/make_national_network.py "$national" --scipy | tail -1)
ratio "access national nearest" "$atlas_s" scipy "$scipy_s"
