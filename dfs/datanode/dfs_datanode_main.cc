// dfs_datanode: stores chunk replicas, serves the DFS data plane and keeps
// itself registered with the master (dfs/datanode/datanode.h), until SIGTERM
// or SIGINT.
#include <csignal>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "dfs/datanode/datanode.h"
#include "membership/daemon_member.h"
#include "security/process_security.h"

DEFINE_string(dir, "", "Data directory (chunks live in <dir>/chunks). Required.");
DEFINE_string(master, "", "HOST:PORT of the DFS master's MasterService. Required.");
DEFINE_int32(port, 0, "Data-plane TCP port; 0 picks a free one.");
DEFINE_string(bind, "127.0.0.1", "Address the data-plane server listens on.");
DEFINE_string(host, "127.0.0.1",
              "Host name or address of this datanode's data plane as told to the master "
              "(clients and other datanodes connect to it).");
DEFINE_string(rack, "/default-rack", "Rack label of this datanode, e.g. /r1.");
DEFINE_string(id, "", "Datanode id; default: the one stored in --dir, else a new one.");

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: dfs_datanode --dir=DIR --master=HOST:PORT [--port=N] [--host=H] "
                       "[--rack=R] [--id=ID]");
  mr::security::InitDaemonSecurityOrExit();
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  if (FLAGS_master.empty()) mr::ExitWithError(mr::kExitUsage, "--master is required");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  mr::StopSignals stop_signals;  // Before any thread starts.

  mr::dfs::Datanode::Options options;
  options.dir = FLAGS_dir;
  options.id = FLAGS_id;
  options.rack = FLAGS_rack;
  options.bind = FLAGS_bind;
  options.port = FLAGS_port;
  options.host = FLAGS_host;
  options.master = FLAGS_master;
  auto node = mr::dfs::Datanode::Start(options);
  if (!node.ok()) {
    int code = node.status().code() == mr::Status::Code::kInvalidArgument ? mr::kExitUsage
                                                                          : mr::kExitFailure;
    mr::ExitWithError(code, node.status().ToString());
  }
  // A member too with --membership: the master hears of this node's death
  // from the membership layer before its heartbeat timeout.
  auto member = mr::membership::StartDaemonMember({(*node)->id(), "datanode", FLAGS_rack}, {});
  if (!member.ok()) mr::ExitWithError(mr::kExitFailure, member.status().ToString());
  int signal_number = stop_signals.Wait();
  LOG(WARNING) << "dfs_datanode " << (*node)->id() << ": stopping on signal " << signal_number;
  if (*member) (*member)->Leave();
  (*node)->Stop();
  return mr::kExitOk;
}
