// The rumour-spreading model behind SWIM's dissemination claims (Karp,
// Schindelhauer, Shenker, Vocking 2000; Demers et al. 1987): N members, one
// knows a rumour; in each synchronous round every member contacts one
// other, uniformly at random, and
//   push:      an informed member tells the one it contacts;
//   pull:      an uninformed member asks the one it contacts, and learns
//              the rumour if that one knows it;
//   push-pull: both, in every contact.
// Each transfer is lost with probability `loss`. The claims: push needs
// about log2 N + ln N rounds, push-pull about log3 N + O(log log N), and
// loss p stretches rounds about 1/(1-p)-fold (50% roughly doubles them).
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mr::membership::sim {

enum class Epidemic { kPush, kPull, kPushPull };
// "push", "pull" or "push-pull".
bool ParseEpidemic(std::string_view name, Epidemic* out);

struct EpidemicOptions {
  Epidemic style = Epidemic::kPush;
  int nodes = 1000;
  double loss = 0;
  int trials = 100;  // Independent runs, seeded seed, seed+1, ...
  uint64_t seed = 1;
};

struct EpidemicReport {
  double mean_rounds = 0;
  int max_rounds = 0;
  int min_rounds = 0;
  double log2_n_plus_ln_n = 0;
  double log3_n = 0;
};

EpidemicReport RunEpidemic(const EpidemicOptions& options);
std::string EpidemicJson(const EpidemicOptions& options, const EpidemicReport& report);

}  // namespace mr::membership::sim
