#!/usr/bin/env bash
# Measures the membership protocols (issue 4, item 5) with the deterministic
# simulator and prints markdown tables (also written to
# bench/out/membership_latest.md):
#   1. SWIM, N=1000, no loss: mean first-detection time against
#      e/(e-1) = 1.58 periods (within 20%), the suspicion timeout apart;
#   2. SWIM at N=100, 1000, 5000: messages per member per period (flat within
#      10%), p99 time until every live member knows of a crash against
#      log2 N, false positives at 0% loss (zero);
#   3. SWIM at 10% loss, with and without suspicion: false positives (>= 10x
#      fewer with suspicion);
#   4. gossip heartbeating against SWIM: message size and bandwidth per
#      member as N grows;
#   5. the rack-aware probing option against uniform probing.
# Times are in protocol periods; the simulator's clock is virtual, so the
# figures do not depend on the machine. Every run is seeded: re-running
# prints the same numbers.
# Usage: bench/membership_bench.sh [--no-build] [--quick]
#   --quick: fewer seeds and smaller N (a minute, for a smoke run).
# Needs python3 (to read the simulator's JSON).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${MR_BUILD_DIR:-$root/build}"
build=1
quick=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --quick) quick=1 ;;
    *) echo "usage: $0 [--no-build] [--quick]" >&2; exit 2 ;;
  esac
done
if ((build)); then MR_BUILD_DIR="$build_dir" "$root/scripts/build.sh" Release membership_sim; fi
sim="$build_dir/bin/membership_sim"
mkdir -p "$root/bench/out"
out="$root/bench/out/membership_latest.md"
runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT

# run NAME ARGS...: one simulator run, its JSON kept as $runs/NAME.json.
run() {
  local name="$1"
  shift
  "$sim" "$@" >"$runs/$name.json"
}

seeds=20
big=5000
if ((quick)); then seeds=3; big=2000; fi

echo "membership_bench: simulating (a few minutes) ..." >&2
for s in $(seq 1 "$seeds"); do
  run "detect-sync-$s" --nodes=1000 --periods=100 --crash=20 --seed="$s"
  run "detect-stagger-$s" --nodes=1000 --periods=100 --crash=20 --seed="$s" --sync_phases=false
done
run scale-100 --nodes=100 --periods=100 --crash=1 --seed=1
run scale-1000 --nodes=1000 --periods=100 --crash=10 --seed=1
run "scale-$big" --nodes="$big" --periods=40 --crash=$((big / 100)) --seed=1
run loss-suspicion --nodes=1000 --periods=100 --crash=0 --loss=0.1 --seed=1 --suspicion=true
run loss-nosuspicion --nodes=1000 --periods=100 --crash=0 --loss=0.1 --seed=1 --suspicion=false
for n in 50 100 200 500 1000; do
  periods=30
  ((n >= 500)) && periods=10
  run "gossip-$n" --protocol=gossip --nodes="$n" --periods="$periods" --crash=0 --seed=1
  run "swim-$n" --nodes="$n" --periods=30 --crash=0 --seed=1
done
run gossip-detect --protocol=gossip --nodes=100 --periods=60 --crash=5 --seed=1
run racks-plain --nodes=1000 --periods=100 --crash=20 --seed=1 --racks=10
run racks-aware --nodes=1000 --periods=100 --crash=20 --seed=1 --racks=10 --membership_rack_aware

python3 - "$runs" "$seeds" "$big" >"$out" <<'PY'
import json, math, sys
runs, seeds, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    with open(f"{runs}/{name}.json") as f:
        return json.load(f)
def pooled(prefix):
    rs = [load(f"{prefix}-{s}") for s in range(1, seeds + 1)]
    n = sum(r["first_detection_periods"]["count"] for r in rs)
    mean = sum(r["first_detection_periods"]["mean"] * r["first_detection_periods"]["count"] for r in rs) / n
    p99 = max(r["first_detection_periods"]["p99"] for r in rs)
    know = sum(r["all_know_periods"]["mean"] * r["all_know_periods"]["count"] for r in rs) / n
    failed = sum(r["all_failed_periods"]["mean"] * r["all_failed_periods"]["count"] for r in rs) / n
    fp = sum(r["false_failure_events"] for r in rs)
    und = sum(r["undetected"] for r in rs)
    return n, mean, p99, know, failed, fp, und, rs[0]["suspicion_timeout_periods"]
target = math.e / (math.e - 1)
print("### 1. SWIM first detection, N=1000, no loss")
print()
print(f"Seeds 1-{seeds}, 20 crashes each. First detection = crash -> first member suspects it;")
print("the suspicion timeout (suspect -> failed) is reported apart.")
print()
print("| phases | crashes | mean first detection | vs 1.58 | worst p99 | mean all know | suspicion timeout | mean all failed | undetected | false positives |")
print("|---|---|---|---|---|---|---|---|---|---|")
for label, prefix in (("synchronized (paper's model)", "detect-sync"), ("random", "detect-stagger")):
    n, mean, p99, know, failed, fp, und, timeout = pooled(prefix)
    print(f"| {label} | {n} | {mean:.2f} | {100 * (mean / target - 1):+.0f}% | {p99:.2f} | {know:.2f} | {timeout:.2f} | {failed:.2f} | {und} | {fp} |")
print()
print("### 2. SWIM cost and dissemination against N (no loss, 1% of members crash)")
print()
print("| N | msgs / member / period | bytes / member / period | largest datagram | p99 first detection -> all know | p99 crash -> all know | log2 N | false positives | undetected |")
print("|---|---|---|---|---|---|---|---|---|")
for n in (100, 1000, big):
    r = load(f"scale-{n}")
    print(f"| {n} | {r['messages_per_member_per_period']:.3f} | {r['bytes_per_member_per_period']:.1f} | {r['max_message_bytes']} | {r['dissemination_periods']['p99']:.2f} | {r['all_know_periods']['p99']:.2f} | {math.log2(n):.2f} | {r['false_failure_events']} | {r['undetected']} |")
msgs = [load(f"scale-{n}")["messages_per_member_per_period"] for n in (100, 1000, big)]
print()
print(f"Spread of msgs/member/period: {100 * (max(msgs) / min(msgs) - 1):.1f}% (target: within 10%).")
print()
print("### 3. SWIM at 10% datagram loss, N=1000, 100 periods, no crash")
print()
print("| suspicion | false failure declarations | members falsely failed | false suspicions | refutations | msgs / member / period |")
print("|---|---|---|---|---|---|")
w, wo = load("loss-suspicion"), load("loss-nosuspicion")
for label, r in (("on", w), ("off", wo)):
    print(f"| {label} | {r['false_failure_events']} | {r['falsely_failed_members']} | {r['false_suspicion_events']} | {r['refutations']} | {r['messages_per_member_per_period']:.3f} |")
ratio = wo["false_failure_events"] / max(1, w["false_failure_events"])
print()
print(f"Suspicion cuts false failure declarations {ratio:.0f}x" + (" (with suspicion: zero; ratio against 1)." if w["false_failure_events"] == 0 else "."))
print()
print("### 4. Gossip heartbeating against SWIM: size and bandwidth per member")
print()
print("Gossip: b=2 targets per period, the whole list each time (split into datagrams of at most 1400 bytes).")
print()
print("| N | gossip list bytes | gossip datagrams / member / period | gossip bytes / member / period | SWIM msgs / member / period | SWIM bytes / member / period |")
print("|---|---|---|---|---|---|")
for n in (50, 100, 200, 500, 1000):
    g, s = load(f"gossip-{n}"), load(f"swim-{n}")
    fan = g["config"]["gossip_fanout"]
    print(f"| {n} | {g['bytes_per_member_per_period'] / fan:.0f} | {g['messages_per_member_per_period']:.1f} | {g['bytes_per_member_per_period']:.0f} | {s['messages_per_member_per_period']:.3f} | {s['bytes_per_member_per_period']:.1f} |")
g = load("gossip-detect")
print()
print(f"Gossip detection at N=100 (T_fail = {g['config']['gossip_fail_periods']:.0f} periods, 5 crashes): mean first detection {g['first_detection_periods']['mean']:.2f} periods, p99 all know {g['all_know_periods']['p99']:.2f}, false positives {g['false_failure_events']}.")
print()
print("### 5. Option: rack-aware probing (the 1/n rule), N=1000 in 10 racks, 20 crashes")
print()
print("| probing | cross-rack msgs / member / period | msgs / member / period | mean first detection | p99 first detection -> all know | p99 crash -> all know | false positives | undetected |")
print("|---|---|---|---|---|---|---|---|")
for label, name in (("uniform", "racks-plain"), ("rack-aware", "racks-aware")):
    r = load(name)
    print(f"| {label} | {r['cross_rack_messages_per_member_per_period']:.3f} | {r['messages_per_member_per_period']:.3f} | {r['first_detection_periods']['mean']:.2f} | {r['dissemination_periods']['p99']:.2f} | {r['all_know_periods']['p99']:.2f} | {r['false_failure_events']} | {r['undetected']} |")
PY
cat "$out"
