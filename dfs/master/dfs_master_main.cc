// dfs_master: the DFS master daemon (docs/DFS.md). Recovers the namespace
// from --dir, serves MasterService on --host:--port until SIGTERM or SIGINT.
// With --port=0 the bound port is written to <dir>/port for launchers. With
// --membership it is a member too (the seed of a local cluster): a datanode
// the membership layer finds failed is declared dead at once, and
// ListMembers reports the membership view. It remembers the members it saw
// (member_peers.h) and, restarted, joins through them.
//
// A namespace that cannot be rebuilt from --dir (a damaged checkpoint or op
// log, an op that cannot be applied) stops the master with the file, the op
// and the reason. `dfs_master --dir D --recover` then keeps the longest
// consistent prefix of the history, prints what it kept and dropped, moves
// the old files aside and exits; the master then starts normally.
#include <csignal>
#include <cstdio>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "common/text.h"
#include "dfs/master/master_server.h"
#include "dfs/master/member_peers.h"
#include "membership/daemon_member.h"
#include "security/process_security.h"

DEFINE_string(dir, "", "Metadata directory: op log and checkpoints. Required.");
DEFINE_string(host, "127.0.0.1", "Address the MasterService listens on.");
DEFINE_int32(port, 0, "MasterService TCP port; 0 picks a free one and writes it to <dir>/port.");
DEFINE_bool(recover, false,
            "Recovery mode (as HDFS's namenode -recover): rebuild the longest consistent prefix "
            "of the namespace history in --dir, print what was kept and dropped, move the old "
            "files aside, and exit without serving.");
DECLARE_string(membership_seeds);

namespace {

// The master's membership view, for ListMembers (mrcluster status).
std::vector<mr::dfs::wire::MemberStatus> MembersOf(const mr::membership::Member& member) {
  std::vector<mr::dfs::wire::MemberStatus> out;
  for (const mr::membership::MemberSnapshot& m : member.Snapshot()) {
    mr::dfs::wire::MemberStatus& s = out.emplace_back();
    s.id = m.member->id;
    s.address = m.member->address;
    s.rack = m.member->rack;
    s.state = std::string(mr::membership::MemberStateName(m.state));
    s.incarnation = m.incarnation;
    s.role = mr::membership::RoleOf(*m.member);
  }
  return out;
}

int Recover() {
  mr::dfs::MasterState::Options options;
  options.dir = FLAGS_dir;
  auto report = mr::dfs::MasterState::Recover(options);
  if (!report.ok()) {
    mr::ExitWithError(mr::kExitFailure, "recovery of " + FLAGS_dir + " failed: " +
                                            mr::EscapeForTerminal(report.status().ToString()));
  }
  // Paths from the log, printed as ls -b does.
  for (const std::string& line : *report) {
    std::printf("dfs_master --recover: %s\n", mr::EscapeForTerminal(line).c_str());
  }
  return mr::kExitOk;
}

// The members seen before a restart join the seeds (--membership_seeds).
void AddRememberedSeeds() {
  std::string seeds = FLAGS_membership_seeds;
  for (const std::string& peer : mr::dfs::MemberPeers::Load(FLAGS_dir)) {
    seeds += (seeds.empty() ? "" : ",") + peer;
  }
  FLAGS_membership_seeds = seeds;
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: dfs_master --dir=DIR [--host=H] [--port=N] | --dir=DIR --recover");
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  if (FLAGS_recover) return Recover();
  mr::security::InitDaemonSecurityOrExit();
  mr::StopSignals stop_signals;  // Before any thread starts.

  (void)mr::RemoveAll(mr::JoinPath(FLAGS_dir, "port"));  // Never advertise a stale port.
  mr::dfs::MasterServer::Options options = mr::dfs::MasterServer::Options::FromFlags();
  options.dir = FLAGS_dir;
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  auto server = mr::dfs::MasterServer::Start(options);
  if (!server.ok()) {
    const mr::Status& s = server.status();
    // The reason may name a path from the log: printed as ls -b does.
    mr::ExitWithError(mr::kExitFailure,
                      mr::EscapeForTerminal(s.ToString()) + (s.IsCorruption()
                                          ? ". The master does not start on a namespace it "
                                            "cannot rebuild; `dfs_master --dir " + FLAGS_dir +
                                                " --recover` keeps the history before the "
                                                "damage and reports what it drops"
                                          : ""));
  }
  mr::dfs::MasterService* service = (*server)->service();
  AddRememberedSeeds();
  mr::dfs::MemberPeers peers(FLAGS_dir);  // Outlives the member (declared first).
  auto member = mr::membership::StartDaemonMember(
      {"master", "master", ""}, [service, &peers](const mr::membership::MemberEvent& event) {
        using mr::membership::EventType;
        if (event.type == EventType::kLeft) {
          peers.Remove(event.member->address);
        } else if (event.type == EventType::kJoined || event.type == EventType::kAlive) {
          peers.Add(event.member->address);
        }
        if (mr::membership::IsDeparture(event.type) &&
            mr::membership::RoleOf(*event.member) == "datanode") {
          service->DatanodeFailed(event.member->id,
                                  std::string(mr::membership::EventTypeName(event.type)) +
                                      " (membership)");
        }
      });
  if (!member.ok()) mr::ExitWithError(mr::kExitFailure, member.status().ToString());
  if (*member) {
    const mr::membership::Member* view = member->get();
    service->SetMembersSource([view] { return MembersOf(*view); });
  }
  mr::Status s = mr::WritePortFile(FLAGS_dir, (*server)->port());
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  LOG(WARNING) << "dfs_master serving " << FLAGS_host << ":" << (*server)->port() << " from "
               << FLAGS_dir;
  int signal_number = stop_signals.Wait();
  LOG(WARNING) << "dfs_master: stopping on signal " << signal_number;
  if (*member) (*member)->Leave();
  (*server)->Stop();
  return mr::kExitOk;
}
