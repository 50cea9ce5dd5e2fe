// dfs_master: the DFS master daemon (docs/DFS.md). Recovers the namespace
// from --dir, serves MasterService on --host:--port until SIGTERM or SIGINT.
// With --port=0 the bound port is written to <dir>/port for launchers.
#include <csignal>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/stop_signals.h"
#include "dfs/master/master_server.h"

DEFINE_string(dir, "", "Metadata directory: op log and checkpoints. Required.");
DEFINE_string(host, "127.0.0.1", "Address the MasterService listens on.");
DEFINE_int32(port, 0, "MasterService TCP port; 0 picks a free one and writes it to <dir>/port.");

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
  mr::Status s = mr::WritePortFile(FLAGS_dir, (*server)->port());
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  LOG(WARNING) << "dfs_master serving " << FLAGS_host << ":" << (*server)->port() << " from "
               << FLAGS_dir;
  int signal_number = stop_signals.Wait();
  LOG(WARNING) << "dfs_master: stopping on signal " << signal_number;
  (*server)->Stop();
  return mr::kExitOk;
}
