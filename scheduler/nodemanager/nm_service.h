// The NodeManagerService handler: the RPC edge over ContainerManager, where
// Status becomes SchedulerError, and where callers are checked
// (scheduler/auth/sched_auth.h) when the process has security: a container
// starts only with the RM's valid container token for that id, this node
// and that grant, once; only the container's job (its owner, its AM and
// tasks, the cluster's daemons) may stop it, see its status or read its
// logs.
// Thread-safety: as ContainerManager (TThreadedServer calls it from a
// thread per connection); its own records are behind mu_.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "NodeManagerService.h"
#include "scheduler/nodemanager/container_manager.h"

namespace mr::sched::nm {

class NodeManagerServiceHandler : public wire::NodeManagerServiceIf {
 public:
  // `containers` must outlive the handler's server; `node_id`: this NM's id
  // (container tokens name it).
  NodeManagerServiceHandler(ContainerManager* containers, std::string node_id)
      : containers_(containers), node_id_(std::move(node_id)) {}

  void StartContainer(const wire::LaunchContext& context) override;
  void StopContainer(const std::string& container_id) override;
  void GetContainerStatuses(std::vector<wire::ContainerStatus>& out,
                            const std::vector<std::string>& container_ids) override;
  void GetContainerLog(std::string& out, const std::string& container_id,
                       const std::string& stream, int64_t max_bytes) override;

 private:
  struct Owner {
    std::string app_id;
    std::string user;
    int64_t token_expires_ms = 0;  // Its id is remembered until then at least.
  };

  // Security on: OK if the token grants exactly this launch here, and its
  // container id was never started; the owner it names in *owner.
  Status CheckLaunch(const wire::LaunchContext& context, Owner* owner);
  // Security on: OK if the caller may act for the container's job (unknown
  // containers: daemons only).
  Status CheckAccess(const std::string& action, const std::string& container_id);
  // Now and then, forgets owners whose token expired and whose container
  // the ContainerManager forgot.
  void PruneOwners();

  ContainerManager* const containers_;
  const std::string node_id_;
  std::mutex mu_;
  // Containers started with a token, by id (security on): whose they are,
  // and so which ids were started (never twice). Entries go once their
  // token expired and their application is gone.
  std::map<std::string, Owner> owners_;  // GUARDED_BY(mu_)
  int64_t starts_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace mr::sched::nm
