#include "dfs/master/placement.h"

#include <functional>
#include <tuple>

namespace mr::dfs {

namespace {

using NodePredicate = std::function<bool(const DatanodeLoad&)>;

class TargetChooser {
 public:
  TargetChooser(const std::vector<DatanodeLoad>& nodes, const PlacementRequest& request,
                std::mt19937_64* rng)
      : nodes_(nodes), request_(request), rng_(rng) {
    for (const std::string& id : request.existing) {
      if (const DatanodeLoad* node = FindById(id)) chosen_.push_back(node);
      taken_.insert(id);
    }
  }

  PlacementResult Run() {
    for (int32_t i = 0; i < request_.replicas_wanted; ++i) {
      const DatanodeLoad* node = ChooseNext();
      if (node == nullptr) {
        result_.degraded = true;  // Too few eligible nodes.
        break;
      }
      chosen_.push_back(node);
      taken_.insert(node->id);
      result_.targets.push_back(node->id);
    }
    return result_;
  }

 private:
  const DatanodeLoad* ChooseNext() {
    auto any = [](const DatanodeLoad&) { return true; };
    if (chosen_.empty()) {
      const std::string& host = request_.writer_host;
      const DatanodeLoad* local = Pick([&](const DatanodeLoad& n) { return n.host == host; });
      return local != nullptr ? local : Pick(any);
    }
    const std::string& rack0 = chosen_[0]->rack;
    auto off_rack = [&rack0](const DatanodeLoad& n) { return n.rack != rack0; };
    if (chosen_.size() == 1) return PickOrDegrade(off_rack);
    if (chosen_.size() == 2) {
      if (chosen_[1]->rack == rack0) return PickOrDegrade(off_rack);
      const std::string& rack1 = chosen_[1]->rack;
      const DatanodeLoad* mate = Pick([&rack1](const DatanodeLoad& n) { return n.rack == rack1; });
      return mate != nullptr ? mate : Pick(any);  // Two racks are covered already.
    }
    return Pick(any);
  }

  // A node satisfying `rule`, else any node and the result is degraded.
  const DatanodeLoad* PickOrDegrade(const NodePredicate& rule) {
    if (const DatanodeLoad* node = Pick(rule)) return node;
    const DatanodeLoad* node = Pick([](const DatanodeLoad&) { return true; });
    if (node != nullptr) result_.degraded = true;
    return node;
  }

  // The less loaded of two random eligible nodes satisfying `rule`.
  const DatanodeLoad* Pick(const NodePredicate& rule) {
    std::vector<const DatanodeLoad*> candidates;
    for (const DatanodeLoad& n : nodes_) {
      if (taken_.count(n.id) == 0 && request_.excluded.count(n.id) == 0 &&
          n.free_bytes() >= request_.min_free_bytes && rule(n)) {
        candidates.push_back(&n);
      }
    }
    if (candidates.empty()) return nullptr;
    std::uniform_int_distribution<size_t> index(0, candidates.size() - 1);
    const DatanodeLoad* a = candidates[index(*rng_)];
    const DatanodeLoad* b = candidates[index(*rng_)];
    auto load = [](const DatanodeLoad* n) { return std::make_tuple(n->active_transfers, -n->free_bytes()); };
    return load(b) < load(a) ? b : a;
  }

  const DatanodeLoad* FindById(const std::string& id) const {
    for (const DatanodeLoad& n : nodes_) {
      if (n.id == id) return &n;
    }
    return nullptr;
  }

  const std::vector<DatanodeLoad>& nodes_;
  const PlacementRequest& request_;
  std::mt19937_64* rng_;
  std::vector<const DatanodeLoad*> chosen_;  // Existing replicas, then new targets.
  std::set<std::string> taken_;
  PlacementResult result_;
};

}  // namespace

PlacementResult ChooseTargets(const std::vector<DatanodeLoad>& live_nodes,
                              const PlacementRequest& request, std::mt19937_64* rng) {
  return TargetChooser(live_nodes, request, rng).Run();
}

}  // namespace mr::dfs
