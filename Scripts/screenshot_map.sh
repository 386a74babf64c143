#!/usr/bin/env bash
# Renders a map page (atlas map, or map.html from atlas build) to a PNG with headless Chromium,
# the network blocked, to look at it. With no page given, makes a sample from real data first:
# the share aged 65+ per Dalarna DeSO (DeSO under 1,500 residents withheld, drawn hatched) and
# per DeSO in Falun.
#
#   Scripts/screenshot_map.sh                          # sample → atlas-out/map-sample.{html,png}
#   Scripts/screenshot_map.sh map.html [out.png] [WIDTHxHEIGHT]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ATLAS_SHARED_DATA:-$root/../shared/data}"
size="${3:-1200x850}"

source "$root/Scripts/screenshot_common.sh"
needs chromium:chromium libjs-leaflet:"${ATLAS_LEAFLET_DIR:-/usr/share/javascript/leaflet}/leaflet.js"

if [ $# -ge 1 ]; then
    page="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    png="${2:-${page%.html}.png}"
else
    out="$root/atlas-out"
    mkdir -p "$out"
    page="$out/map-sample.html"
    png="$out/map-sample.png"
    atlas=$(debug_atlas "$root")
    "$atlas" lowincome --quiet --areas "$data/dalarna/deso_2025_dalarna.geojson" --area-id desokod \
        --stats "$data/dalarna/deso_befolkning_2024.csv" --stats-id desokod \
        --count befolkning_65_plus_2024 --total befolkning_2024 --min-total 1500 \
        --classes 5 --scheme jenks --out "$out/aged_deso.geojson"
    "$atlas" map "$out/aged_deso.geojson" "$data/falun/falun_deso_2025_pop2024.geojson" \
        --value share --value andel_65_plus_2024 --title "Andel 65 år och äldre per DeSO" --out "$page"
fi

render "$page" "$png" "$size"
