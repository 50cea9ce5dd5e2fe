#include "membership/sim/epidemic.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <vector>

#include "common/json_writer.h"

namespace mr::membership::sim {
namespace {

// Rounds until all `n` know, from one member that knows.
int Spread(const EpidemicOptions& o, std::mt19937_64& rng) {
  const int n = o.nodes;
  std::vector<uint8_t> knows(n, 0), next(n, 0);
  knows[0] = 1;
  int informed = 1;
  std::uniform_int_distribution<int> other(0, n - 2);
  std::uniform_real_distribution<double> coin(0, 1);
  const bool push = o.style != Epidemic::kPull;
  const bool pull = o.style != Epidemic::kPush;
  int rounds = 0;
  while (informed < n) {
    rounds++;
    next = knows;
    for (int u = 0; u < n; ++u) {
      int v = other(rng);
      if (v >= u) v++;  // Uniform among the others.
      if (push && knows[u] && !knows[v] && coin(rng) >= o.loss) next[v] = 1;
      if (pull && !knows[u] && knows[v] && coin(rng) >= o.loss) next[u] = 1;
    }
    knows.swap(next);
    informed = static_cast<int>(std::count(knows.begin(), knows.end(), 1));
  }
  return rounds;
}

}  // namespace

bool ParseEpidemic(std::string_view name, Epidemic* out) {
  if (name == "push") *out = Epidemic::kPush;
  else if (name == "pull") *out = Epidemic::kPull;
  else if (name == "push-pull") *out = Epidemic::kPushPull;
  else return false;
  return true;
}

EpidemicReport RunEpidemic(const EpidemicOptions& o) {
  EpidemicReport r;
  long total = 0;
  r.min_rounds = INT32_MAX;
  for (int t = 0; t < o.trials; ++t) {
    std::mt19937_64 rng(o.seed + static_cast<uint64_t>(t));
    int rounds = Spread(o, rng);
    total += rounds;
    r.max_rounds = std::max(r.max_rounds, rounds);
    r.min_rounds = std::min(r.min_rounds, rounds);
  }
  r.mean_rounds = static_cast<double>(total) / std::max(1, o.trials);
  double n = o.nodes;
  r.log2_n_plus_ln_n = std::log2(n) + std::log(n);
  r.log3_n = std::log(n) / std::log(3.0);
  return r;
}

std::string EpidemicJson(const EpidemicOptions& o, const EpidemicReport& r) {
  JsonWriter json;
  json.BeginObject();
  json.Key("config").BeginObject();
  json.Key("epidemic").String(o.style == Epidemic::kPush   ? "push"
                              : o.style == Epidemic::kPull ? "pull"
                                                           : "push-pull");
  json.Key("nodes").Int(o.nodes);
  json.Key("loss").Double(o.loss);
  json.Key("trials").Int(o.trials);
  json.Key("seed").Uint(o.seed);
  json.EndObject();
  json.Key("mean_rounds").Double(r.mean_rounds);
  json.Key("min_rounds").Int(r.min_rounds);
  json.Key("max_rounds").Int(r.max_rounds);
  json.Key("log2_n_plus_ln_n").Double(r.log2_n_plus_ln_n);
  json.Key("log3_n").Double(r.log3_n);
  json.EndObject();
  return json.str();
}

}  // namespace mr::membership::sim
