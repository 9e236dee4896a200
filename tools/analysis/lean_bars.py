#!/usr/bin/env python3
"""Which SPY trade prints make LEAN's reference bars? (issue #2)

Rebuilds 1 s and 1 min OHLCV bars from the AlgoSeek/LEAN SPY trade ticks of one day
under several candidate trade-inclusion rules and compares each with LEAN's own
second and minute trade bars, field by field, with prices as integer deci-cents.
For the best rule it lists every remaining difference with a class and an example.

Usage (paths relative to the shared data folder):
  python3 tools/analysis/lean_bars.py \
      --ticks  equity_us/spy/tick/spy_20131007_trades.csv.zst \
      --second equity_us/spy/second/20131007_trade.zip \
      --minute equity_us/spy/minute/20131007_trade.zip \
      --date 2013-10-07

--ticks takes the normalised CSV (ts_ns,price,size,exchange,condition_hex,suspicious;
plain or .zst, decompressed with the zstd CLI) or LEAN's raw tick zip
(time_ms,price_decicents,size,exchange,condition_hex,suspicious). Both give the same
numbers. Output is Markdown on stdout. Stdlib + pandas only.
"""

import argparse
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# LEAN Common/Data/Auxiliary/TradeConditionFlags.cs (same table in Data/equity/readme.md).
FLAGS: Dict[str, int] = {
    "Regular": 1 << 0,
    "Cash": 1 << 1,
    "NextDay": 1 << 2,
    "Seller": 1 << 3,
    "YellowFlag": 1 << 4,
    "IntermarketSweep": 1 << 5,
    "OpeningPrints": 1 << 6,
    "ClosingPrints": 1 << 7,
    "ReOpeningPrints": 1 << 8,
    "DerivativelyPriced": 1 << 9,
    "FormT": 1 << 10,
    "Sold": 1 << 11,
    "Stopped": 1 << 12,
    "ExtendedHours": 1 << 13,
    "OutOfSequence": 1 << 14,
    "Split": 1 << 15,
    "Acquisition": 1 << 16,
    "Bunched": 1 << 17,
    "StockOption": 1 << 18,
    "Distribution": 1 << 19,
    "AveragePrice": 1 << 20,
    "Cross": 1 << 21,
    "PriceVariation": 1 << 22,
    "Rule155": 1 << 23,
    "OfficialClose": 1 << 24,
    "PriorReferencePrice": 1 << 25,
    "OfficialOpen": 1 << 26,
    "CapElection": 1 << 27,
    "AutoExecution": 1 << 28,
    "TradeThroughExempt": 1 << 29,
    "UndocumentedFlag": 1 << 30,
    "OddLot": 1 << 31,
}
F = FLAGS

# Auction prints: never set OHLC, never count in volume (best rule).
AUCTION = F["OpeningPrints"] | F["ClosingPrints"] | F["OfficialOpen"] | F["OfficialClose"]
# During the regular session these bits also keep a print out of OHLC (it still counts in volume).
RTH_PRICE_EXCLUDED = (
    F["Seller"] | F["IntermarketSweep"] | F["DerivativelyPriced"] | F["ExtendedHours"] | F["AveragePrice"]
)

NY = ZoneInfo("America/New_York")
MS_PER_DAY = 86_400_000
RTH_START_MS = (9 * 3600 + 30 * 60) * 1000  # 09:30 ET, ms since local midnight
RTH_END_MS = 16 * 3600 * 1000  # 16:00 ET


def flag_names(cond: int) -> str:
    names = [n for n, v in FLAGS.items() if cond & v]
    return "+".join(names) if names else "None"


def fmt_et(ms: int) -> str:
    ms = int(ms)
    h, rem = divmod(ms, 3_600_000)
    mi, rem = divmod(rem, 60_000)
    sec, milli = divmod(rem, 1000)
    return "%02d:%02d:%02d.%03d" % (h, mi, sec, milli)


def fmt_px(dc: int) -> str:
    q, r = divmod(int(dc), 10000)
    return "%d.%04d" % (q, r)


# ---------------------------------------------------------------------------- input


def decimal_to_decicents(text: str, where: str) -> int:
    """'167.41' -> 1674100 exactly; refuses more than 4 decimals."""
    text = text.strip()
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 4:
        raise ValueError("%s: price %r is not a decimal with at most 4 places" % (where, text))
    return int(whole) * 10000 + int((frac + "0000")[:4])


def midnight_et_ns(day: date) -> int:
    mid = datetime(day.year, day.month, day.day, tzinfo=NY)
    return int(mid.timestamp()) * 1_000_000_000


def read_text(path: str) -> str:
    if path.endswith(".zst"):
        out = subprocess.run(["zstd", "-dc", path], check=True, capture_output=True)
        return out.stdout.decode("ascii")
    if path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if len(names) != 1:
                raise ValueError("%s: expected one file in the zip, found %d" % (path, len(names)))
            return z.read(names[0]).decode("ascii")
    with open(path, "r", encoding="ascii") as f:
        return f.read()


def load_ticks(path: str, day: date) -> pd.DataFrame:
    """Columns: ms (ms since midnight ET, int), px (deci-cents), sz, ex, cond (int), susp."""
    text = read_text(path)
    first = text.split("\n", 1)[0]
    if first.startswith("ts_ns,"):
        df = pd.read_csv(io.StringIO(text), dtype={"ts_ns": "int64", "price": str, "size": "int64",
                                                   "exchange": str, "condition_hex": str, "suspicious": "int64"})
        base = midnight_et_ns(day)
        # Whole ms since ET midnight (floor), the unit of LEAN's raw files and bar stamps.
        ms = (df["ts_ns"].to_numpy() - base) // 1_000_000
        px = [decimal_to_decicents(p, "%s row %d" % (path, i + 2)) for i, p in enumerate(df["price"])]
        out = pd.DataFrame({"ms": ms, "px": np.asarray(px, dtype="int64"), "sz": df["size"].to_numpy(),
                            "ex": df["exchange"].to_numpy(), "cond_hex": df["condition_hex"].to_numpy(),
                            "susp": df["suspicious"].to_numpy()})
    else:
        df = pd.read_csv(io.StringIO(text), header=None, names=["ms", "px", "sz", "ex", "cond_hex", "susp"],
                         dtype={"ms": str, "px": "int64", "sz": "int64", "ex": str, "cond_hex": str,
                                "susp": "int64"})
        # time_ms may carry a fractional part ("14400009.367"): floor to whole ms.
        df["ms"] = [int(v.split(".", 1)[0]) for v in df["ms"]]
        out = df
    out["cond"] = [int(h, 16) for h in out["cond_hex"]]
    out = out.reset_index(drop=True)
    if (out["ms"] < 0).any() or (out["ms"] >= MS_PER_DAY).any():
        raise ValueError("%s: ticks outside the ET day %s" % (path, day))
    if not out["ms"].is_monotonic_increasing:
        raise ValueError("%s: ticks are not in time order" % path)
    return out[["ms", "px", "sz", "ex", "cond", "susp"]]


def load_lean_bars(path: str) -> pd.DataFrame:
    text = read_text(path)
    df = pd.read_csv(io.StringIO(text), header=None, names=["ms", "o", "h", "l", "c", "v"], dtype="int64")
    return df.set_index("ms")


# ---------------------------------------------------------------------------- rules


@dataclass
class Rule:
    key: str
    title: str
    price: Callable[[pd.DataFrame], np.ndarray]  # True: the print sets O/H/L/C
    volume: Callable[[pd.DataFrame], np.ndarray]  # True: the print counts in volume
    # Volume of an interval that has volume prints but no price print:
    #   "own"  - the interval gets no bar, its volume is lost;
    #   "prev" - the volume is added to the latest earlier bar (LEAN's behaviour);
    #   "next" - the volume is added to the earliest later bar.
    orphan_volume: str


def _rth(t: pd.DataFrame) -> np.ndarray:
    ms = t["ms"].to_numpy()
    return (ms >= RTH_START_MS) & (ms < RTH_END_MS)


def _has(t: pd.DataFrame, bits: int) -> np.ndarray:
    return (t["cond"].to_numpy() & bits) != 0


def _all(t: pd.DataFrame) -> np.ndarray:
    return np.ones(len(t), dtype=bool)


def best_price(t: pd.DataFrame) -> np.ndarray:
    return ~_has(t, AUCTION) & (~_rth(t) | ~_has(t, RTH_PRICE_EXCLUDED))


def best_volume(t: pd.DataFrame) -> np.ndarray:
    return ~_has(t, AUCTION)


RULES: List[Rule] = [
    Rule("A", "every print sets OHLC and counts in volume (on this day identical to 'drop suspicious' "
         "and to 'drop odd lots': no print is flagged or odd-lot)", _all, _all, "own"),
    Rule("B", "IntermarketSweep (0x20) prints kept out of OHLC all day; volume from every print",
         lambda t: ~_has(t, F["IntermarketSweep"]), _all, "own"),
    Rule("C", "G's OHLC rule; volume from every print; volume-only intervals make no bar and their volume is lost",
         best_price, _all, "own"),
    Rule("D", "G's OHLC rule; volume from every print (auction prints too); volume-only intervals go to the previous bar",
         best_price, _all, "prev"),
    Rule("E", "G, but IntermarketSweep (0x20) prints set OHLC in the regular session too",
         lambda t: ~_has(t, AUCTION) & (~_rth(t) | ~_has(t, RTH_PRICE_EXCLUDED & ~F["IntermarketSweep"])),
         best_volume, "prev"),
    Rule("F", "G without a clock: the regular-session exclusions apply to every print that lacks ExtendedHours (0x2000)",
         lambda t: ~_has(t, AUCTION) & (_has(t, F["ExtendedHours"]) |
                                        ~_has(t, RTH_PRICE_EXCLUDED & ~F["ExtendedHours"])),
         best_volume, "prev"),
    Rule("G", "best: auction prints (0x40, 0x80, 0x1000000, 0x4000000) count nowhere; in 09:30-16:00 ET prints with "
         "0x8, 0x20, 0x200, 0x2000 or 0x100000 count in volume only; volume-only intervals go to the previous bar",
         best_price, best_volume, "prev"),
    Rule("H", "G, but volume-only intervals make no bar and their volume is lost "
         "(a sealer that never amends a sealed bar)", best_price, best_volume, "own"),
    Rule("I", "G, but volume-only intervals go to the next bar", best_price, best_volume, "next"),
]
BEST = "G"


# ---------------------------------------------------------------------------- bars


def build_bars(t: pd.DataFrame, iv_ms: int, rule: Rule) -> Tuple[pd.DataFrame, pd.Series]:
    """Bars keyed by start (ms since midnight ET; the ET offset is whole hours, so this is
    the same alignment as the UTC epoch for 1 s and 1 min). Returns the bars and, per
    volume-only interval, the bar start its volume went to (-1 when dropped)."""
    key = t["ms"].to_numpy() // iv_ms * iv_ms
    p = rule.price(t)
    v = rule.volume(t)
    tp = t[p]
    g = tp.groupby(key[p], sort=True)
    bars = pd.DataFrame({"o": g["px"].first(), "h": g["px"].max(), "l": g["px"].min(), "c": g["px"].last()})
    vol = t["sz"][v].groupby(key[v]).sum()
    starts = bars.index.to_numpy()
    if rule.orphan_volume == "prev":
        pos = np.searchsorted(starts, vol.index.to_numpy(), side="right") - 1
    elif rule.orphan_volume == "next":
        pos = np.searchsorted(starts, vol.index.to_numpy(), side="left")
        pos = np.where(pos < len(starts), pos, -1)
    else:
        pos = np.searchsorted(starts, vol.index.to_numpy(), side="left")
        pos = np.where((pos < len(starts)) & (starts[np.minimum(pos, len(starts) - 1)] == vol.index.to_numpy()),
                       pos, -1)
    ok = pos >= 0
    target = pd.Series(np.where(ok, starts[np.maximum(pos, 0)], -1), index=vol.index)
    assigned = pd.Series(vol.to_numpy()[ok], index=starts[pos[ok]]).groupby(level=0).sum()
    bars["v"] = assigned.reindex(bars.index).fillna(0).astype("int64")
    bars.index.name = "ms"
    orphans = target[~vol.index.isin(bars.index)]
    return bars, orphans


FIELDS = ["o", "h", "l", "c", "v"]


def compare(ours: pd.DataFrame, lean: pd.DataFrame, lo: int, hi: int) -> Dict[str, int]:
    o = ours[(ours.index >= lo) & (ours.index < hi)]
    r = lean[(lean.index >= lo) & (lean.index < hi)]
    both = r.index.intersection(o.index)
    eq = o.loc[both, FIELDS] == r.loc[both, FIELDS]
    res = {"lean": len(r), "both": len(both), "lean_only": len(r.index.difference(o.index)),
           "ours_only": len(o.index.difference(r.index))}
    for f in FIELDS:
        res[f] = int(eq[f].sum())
    res["all5"] = int(eq.all(axis=1).sum())
    return res


# ---------------------------------------------------------------------------- residuals


def classify(t: pd.DataFrame, iv: int, start: int, lean: pd.DataFrame, ours: pd.DataFrame) -> Tuple[str, str]:
    """Name the class of one differing bar and give the evidence."""
    key = t["ms"].to_numpy() // iv * iv
    inside = t[key == start]
    nxt = t[key == start + iv]
    open_prints = inside[(inside["cond"].to_numpy() & (F["OpeningPrints"] | F["OfficialOpen"])) != 0]
    close_next = nxt[(nxt["cond"].to_numpy() & F["ClosingPrints"]) != 0]
    lr = lean.loc[start] if start in lean.index else None
    orow = ours.loc[start] if start in ours.index else None
    if lr is None or orow is None:
        return "bar-presence", "present only in %s" % ("ours" if lr is None else "LEAN")
    dv = int(lr["v"] - orow["v"])
    if len(open_prints):
        first_primary = open_prints[(open_prints["cond"].to_numpy() & F["OpeningPrints"]) != 0]
        first_primary = first_primary[(first_primary["cond"].to_numpy() & F["Cross"]) == 0]
        ev = "LEAN-ours volume %+d" % dv
        if len(first_primary):
            fp = first_primary.iloc[0]
            ev += "; first OpeningPrints print %s %s x%d %s%s" % (
                fmt_et(fp["ms"]), fmt_px(fp["px"]), fp["sz"], fp["ex"],
                " (= the volume difference)" if fp["sz"] == dv else "")
        lows = inside[inside["px"] == lr["l"]]
        if lr["l"] != orow["l"] and len(lows):
            ev += "; LEAN low %s is printed here only by %s" % (
                fmt_px(lr["l"]), ", ".join(sorted({"%x" % c for c in lows["cond"]})))
        return "opening auction", ev
    if len(close_next):
        fc = close_next.iloc[0]
        ev = "LEAN-ours volume %+d; first ClosingPrints print %s %s x%d %s%s%s" % (
            dv, fmt_et(fc["ms"]), fmt_px(fc["px"]), fc["sz"], fc["ex"],
            " (= the volume difference)" if fc["sz"] == dv else "",
            "; LEAN close = its price" if lr["c"] == fc["px"] else "")
        return "closing auction print in the last regular-session bar", ev
    return "unclassified", "LEAN %s / ours %s" % (list(lr[FIELDS]), list(orow[FIELDS]))


# ---------------------------------------------------------------------------- report


def table(rows: List[Tuple[str, str, Dict[str, int]]]) -> str:
    head = ("| rule | window | LEAN bars | in both | only LEAN | only ours | O | H | L | C | V | all five | all five % of LEAN |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for rule, window, r in rows:
        pct = 100.0 * r["all5"] / r["lean"] if r["lean"] else 0.0
        lines.append("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.2f |" % (
            rule, window, r["lean"], r["both"], r["lean_only"], r["ours_only"],
            r["o"], r["h"], r["l"], r["c"], r["v"], r["all5"], pct))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ticks", required=True)
    ap.add_argument("--second", required=True, help="LEAN second trade bars zip")
    ap.add_argument("--minute", required=True, help="LEAN minute trade bars zip")
    ap.add_argument("--date", required=True, help="trading day, YYYY-MM-DD (ET)")
    args = ap.parse_args(argv)
    day = date.fromisoformat(args.date)

    t = load_ticks(args.ticks, day)
    refs = {"1s": (1000, load_lean_bars(args.second)), "1m": (60_000, load_lean_bars(args.minute))}
    out = sys.stdout
    out.write("# LEAN bar comparison: %s, ticks %s\n\n" % (args.date, os.path.basename(args.ticks)))

    # Facts about the input that decide some candidate rules.
    cond = t["cond"].to_numpy()
    out.write("## Input facts\n\n")
    out.write("- prints: %d, total size %d; suspicious=1: %d; OddLot bit set: %d; size < 100: %d\n" % (
        len(t), int(t["sz"].sum()), int((t["susp"] != 0).sum()), int(((cond & F["OddLot"]) != 0).sum()),
        int((t["sz"] < 100).sum())))
    for name, (iv, ref) in refs.items():
        out.write("- LEAN %s bars: %d, volume %d\n" % (name, len(ref), int(ref["v"].sum())))
    rth = _rth(t)
    out.write("\n| condition_hex | LEAN flags | prints 09:30-16:00 | size 09:30-16:00 | prints other hours | size other hours |\n")
    out.write("|---|---|---:|---:|---:|---:|\n")
    for c in sorted(set(int(x) for x in cond)):
        m = cond == c
        out.write("| %x | %s | %d | %d | %d | %d |\n" % (
            c, flag_names(c), int((m & rth).sum()), int(t["sz"][m & rth].sum()),
            int((m & ~rth).sum()), int(t["sz"][m & ~rth].sum())))

    # LEAN's own consistency: minute bars against LEAN's second bars rolled up to minutes.
    sec = refs["1s"][1]
    k = sec.index.to_numpy() // 60_000 * 60_000
    g = sec.groupby(k)
    rolled = pd.DataFrame({"o": g["o"].first(), "h": g["h"].max(), "l": g["l"].min(), "c": g["c"].last(),
                           "v": g["v"].sum()})
    out.write("\n## LEAN's minute bars against LEAN's second bars rolled up to minutes\n\n")
    out.write(table([("LEAN 1s rolled up", w, compare(rolled, refs["1m"][1], lo, hi))
                     for w, lo, hi in [("09:30-16:00", RTH_START_MS, RTH_END_MS), ("whole day", 0, MS_PER_DAY)]]))
    out.write("\n")

    # Agreement per rule.
    windows = [("09:30-16:00", RTH_START_MS, RTH_END_MS), ("whole day", 0, MS_PER_DAY)]
    built: Dict[Tuple[str, str], Tuple[pd.DataFrame, pd.Series]] = {}
    out.write("\n## Rules\n\n")
    for rule in RULES:
        out.write("- **%s**: %s\n" % (rule.key, rule.title))
    for name, (iv, ref) in refs.items():
        rows = []
        for rule in RULES:
            bars, orphans = build_bars(t, iv, rule)
            built[(rule.key, name)] = (bars, orphans)
            for wname, lo, hi in windows:
                rows.append((rule.key, wname, compare(bars, ref, lo, hi)))
        out.write("\n## Agreement, %s bars\n\n%s\n" % (name, table(rows)))

    # The best rule: volume-only intervals and every remaining difference.
    best = next(r for r in RULES if r.key == BEST)
    out.write("\n## Best rule %s: volume-only intervals (volume moved to the previous bar)\n\n" % BEST)
    out.write("| bars | window | intervals | prints | size | largest gap to the receiving bar (s) |\n|---|---|---:|---:|---:|---:|\n")
    key_cache = {}
    notes: List[str] = []
    for name, (iv, ref) in refs.items():
        bars, orphans = built[(BEST, name)]
        key = t["ms"].to_numpy() // iv * iv
        key_cache[name] = key
        vmask = best.volume(t)
        for wname, lo, hi in windows:
            o = orphans[(orphans.index >= lo) & (orphans.index < hi)]
            sel = np.isin(key, o.index.to_numpy()) & vmask
            gap = int(((o.index.to_numpy() - o.to_numpy()) // 1000).max()) if len(o) else 0
            out.write("| %s | %s | %d | %d | %d | %d |\n" % (name, wname, len(o), int(sel.sum()),
                                                            int(t["sz"][sel].sum()), gap))
        conds = pd.Series(cond[np.isin(key, orphans.index.to_numpy()) & vmask]).value_counts()
        notes.append("- %s volume-only intervals hold prints with condition_hex: %s\n" % (
            name, ", ".join("%x (%d)" % (c, n) for c, n in conds.items()) or "none"))
    out.write("\n" + "".join(notes) + "\n")
    if len(built[(BEST, "1s")][1]):
        o = built[(BEST, "1s")][1]
        ex = o.index[0]
        key = key_cache["1s"]
        rows = t[(key == ex) & best.volume(t)]
        out.write("Example: interval %s holds only %s; its volume %d is in LEAN's bar %s.\n" % (
            fmt_et(ex), ", ".join(sorted({"%x" % c for c in rows["cond"]})), int(rows["sz"].sum()),
            fmt_et(o.iloc[0])))

    # LEAN's minute volume = its second volume with the cross-minute moves of rule 3 undone.
    _, orph1s = built[(BEST, "1s")]
    key1s = t["ms"].to_numpy() // 1000 * 1000
    bv = best.volume(t)
    vol1s = t["sz"][bv].groupby(key1s[bv]).sum()
    cross = orph1s[(orph1s.index.to_numpy() // 60_000) != (orph1s.to_numpy() // 60_000)]
    adj = rolled["v"].copy()
    for src, dst in cross.items():
        adj[dst // 60_000 * 60_000] -= vol1s[src]
        adj[src // 60_000 * 60_000] += vol1s[src]
    mref = refs["1m"][1]
    out.write("\nRolled-up LEAN 1s volume with the %d cross-minute moves of the best rule undone: "
              "%d of %d LEAN minutes match on volume.\n" % (
                  len(cross), int((adj.reindex(mref.index) == mref["v"]).sum()), len(mref)))

    # Sensitivity: flip one condition value (in one session) at a time, for OHLC and for volume.
    out.write("\n## Best rule %s: flipping one condition value at a time\n\n" % BEST)
    out.write("Change in bars matching on all five fields (whole day) when the prints with this condition_hex in "
              "this window are moved in or out of OHLC, or in or out of volume. Negative: the flip makes the "
              "agreement worse, so the data decides the bit as the rule has it; 0: the data does not decide.\n\n")
    out.write("| condition_hex | window | prints | in OHLC | in volume | flip OHLC: 1s | flip OHLC: 1m | flip volume: 1s | flip volume: 1m |\n"
              "|---|---|---:|---|---|---:|---:|---:|---:|\n")
    base_p = best.price(t)
    base_v = best.volume(t)
    base_score = {n: compare(built[(BEST, n)][0], ref, 0, MS_PER_DAY)["all5"] for n, (iv, ref) in refs.items()}

    def score_with(pm: np.ndarray, vm: np.ndarray) -> List[int]:
        r = Rule("flip", "", lambda _t: pm, lambda _t: vm, best.orphan_volume)
        return [compare(build_bars(t, iv, r)[0], ref, 0, MS_PER_DAY)["all5"] - base_score[n]
                for n, (iv, ref) in refs.items()]

    for c in sorted(set(int(x) for x in cond)):
        for wname, wmask in (("09:30-16:00", rth), ("other hours", ~rth)):
            sel = (cond == c) & wmask
            if not sel.any():
                continue
            fp = score_with(np.where(sel, ~base_p, base_p), base_v)
            fv = score_with(base_p, np.where(sel, ~base_v, base_v))
            out.write("| %x | %s | %d | %s | %s | %+d | %+d | %+d | %+d |\n" % (
                c, wname, int(sel.sum()), "yes" if base_p[sel][0] else "no", "yes" if base_v[sel][0] else "no",
                fp[0], fp[1], fv[0], fv[1]))

    out.write("\n## Best rule %s: every remaining difference\n\n" % BEST)
    out.write("| bars | bar start ET | fields that differ | LEAN o,h,l,c,v | ours o,h,l,c,v | class | evidence |\n"
              "|---|---|---|---|---|---|---|\n")
    for name, (iv, ref) in refs.items():
        bars, _ = built[(BEST, name)]
        idx = ref.index.union(bars.index)
        for start in idx:
            lr = ref.loc[start] if start in ref.index else None
            orow = bars.loc[start] if start in bars.index else None
            if lr is not None and orow is not None and (lr[FIELDS] == orow[FIELDS]).all():
                continue
            diff = [f for f in FIELDS if lr is None or orow is None or lr[f] != orow[f]]
            cls, ev = classify(t, iv, int(start), ref, bars)
            out.write("| %s | %s | %s | %s | %s | %s | %s |\n" % (
                name, fmt_et(start), ",".join(diff),
                "-" if lr is None else ",".join(str(int(x)) for x in lr[FIELDS]),
                "-" if orow is None else ",".join(str(int(x)) for x in orow[FIELDS]), cls, ev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
