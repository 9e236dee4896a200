#!/usr/bin/env bash
# `make demo` for 20 s (issue #6, what must show 5): runs the command the Makefile's demo target
# runs (harrier up --config examples/demo.toml: simulator, paper broker, example strategy,
# private Redis), stops it with SIGINT like Ctrl-C, and checks that the status block showed
# bars sealed and orders placed and that the teardown was clean (exit 0, no process left).
#
# usage: demo_test.sh HARRIER_BINARY SOURCE_DIR
set -u
bin="$1"
src="$2"
grep -q 'DEMO_ARGS := up --config examples/demo.toml' "$src/Makefile" ||
  { echo "FAIL: the Makefile's demo command changed; update this test"; exit 1; }
work=$(mktemp -d)
log="$work/demo.log"
cd "$src"
timeout --preserve-status -s INT 20 "$bin" up --config examples/demo.toml --run-dir "$work/run" \
  --set manager.status_interval_s=4 >"$log" 2>&1
rc=$?
fail=0
check() { if ! grep -qE "$1" "$log"; then echo "FAIL: $2"; fail=1; fi; }
[ "$rc" -eq 0 ] || { echo "FAIL: harrier up exited $rc, expected 0 after one SIGINT"; fail=1; }
check 'ROLE +STATE +PID' "no status block was printed"
check 'bars_sealed=[1-9]' "the status block shows no bars sealed"
check 'orders_submitted=[1-9]' "the status block shows no orders placed"
check 'metrics: http://' "the metrics address was not printed"
check 'teardown: done; exit code 0' "the teardown did not finish cleanly"
# No child left: every pid the manager reported is gone.
for pid in $(grep -oE '(ingest|execute|telemetry)_pid=[0-9]+' "$log" | cut -d= -f2 | sort -u); do
  if kill -0 "$pid" 2>/dev/null; then echo "FAIL: role pid $pid still running"; fail=1; fi
done
if [ "$fail" -ne 0 ]; then
  echo "---- last 80 lines of $log"
  tail -n 80 "$log"
  exit 1
fi
echo "demo: status block with bars and orders, clean teardown"
rm -rf "$work"
