#!/usr/bin/env python3
"""Independent count of departures per stop and hour with pandas, compared with
`atlas transit --departures-csv` for every stop, grouped by parent station and ungrouped.

The rule counted here is the one atlas documents (Sources/Atlas/Transit/Departures.swift):
a departure is a stop_time with pickup_type != 1 that is not the trip's last stop; stops
without times get one by linear interpolation in stop order between the neighbouring timed
stops, rounded down to the second; trips of service day D-k count at time - k*24h
(k = 0, 1, 2); frequencies.txt trips run at start, start + headway, ... < end.

Usage: Scripts/gtfs_departures_check.py [FEED] [DATE] [WINDOW]
  default: ../shared/data/porto-alegre/poa_eptc.zip 2019-05-15 06:00-20:00
  ATLAS=path/to/atlas overrides the binary (default .build/debug/atlas).
Exits 1 on any difference.
"""
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_feed(path):
    tables = {}
    if os.path.isdir(path):
        for name in os.listdir(path):
            if name.endswith(".txt"):
                tables[name[:-4]] = pd.read_csv(os.path.join(path, name), dtype=str, keep_default_na=False)
    else:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                base = name.rsplit("/", 1)[-1]
                if base.endswith(".txt") and not name.startswith("__MACOSX") and not base.startswith("._"):
                    tables[base[:-4]] = pd.read_csv(io.BytesIO(z.read(name)), dtype=str, keep_default_na=False,
                                                    encoding="utf-8-sig")
    for t in tables.values():
        t.columns = [c.strip() for c in t.columns]
    return tables


def seconds(text):
    text = text.strip()
    if not text:
        return -1
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def active_services(feed, date):
    day = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][date.weekday()]
    stamp = date.strftime("%Y%m%d")
    active = set()
    cal = feed.get("calendar")
    if cal is not None and len(cal):
        rows = cal[(cal[day] == "1") & (cal.start_date <= stamp) & (cal.end_date >= stamp)]
        active |= set(rows.service_id)
    dates = feed.get("calendar_dates")
    if dates is not None and len(dates):
        rows = dates[dates.date == stamp]
        active |= set(rows[rows.exception_type == "1"].service_id)
        active -= set(rows[rows.exception_type == "2"].service_id)
    return active


def departures(feed, date, window, grouping):
    start, end = (seconds(t + ":00") for t in window.split("-"))
    hours = (end - start + 3599) // 3600
    st = feed["stop_times"].copy()
    st["seq"] = st.stop_sequence.astype(int)
    st = st.sort_values(["trip_id", "seq"], kind="stable").reset_index(drop=True)
    dep = st.departure_time.map(seconds)
    arr = st.arrival_time.map(seconds) if "arrival_time" in st else dep
    st["t"] = dep.where(dep >= 0, arr)
    st["pos"] = st.groupby("trip_id").cumcount()
    timed = st.t >= 0
    st["t0"] = st.t.where(timed)
    st["p0"] = st.pos.where(timed)
    st["t1"], st["p1"] = st.t0, st.p0
    g = st.groupby("trip_id")
    st[["t0", "p0"]] = g[["t0", "p0"]].ffill()
    st[["t1", "p1"]] = g[["t1", "p1"]].bfill()
    gap = ~timed
    span = (st.p1 - st.p0)[gap]
    st.loc[gap, "t"] = st.t0[gap] + ((st.t1[gap] - st.t0[gap]) * (st.pos[gap] - st.p0[gap])) // span
    st["t"] = st.t.astype(int)
    last = g.pos.transform("max")
    # A frequency trip's stop times are offsets from its first stop's time.
    st["offset"] = st.t - g.t.transform("first")
    pickup = st.pickup_type if "pickup_type" in st else pd.Series("", index=st.index)
    st = st[(st.pos < last) & (pickup.str.strip() != "1")]
    freq = feed.get("frequencies")
    if freq is not None and len(freq):
        runs = []
        for row in freq.itertuples():
            s, e, h = seconds(row.start_time), seconds(row.end_time), int(row.headway_secs)
            runs += [(row.trip_id, r) for r in range(s, e, h)]
        runs = pd.DataFrame(runs, columns=["trip_id", "run"])
        expanded = st[st.trip_id.isin(runs.trip_id)].merge(runs, on="trip_id")
        expanded["t"] = expanded.run + expanded.offset
        st = pd.concat([st[~st.trip_id.isin(runs.trip_id)], expanded[st.columns]], ignore_index=True)
    trips = feed["trips"].set_index("trip_id")
    rows = []
    for back in range(3):
        services = active_services(feed, date - dt.timedelta(days=back))
        running = set(trips.index[trips.service_id.isin(services)])
        sel = st[st.trip_id.isin(running)]
        t = sel.t - back * 86400
        sel = sel[(t >= start) & (t < end)]
        rows.append(pd.DataFrame({"stop_id": sel.stop_id, "hour": (t[sel.index] - start) // 3600}))
    counted = pd.concat(rows)
    stops = feed["stops"]
    parent = stops.set_index("stop_id").get("parent_station", pd.Series("", index=stops.stop_id))
    if grouping == "parent":
        # Climb parent_station links to the top station.
        root = {s: s for s in stops.stop_id}
        for s in stops.stop_id:
            r = s
            for _ in range(4):
                p = parent.get(r, "")
                if not p:
                    break
                r = p
            root[s] = r
        counted["stop_id"] = counted.stop_id.map(root)
    table = counted.groupby(["stop_id", "hour"]).size().unstack(fill_value=0)
    table = table.reindex(columns=range(hours), fill_value=0)
    return table


def atlas_departures(feed_path, date, window, grouping):
    atlas = os.environ.get("ATLAS", os.path.join(ROOT, ".build/debug/atlas"))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "departures.csv")
        subprocess.run([atlas, "transit", "--gtfs", feed_path, "--date", date, "--window", window,
                        "--group-stops", grouping, "--departures-csv", out, "--quiet"], check=True)
        table = pd.read_csv(out, dtype={"stop_id": str}, keep_default_na=False)
    hour_columns = [c for c in table.columns if c.startswith("h") and c[1:].isdigit()]
    return table.set_index("stop_id"), hour_columns


def main():
    feed_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../shared/data/porto-alegre/poa_eptc.zip")
    date = sys.argv[2] if len(sys.argv) > 2 else "2019-05-15"
    window = sys.argv[3] if len(sys.argv) > 3 else "06:00-20:00"
    feed = read_feed(feed_path)
    day = dt.date.fromisoformat(date)
    failures = 0
    for grouping in ["parent", "none"]:
        expected = departures(feed, day, window, grouping)
        got, hour_columns = atlas_departures(feed_path, date, window, grouping)
        got_hours = got[hour_columns].copy()
        got_hours.columns = range(len(hour_columns))
        # Stops atlas lists without departures are absent from the pandas count.
        compared = got_hours.reindex(got_hours.index.union(expected.index), fill_value=0)
        wanted = expected.reindex(compared.index, fill_value=0)
        diff = (compared != wanted).any(axis=1)
        missing = sorted(set(expected.index) - set(got.index))
        total = int(wanted.values.sum())
        print(f"{os.path.basename(feed_path)} {date} {window} group={grouping}: {len(got)} stops, "
              f"{total} departures counted by pandas, {int(compared.values.sum())} by atlas, "
              f"{int(diff.sum())} stops differ, {len(missing)} missing from atlas")
        for stop in list(compared.index[diff])[:10]:
            print(f"  {stop}: atlas {list(compared.loc[stop])} pandas {list(wanted.loc[stop])}")
        if diff.any() or missing or (got.departures != got_hours.sum(axis=1)).any():
            failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
