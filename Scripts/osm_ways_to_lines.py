#!/usr/bin/env python3
"""Writes the walkable roads of an OSM PBF as a GeoJSON line layer with one line per way,
never split at junctions: the shape of an NVDB export or a municipal road layer, for
checking that `atlas access --network LINES` nodes lines at the vertices they share.

The walk rules are those of access_walk_check.py (the rules in TravelProfile.swift). A way
whose nodes are not all in the file is cut where they are missing, as atlas's PBF reader does.

Usage: osm_ways_to_lines.py IN.osm.pbf OUT.geojson
"""
import json
import sys

import osmium

from access_walk_check import walkable


class Lines(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.features = []

    def way(self, w):
        if len(w.nodes) < 2 or not walkable({t.k: t.v for t in w.tags}):
            return
        run = []
        for n in list(w.nodes) + [None]:
            if n is not None and n.location.valid():
                point = [round(n.location.lon, 7), round(n.location.lat, 7)]
                if not run or run[-1] != point:
                    run.append(point)
                continue
            if len(run) >= 2:
                self.features.append({
                    "type": "Feature",
                    "properties": {"osm_id": w.id, "highway": w.tags.get("highway")},
                    "geometry": {"type": "LineString", "coordinates": run},
                })
            run = []


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lines = Lines()
    lines.apply_file(sys.argv[1], locations=True)
    with open(sys.argv[2], "w") as out:
        json.dump({"type": "FeatureCollection", "features": lines.features}, out)
    print(f"{len(lines.features)} lines")


if __name__ == "__main__":
    main()
