#include "scheduler/nodemanager/node_manager.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "NodeManagerService.h"
#include "common/file.h"
#include "common/host_port.h"
#include "rpc/thrift_server.h"
#include "scheduler/nodemanager/app_cleaner.h"
#include "scheduler/nodemanager/localizer.h"
#include "scheduler/nodemanager/nm_service.h"
#include "scheduler/nodemanager/rm_link.h"
#include "scheduler/resourcemanager/resources.h"
#include "scheduler/shuffle/local_names.h"
#include "scheduler/shuffle/shuffle_server.h"
#include "security/key_material.h"
#include "security/process_security.h"

DEFINE_int32(nm_rm_rpc_timeout_ms, 5000,
             "Bound on one call of the node manager to the resource manager (RegisterNode, "
             "NodeHeartbeat); a call that takes longer counts as failed and is retried.");

namespace mr::sched::nm {

Result<std::unique_ptr<NodeManager>> NodeManager::Start(Options options) {
  std::unique_ptr<NodeManager> nm(new NodeManager());
  Status s = nm->Init(std::move(options));
  if (!s.ok()) {
    nm->Stop();
    return s;
  }
  return nm;
}

NodeManager::~NodeManager() { Stop(); }

Status NodeManager::Init(Options options) {
  if (options.dir.empty()) return Status::InvalidArgument("node manager needs --dir");
  RETURN_NOT_OK(shuffle::CheckSafeLocalName(options.id, "node id"));
  if (!IsValidCapability(options.capability)) {
    return Status::InvalidArgument("node capability must be positive, got " +
                                   ToString(options.capability));
  }
  // --rm: every RM, "host:port[,host:port]", the active one first.
  std::string dfs_host;
  int dfs_port = 0;
  RETURN_NOT_OK(ParseHostPortList("--rm", options.rm_address).status());
  RETURN_NOT_OK_PREPEND(ParseHostPort(options.dfs_master, &dfs_host, &dfs_port),
                        "--dfs_master");
  std::string apps_dir = JoinPath(options.dir, "apps");
  RETURN_NOT_OK(CreateDirs(apps_dir));

  shuffle::ShuffleServer::Options shuffle_options = shuffle::ShuffleServer::Options::FromFlags();
  shuffle_options.apps_dir = apps_dir;
  shuffle_options.host = options.bind;
  shuffle_options.port = options.shuffle_port;
  ASSIGN_OR_RETURN(shuffle_, shuffle::ShuffleServer::Start(shuffle_options));
  shuffle_port_ = shuffle_->port();

  localizer_ = options.localizer;
  if (localizer_ == nullptr) {
    own_localizer_ = std::make_unique<Localizer>(apps_dir, DfsFetcher(dfs_host, dfs_port,
                                                                      options.host));
    localizer_ = own_localizer_.get();
  }

  ContainerManager::Options container_options = options.containers;
  container_options.dir = options.dir;
  container_options.capability = options.capability;
  // Tasks verify the daemons they call against the cluster CA.
  std::string ca_file;
  if (auto security = security::ProcessServerSecurity()) {
    ca_file = security::KeyPaths(security->keys_dir).ca_cert();
    // Every launch names its user (the container token's): a root NM never
    // runs a container as itself.
    container_options.require_user_when_root = true;
  }
  container_options.node = NodeEnv{options.id,         options.host,        options.rack,
                                   0,                  shuffle_port_,       options.rm_address,
                                   options.dfs_master, options.datanode_id, options.dfs_chunk_size,
                                   ca_file};
  // Completions heartbeat at once, so the RM frees their room.
  container_options.on_complete = [this] {
    if (RmLink* link = rm_link_ptr_.load()) link->Wake();
  };
  containers_ = std::make_unique<ContainerManager>(container_options, localizer_);
  AppCleaner::Options cleaner_options = options.cleaner;
  cleaner_options.node_id = options.id;
  cleaner_options.dfs_master = options.dfs_master;
  cleaner_options.client_host = options.host;
  cleaner_options.container_wait_ms = container_options.stop_grace_ms + 5000;
  cleaner_ = std::make_unique<AppCleaner>(cleaner_options, containers_.get());
  cleaner_->Start();

  rpc::ThriftServer::Options rpc_options;
  rpc_options.name = "node manager " + options.id;
  rpc_options.host = options.bind;
  rpc_options.port = options.port;
  auto handler = std::make_shared<NodeManagerServiceHandler>(containers_.get(), options.id);
  ASSIGN_OR_RETURN(rpc_, rpc::ThriftServer::Start(
                             std::make_shared<wire::NodeManagerServiceProcessor>(handler),
                             rpc_options));
  rpc_port_ = rpc_->port();
  containers_->SetPorts(rpc_port_, shuffle_port_);

  RmLink::Options link;
  link.rm_addresses = options.rm_address;
  link.heartbeat_ms = std::max(1, options.heartbeat_ms);
  link.rpc_timeout_ms = std::max(1, FLAGS_nm_rm_rpc_timeout_ms);
  link.node.id = options.id;
  link.node.host = options.host;
  link.node.rpc_port = rpc_port_;
  link.node.shuffle_port = shuffle_port_;
  link.node.rack = options.rack;
  link.node.capability = options.capability;
  link.node.datanode_id = options.datanode_id;
  AppCleaner* cleaner = cleaner_.get();
  link.cleanup_app = [cleaner](const std::string& app_id) { cleaner->Cleanup(app_id); };
  rm_link_ = std::make_unique<RmLink>(link, containers_.get());
  rm_link_ptr_ = rm_link_.get();
  rm_link_->Start();
  LOG(INFO) << "node manager " << options.id << ": service on " << options.bind << ":"
            << rpc_port_ << ", shuffle on " << shuffle_port_ << ", "
            << ToString(options.capability) << ", dir " << options.dir;
  return Status::OK();
}

void NodeManager::Stop() {
  // The RM link first (no more stops or cleanups), then the RPC server (no
  // more starts), then the cleaner (a log upload under way ends), then the
  // containers, then the shuffle.
  rm_link_ptr_ = nullptr;
  if (rm_link_) rm_link_->Stop();
  if (rpc_) rpc_->Stop();
  if (cleaner_) cleaner_->Stop();
  if (containers_) containers_->Shutdown();
  if (shuffle_) shuffle_->Stop();
}

}  // namespace mr::sched::nm
