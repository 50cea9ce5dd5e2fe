// Fair shares by water-filling (max-min fairness with weights), the
// instantaneous fair share of YARN's Fair Scheduler: `capacity` is divided
// in proportion to weight, except that no one gets more than it demands,
// and what it leaves goes to the others. The RM applies it twice, over
// queues (by weight) and within each queue (equal weights), in units of
// dominant share (resources.h), which makes it dominant resource fairness
// for containers of one shape and a close equivalent otherwise
// (docs/SCHEDULER.md, "Queues and fair shares").
// Thread-safety: stateless.
#pragma once

#include <vector>

namespace mr::sched {

struct ShareClaim {
  double weight = 1;  // > 0.
  double demand = 0;  // What it could use, in the capacity's units (>= 0).
};

// The share of `capacity` of each claim, in the order given. The shares sum
// to min(capacity, total demand).
std::vector<double> WaterFill(const std::vector<ShareClaim>& claims, double capacity);

}  // namespace mr::sched
