#include "scheduler/resourcemanager/resource_manager.h"

#include <gflags/gflags.h>

DEFINE_int64(rm_node_expiry_ms, 3000,
             "A Node Manager silent for this long is lost: its containers end (exit -1).");
DEFINE_int32(rm_max_running_apps, 16,
             "Applications with an AM at once; later submissions wait in FIFO order.");
DEFINE_int64(rm_tick_ms, 100, "How often the RM expires silent nodes and schedules waiting work.");
DEFINE_int32(rm_max_frame_bytes, 16 << 20,
             "Largest ResourceManagerService request frame; a larger one closes the connection.");

namespace mr::sched {

ResourceManager::Options ResourceManager::Options::FromFlags() {
  Options options;
  options.service.state.node_expiry_ms = FLAGS_rm_node_expiry_ms;
  options.service.state.max_running_apps = FLAGS_rm_max_running_apps;
  options.service.tick_ms = FLAGS_rm_tick_ms;
  return options;
}

Result<std::unique_ptr<ResourceManager>> ResourceManager::Start(Options options) {
  if (options.service.state.start_time_ms == 0) options.service.state.start_time_ms = NowMs();
  std::unique_ptr<ResourceManager> rm(new ResourceManager());
  rm->service_ = std::make_shared<RmService>(options.service);
  rpc::ThriftServer::Options rpc_options;
  rpc_options.name = "resource manager";
  rpc_options.host = options.host;
  rpc_options.port = options.port;
  rpc_options.max_frame_bytes = FLAGS_rm_max_frame_bytes;
  ASSIGN_OR_RETURN(rm->server_,
                   rpc::ThriftServer::Start(
                       std::make_shared<wire::ResourceManagerServiceProcessor>(rm->service_),
                       rpc_options));
  return rm;
}

ResourceManager::~ResourceManager() { Stop(); }

void ResourceManager::Stop() {
  if (server_) server_->Stop();
}

}  // namespace mr::sched
