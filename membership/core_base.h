// What the SWIM and gossip-heartbeat cores share: message framing (cluster
// id, sender, size limit), checks on incoming datagrams and sync streams,
// the join's full-state exchange, splitting a long update list over several
// datagrams, and the seeded random source.
// Thread-safety: none (see core.h).
#pragma once

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "membership/codec.h"
#include "membership/core.h"

namespace mr::membership {

class CoreBase : public ProtocolCore {
 public:
  Result<std::string> OnSyncRequest(std::string_view request, int64_t now_ms) final;
  Status ApplyFullState(std::string_view bytes, int64_t now_ms) final;

 protected:
  CoreBase(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed);

  // A message of `type` from this member with cluster id and sender filled in.
  wire::Message NewMessage(wire::MessageType::type type, int64_t seq,
                           int64_t sender_incarnation) const;
  // Encodes into the outbox; counts it.
  void Send(const std::string& to, const wire::Message& message);
  // `message` with `updates` split over as many datagrams as needed, each
  // numbered in chunk/chunks, encoded.
  std::vector<std::string> EncodeSplit(wire::Message message,
                                       const std::vector<wire::Update>& updates) const;
  // Queues already encoded datagrams; counts them.
  void SendEncoded(const std::string& to, const std::vector<std::string>& datagrams);
  // Size of `message` encoded, plus room for its update list header.
  size_t BaseSize(const wire::Message& message) const;
  // Decodes and checks a datagram; nullopt (and a counter) if it must be
  // dropped: oversized, garbage, unknown enum values, JOIN or SYNC (they
  // travel on streams only), another cluster, or our own.
  std::optional<wire::Message> Accept(std::string_view bytes);
  // The core's part of the sync: applies a JOIN's or a SYNC's updates as
  // news, as if they had arrived piggybacked.
  virtual void ApplyUpdates(const wire::Message& message, int64_t now_ms) = 0;
  // A SYNC answering JOIN `seq`: this member and every member it holds live.
  virtual wire::Message FullState(int64_t seq) const = 0;
  // Queues `join` as a sync request to every seed; the next is due
  // join_retry_ms from now unless a SYNC is applied first.
  void RequestSync(const wire::Message& join, int64_t now_ms);
  void Emit(EventType type, const std::shared_ptr<const MemberIdentity>& member,
            int64_t incarnation, int64_t now_ms);
  // Snapshot() and StateOf() over a core's id -> record map; a record has
  // `identity`, `state` and the counter `number` points at (incarnation or
  // heartbeat). This member is in both, alive (or left once leaving).
  template <typename Map, typename Record>
  std::vector<MemberSnapshot> SnapshotOf(const Map& members, int64_t Record::*number,
                                         int64_t own_number) const {
    std::vector<MemberSnapshot> out;
    for (const auto& [id, record] : members) {
      out.push_back(MemberSnapshot{record.identity, record.state, record.*number, false});
    }
    return SortedWithSelf(std::move(out), own_number);
  }
  template <typename Map>
  std::optional<MemberState> StateIn(const Map& members, const std::string& id) const {
    if (id == self_->id) return leaving_ ? MemberState::kLeft : MemberState::kAlive;
    auto it = members.find(id);
    if (it == members.end()) return std::nullopt;
    return it->second.state;
  }

  // Remembers the seeds (this member's own address left out); until a SYNC
  // is applied, JoinDue() says when to (re)send JOIN.
  void BeginJoin(int64_t now_ms, const std::vector<std::string>& seed_addresses);
  bool JoinDue(int64_t now_ms) const { return !joined_ && now_ms >= next_join_ms_; }
  // Earliest of `next` and the next JOIN, for NextDeadlineMs().
  int64_t WithJoinDeadline(int64_t next) const {
    return joined_ ? next : std::min(next, next_join_ms_);
  }
  // A uniform index in [0, n).
  size_t RandomIndex(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  CoreOptions options_;
  std::mt19937_64 rng_;
  bool started_ = false;
  bool leaving_ = false;          // Left: silent and deaf from then on.
  std::vector<std::string> seeds_;
  bool joined_ = true;            // False until a SYNC from a seed is applied.

 private:
  enum class Verdict { kOk, kMalformed, kOtherCluster };
  // Decodes `bytes` into `message` and checks the enums, ids, cluster and
  // version.
  Verdict Check(std::string_view bytes, wire::Message* message) const;
  // Decodes and checks a stream message that must be of `type`.
  Result<wire::Message> AcceptSync(std::string_view bytes, wire::MessageType::type type);

  std::vector<MemberSnapshot> SortedWithSelf(std::vector<MemberSnapshot> others,
                                             int64_t own_number) const;

  int64_t next_join_ms_ = 0;
};

}  // namespace mr::membership
