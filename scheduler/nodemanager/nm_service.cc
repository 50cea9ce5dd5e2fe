#include "scheduler/nodemanager/nm_service.h"

#include "rpc/status_codes.h"

namespace mr::sched::nm {

namespace {
void ThrowIfError(const Status& s) {
  if (!s.ok()) throw rpc::ToWireError<wire::SchedulerError>(s);
}
}  // namespace

void NodeManagerServiceHandler::StartContainer(const wire::LaunchContext& context) {
  ThrowIfError(containers_->Start(context));
}

void NodeManagerServiceHandler::StopContainer(const std::string& container_id) {
  containers_->Stop(container_id, "stopped");
}

void NodeManagerServiceHandler::GetContainerStatuses(
    std::vector<wire::ContainerStatus>& out, const std::vector<std::string>& container_ids) {
  out = containers_->Statuses(container_ids);
}

void NodeManagerServiceHandler::GetContainerLog(std::string& out, const std::string& container_id,
                                                const std::string& stream, int64_t max_bytes) {
  Result<std::string> log = containers_->Log(container_id, stream, max_bytes);
  ThrowIfError(log.status());
  out = std::move(log).value();
}

}  // namespace mr::sched::nm
