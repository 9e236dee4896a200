#!/usr/bin/python3
"""Harrier's 1 s and 1 m OHLCV against LEAN's own bars for the real SPY day (issue #2,
"What must show" 2).

Runs `harrier bars` with its default trade rule over the bundled SPY trade ticks of
2013-10-07, reads LEAN's second and minute trade bars (consolidated by LEAN from the same
AlgoSeek ticks) and compares, for the regular session 09:30-16:00 New York, every bar LEAN
has: open, high, low, close as integer deci-cents and volume exactly. Prints how many bars
agree on all five fields and on each field; every class of difference is explained in
docs/lean-bar-comparison.md. Fails if an agreement rate is below its asserted minimum, or if a
bar LEAN has is missing from Harrier's output.

Measured with the default trade rule (docs/lean-bar-comparison.md): 1 s 13254 of 14432 bars
agree on all five fields (every remaining volume difference is LEAN moving the volume of a
second without a price print into the previous bar, which Harrier's contract forbids), and
14430 of 14432 on the four prices; 1 m 388 of 390 on all five. The two auction bars (09:30 and
the last minute) are the only price differences.

usage: lean_bars.py HARRIER TICKS SECOND_ZIP MINUTE_ZIP WORKDIR MIN_1S MIN_1M MIN_PRICES

MIN_1S and MIN_1M bound the all-five agreement rate of each interval, MIN_PRICES the rate at
which open, high, low and close all agree (both intervals).
"""
import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
DAY = datetime(2013, 10, 7, tzinfo=NY)
MIDNIGHT_NS = int(DAY.timestamp()) * 10**9
OPEN_MS, CLOSE_MS = (9 * 3600 + 30 * 60) * 1000, 16 * 3600 * 1000


def lean_bars(path):
    """{bar start ns UTC: (o, h, l, c, v)} in deci-cents, regular session only."""
    out = {}
    with zipfile.ZipFile(path) as z:
        with z.open(z.namelist()[0]) as f:
            for row in csv.reader(io.TextIOWrapper(f, encoding="ascii")):
                if not row:
                    continue
                ms = int(row[0])
                if not OPEN_MS <= ms < CLOSE_MS:
                    continue
                out[MIDNIGHT_NS + ms * 10**6] = tuple(int(x) for x in row[1:6])
    return out


def deci(x):
    return int(round(float(x) * 10000))


def harrier_bars(path, iv):
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["interval"] != iv or r["filled"] == "true":
                continue
            ts = int(r["ts"])
            ms = (ts - MIDNIGHT_NS) // 10**6
            if not OPEN_MS <= ms < CLOSE_MS:
                continue
            out[ts] = (deci(r["open"]), deci(r["high"]), deci(r["low"]), deci(r["close"]),
                       int(r["volume"]))
    return out


def compare(iv, ours, ref):
    fields = ["open", "high", "low", "close", "volume"]
    field_ok = [0] * 5
    all_ok = 0
    prices_ok = 0
    missing = [ts for ts in ref if ts not in ours]
    extra = [ts for ts in ours if ts not in ref]
    first_diff = None
    for ts, r in ref.items():
        o = ours.get(ts)
        if o is None:
            continue
        same = [a == b for a, b in zip(o, r)]
        for i, s in enumerate(same):
            field_ok[i] += s
        if all(same):
            all_ok += 1
        if all(same[:4]):
            prices_ok += 1
        elif first_diff is None:
            first_diff = (ts, o, r)
    n = len(ref)
    rate = all_ok / n if n else 0.0
    print(f"{iv}: LEAN has {n} regular-session bars; Harrier agrees exactly on all five fields "
          f"for {all_ok} ({100 * rate:.2f}%)")
    print("    per field: " + ", ".join(f"{f} {c}" for f, c in zip(fields, field_ok)))
    price_rate = prices_ok / n if n else 0.0
    print(f"    open, high, low and close all agree for {prices_ok} ({100 * price_rate:.2f}%)")
    print(f"    bars only in LEAN: {len(missing)}; non-empty bars only in Harrier: {len(extra)}")
    if first_diff:
        ts, o, r = first_diff
        t = datetime.fromtimestamp(ts / 1e9, NY).strftime("%H:%M:%S")
        print(f"    first difference at {t} ET: harrier {o} lean {r}")
    return rate, price_rate, missing


def main():
    harrier, ticks, second_zip, minute_zip, work = sys.argv[1:6]
    min_1s, min_1m, min_prices = float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "bars.csv")
    subprocess.run([harrier, "bars", "--replay", ticks, "--interval", "1s", "--interval", "1m",
                    "--csv", "--out", out], check=True)
    ok = True
    for iv, z, minimum in [("1s", second_zip, min_1s), ("1m", minute_zip, min_1m)]:
        rate, price_rate, missing = compare(iv, harrier_bars(out, iv), lean_bars(z))
        if missing:
            print(f"FAIL {iv}: {len(missing)} LEAN bars have no Harrier bar")
            ok = False
        if rate < minimum:
            print(f"FAIL {iv}: agreement {rate:.4f} below the asserted minimum {minimum}")
            ok = False
        if price_rate < min_prices:
            print(f"FAIL {iv}: price agreement {price_rate:.4f} below the asserted minimum "
                  f"{min_prices}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
