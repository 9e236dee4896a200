#!/usr/bin/python3
"""Independent check of Harrier's indicator columns with pandas (issue #2, "What must show" 3).

Runs `harrier bars` over a replay, then recomputes with pandas, from Harrier's own
close_filled / vwap / volume columns (and, for the bar vwap, from the raw ticks):
  EMA9/21           close_filled.ewm(span=N, adjust=False).mean()
  MACD              EMA12 - EMA26; signal = EMA9 of MACD; hist = MACD - signal
  RSI-14            Wilder: ewm(alpha=1/14, adjust=False) of diff().clip(lower=0) and
                    (-diff()).clip(lower=0); 100 - 100/(1 + gain/loss)
  session VWAP      cumsum(vwap*volume)/cumsum(volume) per session (09:30 New York, weekdays)
  bar VWAP          sum(price*size)/sum(size) of the non-suspicious ticks in each bar
and requires agreement within 1e-9 (relative, absolute below 1) on every bar of every interval,
with NaN exactly where pandas has NaN.

usage: pandas_indicators.py HARRIER_BINARY TICKS.csv.zst WORKDIR
"""
import os
import subprocess
import sys

import numpy as np
import pandas as pd

TOL = 1e-9
IV_NS = {"1s": 10**9, "5s": 5 * 10**9, "15s": 15 * 10**9, "30s": 30 * 10**9,
         "1m": 60 * 10**9, "5m": 300 * 10**9}


def close_enough(name, ours, ref, failures):
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    nan_ours, nan_ref = np.isnan(ours), np.isnan(ref)
    bad_nan = nan_ours != nan_ref
    both = ~(nan_ours | nan_ref)
    # Infinite values never occur in these columns; compare finite values.
    diff = np.abs(ours[both] - ref[both])
    scale = np.maximum(1.0, np.abs(ref[both]))
    bad_val = diff > TOL * scale
    n_bad = int(bad_nan.sum()) + int(bad_val.sum())
    if n_bad:
        idx = np.flatnonzero(bad_nan)
        detail = f"NaN mismatch at row {idx[0]}" if len(idx) else \
            f"max rel diff {float((diff / scale).max()):.3e}"
        failures.append(f"{name}: {n_bad} of {len(ref)} values differ ({detail})")
    return len(ref) - n_bad


def session_ids(ts_ns):
    local = pd.to_datetime(ts_ns, unit="ns", utc=True).tz_convert("America/New_York")
    shifted = (local - pd.Timedelta(hours=9, minutes=30)).tz_localize(None).normalize()
    # Weekend days belong to Friday's session.
    wd = shifted.dayofweek
    shifted = shifted - pd.to_timedelta(np.where(wd == 5, 1, np.where(wd == 6, 2, 0)), unit="D")
    return shifted.values


def main():
    harrier, ticks, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "bars.csv")
    subprocess.run([harrier, "bars", "--replay", ticks, "--csv", "--out", out], check=True)
    bars = pd.read_csv(out)
    failures = []
    checked = 0
    for (sym, iv), g in bars.groupby(["symbol", "interval"], sort=True):
        g = g.sort_values("seq")
        assert (np.diff(g["seq"].values) == 1).all(), f"{sym} {iv}: seq has holes"
        assert (np.diff(g["ts"].values) == IV_NS[iv]).all(), f"{sym} {iv}: bars not contiguous"
        x = g["close_filled"]
        tag = f"{sym} {iv}"
        ema = lambda s, n: s.ewm(span=n, adjust=False).mean()
        checked += close_enough(f"{tag} ema9", g["ema9"], ema(x, 9), failures)
        checked += close_enough(f"{tag} ema21", g["ema21"], ema(x, 21), failures)
        macd = ema(x, 12) - ema(x, 26)
        signal = ema(macd, 9)
        checked += close_enough(f"{tag} macd", g["macd"], macd, failures)
        checked += close_enough(f"{tag} macd_signal", g["macd_signal"], signal, failures)
        checked += close_enough(f"{tag} macd_hist", g["macd_hist"], macd - signal, failures)
        d = x.diff()
        gain = d.clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        loss = (-d).clip(lower=0).ewm(alpha=1 / 14, adjust=False).mean()
        with np.errstate(divide="ignore", invalid="ignore"):
            rsi = 100 - 100 / (1 + gain / loss)
        checked += close_enough(f"{tag} rsi14", g["rsi14"], rsi, failures)
        for col in ["dom_hit_rate", "directional_pressure", "delta_price", "delta",
                    "book_imbalance", "buy_volume", "sell_volume", "volume"]:
            checked += close_enough(f"{tag} ema_{col}", g[f"ema_{col}"],
                                    ema(g[col].astype(float), 9), failures)
        pv = (g["vwap"] * g["volume"]).where(g["volume"] > 0, 0.0)
        sess = session_ids(g["ts"].values)
        cum_pv = pv.groupby(sess).cumsum()
        cum_v = g["volume"].astype(float).groupby(sess).cumsum()
        svwap = (cum_pv / cum_v).where(cum_v > 0, np.nan)
        checked += close_enough(f"{tag} session_vwap", g["session_vwap"], svwap, failures)

    # Bar VWAP straight from the ticks. The default rule counts in volume every print but
    # suspicious ones and auction / official open-close prints (LEAN condition bits 0x40 opening,
    # 0x80 closing, 0x100 re-opening, 0x1000000 official close, 0x4000000 official open).
    raw = subprocess.run(["zstd", "-dcqf", ticks], check=True, capture_output=True).stdout
    t = pd.read_csv(pd.io.common.BytesIO(raw), dtype={"condition_hex": str})
    cond = t["condition_hex"].fillna("0").apply(lambda h: int(h, 16))
    auction = 0x40 | 0x80 | 0x100 | 0x1000000 | 0x4000000
    t = t[(t["suspicious"] == 0) & ((cond & auction) == 0)]
    for iv in ["1s", "1m"]:
        start = (t["ts_ns"] // IV_NS[iv]) * IV_NS[iv]
        grp = pd.DataFrame({"start": start, "pv": t["price"] * t["size"], "v": t["size"]})
        agg = grp.groupby("start").sum()
        ref = (agg["pv"] / agg["v"]).rename("ref")
        ours = bars[(bars["interval"] == iv) & (bars["volume"] > 0)].set_index("ts")["vwap"]
        joined = pd.concat([ours, ref], axis=1, join="outer")
        checked += close_enough(f"tick vwap {iv}", joined["vwap"], joined["ref"], failures)

    print(f"pandas oracle: {len(bars)} bars, {checked} values checked, "
          f"{len(failures)} column(s) with differences")
    for f in failures:
        print("  " + f)
    if failures:
        return 1
    if checked < 100000:
        print("pandas oracle: too few values checked; the replay produced too few bars")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
