#!/usr/bin/env python3
"""Turns LEAN second (or minute) quote bars into quote ticks in the normalised LEAN quote format
that Harrier's replay feed reads (ts_ns,bid_px,bid_sz,ask_px,ask_sz,exchange,condition_hex,
suspicious).

LEAN's US-equity tick data for SPY on 2013-10-07 has trades only (the quote tick file is too
large to ship); LEAN's 1 s quote bars of the same day, built by LEAN from the same AlgoSeek
feed, give a real top of book once a second. Each bar becomes one tick carrying the bar's
closing bid and ask and their last sizes, stamped 1 ms before the bar's end (the close is the
last quote seen in that bar). A side whose price is 0 is left empty. No exchange is known.

usage: lean_quote_bars_to_ticks.py QUOTE_BARS.zip YYYYMMDD BAR_MS > out.csv
Input: time_ms,bid_open,bid_high,bid_low,bid_close,last_bid_size,ask_open,ask_high,ask_low,
ask_close,last_ask_size (prices in deci-cents, time_ms = bar start in ms since midnight
America/New_York).
"""
import io
import sys
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo


def px(d):
    d = int(d)
    if d == 0:
        return ""
    q, r = divmod(d, 10000)
    return str(q) + ("." + ("%04d" % r).rstrip("0") if r else "")


def main():
    path, day, bar_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mid = datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), tzinfo=ZoneInfo("America/New_York"))
    base_ns = int(mid.timestamp()) * 10**9
    out = sys.stdout
    out.write("ts_ns,bid_px,bid_sz,ask_px,ask_sz,exchange,condition_hex,suspicious\n")
    with zipfile.ZipFile(path) as z:
        with z.open(z.namelist()[0]) as f:
            for line in io.TextIOWrapper(f, encoding="ascii"):
                line = line.strip()
                if not line:
                    continue
                r = line.split(",")
                ts = base_ns + (int(r[0]) + bar_ms - 1) * 10**6
                bid, bid_sz, ask, ask_sz = px(r[4]), int(r[5]), px(r[9]), int(r[10])
                if not bid:
                    bid_sz = 0
                if not ask:
                    ask_sz = 0
                if not bid and not ask:
                    continue
                out.write(f"{ts},{bid},{bid_sz},{ask},{ask_sz},,0,0\n")


if __name__ == "__main__":
    main()
