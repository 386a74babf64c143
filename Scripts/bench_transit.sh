#!/usr/bin/env bash
# Indicator 2: departures per stop on a date against gtfs-kit (Porto Alegre and a synthetic
# national feed of 20 million stop_times), and population near qualifying stops against
# geopandas (buffer + union + spatial join) on a synthetic grid of about 700,000 cells.
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
[ -f "$grid" ] || python3 "$here/make_national_grid.py" "$BENCH_TMP/national_stops.geojson" "$grid" "$areas" >&2
echo "transit population near"
measure "atlas" 1 "$ATLAS" transit --stops "$BENCH_TMP/national_stops.geojson" --departures-field departures \
  --min-departures 14 --population "$grid" --population-field pop --areas "$areas" --area-id area \
  --out "$BENCH_TMP/national_near.geojson" --quiet
a=$BEST_SECONDS
measure "geopandas (buffer, union, sjoin)" 1 python3 "$here/bench_transit_peers.py" near \
  "$BENCH_TMP/national_stops.geojson" "$grid" "$areas"
ratio "transit population near national grid" "$a" "geopandas" "$BEST_SECONDS"
