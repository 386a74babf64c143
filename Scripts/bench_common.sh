# Shared by the Scripts/bench_*.sh parts: run a command several times and report the best
# wall time and the peak resident memory (from /usr/bin/time -v).
# measure LABEL RUNS CMD... → sets BEST_SECONDS and PEAK_MB, prints one line.
measure() {
  local label=$1 runs=$2
  shift 2
  BEST_SECONDS=""
  PEAK_MB=0
  for _ in $(seq "$runs"); do
    local log
    log=$(mktemp)
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; echo "$label: command failed" >&2; return 1; }
    end=$(date +%s.%N)
    local seconds kb
    seconds=$(echo "$end - $start" | bc -l)
    kb=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
    rm -f "$log"
    if [ -z "$BEST_SECONDS" ] || (( $(echo "$seconds < $BEST_SECONDS" | bc -l) )); then BEST_SECONDS=$seconds; fi
    local mb=$(( kb / 1024 ))
    (( mb > PEAK_MB )) && PEAK_MB=$mb
  done
  printf '  %-44s %8.3f s  %6d MB peak\n' "$label" "$BEST_SECONDS" "$PEAK_MB"
}

# ratio NAME ATLAS_SECONDS PEER_NAME PEER_SECONDS → prints "NAME: atlas X s, PEER Y s, ratio Z×".
ratio() {
  printf '%s: atlas %.3f s, %s %.3f s, ratio %.2fx\n' "$1" "$2" "$3" "$4" "$(echo "$4 / $2" | bc -l)"
}
