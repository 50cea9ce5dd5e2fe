// What a Node Manager accepts in StartContainer before anything runs: safe
// ids and file names, a positive resource no larger than the node, an
// environment and arguments that can be passed to exec.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "common/status.h"
#include "scheduler_types.h"

namespace mr::sched::nm {

// InvalidArgument, saying what is wrong, unless `context` may be launched
// on a node of `capability` (`node_id` names the node in the message).
Status CheckLaunchContext(const wire::LaunchContext& context, const wire::Resource& capability,
                          const std::string& node_id);

}  // namespace mr::sched::nm
