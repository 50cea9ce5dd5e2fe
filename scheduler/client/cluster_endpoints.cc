#include "scheduler/client/cluster_endpoints.h"

#include <vector>

#include <gflags/gflags.h>

DEFINE_int32(mrjob_rm_failover_wait_ms, 15000,
             "With a standby resource manager in cluster.conf: how long a call keeps trying "
             "the RMs in turn while none serves (a takeover takes about --rm_failover_ms).");

namespace mr::sched {

Result<std::unique_ptr<RmClient>> ConnectResourceManager(const cluster::ClusterConfig& config) {
  if (config.ResourceManager() == nullptr) {
    return Status::NotFound("the cluster has no resource manager (cluster.conf)");
  }
  RmClient::Options options;
  // One RM: its errors show at once, as before there were standbys.
  options.failover_wait_ms =
      config.ResourceManagers().size() > 1 ? FLAGS_mrjob_rm_failover_wait_ms : 0;
  return RmClient::Create(config.ResourceManagerAddresses(), options);
}

Result<std::unique_ptr<NmClient>> ConnectNodeManager(RmClient* rm, const std::string& node_id) {
  ASSIGN_OR_RETURN(std::vector<wire::NodeReport> nodes,
                   rm->CallFor<std::vector<wire::NodeReport>>(
                       "ListNodes", [](auto& stub, auto& out) { stub.ListNodes(out); }));
  for (const wire::NodeReport& node : nodes) {
    if (node.info.id == node_id) {
      return NmClient::Connect("node manager " + node_id, node.info.host, node.info.rpc_port);
    }
  }
  return Status::NotFound("the resource manager knows no node " + node_id);
}

}  // namespace mr::sched
