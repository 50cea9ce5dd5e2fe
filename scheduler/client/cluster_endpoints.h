// How the client finds the scheduler's services: the RMs from cluster.conf
// (role resourcemanager, the active one first, then a standby: RmClient
// fails over between them), an NM by its id from the RM's ListNodes.
// Clients are rpc::ThriftClient (framed compact protocol, errors as Status)
// or RmClient over them.
// Thread-safety: stateless functions; each client belongs to one thread.
#pragma once

#include <memory>
#include <string>

#include "NodeManagerService.h"
#include "ResourceManagerService.h"
#include "cluster/cluster_config.h"
#include "common/status.h"
#include "rpc/thrift_client.h"
#include "scheduler/client/rm_client.h"

namespace mr::sched {

using NmClient = rpc::ThriftClient<wire::NodeManagerServiceClient, wire::SchedulerError>;

// NotFound if the cluster has no resource manager.
Result<std::unique_ptr<RmClient>> ConnectResourceManager(const cluster::ClusterConfig& config);

// The NM `node_id` as the RM knows it (NodeInfo host and rpc_port).
// NotFound if the RM knows no such node.
Result<std::unique_ptr<NmClient>> ConnectNodeManager(RmClient* rm, const std::string& node_id);

}  // namespace mr::sched
