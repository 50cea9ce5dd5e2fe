// Gossip-style heartbeat membership (van Renesse, Minsky, Hayden 1998), the
// baseline SWIM is measured against: every T_gossip a member increments its
// heartbeat and sends its whole list (id, address, heartbeat) to b random
// members; a member whose heartbeat has not increased for T_fail is failed;
// its record is kept until T_cleanup after that and ignores every list
// meanwhile, so a stale list cannot resurrect it. Lists longer than a
// datagram are split over several. Left members travel as LEFT entries.
// Thread-safety: none (see core.h).
#pragma once

#include <unordered_map>

#include "membership/core_base.h"

namespace mr::membership {

class GossipCore : public CoreBase {
 public:
  GossipCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed);

  void Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) override;
  void Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                 int64_t now_ms) override;
  void Tick(int64_t now_ms) override;
  void OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) override;
  void Leave(int64_t now_ms) override;
  int64_t NextDeadlineMs() const override;
  std::vector<MemberSnapshot> Snapshot() const override;
  std::optional<MemberState> StateOf(const std::string& id) const override;

 private:
  struct Record {
    std::shared_ptr<const MemberIdentity> identity;
    MemberState state = MemberState::kAlive;
    int64_t heartbeat = 0;
    int64_t changed_ms = 0;  // Last heartbeat increase, or when it failed/left.
  };

  void ApplyUpdates(const wire::Message& message, int64_t now_ms) override {
    Merge(message, now_ms);
  }
  wire::Message FullState(int64_t seq) const override;
  void Merge(const wire::Message& message, int64_t now_ms);
  std::vector<wire::Update> List() const;
  void CheckTimeouts(int64_t now_ms);
  // Random members that are not failed, at most `n`.
  std::vector<std::string> RandomTargets(size_t n);

  int64_t heartbeat_;
  int64_t next_gossip_ms_ = 0;
  std::unordered_map<std::string, Record> members_;  // Everyone but self.
  std::vector<std::string> ids_;  // Keys of members_, for random picks; rebuilt on deletion.
};

}  // namespace mr::membership
