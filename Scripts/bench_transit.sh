#!/usr/bin/env bash
# Indicator 2: departures per stop on a date against gtfs-kit (Porto Alegre and a synthetic
# national feed of 20 million stop_times), and population near qualifying stops against
# geopandas (buffer + union + spatial join) on a synthetic grid of about 700,000 cells, timed
# as whole runs (reading, computing, writing) on both sides; atlas's steps are printed from
# --timings. The grid is also read as an SCB rutid CSV, on its own.
set -euo pipefail
here="$(dirname "$0")"
source "$here/bench_common.sh"
: "${ATLAS:?run through Scripts/bench}" "${SHARED:?}" "${BENCH_TMP:?}"
DATE=2019-05-15
national="$BENCH_TMP/national_feed.zip"
[ -f "$national" ] || python3 "$here/make_national_feed.py" "$national" >&2

echo "transit departures"
measure "atlas poa" 5 "$ATLAS" transit --gtfs "$SHARED/porto-alegre/poa_eptc.zip" --date $DATE \
  --departures-csv "$BENCH_TMP/poa_departures.csv" --quiet
a=$BEST_SECONDS
measure "gtfs-kit poa" 3 python3 "$here/bench_transit_peers.py" departures "$SHARED/porto-alegre/poa_eptc.zip" $DATE
ratio "transit departures poa" "$a" "gtfs-kit" "$BEST_SECONDS"

measure "atlas national (20 M stop_times)" 1 "$ATLAS" transit --gtfs "$national" --date $DATE \
  --departures-csv "$BENCH_TMP/national_departures.csv" --stops-out "$BENCH_TMP/national_stops.geojson" --quiet
a=$BEST_SECONDS
echo "  atlas national peak memory: $PEAK_MB MB (goal: under 60 s and 4096 MB)"
# gtfs-kit holds the whole feed in pandas; it may run out of memory or time on this machine.
if measure "gtfs-kit national" 1 timeout 1800 python3 "$here/bench_transit_peers.py" departures "$national" $DATE; then
  ratio "transit departures national" "$a" "gtfs-kit" "$BEST_SECONDS"
else
  printf 'transit departures national: atlas %.3f s, gtfs-kit did not finish (time or memory)\n' "$a"
fi

grid="$BENCH_TMP/national_grid.geojson"
areas="$BENCH_TMP/national_areas.geojson"
rutid="$BENCH_TMP/national_rutid"
if [ ! -f "$grid" ] || [ ! -f "${rutid}_grid.csv" ]; then
  python3 "$here/make_national_grid.py" "$BENCH_TMP/national_stops.geojson" "$grid" "$areas" --rutid "$rutid" >&2
fi
# near_args STOPS GRID AREAS OUT → the arguments of atlas transit for population near stops.
near_args() {
  args=(transit --stops "$1" --departures-field departures --min-departures 14 --population "$2"
    --population-field pop --areas "$3" --area-id area --out "$4")
}
# steps ARGS... → atlas's own seconds per step (reading each layer, projecting, indexing,
# distance tests, area assignment, fingerprints, writing), from one more run with --timings.
steps() { "$ATLAS" "$@" --timings 2>&1 >/dev/null | sed -n 's/^timing: /  atlas steps: /p'; }

echo "transit population near"
near_args "$BENCH_TMP/national_stops.geojson" "$grid" "$areas" "$BENCH_TMP/national_near.geojson"
measure "atlas" 3 "$ATLAS" "${args[@]}" --quiet
a=$BEST_SECONDS
a_mb=$PEAK_MB
steps "${args[@]}"
measure "geopandas (buffer, union, sjoin)" 1 python3 "$here/bench_transit_peers.py" near \
  "$BENCH_TMP/national_stops.geojson" "$grid" "$areas"
ratio "transit population near national grid" "$a" "geopandas" "$BEST_SECONDS" "$a_mb" 10
goal "transit population near national grid, whole run" "$a" 2 "$a_mb"

# The same cells as an SCB rutid CSV in SWEREF 99 TM (the stops and areas moved alike): what
# reading the population costs in that form, and the cells need no projecting.
near_args "${rutid}_stops.geojson" "${rutid}_grid.csv" "${rutid}_areas.geojson" "$BENCH_TMP/national_near_rutid.geojson"
measure "atlas, population from a rutid CSV" 3 "$ATLAS" "${args[@]}" --quiet
steps "${args[@]}"
goal "transit population near national grid, rutid CSV" "$BEST_SECONDS" 2 "$PEAK_MB"
