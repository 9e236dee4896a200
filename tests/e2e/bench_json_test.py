#!/usr/bin/env python3
"""e2e: `harrier bench` on tiny scenarios writes the JSON shape of issue #7 (no timing asserts).

Runs the real binary twice: the simulator scenario open_1x2000 for 3 s (JSON, Markdown and the
gnuplot PNG), and sym10_20000 on a canonical tick CSV written by `harrier sim` (--workload), where
the stop -> exit path cannot be timed (a past day's exchange times) and must be absent, not zero.
Then --rt-priority without the right to SCHED_FIFO (as root: CAP_SYS_NICE dropped by setpriv)
must be refused with exit 2 and a reason.

usage: bench_json_test.py HARRIER OUTDIR
"""
import json
import math
import os
import resource
import shutil
import subprocess
import sys

METRICS = ["feed_lag_us", "seal_delay_us", "wake_us", "cycle_us", "stop_to_exit_us",
           "frame_roundtrip_us"]
FLOORS = [
    "ping_us",
    "setget_us",
    "memcpy_us",
    "seal_wake_us",
    "stop_path_us",
    "timer_us",
    "boundary_timer_us",
]
ROLES = ["ingest", "execute", "telemetry"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def number(v, where):
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        fail(f"{where}: expected a finite number, got {v!r}")
    return v


def check_rt_priority_refused(harrier):
    """--rt-priority without the right to SCHED_FIFO fails with a clear error, exit 2, before
    anything starts (a report would otherwise say SCHED_FIFO for a run without it)."""
    cmd = [harrier, "bench", "open_1x2000", "--seconds", "1", "--rt-priority", "10"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            fail("setpriv (util-linux) is needed to drop CAP_SYS_NICE as root")
        cmd = [setpriv, "--bounding-set", "-sys_nice"] + cmd
    elif resource.getrlimit(resource.RLIMIT_RTPRIO)[0] >= 10:
        cmd[cmd.index("10")] = str(resource.getrlimit(resource.RLIMIT_RTPRIO)[0] + 1)
        if int(cmd[-1]) > 99:
            return  # this user may use every priority: nothing can be refused
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 2:
        fail(f"--rt-priority without the right: exit {p.returncode}, want 2: {p.stderr!r}")
    if "SCHED_FIFO refused" not in p.stderr or "CAP_SYS_NICE" not in p.stderr:
        fail(f"--rt-priority refusal does not say why: {p.stderr!r}")


def check_shape(doc, name, must_have, floors_expected=FLOORS):
    m = doc.get("machine")
    if not isinstance(m, dict):
        fail("machine is missing")
    for k in ["build_type", "compiler", "cpu_model", "kernel", "redis_version"]:
        if not isinstance(m.get(k), str) or not m[k]:
            fail(f"machine.{k} missing or empty: {m.get(k)!r}")
    if number(m.get("cpus"), "machine.cpus") < 1:
        fail("machine.cpus < 1")
    if not isinstance(m.get("warnings"), list):
        fail("machine.warnings is not a list")
    sc = doc.get("scenarios")
    if not isinstance(sc, list) or len(sc) != 1:
        fail(f"expected one scenario, got {sc!r}")
    s = sc[0]
    if s.get("name") != name:
        fail(f"scenario name {s.get('name')!r} != {name!r}")
    if not isinstance(s.get("workload"), str) or not s["workload"]:
        fail("workload missing")
    if number(s.get("events"), "events") <= 0:
        fail("no events processed")
    metrics = s.get("metrics")
    if not isinstance(metrics, dict):
        fail("metrics missing")
    allowed = set(METRICS) | {"events_per_s", "rss_mb"}
    extra = set(metrics) - allowed
    if extra:
        fail(f"unexpected keys in metrics: {extra}")
    for k in must_have:
        if k not in metrics:
            fail(f"metrics.{k} missing (this scenario exercises it)")
    for k in METRICS:
        if k not in metrics:
            continue
        st = metrics[k]
        if set(st) != {"p50", "p99", "max", "n"}:
            fail(f"metrics.{k} keys {sorted(st)}")
        n = number(st["n"], f"{k}.n")
        # A metric that is present was exercised: never a zero placeholder.
        if n < 1:
            fail(f"metrics.{k} present with n={n}: absent, never zero")
        p50, p99, mx = (number(st[q], f"{k}.{q}") for q in ("p50", "p99", "max"))
        if not (0 <= p50 <= p99):
            fail(f"metrics.{k}: p50 {p50} > p99 {p99}")
        # Histogram quantiles are bucket upper edges (within 12.5%), so p99 may pass max a little.
        if mx < p50 / 1.13:
            fail(f"metrics.{k}: max {mx} < p50 {p50}")
    if number(metrics.get("events_per_s"), "events_per_s") <= 0:
        fail("events_per_s <= 0")
    rss = metrics.get("rss_mb")
    if not isinstance(rss, dict) or sorted(rss) != sorted(ROLES):
        fail(f"rss_mb must hold one figure per role: {rss!r}")
    for r in ROLES:
        if number(rss[r], f"rss_mb.{r}") <= 0:
            fail(f"rss_mb.{r} <= 0")
    floors = s.get("floors")
    if not isinstance(floors, dict) or sorted(floors) != sorted(floors_expected):
        fail(f"floors must be {floors_expected}: {floors!r}")
    for k in floors_expected:
        if set(floors[k]) != {"p50", "p99"}:
            fail(f"floors.{k} keys {sorted(floors[k])}")
        if number(floors[k]["p50"], k) > number(floors[k]["p99"], k):
            fail(f"floors.{k}: p50 > p99")
    ratios = s.get("ratios")
    if not isinstance(ratios, dict):
        fail("ratios missing")
    for k in ["frame_roundtrip_over_setget", "setget_over_ping", "frame_roundtrip_over_memcpy"]:
        if number(ratios.get(k), f"ratios.{k}") <= 0:
            fail(f"ratios.{k} <= 0")
    if "wake_us" in metrics and "wake_over_ping" not in ratios:
        fail("wake_us measured but its ratio to PING is missing")
    if "wake_us" in metrics and "wake_over_seal_wake" not in ratios:
        fail("wake_us measured but its ratio to the seal wake-up floor is missing")
    # Where P2 woke for a seal, P1 wrote it: its publish to Redis running it is reported beside.
    landed = s.get("extra_metrics", {}).get("p1_publish_to_commit_us")
    if "wake_us" in metrics:
        if not isinstance(landed, dict) or number(landed.get("n"), "p1_publish_to_commit_us.n") < 1:
            fail(f"wake_us measured but extra_metrics.p1_publish_to_commit_us is {landed!r}")
        if not 0 <= number(landed["p50"], "p1_publish_to_commit_us.p50") <= landed["p99"]:
            fail(f"p1_publish_to_commit_us: p50 {landed['p50']} outside [0, p99]")
    # The seal delay of the seals a closing tick made, in its two parts: the tick waiting to be
    # taken by P1's bar thread, and the bar thread's work from taking it to the seal. Recorded
    # together, so the same count; never more than the seals timed.
    if "seal_delay_us" in metrics:
        parts = [s.get("extra_metrics", {}).get(k) for k in ("p1_closing_tick_lag_us",
                                                             "p1_seal_work_us")]
        for k, part in zip(("p1_closing_tick_lag_us", "p1_seal_work_us"), parts):
            if not isinstance(part, dict) or number(part.get("n"), f"{k}.n") < 1:
                fail(f"seal_delay_us measured but extra_metrics.{k} is {part!r}")
            if not 0 <= number(part["p50"], f"{k}.p50") <= part["p99"] <= part["max"]:
                fail(f"{k}: p50/p99/max {part['p50']}/{part['p99']}/{part['max']} out of order")
        if parts[0]["n"] != parts[1]["n"]:
            fail(f"closing-tick lag n {parts[0]['n']} != seal work n {parts[1]['n']}")
        if parts[0]["n"] > metrics["seal_delay_us"]["n"]:
            fail(f"closing-tick seals {parts[0]['n']} > seals timed {metrics['seal_delay_us']['n']}")
    return s


def run(cmd, timeout):
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    print(p.stdout)
    if p.returncode != 0:
        fail(f"exit code {p.returncode}")
    return p.stdout


def main():
    harrier, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    js, md, png = (os.path.join(out, f) for f in ("sim.json", "sim.md", "sim.png"))
    text = run([harrier, "bench", "open_1x2000", "--seconds", "3", "--json", js, "--markdown", md,
                "--plot", png], 600)
    for want in ("build:", "CPU:", "open_1x2000", "Targets"):
        if want not in text:
            fail(f"console output lacks {want!r}")
    with open(js) as f:
        doc = json.load(f)
    s = check_shape(doc, "open_1x2000", ["feed_lag_us", "seal_delay_us", "frame_roundtrip_us"])
    if any("--quick" in w for w in doc["machine"]["warnings"]):
        fail("a run without --quick is warned about as one")
    with open(md) as f:
        mdtext = f.read()
    if "| metric |" not in mdtext or "open_1x2000" not in mdtext:
        fail("markdown lacks the scenario table")
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            fail("plot is not a PNG")

    csv = os.path.join(out, "w.csv")
    run([harrier, "sim", "--symbols", "2", "--seconds", "3", "--rate", "400", "--out", csv], 120)
    js2 = os.path.join(out, "workload.json")
    run([harrier, "bench", "sym10_20000", "--workload", csv, "--quick", "--json", js2], 600)
    with open(js2) as f:
        # A replay's second boundaries are not the wall clock's: no boundary deadline floor.
        replay_floors = [k for k in FLOORS if k != "boundary_timer_us"]
        s = check_shape(json.load(f), "sym10_20000", ["feed_lag_us", "frame_roundtrip_us"],
                        replay_floors)
    with open(js2) as f:
        warnings = json.load(f)["machine"]["warnings"]
    if not any("--quick" in w for w in warnings):
        fail(f"a --quick run does not say so in machine.warnings: {warnings!r}")
    if "w.csv" not in s["workload"]:
        fail(f"workload does not name the file: {s['workload']!r}")
    if "stop_to_exit_us" in s["metrics"]:
        fail("stop_to_exit_us must be absent for a replay of a past day")
    check_rt_priority_refused(harrier)
    print("ok")


if __name__ == "__main__":
    main()
