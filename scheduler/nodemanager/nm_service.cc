#include "scheduler/nodemanager/nm_service.h"

#include <set>

#include "common/clock.h"
#include "rpc/status_codes.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/resourcemanager/resources.h"
#include "security/process_security.h"

namespace mr::sched::nm {

namespace {

void ThrowIfError(const Status& s) {
  if (!s.ok()) throw rpc::ToWireError<wire::SchedulerError>(s);
}

// Expired records are looked at every this many starts.
constexpr int kPruneEvery = 256;

}  // namespace

Status NodeManagerServiceHandler::CheckLaunch(const wire::LaunchContext& context, Owner* owner) {
  auto security = security::ProcessServerSecurity();
  const std::string what = "StartContainer " + context.container_id.substr(0, 96);
  int64_t now = WallClockMs();
  Result<wire::ContainerTokenId> id =
      auth::VerifyContainerToken(security->signer(), context.container_token, now);
  if (!id.ok()) return auth::Refuse(what + ": " + id.status().message());
  if (id->container_id != context.container_id || id->app_id != context.app_id) {
    return auth::Refuse(what + ": the container token is for " + id->container_id + " of " +
                        id->app_id);
  }
  if (id->node_id != node_id_) {
    return auth::Refuse(what + ": the container token is for node " + id->node_id + ", not " +
                        node_id_);
  }
  if (!(id->resource == context.resource)) {
    return auth::Refuse(what + ": the container token grants " + ToString(id->resource) +
                        ", not " + ToString(context.resource));
  }
  // The RM starts AMs; an AM (its job credential) or its owner starts tasks.
  RETURN_NOT_OK(auth::CheckMayActFor(what, id->user, id->app_id));
  owner->app_id = id->app_id;
  owner->user = id->user;
  owner->token_expires_ms = id->expires_ms;
  return Status::OK();
}

void NodeManagerServiceHandler::StartContainer(const wire::LaunchContext& context) {
  if (!auth::SecurityOn()) {
    ThrowIfError(containers_->Start(context));
    return;
  }
  Owner owner;
  ThrowIfError(CheckLaunch(context, &owner));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!owners_.emplace(context.container_id, owner).second) {
      ThrowIfError(auth::Refuse("StartContainer: container " + context.container_id +
                                " was started before (a container token is good once)"));
    }
  }
  // As the token's user (security off: no token, the NM's own user).
  Status started = containers_->Start(context, owner.user);
  if (!started.ok()) {
    // Unavailable (no room yet): the AM retries the same grant later.
    if (!started.IsAlreadyExists()) {
      std::lock_guard<std::mutex> lock(mu_);
      owners_.erase(context.container_id);
    }
    ThrowIfError(started);
  }
  PruneOwners();
}

void NodeManagerServiceHandler::PruneOwners() {
  std::vector<std::string> candidates;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (++starts_ % kPruneEvery != 0) return;
    // Past its token's expiry a replay fails anyway, and once the NM forgot
    // the container (its application cleaned up) nobody needs its owner.
    int64_t now = WallClockMs();
    for (const auto& [id, owner] : owners_) {
      if (owner.token_expires_ms < now) candidates.push_back(id);
    }
  }
  if (candidates.empty()) return;
  std::vector<wire::ContainerStatus> known = containers_->Statuses(candidates);
  std::set<std::string> still;
  for (const auto& status : known) still.insert(status.container_id);
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& id : candidates) {
    if (still.count(id) == 0) owners_.erase(id);
  }
}

Status NodeManagerServiceHandler::CheckAccess(const std::string& action,
                                              const std::string& container_id) {
  if (!auth::SecurityOn()) return Status::OK();
  Owner owner;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = owners_.find(container_id);
    if (it == owners_.end()) {
      return auth::CheckDaemon(action + " of an unknown container " +
                               container_id.substr(0, 96));
    }
    owner = it->second;
  }
  return auth::CheckMayActFor(action + " " + container_id, owner.user, owner.app_id);
}

void NodeManagerServiceHandler::StopContainer(const std::string& container_id) {
  Status allowed = CheckAccess("StopContainer", container_id);
  if (!allowed.ok()) {
    // Stopping an unknown container is not an error: nothing to stop.
    bool known;
    {
      std::lock_guard<std::mutex> lock(mu_);
      known = owners_.count(container_id) > 0;
    }
    if (!known) return;
    ThrowIfError(allowed);
  }
  containers_->Stop(container_id, "stopped");
}

void NodeManagerServiceHandler::GetContainerStatuses(
    std::vector<wire::ContainerStatus>& out, const std::vector<std::string>& container_ids) {
  if (auth::SecurityOn()) {
    for (const std::string& id : container_ids) {
      bool known;
      {
        std::lock_guard<std::mutex> lock(mu_);
        known = owners_.count(id) > 0;
      }
      // Unknown ids are left out of the answer anyway.
      if (known) ThrowIfError(CheckAccess("GetContainerStatuses", id));
    }
  }
  out = containers_->Statuses(container_ids);
}

void NodeManagerServiceHandler::GetContainerLog(std::string& out, const std::string& container_id,
                                                const std::string& stream, int64_t max_bytes) {
  ThrowIfError(CheckAccess("GetContainerLog", container_id));
  Result<std::string> log = containers_->Log(container_id, stream, max_bytes);
  ThrowIfError(log.status());
  out = std::move(log).value();
}

}  // namespace mr::sched::nm
