// membership_sim: runs N members of the real membership core over a
// simulated network (docs/MEMBERSHIP.md, "Simulator") and prints one JSON
// report on stdout. Protocol knobs are the --membership_* flags, read as
// virtual milliseconds.
#include <chrono>
#include <cstdio>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "membership/keyring_authenticator.h"
#include "membership/sim/epidemic.h"
#include "membership/sim/simulator.h"

DEFINE_string(protocol, "swim", "swim or gossip.");
DEFINE_int32(nodes, 100, "Members.");
DEFINE_int32(periods, 100, "Protocol periods to simulate.");
DEFINE_double(loss, 0, "Probability in [0, 1) that a datagram is lost.");
DEFINE_int32(crash, 1, "Members that crash at random times in the first half of the run.");
DEFINE_uint64(seed, 1, "Seed of every random choice; same seed, same report.");
DEFINE_bool(suspicion, true, "SWIM: suspect before failing (overrides --membership_suspicion).");
DEFINE_bool(buddy, true,
            "SWIM: Lifeguard's buddy system, a PING to a suspect carries the suspicion "
            "(overrides --membership_buddy).");
DEFINE_bool(round_robin, true,
            "SWIM: probe targets in randomized round-robin order; false: uniformly at random.");
DEFINE_string(epidemic, "",
              "Instead of the protocol: the rumour model, push, pull or push-pull, over "
              "--nodes with --loss, --trials times; prints rounds until all know.");
DEFINE_int32(trials, 100, "--epidemic: independent runs (seeds --seed, --seed+1, ...).");
DEFINE_int64(min_latency_ms, 1, "Smallest one-way latency, virtual ms.");
DEFINE_int64(max_latency_ms, 10, "Largest one-way latency, virtual ms.");
DEFINE_bool(sync_phases, true,
            "All members start periods together and crashes fall just before a period boundary "
            "(the SWIM paper's model); false: random phases and crash times.");
DEFINE_int32(racks, 1, "Rack labels, assigned round-robin.");
DEFINE_double(partition, 0, "Fraction of members cut off from the rest ...");
DEFINE_int32(partition_start, 0, "... from this period ...");
DEFINE_int32(partition_end, 0, "... until this one.");
DEFINE_int32(slow, 0, "Members whose datagrams, in and out, are delayed by --slow_delay_ms.");
DEFINE_int64(slow_delay_ms, 0, "Extra delay of a slow member's datagrams, virtual ms.");
DEFINE_bool(join, false, "Members join through member 0 instead of starting with the full list.");
DEFINE_bool(authenticate, false,
            "Every member signs and checks every message with one generated cluster key "
            "(keyring_authenticator.h), to measure what authentication costs.");

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: membership_sim [--protocol=swim|gossip] [--nodes=N] [--periods=P] "
                       "[--loss=F] [--crash=C] [--seed=S] [--suspicion=true|false] "
                       "[--buddy=true|false] [--epidemic=push|pull|push-pull]");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  mr::membership::sim::SimOptions o;
  auto protocol = mr::membership::ParseProtocol(FLAGS_protocol);
  if (!protocol) mr::ExitWithError(mr::kExitUsage, "--protocol must be swim or gossip");
  if (FLAGS_nodes < 2 || FLAGS_periods < 1 || FLAGS_loss < 0 || FLAGS_loss >= 1 ||
      FLAGS_crash < 0 || FLAGS_min_latency_ms < 0 || FLAGS_max_latency_ms < FLAGS_min_latency_ms) {
    mr::ExitWithError(mr::kExitUsage, "need --nodes>=2, --periods>=1, 0<=--loss<1, --crash>=0, "
                                      "0<=--min_latency_ms<=--max_latency_ms");
  }
  if (!FLAGS_epidemic.empty()) {
    mr::membership::sim::EpidemicOptions e;
    if (!mr::membership::sim::ParseEpidemic(FLAGS_epidemic, &e.style) || FLAGS_trials < 1) {
      mr::ExitWithError(mr::kExitUsage, "--epidemic must be push, pull or push-pull; --trials>=1");
    }
    e.nodes = FLAGS_nodes;
    e.loss = FLAGS_loss;
    e.trials = FLAGS_trials;
    e.seed = FLAGS_seed;
    std::printf("%s\n", mr::membership::sim::EpidemicJson(e, RunEpidemic(e)).c_str());
    return mr::kExitOk;
  }
  o.protocol = *protocol;
  o.core = mr::membership::CoreOptions::FromFlags();
  o.core.suspicion = FLAGS_suspicion;
  o.core.buddy = FLAGS_buddy;
  o.core.round_robin = FLAGS_round_robin;
  o.nodes = FLAGS_nodes;
  o.periods = FLAGS_periods;
  o.loss = FLAGS_loss;
  o.crash = FLAGS_crash;
  o.seed = FLAGS_seed;
  o.min_latency_ms = FLAGS_min_latency_ms;
  o.max_latency_ms = FLAGS_max_latency_ms;
  o.sync_phases = FLAGS_sync_phases;
  o.racks = FLAGS_racks;
  o.partition = FLAGS_partition;
  o.partition_start = FLAGS_partition_start;
  o.partition_end = FLAGS_partition_end;
  o.slow = FLAGS_slow;
  o.slow_delay_ms = FLAGS_slow_delay_ms;
  o.join = FLAGS_join;
  if (FLAGS_authenticate) {
    o.core.authenticator = std::make_shared<mr::membership::KeyringAuthenticator>(
        mr::security::Keyring::Generate());
  }
  auto start = std::chrono::steady_clock::now();
  mr::membership::sim::SimReport report = mr::membership::sim::RunSimulation(o);
  std::printf("%s\n", mr::membership::sim::ReportJson(o, report).c_str());
  LOG(INFO) << "simulated in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s";
  return mr::kExitOk;
}
