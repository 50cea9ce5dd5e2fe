// Gossip-style heartbeat membership (van Renesse, Minsky, Hayden 1998), the
// baseline SWIM is measured against: every T_gossip a member increments its
// heartbeat and sends its whole list (id, address, heartbeat) to b random
// members; a member whose heartbeat has not increased for T_fail is failed;
// its record is kept until T_cleanup after that and ignores every list
// meanwhile, so a stale list cannot resurrect it. Lists longer than a
// datagram are split over several. Left members travel as LEFT entries.
//
// A member that finds itself stalled (paused, starved: core_base.h) does
// not count the stall against anyone, and stops passing on every heartbeat
// until it hears it grow in fresh news (a period after the stall, when the
// backlog in its socket is read): a stale entry on its list could otherwise
// resurrect a member the others have failed and deleted meanwhile.
// Heartbeats are bounded like SWIM's incarnations, and a member that hears
// its own heartbeat ahead of itself jumps past it.
// Thread-safety: none (see core.h).
#pragma once

#include <unordered_map>

#include "membership/core_base.h"

namespace mr::membership {

class GossipCore : public CoreBase {
 public:
  GossipCore(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed,
             std::shared_ptr<MemberDirectory> directory = nullptr);

  void Start(int64_t now_ms, const std::vector<std::string>& seed_addresses) override;
  void Bootstrap(const std::vector<std::shared_ptr<const MemberIdentity>>& members,
                 int64_t now_ms) override;
  void Tick(int64_t now_ms) override;
  void OnDatagram(std::string_view from, std::string_view bytes, int64_t now_ms) override;
  void Leave(int64_t now_ms) override;
  int64_t NextDeadlineMs() const override;
  std::vector<MemberSnapshot> Snapshot() const override;
  std::optional<MemberState> StateOf(const std::string& id) const override;

  int64_t heartbeat() const { return heartbeat_; }

 private:
  struct Record {
    std::shared_ptr<const MemberIdentity> identity;
    MemberState state = MemberState::kAlive;
    int64_t heartbeat = 0;
    int64_t changed_ms = 0;  // Last heartbeat increase, or when it failed/left.
    bool stale = false;      // Not heard to grow since this member stalled: not passed on.

  };
  struct Reconnect {
    std::string address;
    int64_t until_ms;
  };

  void ApplyUpdates(const wire::Message& message, int64_t now_ms) override {
    Merge(message, now_ms);
  }
  void MergeFullState(const wire::Message& message, int64_t now_ms) override {
    Merge(message, now_ms);
  }
  wire::Message FullState(wire::MessageType::type type, int64_t seq) const override;
  void Merge(const wire::Message& message, int64_t now_ms);
  void MergeSelf(const wire::Update& update, int64_t now_ms);
  std::vector<wire::Update> List() const;
  void CheckTimeouts(int64_t now_ms);
  void AbsorbStall(int64_t ms, int64_t now_ms);
  // Random members that are not failed, at most `n`.
  std::vector<std::string> RandomTargets(size_t n);
  size_t LiveCount() const override;
  std::optional<std::string> RandomLiveAddress() override;
  size_t FailedCount() const override { return reconnect_.size(); }
  std::optional<std::string> RandomFailedAddress() override;
  bool IsLiveAddress(const std::string& address) const override;

  int64_t heartbeat_;
  int64_t next_gossip_ms_ = 0;
  // After a stall: heartbeat growth read before this time may be news that
  // waited in the socket during the stall, and does not make a stale record
  // current again (a dead member's last heartbeats would).
  int64_t stale_until_ms_ = 0;
  std::unordered_map<std::string, Record> members_;  // Everyone but self.
  std::vector<std::string> ids_;  // Keys of members_, for random picks; rebuilt on deletion.
  // Failed members (deleted or not) to retry until reconnect_timeout_ms.
  std::map<std::string, Reconnect> reconnect_;
};

}  // namespace mr::membership
