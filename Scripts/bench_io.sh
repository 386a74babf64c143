#!/usr/bin/env bash
# GeoJSON reading and writing throughput: atlas export --timings (reading, transforming,
# fingerprinting and writing seconds and bytes) beside the machine's limits measured in the
# same run, `cat FILE > /dev/null` from the page cache for reading and dd of as many bytes for
# writing (with fsync, as atlas syncs its temporary file before renaming it into place), and
# beside simdjson parsing the same bytes on one core; then whole GeoJSON → GeoJSON conversions
# against ogr2ogr.
# Inputs: 700,000 squares of 250 m in WGS 84 (~150 MB, made once into BENCH_TMP with numpy and
# pyproj) and the Dalarna layers of ../shared/data.
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
: "${ATLAS:?run through Scripts/bench}" "${SHARED:?}" "${BENCH_TMP:?}"

work="$BENCH_TMP/io"
mkdir -p "$work"
cells="$work/cells700k.geojson"
if [ ! -s "$cells" ]; then
  echo "  making $cells …" >&2
  python3 - "$cells" <<'PY'
# 700 rows of 1,000 cells of 250 m in SWEREF 99 TM from (400000, 6700000), corners projected to
# WGS 84 and rounded to 6 decimals; each cell has an SCB-style rutid (SW corner), a seeded
# population (null where 0) and a full-precision share (up to 17 significant digits).
import sys
import numpy as np
from pyproj import Transformer
columns, rows, size = 1000, 700, 250.0
x0, y0 = 400_000.0, 6_700_000.0
j, i = np.divmod(np.arange(columns * rows), columns)
west, south = x0 + size * i, y0 + size * j
corners_x = np.stack([west, west + size, west + size, west, west], axis=1)
corners_y = np.stack([south, south, south + size, south + size, south], axis=1)
lon, lat = Transformer.from_crs(3006, 4326, always_xy=True).transform(corners_x, corners_y)
rng = np.random.default_rng(7946)
population = rng.integers(0, 60, len(west)).tolist()
share = (rng.random(len(west)) / 3).tolist()
# Positions as JSON text: 6 decimals without trailing zeros, as GeoJSON writers round them.
text = np.char.rstrip(np.char.rstrip(np.char.mod("%.6f", np.stack([lon, lat], axis=2)), "0"), ".")
positions = np.char.add(np.char.add(np.char.add("[", text[:, :, 0]), np.char.add(",", text[:, :, 1])), "]").tolist()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write('{"type":"FeatureCollection","features":[\n')
    for k in range(len(positions)):
        people = str(population[k]) if population[k] else "null"
        out.write(("," if k else "") + '{"type":"Feature","properties":{'
                  f'"rutid":"{int(west[k])}{int(south[k])}","befolkning":{people},"andel":{share[k]!r}}},'
                  f'"geometry":{{"type":"Polygon","coordinates":[[{",".join(positions[k])}]]}}}}\n')
    out.write("]}\n")
PY
fi

# The reading peer, simdjson on one core (Scripts/simdjson_peer.cpp): best DOM parse and
# On-Demand walk of FILE, as SIMDJSON_DOM_S and SIMDJSON_WALK_S.
peer="$work/simdjson_peer"
[ "$peer" -nt "$(dirname "$0")/simdjson_peer.cpp" ] ||
  g++ -O3 -march=native -std=c++17 "$(dirname "$0")/simdjson_peer.cpp" -lsimdjson -o "$peer"
simdjson_read() {
  local line
  line=$("$peer" "$1" 5)
  SIMDJSON_DOM_S=$(awk '{print $2}' <<<"$line")
  SIMDJSON_WALK_S=$(awk '{print $4}' <<<"$line")
}

# timing_field LINE NAME → the seconds of step NAME in an `atlas export --timings` line.
timing_field() { sed -n "s/.*$2 \([0-9.]*\) s.*/\1/p" <<<"$1"; }
# timing_bytes LINE NAME → the bytes of step NAME.
timing_bytes() { sed -n "s/.*$2 [0-9.]* s (\([0-9]*\) bytes).*/\1/p" <<<"$1"; }
# mb_per_s BYTES SECONDS → megabytes (10^6 bytes) per second.
mb_per_s() { echo "$1 / 1000000 / $2" | bc -l; }

# The best of RUNS `atlas export --timings` runs of INPUT to OUT, step by step: sets READ_S,
# WRITE_S, TRANSFORM_S, FINGERPRINT_S, READ_BYTES and WRITE_BYTES.
best_timings() {
  local input=$1 out=$2 runs=$3
  READ_S="" WRITE_S="" TRANSFORM_S="" FINGERPRINT_S=""
  for _ in $(seq "$runs"); do
    local line
    line=$("$ATLAS" export "$input" --out "$out" --timings 2>&1 | grep '^timing:')
    local r w t f
    r=$(timing_field "$line" reading); w=$(timing_field "$line" writing)
    t=$(timing_field "$line" transforming); f=$(timing_field "$line" fingerprinting)
    if [ -z "$READ_S" ] || is_less "$r" "$READ_S"; then READ_S=$r; fi
    if [ -z "$WRITE_S" ] || is_less "$w" "$WRITE_S"; then WRITE_S=$w; fi
    if [ -z "$TRANSFORM_S" ] || is_less "$t" "$TRANSFORM_S"; then TRANSFORM_S=$t; fi
    if [ -z "$FINGERPRINT_S" ] || is_less "$f" "$FINGERPRINT_S"; then FINGERPRINT_S=$f; fi
    READ_BYTES=$(timing_bytes "$line" reading)
    WRITE_BYTES=$(timing_bytes "$line" writing)
  done
  # A step below the clock's resolution still divides.
  is_less "$READ_S" 0.001 && READ_S=0.001
  is_less "$WRITE_S" 0.001 && WRITE_S=0.001
  return 0
}

# The limits: reading the file from the page cache (a warm-up read first; a small file is read
# as many times over as makes 64 MB in one cat, so that starting cat does not dominate), and
# writing as many bytes to a new file in the same folder, synced before dd exits.
limits() {
  local file=$1 bytes mib copies
  bytes=$(stat -L -c %s "$file")
  mib=$(( (bytes + 1048575) / 1048576 ))
  copies=$(( (64 * 1048576 + bytes - 1) / bytes ))
  local files=()
  for _ in $(seq "$copies"); do files+=("$file"); done
  cat "$file" >/dev/null
  measure "cat FILE > /dev/null (×$copies)" 5 sh -c 'cat "$@" > /dev/null' sh "${files[@]}"
  CAT_MBS=$(mb_per_s "$(( bytes * copies ))" "$BEST_SECONDS")
  measure "dd bs=1M count=$mib conv=fsync" 5 sh -c "rm -f '$work/dd.out' && dd if=/dev/zero of='$work/dd.out' bs=1M count=$mib conv=fsync status=none"
  DD_MBS=$(mb_per_s "$(( mib * 1048576 ))" "$BEST_SECONDS")
  rm -f "$work/dd.out"
}

# throughput_row NAME ATLAS_MBS LIMIT LIMIT_MBS → prints and records atlas's throughput as a
# fraction of the limit's; the goal is at least a third.
throughput_row() {
  local name=$1 atlas_mbs=$2 limit=$3 limit_mbs=$4
  local r met=yes
  r=$(echo "$atlas_mbs / $limit_mbs" | bc -l)
  is_less "$r" "$(echo "1 / 3" | bc -l)" && met=NO
  printf '%s: atlas %.1f MB/s, %s %.1f MB/s, %.2f of it (goal ≥ 1/3: %s)\n' "$name" "$atlas_mbs" "$limit" "$limit_mbs" "$r" "$met"
  summary_row "$name" "$(printf '%.1f MB/s' "$atlas_mbs")" "$(printf '%s %.1f MB/s' "$limit" "$limit_mbs")" \
    "$(printf '%.2f of %s' "$r" "$limit")" "≥ 1/3 of $limit" "$met"
}

# The throughput goals are the 700,000 polygons'. The Dalarna layers are small enough that a
# run's fixed costs show (contexts made, and before writing the check that up to 100,000
# polygons stay valid at the output precision), so their figures are printed beside the limits
# and compared with ogr2ogr as whole runs.
for input in "$cells" "$SHARED/dalarna/befolkning_1km_2025_dalarna.geojson" "$SHARED/dalarna/deso_2025_dalarna.geojson"; do
  name=$(basename "$input" .geojson)
  echo "GeoJSON throughput: $name ($(stat -L -c %s "$input") bytes)"
  limits "$input"
  out="$work/$name.atlas.geojson"
  best_timings "$input" "$out" 5
  read_mbs=$(mb_per_s "$READ_BYTES" "$READ_S")
  write_mbs=$(mb_per_s "$WRITE_BYTES" "$WRITE_S")
  printf '  %-44s %8.3f s  %8.1f MB/s  (cat %.1f MB/s)\n' "atlas reading" "$READ_S" "$read_mbs" "$CAT_MBS"
  printf '  %-44s %8.3f s\n' "atlas transforming" "$TRANSFORM_S"
  printf '  %-44s %8.3f s\n' "atlas fingerprinting (SHA-256)" "$FINGERPRINT_S"
  printf '  %-44s %8.3f s  %8.1f MB/s  (dd %.1f MB/s)\n' "atlas writing" "$WRITE_S" "$write_mbs" "$DD_MBS"
  peer_runs=5
  if [ "$input" = "$cells" ]; then
    # The fastest JSON parser here, one core, building no features: even both cores of it
    # would read at most twice its speed.
    simdjson_read "$input"
    dom_mbs=$(mb_per_s "$READ_BYTES" "$SIMDJSON_DOM_S")
    walk_mbs=$(mb_per_s "$READ_BYTES" "$SIMDJSON_WALK_S")
    printf '  %-44s %8.3f s  %8.1f MB/s  (%.2f of cat)\n' "simdjson DOM parse, one core" "$SIMDJSON_DOM_S" "$dom_mbs" "$(echo "$dom_mbs / $CAT_MBS" | bc -l)"
    printf '  %-44s %8.3f s  %8.1f MB/s  (%.2f of cat)\n' "simdjson On-Demand, every value, one core" "$SIMDJSON_WALK_S" "$walk_mbs" "$(echo "$walk_mbs / $CAT_MBS" | bc -l)"
    summary_row "GeoJSON read 700,000 polygons, against simdjson" "$(printf '%.1f MB/s, 2 cores' "$read_mbs")" \
      "$(printf 'simdjson DOM %.1f MB/s, 1 core' "$dom_mbs")" "$(printf '%.2f of simdjson' "$(echo "$read_mbs / $dom_mbs" | bc -l)")" "" "–"
    throughput_row "GeoJSON read, 700,000 polygons" "$read_mbs" "cat" "$CAT_MBS"
    throughput_row "GeoJSON write, 700,000 polygons" "$write_mbs" "dd" "$DD_MBS"
    goal "GeoJSON write 700,000 polygons" "$WRITE_S" 2
    peer_runs=3
  fi

  # Whole conversions, GeoJSON → RFC 7946 GeoJSON at 6 decimals, as processes.
  measure "atlas export" 5 "$ATLAS" export "$input" --out "$out" --quiet
  a=$BEST_SECONDS
  a_mb=$PEAK_MB
  measure "ogr2ogr -f GeoJSON -lco RFC7946=YES" "$peer_runs" sh -c "rm -f '$work/$name.ogr.geojson' && ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=6 '$work/$name.ogr.geojson' '$input'"
  ratio "GeoJSON → GeoJSON $name" "$a" "ogr2ogr" "$BEST_SECONDS" "$a_mb"
done
