#!/usr/bin/env python3
"""Builds a synthetic national-size GTFS feed for benchmarks by replicating the Porto Alegre
EPTC feed: 13 spatial copies of its 3,986 stops (51,818 stops, each copy moved 0.5 degrees
east) and 154 copies of its 2,374 trips (20,022,926 stop_times, about 1 GB uncompressed).
Trip copy k runs over stop copy k % 13, shifted by (k // 13 - 6) hours, so the departures
spread over the day. stop_times.txt stays sorted by trip, as real feeds are.

Usage: Scripts/make_national_feed.py OUT.zip [--trip-copies N]
"""
import argparse
import csv
import io
import os
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "../shared/data/porto-alegre/poa_eptc.zip")
STOP_COPIES = 13


def shifted(time, seconds):
    if not time:
        return ""
    h, m, s = (int(x) for x in time.split(":"))
    t = h * 3600 + m * 60 + s + seconds
    return f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--trip-copies", type=int, default=154)
    args = parser.parse_args()
    with zipfile.ZipFile(SOURCE) as z:
        read = lambda name: list(csv.reader(io.TextIOWrapper(z.open(name), encoding="utf-8-sig")))
        stops, trips, stop_times = read("stops.txt"), read("trips.txt"), read("stop_times.txt")
        copied = {name: z.read(name) for name in ["agency.txt", "routes.txt", "calendar.txt", "calendar_dates.txt"]}

    tmp = args.out + ".part"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for name, data in copied.items():
            out.writestr(name, data)
        header = stops[0]
        sid, lat, lon = header.index("stop_id"), header.index("stop_lat"), header.index("stop_lon")
        with out.open("stops.txt", "w", force_zip64=True) as f:
            w = io.TextIOWrapper(f, encoding="utf-8", newline="")
            cw = csv.writer(w, lineterminator="\n")
            cw.writerow(header)
            for c in range(STOP_COPIES):
                for row in stops[1:]:
                    row = list(row)
                    row[sid] = f"c{c}_{row[sid]}"
                    row[lon] = f"{float(row[lon]) + 0.5 * c:.6f}"
                    cw.writerow(row)
            w.flush()
            w.detach()
        th = trips[0]
        tid = th.index("trip_id")
        with out.open("trips.txt", "w", force_zip64=True) as f:
            w = io.TextIOWrapper(f, encoding="utf-8", newline="")
            cw = csv.writer(w, lineterminator="\n")
            cw.writerow(th)
            for k in range(args.trip_copies):
                for row in trips[1:]:
                    row = list(row)
                    row[tid] = f"k{k}_{row[tid]}"
                    cw.writerow(row)
            w.flush()
            w.detach()
        sh = stop_times[0]
        t, a, d, s, q = (sh.index(n) for n in ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"])
        rows = stop_times[1:]
        with out.open("stop_times.txt", "w", force_zip64=True) as f:
            f.write(b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n")
            for k in range(args.trip_copies):
                c, shift = k % STOP_COPIES, (k // STOP_COPIES - 6) * 3600
                lines = [f"k{k}_{r[t]},{shifted(r[a], shift)},{shifted(r[d], shift)},c{c}_{r[s]},{r[q]}\n" for r in rows]
                f.write("".join(lines).encode())
    os.replace(tmp, args.out)
    print(f"{args.out}: {STOP_COPIES * (len(stops) - 1)} stops, {args.trip_copies * (len(trips) - 1)} trips, "
          f"{args.trip_copies * len(rows)} stop_times")


if __name__ == "__main__":
    main()
