#include "scheduler/client/cluster_endpoints.h"

#include <vector>

namespace mr::sched {

Result<std::unique_ptr<RmClient>> ConnectResourceManager(const cluster::ClusterConfig& config) {
  const cluster::NodeConfig* rm = config.ResourceManager();
  if (rm == nullptr) return Status::NotFound("the cluster has no resource manager (cluster.conf)");
  return RmClient::Connect("resource manager", rm->host, rm->port);
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
