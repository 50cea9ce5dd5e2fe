// What the SWIM and gossip-heartbeat cores share: message framing (the
// envelope, cluster id, sender, size limit), checks on incoming datagrams
// and sync streams, the full-state exchanges (the join's and anti-entropy's),
// the incarnation bound, splitting a long update list over several
// datagrams, and the seeded random source.
// Thread-safety: none (see core.h).
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "membership/codec.h"
#include "membership/core.h"
#include "membership/member_directory.h"

namespace mr::membership {

class CoreBase : public ProtocolCore {
 public:
  Result<std::string> OnSyncRequest(std::string_view request, int64_t now_ms) final;
  Status ApplyFullState(std::string_view bytes, int64_t now_ms) final;

 protected:
  CoreBase(const CoreOptions& options, std::shared_ptr<const MemberIdentity> self, uint64_t seed,
           std::shared_ptr<MemberDirectory> directory);

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
  std::string Encode(const wire::Message& message) const {
    return EncodeMessage(message, options_.authenticator.get());
  }
  // Decodes and checks a datagram; nullopt (and a counter) if it must be
  // dropped: oversized, not authenticated by this member's keyring,
  // garbage, unknown enum values, a stream-only type, another cluster, or
  // our own.
  std::optional<wire::Message> Accept(std::string_view bytes);

  // The core's part of a full-state exchange. A JOIN's updates (the
  // joiner's own) apply as piggybacked news would; a PUSH_PULL's or SYNC's
  // are a whole view, merged by MergeFullState.
  virtual void ApplyUpdates(const wire::Message& message, int64_t now_ms) = 0;
  virtual void MergeFullState(const wire::Message& message, int64_t now_ms) = 0;
  // This member's full state as a message of `type` (SYNC or PUSH_PULL).
  virtual wire::Message FullState(wire::MessageType::type type, int64_t seq) const = 0;

  // Anti-entropy (docs/MEMBERSHIP.md, "Anti-entropy"). The core answers:
  virtual size_t LiveCount() const = 0;  // Others alive or suspect.
  virtual std::optional<std::string> RandomLiveAddress() = 0;
  // Failed members still worth retrying (never left ones).
  virtual size_t FailedCount() const = 0;
  virtual std::optional<std::string> RandomFailedAddress() = 0;
  virtual bool IsLiveAddress(const std::string& address) const = 0;
  // One reconnect attempt toward `address` (a failed member or a lost
  // seed). By default a push-pull; SWIM probes first (swim_core.h).
  virtual void Reconnect(const std::string& address, int64_t now_ms) {
    RequestPushPull(address, now_ms);
  }
  // Opens a PUSH_PULL with `address` (a sync request for the driver).
  void RequestPushPull(const std::string& address, int64_t now_ms);
  // Runs the periodic push-pull and the reconnect attempts that are due.
  void AntiEntropyTick(int64_t now_ms);
  int64_t AntiEntropyDeadline() const;
  // Called by a core while it merges a full state, when the merge added or
  // revived a member, or made this member refute a failure: the views had
  // split (a healed partition, a restart). Another push-pull follows within
  // a protocol period, with a random live member, and so on while merges
  // bring such news: the merged view spreads by push-pull, doubling each
  // round, rather than one gossip datagram at a time.
  void NoteMergeNews() {
    if (merging_) merge_news_ = true;
  }
  // A datagram from `from` whose sender we do not hold live: at most once
  // per reconnect interval per address, push-pull with it, so that a member
  // that restarted (or forgot us) and a member we had failed are merged.
  void NoteContact(std::string_view from, int64_t now_ms);
  // The push-pull interval at `n` members: memberlist's scaling, the base
  // interval up to 32 members, then one more base interval per doubling.
  int64_t PushPullIntervalMs(size_t n) const;

  // The incarnation bound (docs/MEMBERSHIP.md, "Incarnations"): the wall
  // clock (as of Start plus the core time since) plus the allowed lead.
  int64_t IncarnationLimit(int64_t now_ms) const {
    return options_.wall_clock_ms + (now_ms - start_ms_) + options_.max_incarnation_lead_ms;
  }
  // False, and counted, if `incarnation` is past the bound.
  bool WithinBound(int64_t incarnation, int64_t now_ms) {
    if (incarnation <= IncarnationLimit(now_ms)) return true;
    counters_.dropped_forged++;
    return false;
  }
  // How late this call is against the deadline the core asked for (or
  // against its previous call, if the deadline had already passed then: a
  // suspicion confirmed late): past a protocol period, the member was
  // paused or starved (counted as a stall) and the core must not count
  // that time against its peers.
  int64_t StallMs(int64_t now_ms);

  // Queues `join` as a sync request to every seed; the next is due
  // join_retry_ms from now unless a SYNC is applied first.
  void RequestSync(const wire::Message& join, int64_t now_ms);
  void Emit(EventType type, const std::shared_ptr<const MemberIdentity>& member,
            int64_t incarnation, int64_t now_ms);
  // This member in a snapshot (alive, or left once leaving), plus `others`,
  // sorted by id.
  std::vector<MemberSnapshot> SortedWithSelf(std::vector<MemberSnapshot> others,
                                             int64_t own_number) const;

  // Remembers the seeds (this member's own address left out); until a SYNC
  // is applied, JoinDue() says when to (re)send JOIN. Starts anti-entropy
  // (call after Bootstrap: the first push-pull is staggered over the
  // interval for the group size then known).
  void BeginJoin(int64_t now_ms, const std::vector<std::string>& seed_addresses);
  bool JoinDue(int64_t now_ms) const { return !joined_ && now_ms >= next_join_ms_; }
  // Earliest of `next`, the next JOIN and the next anti-entropy step, for
  // NextDeadlineMs().
  int64_t WithCommonDeadlines(int64_t next) const {
    next = std::min(next, AntiEntropyDeadline());
    return joined_ ? next : std::min(next, next_join_ms_);
  }
  // A uniform index in [0, n).
  size_t RandomIndex(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  CoreOptions options_;
  std::shared_ptr<MemberDirectory> directory_;
  std::mt19937_64 rng_;
  bool started_ = false;
  bool leaving_ = false;          // Left: silent and deaf from then on.
  std::vector<std::string> seeds_;
  bool joined_ = true;            // False until a SYNC from a seed is applied.
  int64_t next_seq_ = 1;

 private:
  enum class Verdict { kOk, kMalformed, kOtherCluster, kUnauthenticated };
  // Decodes `bytes` into `message` and checks the enums, ids, cluster and
  // version.
  Verdict Check(std::string_view bytes, wire::Message* message) const;
  // Decodes and checks a stream message that must be of one of `types`.
  Result<wire::Message> AcceptSync(std::string_view bytes,
                                   std::initializer_list<wire::MessageType::type> types);
  // The seeds whose address is no live member's.
  std::vector<std::string> LostSeeds() const;
  // Drops from `ours` (our full state, the answer to a PUSH_PULL) every
  // entry `theirs` (the request, now merged) already holds the same: a
  // push-pull between agreeing views sends the state one way only.
  void LeaveOutWhatTheyHave(const wire::Message& theirs, wire::Message* ours);
  int64_t start_ms_ = 0;
  int64_t last_call_ms_ = 0;  // The latest `now` the core was given.
  int64_t next_join_ms_ = 0;
  // MergeFullState() on behalf of a sync: notes news (NoteMergeNews).
  void Merge(const wire::Message& message, int64_t now_ms);

  int64_t next_push_pull_ms_ = INT64_MAX;
  int64_t next_reconnect_ms_ = INT64_MAX;
  bool merging_ = false;
  bool merge_news_ = false;
  int64_t next_follow_up_ms_ = INT64_MAX;  // A push-pull after a merge with news.
  std::map<std::string, int64_t, std::less<>> contacts_;  // Address -> last contact push-pull.
};

}  // namespace mr::membership
