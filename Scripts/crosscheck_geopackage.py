#!/usr/bin/env python3
"""Cross-check the GeoPackages atlas writes against GDAL and geopandas.

    swift build --product atlas
    python3 Scripts/crosscheck_geopackage.py [--atlas .build/debug/atlas]

atlas writes four layers with `atlas export` into a temporary folder: the Dalarna DeSO in
SWEREF 99 TM, the 1 km grid in WGS 84, the zipped Windows-1252 municipalities (polygons and
multipolygons: a MULTIPOLYGON layer) and, into a copy of GDAL's three-layer dalarna.gpkg,
Falun's care points in place of the Dalarna ones. For each layer:

- `ogrinfo -ro -so` must open it without a warning or error and report the feature count,
  geometry type and EPSG code atlas meant to write;
- geopandas (pyogrio, its own GDAL) must read the same features, attribute values and CRS as
  geopandas reads from the source shapefile (reprojected the same way), vertices within 1e-6
  (metres or degrees);
- `ogrinfo -spat` (GDAL's spatial filter, through the R-tree) must find the features a scan of
  the source finds in a window of half the extent around the median feature;
- `PRAGMA integrity_check` must say ok, and GDAL's validate_gpkg.py (from the gdal-utils
  package, `pip install --no-deps gdal-utils`) must find nothing, when it is installed.

The layers GDAL wrote beside the replaced one must still read as before. Prints one line per
check and exits 1 when any disagrees.
"""

import argparse
import math
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas
from shapely.geometry import box

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared/data"
TOLERANCE = 1e-6


def parts(geometry):
    """A geometry as its polygons' rings, lines or points: a one-part multipolygon and the
    polygon it was promoted from compare equal."""
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type.startswith("Multi") or geometry.geom_type == "GeometryCollection":
        return [part for g in geometry.geoms for part in parts(g)]
    if geometry.geom_type == "Polygon":
        return [[list(geometry.exterior.coords)] + [list(r.coords) for r in geometry.interiors]]
    return [[list(geometry.coords)]]


def largest_gap(a, b):
    pa, pb = parts(a), parts(b)
    if len(pa) != len(pb):
        return math.inf
    worst = 0.0
    for x, y in zip(pa, pb):
        if len(x) != len(y):
            return math.inf
        for s, t in zip(x, y):
            if len(s) != len(t):
                return math.inf
            for p, q in zip(s, t):
                worst = max(worst, abs(p[0] - q[0]), abs(p[1] - q[1]))
    return worst


def same_value(expected, actual):
    def missing(v):
        return v is None or (isinstance(v, float) and math.isnan(v))
    if missing(expected) or missing(actual):
        return missing(expected) and missing(actual)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(float(expected), float(actual), rel_tol=1e-12, abs_tol=1e-12)
    return str(expected) == str(actual)


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            self.failures += 1


def ogrinfo(path, layer):
    result = subprocess.run(["ogrinfo", "-ro", "-so", str(path), layer], capture_output=True, text=True)
    text = result.stdout + result.stderr
    count = re.search(r"Feature Count: (\d+)", text)
    geometry = re.search(r"Geometry: (.+)", text)
    epsg = re.findall(r'ID\["EPSG",(\d+)\]\]\s*$', result.stdout.split("Data axis")[0], re.M)
    complaints = [line for line in text.splitlines() if line.startswith(("ERROR", "Warning"))]
    return {
        "status": result.returncode,
        "count": int(count.group(1)) if count else None,
        "geometry": geometry.group(1).strip() if geometry else None,
        "epsg": int(epsg[-1]) if epsg else None,
        "complaints": complaints,
    }


def compare_layer(report, gpkg, layer, source, epsg, geometry_name):
    label = f"{gpkg.name}|layername={layer}"
    info = ogrinfo(gpkg, layer)
    report.check(info["status"] == 0 and not info["complaints"],
                 f"{label}: ogrinfo opens it cleanly {info['complaints'] or ''}")
    expected = geopandas.read_file(source)
    expected = expected if expected.crs.to_epsg() == epsg else expected.to_crs(epsg)
    report.check(info["count"] == len(expected), f"{label}: ogrinfo counts {info['count']} features, the source has {len(expected)}")
    report.check(info["geometry"] == geometry_name, f"{label}: ogrinfo reports geometry {info['geometry']!r}")
    report.check(info["epsg"] == epsg, f"{label}: ogrinfo reports EPSG:{info['epsg']}")

    written = geopandas.read_file(gpkg, layer=layer)
    report.check(written.crs is not None and written.crs.to_epsg() == epsg, f"{label}: geopandas reads EPSG:{written.crs.to_epsg()}")
    columns = [c for c in expected.columns if c != "geometry"]
    report.check(list(written.columns) == columns + ["geometry"], f"{label}: geopandas reads the columns {columns}")
    mismatches = 0
    worst = 0.0
    for (_, a), (_, b) in zip(expected.iterrows(), written.iterrows()):
        mismatches += sum(not same_value(a[c], b.get(c)) for c in columns)
        worst = max(worst, largest_gap(a.geometry, b.geometry))
    report.check(len(written) == len(expected) and mismatches == 0,
                 f"{label}: geopandas reads {len(written)} features, {mismatches} attribute values differ")
    report.check(worst <= TOLERANCE, f"{label}: largest vertex difference {worst:.3g}")

    # GDAL's spatial filter goes through the R-tree: it must find the features a scan finds.
    minx, miny, maxx, maxy = expected.total_bounds
    centres = expected.geometry.representative_point()
    cx, cy, w, h = centres.x.median(), centres.y.median(), (maxx - minx) / 4, (maxy - miny) / 4
    window = (cx - w, cy - h, cx + w, cy + h)
    result = subprocess.run(["ogrinfo", "-ro", "-q", "-spat", *map(str, window), str(gpkg), layer],
                            capture_output=True, text=True)
    filtered = len(re.findall(r"^OGRFeature\(", result.stdout, re.M))
    scanned = int(expected.intersects(box(*window)).sum())
    report.check(result.returncode == 0 and filtered == scanned and scanned > 0,
                 f"{label}: ogrinfo -spat finds {filtered} features in half the extent around the median feature, a scan {scanned}")


def check_file(report, gpkg):
    connection = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    report.check(integrity == "ok", f"{gpkg.name}: PRAGMA integrity_check says {integrity}")
    report.check(application_id == 0x47504B47 and version >= 10200,
                 f"{gpkg.name}: application_id 0x{application_id:08X}, user_version {version}")
    try:
        from osgeo_utils.samples import validate_gpkg
    except ImportError:
        print(f"skip  {gpkg.name}: validate_gpkg.py (pip install --no-deps gdal-utils)")
        return
    errors = validate_gpkg.check(str(gpkg), abort_at_first_error=False, extra_checks=True,
                                 warning_msg=False, warning_as_error=True)
    report.check(not errors, f"{gpkg.name}: GDAL's validate_gpkg.py (warnings as errors) finds {errors or 'nothing'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atlas", default=str(ROOT / ".build/debug/atlas"), help="the atlas executable")
    args = parser.parse_args()
    report = Report()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        made = folder / "atlas.gpkg"
        copy = folder / "dalarna.gpkg"
        shutil.copy(SHARED / "dalarna/gpkg/dalarna.gpkg", copy)
        copy.chmod(0o644)
        exports = [
            (SHARED / "dalarna/shp/deso_2025_dalarna.shp", made, "deso", 3006, "Polygon"),
            (SHARED / "dalarna/shp/befolkning_1km_2025.shp", made, "grid", 4326, "Polygon"),
            (SHARED / "sweden/kommun_cp1252_shp.zip", made, "kommun", 3006, "Multi Polygon"),
            (SHARED / "falun/shp/falun_vard.shp", copy, "vardcentraler_sjukhus", 3006, "Point"),
        ]
        for source, gpkg, layer, epsg, _ in exports:
            subprocess.run([args.atlas, "export", str(source), "--out", f"{gpkg}|layername={layer}",
                            "--out-crs", f"EPSG:{epsg}", "--quiet"], check=True)
        for source, gpkg, layer, epsg, geometry in exports:
            compare_layer(report, gpkg, layer, source, epsg, geometry)
        # GDAL's own layers beside the replaced one, as GDAL wrote them.
        for layer, source in [("deso_2025", "deso_2025_dalarna.shp"), ("befolkning_1km_2025", "befolkning_1km_2025.shp")]:
            compare_layer(report, copy, layer, SHARED / "dalarna/shp" / source, 3006, "Polygon")
        for gpkg in (made, copy):
            check_file(report, gpkg)
    print(f"{report.failures} failed" if report.failures else "all checks agree")
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
