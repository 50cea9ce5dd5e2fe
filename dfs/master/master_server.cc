#include "dfs/master/master_server.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "MasterService.h"
#include "common/file.h"

DEFINE_int64(dfs_checkpoint_every_ops, 10000,
             "The master writes a namespace checkpoint (and starts a new op log) after this "
             "many logged ops; 0 = never.");
DEFINE_int64(dfs_oplog_preallocate_kb, mr::dfs::OpLog::kDefaultPreallocateBytes >> 10,
             "The master preallocates its op log files with zeros in steps of this many KiB, so "
             "that the fdatasync of each group commit writes data blocks only, not the file's "
             "size; 0 = plain appends.");
DEFINE_int32(dfs_rpc_max_frame_bytes, 16 << 20,
             "Largest MasterService request frame accepted; a larger one closes the connection.");

DEFINE_int32(dfs_master_rpc_threads, 512,
             "Most MasterService connections open at once; each has its own serving thread "
             "(Thrift TThreadedServer), so this caps the master's RPC threads. A connection "
             "beyond it closes the one that waited longest for its next request, or is refused "
             "if every one is in a call (clients retry that as a master outage, "
             "--dfs_client_master_retry_ms). 0 = no limit. Per address and idle connections: "
             "--rpc_max_connections_per_peer, --rpc_idle_timeout_ms.");

namespace mr::dfs {

MasterServer::Options MasterServer::Options::FromFlags() {
  Options options;
  options.checkpoint_every_ops = FLAGS_dfs_checkpoint_every_ops;
  options.oplog_preallocate_bytes = FLAGS_dfs_oplog_preallocate_kb * 1024;
  options.max_frame_bytes = FLAGS_dfs_rpc_max_frame_bytes;
  options.max_connections = FLAGS_dfs_master_rpc_threads;
  options.service = MasterService::Options::FromFlags();
  return options;
}

Result<std::unique_ptr<MasterServer>> MasterServer::Start(Options options) {
  if (options.dir.empty()) return Status::InvalidArgument("master: no metadata directory");
  RETURN_NOT_OK(CreateDirs(options.dir));
  MasterState::Options state_options;
  state_options.dir = options.dir;
  state_options.checkpoint_every_ops = options.checkpoint_every_ops;
  state_options.log_preallocate_bytes = options.oplog_preallocate_bytes;
  ASSIGN_OR_RETURN(std::unique_ptr<MasterState> state, MasterState::Open(state_options));
  LOG(INFO) << "dfs master: recovered " << options.dir << " up to op " << state->last_sequence();
  std::unique_ptr<MasterServer> server(new MasterServer());
  server->service_ = std::make_shared<MasterService>(std::move(state), options.service);
  rpc::ThriftServer::Options rpc_options;
  rpc_options.name = "dfs master";
  rpc_options.host = options.host;
  rpc_options.port = options.port;
  rpc_options.max_frame_bytes = options.max_frame_bytes;
  rpc_options.max_connections = options.max_connections;
  ASSIGN_OR_RETURN(server->server_,
                   rpc::ThriftServer::Start(std::make_shared<wire::MasterServiceProcessor>(server->service_),
                                            rpc_options));
  server->port_ = server->server_->port();
  LOG(INFO) << "dfs master: serving " << options.dir << " on " << options.host << ":"
            << server->port_;
  return server;
}

MasterServer::~MasterServer() { Stop(); }

void MasterServer::Stop() {
  if (server_) server_->Stop();
}

}  // namespace mr::dfs
