#!/usr/bin/env bash
# Benchmarks of `atlas access --mode transit`, called by Scripts/bench (which sets ATLAS,
# SHARED, BENCH_TMP); runs alone too after `swift build -c release`.
#
# - Porto Alegre, the two hospitals as destinations (journeys long enough to ride and change),
#   every minute 12:00-13:00 on 2019-05-15, all 1,227 hexagons: atlas against the independent
#   per-query search of Scripts/transit_access_crosscheck.py (a forward Connection Scan per
#   origin and minute in Python) on the same timetable and walking times, per query (one
#   origin, one departure minute). Timed on the Python side: the scans alone, not reading the
#   feeds or the walk network and its Dijkstra searches. On the atlas side: the profile scan
#   plus the origins step (the part that answers the queries; its walking links, the
#   counterpart of the Python Dijkstra searches, are shown apart), and the whole run.
#   The check's agreement is printed too.
# - County size (Scripts/make_transit_access_cases.py county: 3,986 stops, 520,076 stop times,
#   20,000 origins, 117 destinations, the Porto Alegre walk network), a two-hour window
#   12:00-14:00: the whole run against the goals of under 10 s and under 2 GB on 2 cores.
# - National (make_transit_access_cases.py national: the 20-million-stop-time feed of
#   Scripts/make_national_feed.py, 13 copies of the walk network, 100,000 origins), one hour
#   12:00-13:00: the whole run against the goal of under 2 minutes. TRANSIT_NATIONAL=0 skips it.
# Each line gives atlas's steps (--timings): reading the feeds and the network, the timetable,
# the walking links (per-stop searches), the profile scan, the origins. The machine may be
# shared: note the load average printed at the start.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/bench_common.sh
ATLAS=${ATLAS:-$PWD/.build/release/atlas}
SHARED=${SHARED:-$PWD/../shared/data}
BENCH_TMP=${BENCH_TMP:-$(mktemp -d)}
runs=${BENCH_RUNS:-3}
national_runs=${BENCH_RUNS:-1}
POA=$SHARED/porto-alegre
out=$BENCH_TMP/transit_access
mkdir -p "$out"

timing_line() { "$ATLAS" access --timings "$@" 2>&1 >/dev/null | grep '^timing:' || { echo "atlas access failed" >&2; return 1; }; }
stage() { sed -n "s/.*[(,] $1 \([0-9.]*\) s.*/\1/p"; }
# whole_run LABEL RUNS ARGS… → best wall time (BEST_SECONDS), peak memory (PEAK_MB) and the
# timing line of the best run, from the same runs.
whole_run() {
  local label=$1 n=$2 log start end seconds kb line best_line=""
  shift 2
  BEST_SECONDS="" PEAK_MB=0
  for _ in $(seq "$n"); do
    log=$(mktemp)
    start=$(date +%s.%N)
    /usr/bin/time -v "$ATLAS" access --timings "$@" >/dev/null 2>"$log" || { cat "$log" >&2; return 1; }
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc -l)
    kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
    line=$(grep '^timing:' "$log")
    rm -f "$log"
    (( kb / 1024 > PEAK_MB )) && PEAK_MB=$((kb / 1024))
    if [ -z "$BEST_SECONDS" ] || (( $(echo "$seconds < $BEST_SECONDS" | bc -l) )); then BEST_SECONDS=$seconds best_line=$line; fi
  done
  printf '  %-52s %8.3f s  %6d MB peak\n' "$label" "$BEST_SECONDS" "$PEAK_MB"
  echo "    steps: ${best_line#timing: }"
}

echo "access --mode transit; load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

poa=(--mode transit --gtfs "$POA/poa_eptc.zip" --gtfs "$POA/poa_trensurb.zip" --date 2019-05-15
  --departure-window 12:00-13:00 --network "$POA/poa_osm.pbf" --destinations "$POA/poa_points_of_interest.csv"
  --destination-filter id=santa_casa_hospital --destination-filter id=moinhos_de_vento_hospital
  --origins "$POA/poa_hexgrid.geojson" --origin-id id --population-field population
  --minutes-csv "$out/poa_minutes.csv")
measure "atlas poa hospitals (whole run)" "$runs" "$ATLAS" access "${poa[@]}"
whole=$BEST_SECONDS
best_line="" best_answer=""
for _ in $(seq "$runs"); do
  line=$(timing_line "${poa[@]}")
  answer=$(echo "$(echo "$line" | stage "profile scan") + $(echo "$line" | stage origins)" | bc -l)
  if [ -z "$best_answer" ] || (( $(echo "$answer < $best_answer" | bc -l) )); then best_answer=$answer best_line=$line; fi
done
echo "  atlas: ${best_line#timing: }"
queries=$((1227 * 60))
# A disagreement stops the benchmark, with the check's report.
check=$(python3 Scripts/transit_access_crosscheck.py "$out/poa_minutes.csv" --hospitals --sample "${TRANSIT_SAMPLE:-10}" --time) || {
  echo "$check" | sed 's/^/  check: /'
  echo "transit access: atlas and the cross-check disagree on Porto Alegre" >&2
  exit 1
}
echo "$check" | sed -n '1,5p' | sed 's/^/  check: /'
python_query=$(echo "$check" | tail -1)
atlas_query=$(echo "$best_answer / $queries" | bc -l)
printf 'transit access per query (poa, one origin and minute): atlas %.2f us (profile scan + origins over 1227 x 60), python CSA %.2f ms, ratio %.0fx\n' \
  "$(echo "$atlas_query * 1000000" | bc -l)" "$(echo "$python_query * 1000" | bc -l)" "$(echo "$python_query / $atlas_query" | bc -l)"
printf 'transit access per query (poa, whole run incl. reading, walking links and writing): atlas %.2f us, ratio %.0fx\n' \
  "$(echo "$whole * 1000000 / $queries" | bc -l)" "$(echo "$python_query * $queries / $whole" | bc -l)"

county=$BENCH_TMP/transit_county
[ -f "$county/feed.zip" ] || python3 Scripts/make_transit_access_cases.py county "$county" >&2
county_args=(--mode transit --gtfs "$county/feed.zip" --date 2019-05-15 --departure-window 12:00-14:00
  --network "$POA/poa_osm.pbf" --destinations "$county/destinations.geojson" --origins "$county/origins.geojson"
  --population-field population --out "$out/county_areas.geojson" --cells-out "$out/county_cells.geojson")
whole_run "atlas county (520k stop times, 20k origins, 2 h)" "$runs" "${county_args[@]}"
county_s=$BEST_SECONDS county_mb=$PEAK_MB
echo "  goals: under 10 s: $( (( $(echo "$county_s < 10" | bc -l) )) && echo yes || echo NO ), under 2 GB: $( (( county_mb < 2048 )) && echo yes || echo NO )"

if [ "${TRANSIT_NATIONAL:-1}" != 0 ]; then
  national=$BENCH_TMP/transit_national
  [ -f "$national/network.osm.pbf" ] || python3 Scripts/make_transit_access_cases.py national "$national" >&2
  national_args=(--mode transit --gtfs "$national/feed.zip" --date 2019-05-15 --departure-window 12:00-13:00
    --network "$national/network.osm.pbf" --destinations "$national/destinations.geojson"
    --origins "$national/origins.geojson" --population-field population --out "$out/national_areas.geojson")
  whole_run "atlas national (20M stop times, 100k origins, 1 h)" "$national_runs" "${national_args[@]}"
  national_s=$BEST_SECONDS
  echo "  goal: under 2 minutes: $( (( $(echo "$national_s < 120" | bc -l) )) && echo yes || echo NO ), peak $PEAK_MB MB"
fi
