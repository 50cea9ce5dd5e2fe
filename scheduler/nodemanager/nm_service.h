// The NodeManagerService handler: the RPC edge over ContainerManager, where
// Status becomes SchedulerError.
// Thread-safety: as ContainerManager (TThreadedServer calls it from a
// thread per connection).
#pragma once

#include "NodeManagerService.h"
#include "scheduler/nodemanager/container_manager.h"

namespace mr::sched::nm {

class NodeManagerServiceHandler : public wire::NodeManagerServiceIf {
 public:
  // `containers` must outlive the handler's server.
  explicit NodeManagerServiceHandler(ContainerManager* containers) : containers_(containers) {}

  void StartContainer(const wire::LaunchContext& context) override;
  void StopContainer(const std::string& container_id) override;
  void GetContainerStatuses(std::vector<wire::ContainerStatus>& out,
                            const std::vector<std::string>& container_ids) override;
  void GetContainerLog(std::string& out, const std::string& container_id,
                       const std::string& stream, int64_t max_bytes) override;

 private:
  ContainerManager* const containers_;
};

}  // namespace mr::sched::nm
