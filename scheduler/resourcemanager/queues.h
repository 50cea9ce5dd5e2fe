// The scheduler's queues (docs/SCHEDULER.md, "Queues and fair shares"), as
// --rm_queues names them: "prod:3,dev:1" is two queues with weights 3 and
// 1; a name alone has weight 1. Applications submitted without a queue go to
// the first. Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::sched {

struct QueueConfig {
  std::string name;
  double weight = 1;
};

inline constexpr char kDefaultQueues[] = "default:1";

// InvalidArgument (naming the bad part) for an empty list, a bad or repeated
// name ([A-Za-z0-9_.-], at most 64), or a weight that is not a positive
// number.
Result<std::vector<QueueConfig>> ParseQueues(const std::string& spec);

}  // namespace mr::sched
