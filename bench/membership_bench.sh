#!/usr/bin/env bash
# Measures the membership protocols with the deterministic simulator and
# prints markdown tables (also written to bench/out/membership_latest.md).
# Issue 4 (item 5):
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
# Issue 15 (items 6-8): the seed's claims and the new targets:
#   6. dissemination rounds, push vs pull vs push-pull, against
#      log2 N + ln N, and 50% loss (the rumour model, --epidemic);
#   7. completeness within 2N-1 periods with round-robin probe targets (no
#      dissemination, so that each member's own probing is what is measured)
#      against random targets;
#   8. rack-aware probing: cross-rack datagrams per rack per period as racks
#      grow (O(1) per rack) against uniform probing (O(rack size));
#   9. a healed partition: periods to one full view against N and the
#      partition's length (SWIM and gossip heartbeating);
#  10. every join reaches everyone (N = 5, 6, 10, 100 seeds each, no
#      anti-entropy);
#  11. 30% datagram loss at N=1000: members falsely failed at once (target
#      <= 1%), what it costs in detection time, with and without the buddy
#      system, and the run's time (target < 60 s);
#  12. simulator scale: N=5000 x 100 periods, time and memory (targets
#      < 10 s, < 1 GB).
# Times are in protocol periods; the simulator's clock is virtual, so the
# figures do not depend on the machine (except section 11's and 12's run
# times and memory, measured with /usr/bin/time). Every run is seeded:
# re-running prints the same numbers.
# Usage: bench/membership_bench.sh [--no-build] [--quick]
#   --quick: fewer seeds and smaller N (a minute, for a smoke run).
# Needs python3 (to read the simulator's JSON) and /usr/bin/time.
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
# timed NAME ARGS...: as run, and the wall time, user and system CPU time
# (s) and peak RSS (KB) as $runs/NAME.time ("wall user sys kilobytes"). On
# a shared machine the wall time depends on the load; the CPU time much less.
timed() {
  local name="$1"
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$runs/$name.time" "$sim" "$@" >"$runs/$name.json"
}

seeds=20
big=5000
join_seeds=100
loss_n=1000
loss_periods=1000
part_big=1000
if ((quick)); then seeds=3; big=2000; join_seeds=10; loss_n=300; loss_periods=300; part_big=300; fi

echo "membership_bench: simulating (several minutes) ..." >&2
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

# 6. The rumour model.
for style in push pull push-pull; do
  for n in 100 1000 10000; do
    for loss in 0 0.5; do
      run "epi-$style-$n-$loss" --epidemic="$style" --nodes="$n" --loss="$loss" --trials=100 --seed=1
    done
  done
done
# 7. Completeness: N=20, one crash per run, seeds 1-200; no dissemination.
for s in $(seq 1 200); do
  for rr in true false; do
    run "complete-$rr-$s" --nodes=20 --periods=200 --crash=1 --seed="$s" --sync_phases=false \
      --membership_retransmit_mult=0 --round_robin="$rr"
  done
done
# 8. Cross-rack load against rack size, 5 racks.
for size in 20 100 200; do
  for aware in false true; do
    run "rackload-$aware-$size" --nodes=$((5 * size)) --racks=5 --periods=60 --crash=0 --seed=1 \
      --membership_rack_aware="$aware"
  done
done
# 9. Healed partitions: half against half from period 10, for L periods.
for n in 100 "$part_big"; do
  for len in 5 15 30 100; do
    run "part-swim-$n-$len" --nodes="$n" --crash=0 --partition=0.5 --partition_start=10 \
      --partition_end=$((10 + len)) --periods=$((10 + len + 250)) --seed=1
  done
done
for len in 5 15 30 100; do
  run "part-nobuddy-100-$len" --nodes=100 --crash=0 --partition=0.5 --partition_start=10 \
    --partition_end=$((10 + len)) --periods=$((10 + len + 250)) --seed=1 --buddy=false
  run "part-gossip-100-$len" --protocol=gossip --nodes=100 --crash=0 --partition=0.5 \
    --partition_start=10 --partition_end=$((10 + len)) --periods=$((10 + len + 250)) --seed=1
done
# 10. Joins, no anti-entropy.
for n in 5 6 10; do
  for s in $(seq 1 "$join_seeds"); do
    run "join-$n-$s" --nodes="$n" --join --crash=0 --periods=300 --seed="$s" \
      --membership_push_pull_interval_ms=0 --membership_reconnect_interval_ms=0
  done
done
# 11. 30% loss.
timed loss30 --nodes="$loss_n" --crash=0 --loss=0.3 --periods="$loss_periods" --seed=1
run loss30-crash --nodes="$loss_n" --crash=10 --loss=0.3 --periods=300 --seed=1
run loss0-crash --nodes="$loss_n" --crash=10 --loss=0 --periods=300 --seed=1
run loss30-nobuddy --nodes="$loss_n" --crash=0 --loss=0.3 --periods="$loss_periods" --seed=1 --buddy=false
# 12. Scale.
timed scale5000 --nodes="$big" --periods=100 --seed=1

python3 - "$runs" "$seeds" "$big" "$join_seeds" "$loss_n" "$part_big" >"$out" <<'PY'
import json, math, sys
runs, seeds, big, join_seeds, loss_n, part_big = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                                  int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
def load(name):
    with open(f"{runs}/{name}.json") as f:
        return json.load(f)
def timing(name):
    with open(f"{runs}/{name}.time") as f:
        wall, user, system, kb = f.read().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) / 1024
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
print("the suspicion timeout (suspect -> failed) is reported apart (its shortest value: k")
print("confirmations bring a suspicion down to it).")
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
print()
print("### 6. Dissemination rounds: push, pull, push-pull (the rumour model)")
print()
print("`--epidemic`: N members, one knows; each round every member contacts one other at random; 100 trials each; each transfer lost with the given probability.")
print()
print("| N | log2 N + ln N | log3 N | push | pull | push-pull | push, 50% loss | pull, 50% loss | push-pull, 50% loss | 50% loss / no loss (push, pull, push-pull) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for n in (100, 1000, 10000):
    e = {(st, l): load(f"epi-{st}-{n}-{l}") for st in ("push", "pull", "push-pull") for l in ("0", "0.5")}
    cell = lambda st, l: f"{e[(st, l)]['mean_rounds']:.2f} ({e[(st, l)]['min_rounds']}-{e[(st, l)]['max_rounds']})"
    ratios = ", ".join(f"{e[(st, '0.5')]['mean_rounds'] / e[(st, '0')]['mean_rounds']:.2f}" for st in ("push", "pull", "push-pull"))
    r0 = e[("push", "0")]
    print(f"| {n} | {r0['log2_n_plus_ln_n']:.2f} | {r0['log3_n']:.2f} | {cell('push', '0')} | {cell('pull', '0')} | {cell('push-pull', '0')} | {cell('push', '0.5')} | {cell('pull', '0.5')} | {cell('push-pull', '0.5')} | {ratios} |")
print()
print("Mean rounds (min-max over the trials).")
print()
print("### 7. Completeness: every member detects a crash within 2N-1 periods with round-robin targets")
print()
print("N=20 (2N-1 = 39), one crash per run, seeds 1-200, random phases; no dissemination (`--membership_retransmit_mult=0`), so each member learns of a crash only by probing it: crash -> every live member suspects it.")
print()
print("| probe targets | crashes | mean first detection | max first detection | mean all know | p99 all know | max all know | runs past 2N-1 | undetected |")
print("|---|---|---|---|---|---|---|---|---|")
for rr, label in (("true", "randomized round-robin"), ("false", "uniformly random")):
    rs = [load(f"complete-{rr}-{s}") for s in range(1, 201)]
    n = sum(r["all_know_periods"]["count"] for r in rs)
    fmean = sum(r["first_detection_periods"]["mean"] * r["first_detection_periods"]["count"] for r in rs) / n
    fmax = max(r["first_detection_periods"]["max"] for r in rs)
    kmean = sum(r["all_know_periods"]["mean"] * r["all_know_periods"]["count"] for r in rs) / n
    kp99 = max(r["all_know_periods"]["p99"] for r in rs)
    kmax = max(r["all_know_periods"]["max"] for r in rs)
    past = sum(1 for r in rs if r["all_know_periods"]["max"] > 39)
    und = sum(r["undetected"] for r in rs)
    print(f"| {label} | {n} | {fmean:.2f} | {fmax:.2f} | {kmean:.2f} | {kp99:.2f} | {kmax:.2f} | {past} of 200 | {und} |")
print()
print("### 8. Topology-aware probing: cross-rack load per rack against rack size")
print()
print("5 racks of S members, no crash, 60 periods. Cross-rack datagrams per rack per period = per member x S.")
print()
print("| rack size S | N | uniform: cross-rack / rack / period | rack-aware: cross-rack / rack / period | rack-aware: msgs / member / period |")
print("|---|---|---|---|---|")
for size in (20, 100, 200):
    u, a = load(f"rackload-false-{size}"), load(f"rackload-true-{size}")
    print(f"| {size} | {5 * size} | {u['cross_rack_messages_per_member_per_period'] * size:.1f} | {a['cross_rack_messages_per_member_per_period'] * size:.2f} | {a['messages_per_member_per_period']:.3f} |")
print()
print("### 9. A healed partition: periods from the heal to one full view")
print()
print("Half the members cut off from the other half from period 10 for L periods; one full view = every member holds every other alive (or suspect). Reconnect interval 50 periods (10 s), push-pull interval 150 periods scaled with N. Seed 1.")
print()
print("| protocol | N | L=5 | L=15 | L=30 | L=100 | falsely failed at once (L=100) |")
print("|---|---|---|---|---|---|---|")
def merge(name):
    r = load(name)
    return "never" if r["merge_periods"] < 0 else f"{r['merge_periods']:.1f}"
for n in (100, part_big):
    print(f"| SWIM | {n} | " + " | ".join(merge(f"part-swim-{n}-{l}") for l in (5, 15, 30, 100)) + f" | {load(f'part-swim-{n}-100')['max_falsely_failed_at_once']} |")
print("| SWIM, --buddy=false | 100 | " + " | ".join(merge(f"part-nobuddy-100-{l}") for l in (5, 15, 30, 100)) + f" | {load('part-nobuddy-100-100')['max_falsely_failed_at_once']} |")
print("| gossip | 100 | " + " | ".join(merge(f"part-gossip-100-{l}") for l in (5, 15, 30, 100)) + f" | {load('part-gossip-100-100')['max_falsely_failed_at_once']} |")
print()
print("### 10. Every join reaches everyone")
print()
print(f"`--join --crash=0 --periods=300`, seeds 1-{join_seeds}, anti-entropy off (push-pull and reconnect intervals 0).")
print()
print("| N | runs | incomplete at the end | worst period of one full view |")
print("|---|---|---|---|")
for n in (5, 6, 10):
    rs = [load(f"join-{n}-{s}") for s in range(1, join_seeds + 1)]
    bad = sum(1 for r in rs if r["members_fully_joined"] != n)
    worst = max(r["converged_at_periods"] for r in rs)
    print(f"| {n} | {len(rs)} | {bad} | {worst:.2f} |")
print()
print(f"### 11. 30% datagram loss, N={loss_n}")
print()
print("| run | periods | max falsely failed at once | members ever falsely failed | false failure declarations | refutations | msgs / member / period | mean first detection | mean all failed | max all failed | undetected | wall s | CPU s | peak MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
wall, cpu, mib = timing("loss30")
for label, name, t in (("30% loss, no crash", "loss30", f"{wall:.1f} | {cpu:.1f} | {mib:.0f}"),
                       ("30% loss, no crash, --buddy=false", "loss30-nobuddy", "- | - | -"),
                       ("30% loss, 10 crashes", "loss30-crash", "- | - | -"),
                       ("no loss, 10 crashes", "loss0-crash", "- | - | -")):
    r = load(name)
    c = r["crashes"] > 0
    fd = f"{r['first_detection_periods']['mean']:.2f}" if c else "-"
    af = f"{r['all_failed_periods']['mean']:.2f}" if c else "-"
    am = f"{r['all_failed_periods']['max']:.2f}" if c else "-"
    print(f"| {label} | {r['config']['periods']} | {r['max_falsely_failed_at_once']} | {r['falsely_failed_members']} | {r['false_failure_events']} | {r['refutations']} | {r['messages_per_member_per_period']:.2f} | {fd} | {af} | {am} | {r['undetected']} | {t} |")
print()
print(f"### 12. Simulator scale: N={big}, 100 periods, default flags (1 crash)")
print()
wall, cpu, mib = timing("scale5000")
r = load("scale5000")
print("| N | periods | wall s | CPU s | peak MiB | datagrams | full-state exchanges |")
print("|---|---|---|---|---|---|---|")
print(f"| {big} | 100 | {wall:.1f} | {cpu:.1f} | {mib:.0f} | {r['messages_sent']} | {r['full_state_exchanges']} |")
PY
cat "$out"
