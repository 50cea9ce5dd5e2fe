// dfs_master: the DFS master daemon (docs/DFS.md). Recovers the namespace
// from --dir, serves MasterService on --host:--port until SIGTERM or SIGINT.
// With --port=0 the bound port is written to <dir>/port for launchers. With
// --membership it is a member too (the seed of a local cluster): a datanode
// the membership layer finds failed is declared dead at once, and
// ListMembers reports the membership view.
#include <csignal>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "dfs/master/master_server.h"
#include "membership/daemon_member.h"

DEFINE_string(dir, "", "Metadata directory: op log and checkpoints. Required.");
DEFINE_string(host, "127.0.0.1", "Address the MasterService listens on.");
DEFINE_int32(port, 0, "MasterService TCP port; 0 picks a free one and writes it to <dir>/port.");

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

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: dfs_master --dir=DIR [--host=H] [--port=N]");
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  mr::StopSignals stop_signals;  // Before any thread starts.

  (void)mr::RemoveAll(mr::JoinPath(FLAGS_dir, "port"));  // Never advertise a stale port.
  mr::dfs::MasterServer::Options options = mr::dfs::MasterServer::Options::FromFlags();
  options.dir = FLAGS_dir;
  options.host = FLAGS_host;
  options.port = FLAGS_port;
  auto server = mr::dfs::MasterServer::Start(options);
  if (!server.ok()) mr::ExitWithError(mr::kExitFailure, server.status().ToString());
  mr::dfs::MasterService* service = (*server)->service();
  auto member = mr::membership::StartDaemonMember(
      {"master", "master", ""}, [service](const mr::membership::MemberEvent& event) {
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
