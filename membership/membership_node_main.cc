// membership_node: runs one Member (docs/MEMBERSHIP.md) and prints one line
// per event on stdout ("event <type> <id> <address> inc=<n>") and its member
// list every --snapshot_interval_ms ("snapshot <id>=<state> ..."). Leaves
// gracefully on SIGTERM or SIGINT, then prints its counters
// ("counters <name>=<n> ..."). With --membership_keyring_file it signs and
// checks every message with that keyring and rereads the file when it
// changes ("keyring keys=<n>"), which is how a key is rotated in a running
// group (docs/MEMBERSHIP.md, "Authentication").
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "membership/keyring_authenticator.h"
#include "membership/member.h"

DEFINE_string(id, "", "Member id. Required.");
DEFINE_int32(port, 0, "UDP port (overrides --membership_port); 0 picks a free one.");
DEFINE_string(seeds, "", "Comma-separated host:port to join through (overrides --membership_seeds).");
DEFINE_string(rack, "", "Rack label (overrides --membership_rack).");
DEFINE_string(cluster_id, "", "Cluster id (overrides --membership_cluster_id).");
DEFINE_int64(snapshot_interval_ms, 0, "Print the member list this often; 0 never.");
DEFINE_int64(keyring_check_ms, 100,
             "Reread --membership_keyring_file this soon after it changes (rotation).");
DECLARE_string(membership_keyring_file);

namespace {

std::mutex stdout_mu;

void PrintLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(stdout_mu);
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// What tells a replaced file from the one read before (Keyring::Save
// renames a new file over it).
std::string FileVersion(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_ino) + "/" + std::to_string(st.st_size) + "/" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::string SnapshotLine(const mr::membership::Member& member) {
  std::string line = "snapshot";
  for (const auto& entry : member.Snapshot()) {
    line += " " + entry.member->id + "=" + std::string(mr::membership::MemberStateName(entry.state));
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: membership_node --id=ID [--port=N] [--seeds=H:P,...] [--rack=R]");
  if (FLAGS_id.empty()) mr::ExitWithError(mr::kExitUsage, "--id is required");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  auto options = mr::membership::Member::Options::FromFlags();
  if (!options.ok()) mr::ExitWithError(mr::kExitUsage, options.status().ToString());
  options->id = FLAGS_id;
  if (FLAGS_port != 0) options->port = FLAGS_port;
  if (!FLAGS_rack.empty()) options->rack = FLAGS_rack;
  if (!FLAGS_cluster_id.empty()) options->core.cluster_id = FLAGS_cluster_id;
  if (!FLAGS_seeds.empty()) {
    auto seeds = mr::membership::ParseSeeds(FLAGS_seeds);
    if (!seeds.ok()) mr::ExitWithError(mr::kExitUsage, seeds.status().ToString());
    options->seeds = *seeds;
  }
  std::shared_ptr<mr::membership::KeyringAuthenticator> keyring;
  std::string keyring_version;
  if (!FLAGS_membership_keyring_file.empty()) {
    keyring_version = FileVersion(FLAGS_membership_keyring_file);
    auto loaded = mr::membership::LoadKeyringAuthenticator(FLAGS_membership_keyring_file);
    if (!loaded.ok()) mr::ExitWithError(mr::kExitUsage, loaded.status().ToString());
    keyring = *loaded;
    options->core.authenticator = keyring;
  }
  mr::StopSignals stop_signals;  // Before any thread starts.

  mr::membership::Member member(*std::move(options));
  member.Subscribe([](const mr::membership::MemberEvent& e) {
    PrintLine("event " + std::string(mr::membership::EventTypeName(e.type)) + " " + e.member->id +
              " " + e.member->address + " inc=" + std::to_string(e.incarnation));
  });
  mr::Status started = member.Start();
  if (!started.ok()) mr::ExitWithError(mr::kExitFailure, started.ToString());
  PrintLine("started " + FLAGS_id + " " + member.self().address);
  if (keyring) PrintLine("keyring keys=" + std::to_string(keyring->key_count()));

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread snapshots([&] {
    if (FLAGS_snapshot_interval_ms <= 0) return;
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(FLAGS_snapshot_interval_ms),
                        [&] { return stopping; })) {
      PrintLine(SnapshotLine(member));
    }
  });

  std::thread keyring_reloads([&] {
    if (!keyring) return;
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(FLAGS_keyring_check_ms),
                        [&] { return stopping; })) {
      std::string version = FileVersion(FLAGS_membership_keyring_file);
      if (version.empty() || version == keyring_version) continue;
      keyring_version = version;
      auto ring = mr::security::Keyring::Load(FLAGS_membership_keyring_file);
      if (!ring.ok()) {
        PrintLine("keyring unchanged: " + ring.status().ToString());
        continue;
      }
      keyring->Replace(*ring);
      PrintLine("keyring keys=" + std::to_string(keyring->key_count()));
    }
  });

  int signal_number = stop_signals.Wait();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  snapshots.join();
  keyring_reloads.join();
  LOG(INFO) << "membership_node " << FLAGS_id << ": leaving on signal " << signal_number;
  member.Leave();
  PrintLine("left " + FLAGS_id);
  mr::membership::MemberCounters c = member.counters();
  PrintLine("counters datagrams_received=" + std::to_string(c.datagrams_received) +
            " dropped_forged=" + std::to_string(c.dropped_forged) +
            " dropped_unauthenticated=" + std::to_string(c.dropped_unauthenticated) +
            " sync_dropped_unauthenticated=" + std::to_string(c.sync_dropped_unauthenticated) +
            " refutations=" + std::to_string(c.refutations) +
            " push_pulls=" + std::to_string(c.push_pulls) +
            " reconnects=" + std::to_string(c.reconnects) +
            " syncs_served=" + std::to_string(c.syncs_served) +
            " syncs_applied=" + std::to_string(c.syncs_applied) +
            " sync_errors=" + std::to_string(c.sync_errors) +
            " stalls=" + std::to_string(c.stalls));
  return mr::kExitOk;
}
