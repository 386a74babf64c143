#!/usr/bin/env bash
# Renders the first screen of an area report to a PNG with headless Chromium, to check how
# it looks. With no report given, makes a sample from real data first: the 21 counties with
# Kolada's share of children in economically vulnerable households (N02904) for every year
# 2007–2021 (share_2007 … share_2021, and the plain mean of the counties as a reference
# series in "atlas:references"), and the share aged 65+ per DeSO in Falun.
#
#   Scripts/screenshot_report.sh                      # sample report → atlas-out/report-sample.{html,png}
#   Scripts/screenshot_report.sh report.html [out.png] [WIDTHxHEIGHT]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${ATLAS_SHARED_DATA:-$root/../shared/data}"
size="${3:-1280x900}"

source "$root/Scripts/screenshot_common.sh"
needs chromium:chromium

if [ $# -ge 1 ]; then
    report="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    png="${2:-${report%.html}.png}"
else
    out="$root/atlas-out"
    mkdir -p "$out"
    report="$out/report-sample.html"
    png="$out/report-sample.png"
    atlas=$(debug_atlas "$root")

    # Kolada region 0004 is SCB county 04: join every year's value as a 0–1 share. The file
    # has no national row, so the reference is the plain mean of the counties, named so.
    python3 - "$data" "$out/lan_kolada_2007-2021.geojson" <<'PY'
import csv, json, sys
data, target = sys.argv[1], sys.argv[2]
counties = json.load(open(f"{data}/sweden/lan_wgs84.geojson", encoding="utf-8"))
share = {}
with open(f"{data}/sweden/kolada_N02904_lan_2007-2021.csv", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        share.setdefault(row["municipality_id"][2:], {})[row["year"]] = float(row["value"]) / 100
years = sorted({year for values in share.values() for year in values})
for feature in counties["features"]:
    values = share.get(feature["properties"]["lan_kod"], {})
    for year in years:
        feature["properties"][f"share_{year}"] = values.get(year)
    feature["properties"]["share"] = values.get(years[-1])
mean = {year: sum(v[year] for v in share.values()) / len(share) for year in years}
counties["atlas:references"] = [{"id": "medel", "name": "Medel av länen (ovägt)", "values": mean}]
json.dump(counties, open(target, "w", encoding="utf-8"), ensure_ascii=False)
PY

    "$atlas" report \
        --layer "$out/lan_kolada_2007-2021.geojson" --value share --id lan_kod --name lan \
        --section-title "Barn i ekonomiskt utsatta hushåll 2007–2021" \
        --definition "Andel invånare 0–19 år som bor i hushåll med låg inkomststandard eller som får försörjningsstöd." \
        --sources "Kolada, nyckeltal N02904 (RKA, från SCB); länsgränser från SCB." \
        --format percent \
        --layer "$data/falun/falun_deso_2025_pop2024.geojson" --value andel_65_plus_2024 --id desokod --name "" \
        --section-title "Andel 65 år och äldre, Falun" \
        --definition "Andel av befolkningen per DeSO som är 65 år eller äldre, 31 december 2024." \
        --sources "SCB, folkmängd per DeSO 2024; DeSO-gränser 2025 från SCB." \
        --format percent --columns "" --columns befolkning_2024 \
        --title "Områdesrapport" --place "Sveriges län och Falu kommun" \
        --out "$report"
fi

render "$report" "$png" "$size"
