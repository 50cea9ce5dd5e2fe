// Arithmetic on wire::Resource (vcores + memory), used by the RM's and the
// NM's accounting, and the dominant share of dominant resource fairness.
// Thread-safety: stateless.
#pragma once

#include <algorithm>
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

inline wire::Resource Plus(wire::Resource a, const wire::Resource& b) {
  AddTo(&a, b);
  return a;
}

// What a node offers: at least one vcore and some memory.
inline bool IsValidCapability(const wire::Resource& r) { return r.vcores > 0 && r.memory_mb > 0; }

// What a container may ask: some memory, and any number of vcores from 0 (an
// application master is a control loop: by default it asks memory only).
inline bool IsValidGrant(const wire::Resource& r) { return r.vcores >= 0 && r.memory_mb > 0; }

// Dominant resource fairness (Ghodsi et al.): the larger of r's fractions of
// `total`'s vcores and memory. 0 for an empty total.
inline double DominantShare(const wire::Resource& r, const wire::Resource& total) {
  double cpu = total.vcores > 0 ? static_cast<double>(r.vcores) / total.vcores : 0;
  double memory = total.memory_mb > 0 ? static_cast<double>(r.memory_mb) / total.memory_mb : 0;
  return std::max(cpu, memory);
}

// "2 vcores, 512 MB".
inline std::string ToString(const wire::Resource& r) {
  return std::to_string(r.vcores) + " vcores, " + std::to_string(r.memory_mb) + " MB";
}

}  // namespace mr::sched
