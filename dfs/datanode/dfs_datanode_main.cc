// dfs_datanode: stores chunk replicas and serves the DFS data plane.
//
// TODO(issue #3): register with the master, heartbeat, send chunk reports
// (ChunkStore::List), report ChunkReceived after a finalized write and the
// scrubber's corrupt replicas, and execute delete/replicate commands. All of
// it needs MasterService from dfs/proto (dfs.thrift), not yet available.
#include <csignal>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "dfs/datanode/chunk_store.h"
#include "dfs/datanode/data_server.h"
#include "dfs/datanode/datanode_id.h"
#include "dfs/datanode/scrubber.h"

DEFINE_string(dir, "", "Data directory (chunks live in <dir>/chunks). Required.");
DEFINE_int32(port, 0, "Data-plane TCP port; 0 picks a free one.");
DEFINE_string(bind, "127.0.0.1", "Address the data-plane server listens on.");
DEFINE_string(rack, "/default-rack", "Rack label of this datanode, e.g. /r1.");
DEFINE_string(id, "", "Datanode id; default: the one stored in --dir, else a new one.");

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: dfs_datanode --dir=DIR [--port=N] [--rack=R] [--id=ID]");
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto id = mr::dfs::LoadOrCreateDatanodeId(FLAGS_dir, FLAGS_id, FLAGS_rack);
  if (!id.ok()) mr::ExitWithError(mr::kExitFailure, id.status().ToString());
  auto store = mr::dfs::ChunkStore::Open(FLAGS_dir);
  if (!store.ok()) mr::ExitWithError(mr::kExitFailure, store.status().ToString());
  mr::dfs::DataServer::Options options = mr::dfs::DataServer::Options::FromFlags();
  options.datanode_id = *id;
  options.bind_address = FLAGS_bind;
  options.port = FLAGS_port;
  mr::dfs::DataServer server(store->get(), options);
  mr::Status s = server.Start();
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  mr::dfs::Scrubber scrubber(store->get(), mr::dfs::Scrubber::Options::FromFlags(),
                             [](const mr::dfs::ChunkInfo&, const mr::Status&) {
                               // TODO(issue #3): report to the master once its IDL lands.
                             });
  scrubber.Start();
  LOG(WARNING) << "dfs_datanode " << *id << " (rack " << FLAGS_rack << ") serving "
               << FLAGS_bind << ":" << server.port() << " from " << FLAGS_dir;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  LOG(WARNING) << "dfs_datanode " << *id << ": stopping on signal " << signal;
  scrubber.Stop();
  server.Stop();
  return mr::kExitOk;
}
