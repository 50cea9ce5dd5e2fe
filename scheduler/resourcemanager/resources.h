// Arithmetic on wire::Resource (vcores + memory), used by the RM's
// accounting. Thread-safety: stateless.
#pragma once

#include <string>

#include "scheduler_types.h"

namespace mr::sched {

inline wire::Resource MakeResource(int32_t vcores, int64_t memory_mb) {
  wire::Resource r;
  r.vcores = vcores;
  r.memory_mb = memory_mb;
  return r;
}

inline bool Fits(const wire::Resource& want, const wire::Resource& free) {
  return want.vcores <= free.vcores && want.memory_mb <= free.memory_mb;
}

inline void AddTo(wire::Resource* total, const wire::Resource& r) {
  total->vcores += r.vcores;
  total->memory_mb += r.memory_mb;
}

inline void SubtractFrom(wire::Resource* total, const wire::Resource& r) {
  total->vcores -= r.vcores;
  total->memory_mb -= r.memory_mb;
}

inline wire::Resource Minus(wire::Resource a, const wire::Resource& b) {
  SubtractFrom(&a, b);
  return a;
}

inline bool IsValid(const wire::Resource& r) { return r.vcores > 0 && r.memory_mb > 0; }

// "2 vcores, 512 MB".
inline std::string ToString(const wire::Resource& r) {
  return std::to_string(r.vcores) + " vcores, " + std::to_string(r.memory_mb) + " MB";
}

}  // namespace mr::sched
