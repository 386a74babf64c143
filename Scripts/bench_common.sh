# Shared by the Scripts/bench_*.sh parts: run a command several times and report the best
# wall time and the peak resident memory (from /usr/bin/time -v), and collect one summary row
# per benchmark in $BENCH_TMP/summary.tsv, which Scripts/bench prints as a table at the end.

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

# is_less A B → exit status 0 when A < B (decimal numbers).
is_less() { (( $(echo "$1 < $2" | bc -l) )); }

# summary_row NAME ATLAS PEER RATIO GOAL MET → appends one row of the summary table. ATLAS and
# PEER are free text (seconds, memory); GOAL is what the benchmark aims at ("" for none), MET
# "yes", "NO" or "–".
summary_row() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"${BENCH_TMP:?}/summary.tsv"
}

# ratio NAME ATLAS_SECONDS PEER_NAME PEER_SECONDS [ATLAS_MB [MIN_RATIO]]
# → prints "NAME: atlas X s, PEER Y s, ratio Z×" and records a summary row; with MIN_RATIO the
# goal is a ratio of at least MIN_RATIO.
ratio() {
  local name=$1 a=$2 peer=$3 p=$4 mb=${5:-} goal=${6:-}
  local r
  r=$(echo "$p / $a" | bc -l)
  printf '%s: atlas %.3f s, %s %.3f s, ratio %.2fx\n' "$name" "$a" "$peer" "$p" "$r"
  local atlas_text peer_text met="–" goal_text=""
  atlas_text=$(printf '%.3f s' "$a")
  [ -n "$mb" ] && atlas_text="$atlas_text, $mb MB"
  peer_text=$(printf '%s %.3f s' "$peer" "$p")
  if [ -n "$goal" ]; then
    goal_text="≥ ${goal}×"
    if is_less "$r" "$goal"; then met=NO; else met=yes; fi
  fi
  summary_row "$name" "$atlas_text" "$peer_text" "$(printf '%.2f×' "$r")" "$goal_text" "$met"
}

# goal NAME SECONDS MAX_SECONDS [PEAK_MB MAX_MB] → prints and records a benchmark that has a goal
# of its own and no peer.
goal() {
  local name=$1 s=$2 max_s=$3 mb=${4:-} max_mb=${5:-}
  local met=yes goal_text="< ${max_s} s" atlas_text
  is_less "$s" "$max_s" || met=NO
  atlas_text=$(printf '%.3f s' "$s")
  if [ -n "$mb" ]; then
    atlas_text="$atlas_text, $mb MB"
    if [ -n "$max_mb" ]; then
      goal_text="$goal_text, < ${max_mb} MB"
      (( mb < max_mb )) || met=NO
    fi
  fi
  printf '%s: atlas %s (goal %s: %s)\n' "$name" "$atlas_text" "$goal_text" "$met"
  summary_row "$name" "$atlas_text" "–" "–" "$goal_text" "$met"
}
