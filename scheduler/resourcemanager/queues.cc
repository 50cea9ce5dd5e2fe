#include "scheduler/resourcemanager/queues.h"

#include <cmath>
#include <set>

#include "common/host_port.h"

namespace mr::sched {

namespace {

bool IsQueueName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<QueueConfig>> ParseQueues(const std::string& spec) {
  std::vector<QueueConfig> queues;
  std::set<std::string> seen;
  for (const std::string& item : SplitCommaList(spec)) {
    QueueConfig queue;
    size_t colon = item.find(':');
    queue.name = item.substr(0, colon);
    if (!IsQueueName(queue.name)) {
      return Status::InvalidArgument("bad queue name '" + queue.name.substr(0, 64) +
                                     "' (letters, digits, _ . -)");
    }
    if (colon != std::string::npos) {
      std::string weight = item.substr(colon + 1);
      size_t used = 0;
      try {
        queue.weight = std::stod(weight, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != weight.size() || !std::isfinite(queue.weight) ||
          queue.weight <= 0) {
        return Status::InvalidArgument("queue " + queue.name + ": weight must be a positive "
                                       "number, got '" + weight.substr(0, 32) + "'");
      }
    }
    if (!seen.insert(queue.name).second) {
      return Status::InvalidArgument("queue " + queue.name + " is named twice");
    }
    queues.push_back(std::move(queue));
  }
  if (queues.empty()) return Status::InvalidArgument("no queues given");
  return queues;
}

}  // namespace mr::sched
