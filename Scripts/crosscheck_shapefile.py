#!/usr/bin/env python3
"""Cross-check an `atlas export` of a shapefile against what geopandas reads from it.

    atlas export ../shared/data/sweden/shp/kommun_cp1252.shp --out atlas_export.geojson
    python3 Scripts/crosscheck_shapefile.py atlas_export.geojson

geopandas (through GDAL) reads the shapefile, honouring its .cpg, and reprojects it to
WGS 84; the GeoJSON is read with the json module so that nothing in GDAL touches it. The
two must hold the same number of features, the same attribute values, and the same
vertices within 1e-6 degrees (ring orientation aside: RFC 7946 turns exteriors
counter-clockwise). Exits 1 and lists the first differences when they disagree.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import geopandas
from shapely.geometry import shape

DEFAULT_SHAPEFILE = Path(__file__).resolve().parents[2] / "shared/data/sweden/shp/kommun_cp1252.shp"
TOLERANCE = 1e-6


def parts(geometry):
    """A geometry as a list of parts, each a list of coordinate sequences (a polygon's rings,
    a line, a point)."""
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type.startswith("Multi") or geometry.geom_type == "GeometryCollection":
        return [part for g in geometry.geoms for part in parts(g)]
    if geometry.geom_type == "Polygon":
        return [[list(geometry.exterior.coords)] + [list(r.coords) for r in geometry.interiors]]
    return [[list(geometry.coords)]]


def sequence_difference(a, b):
    """Largest per-axis vertex difference (degrees) between two sequences; a closed ring
    may also match reversed, since RFC 7946 and shapefiles orient rings oppositely."""
    if len(a) != len(b):
        return math.inf
    def gap(other):
        return max(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(a, other))
    closed = len(a) > 3 and a[0] == a[-1]
    return min(gap(b), gap(list(reversed(b)))) if closed else gap(b)


def same_value(expected, actual):
    missing = expected is None or (isinstance(expected, float) and math.isnan(expected))
    if missing:
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(float(expected), float(actual), rel_tol=1e-12, abs_tol=1e-12)
    return str(expected) == actual


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", help="GeoJSON written by `atlas export`")
    parser.add_argument("--shapefile", default=str(DEFAULT_SHAPEFILE), help="the shapefile it was exported from")
    args = parser.parse_args()

    expected = geopandas.read_file(args.shapefile).to_crs(4326)
    with open(args.export, encoding="utf-8") as f:
        exported = json.load(f)["features"]

    problems = []
    if len(expected) != len(exported):
        problems.append(f"feature count: geopandas {len(expected)}, atlas {len(exported)}")

    columns = [c for c in expected.columns if c != "geometry"]
    attribute_mismatches = 0
    worst = 0.0
    vertices = 0
    for i, (row, feature) in enumerate(zip(expected.itertuples(index=False), exported)):
        properties = feature.get("properties") or {}
        for column in columns:
            value = getattr(row, column)
            if column not in properties:
                attribute_mismatches += 1
                problems.append(f"feature {i + 1}: no property '{column}'")
            elif not same_value(value, properties[column]):
                attribute_mismatches += 1
                problems.append(f"feature {i + 1}: {column} = {value!r} in geopandas, {properties[column]!r} in atlas")

        want = parts(row.geometry)
        got = parts(shape(feature["geometry"])) if feature.get("geometry") else []
        if [len(p) for p in want] != [len(p) for p in got]:
            problems.append(f"feature {i + 1}: sequences per part {[len(p) for p in want]} vs {[len(p) for p in got]}")
            continue
        for part_want, part_got in zip(want, got):
            for sequence_want, sequence_got in zip(part_want, part_got):
                difference = sequence_difference(sequence_want, sequence_got)
                vertices += len(sequence_want)
                worst = max(worst, difference)
                if difference > TOLERANCE:
                    problems.append(
                        f"feature {i + 1}: {len(sequence_want)} vertices vs {len(sequence_got)},"
                        f" largest gap {difference:.3g}°")

    print(f"shapefile: {args.shapefile} ({len(expected)} features, columns {', '.join(columns)})")
    print(f"export:    {args.export} ({len(exported)} features)")
    print(f"attributes compared: {len(columns) * min(len(expected), len(exported))}, mismatches: {attribute_mismatches}")
    print(f"vertices compared: {vertices}, largest difference: {worst:.2e}° (tolerance {TOLERANCE:g}°)")
    if problems:
        print(f"MISMATCH: {len(problems)} problem(s); the first ones:")
        for line in problems[:20]:
            print("  " + line)
        return 1
    print("OK: atlas and geopandas agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
