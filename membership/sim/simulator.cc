#include "membership/sim/simulator.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "common/json_writer.h"
#include "membership/member_directory.h"
#include "membership/sim/view_tracker.h"
#include "membership/swim_core.h"

namespace mr::membership::sim {
namespace {

constexpr int64_t kNever = INT64_MAX;

struct Event {
  int64_t time;
  // kSyncRequest / kSyncAnswer: the two halves of a full-state exchange,
  // which the daemons carry over TCP: reliable, one latency each.
  enum Kind : uint8_t { kTick, kDeliver, kCrash, kSyncRequest, kSyncAnswer } kind;
  int node;
  int from;
  size_t payload;  // Index into payloads_ (kDeliver, kSync*).
};

// The pending events, by virtual millisecond, first in first out within
// one: the order of a priority queue on (time, insertion order), at O(1) a
// push and a pop (a million events a run at N=5000). Events at or after
// `end_ms` are dropped: the run never gets to them. An event due before
// the one being processed (a core's deadline can fall in the past: a
// suspicion confirmed late) runs now: time never goes back for a core.
class EventCalendar {
 public:
  explicit EventCalendar(int64_t end_ms)
      : buckets_(static_cast<size_t>(std::max<int64_t>(end_ms, 0))) {}

  void Push(Event event) {
    if (event.time >= static_cast<int64_t>(buckets_.size())) return;
    event.time = std::max(event.time, now_);
    buckets_[static_cast<size_t>(event.time)].push_back(event);
  }
  // The next event; false when none is left before the end.
  bool Pop(Event* event) {
    while (static_cast<size_t>(now_) < buckets_.size()) {
      std::vector<Event>& bucket = buckets_[static_cast<size_t>(now_)];
      if (next_ < bucket.size()) {
        *event = bucket[next_++];
        return true;
      }
      std::vector<Event>().swap(bucket);
      now_++;
      next_ = 0;
    }
    return false;
  }

 private:
  std::vector<std::vector<Event>> buckets_;
  int64_t now_ = 0;
  size_t next_ = 0;  // In buckets_[now_].
};

// "<prefix><i>", e.g. "n17" (snprintf: g++ 12 warns falsely on "n" + to_string).
std::string Name(char prefix, int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%c%d", prefix, i);
  return buffer;
}

std::string Address(int i) { return Name('n', i); }

Distribution Summarize(std::vector<double> periods) {
  Distribution d;
  d.count = periods.size();
  if (periods.empty()) return d;
  std::sort(periods.begin(), periods.end());
  double sum = 0;
  for (double p : periods) sum += p;
  d.mean = sum / static_cast<double>(periods.size());
  size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(periods.size())));
  d.p99 = periods[std::max<size_t>(rank, 1) - 1];
  d.max = periods.back();
  return d;
}

class Simulation {
 public:
  explicit Simulation(const SimOptions& options)
      : o_(options),
        period_(options.core.protocol_period_ms),
        end_(static_cast<int64_t>(options.periods) * period_),
        rng_(options.seed),
        calendar_(end_),
        views_(options.nodes, !options.join) {}

  SimReport Run() {
    Setup();
    Event event;
    while (calendar_.Pop(&event)) Process(event);
    return Report(end_);
  }

 private:
  struct Crash {
    int node;
    int64_t time;
    int64_t first_detection = kNever;
    std::vector<int64_t> first_know;   // Per observer: suspect or failed.
    std::vector<int64_t> first_failed;  // Per observer: failed.
  };

  void Setup() {
    const int n = o_.nodes;
    std::vector<std::shared_ptr<const MemberIdentity>> identities;
    for (int i = 0; i < n; ++i) {
      auto identity = std::make_shared<MemberIdentity>();
      identity->id = Address(i);
      identity->address = identity->id;
      addresses_.push_back(identity->id);
      identity->rack = Name('r', i % std::max(1, o_.racks));
      identities.push_back(identity);
    }
    crashed_.assign(n, false);
    crash_of_.assign(n, -1);
    scheduled_.assign(n, kNever);
    ever_failed_.assign(n, false);
    // Which members crash, and when: a seeded choice among all but member 0
    // (the join seed) and the slow ones.
    std::vector<int> candidates;
    for (int i = 1; i < n - o_.slow; ++i) candidates.push_back(i);
    std::shuffle(candidates.begin(), candidates.end(), rng_);
    const int64_t first_crash_period = o_.join ? std::max(10, o_.periods / 4) : 3;
    const int64_t last_crash_period = std::max<int64_t>(first_crash_period + 1, o_.periods / 2);
    for (int c = 0; c < o_.crash && c < static_cast<int>(candidates.size()); ++c) {
      int64_t period =
          std::uniform_int_distribution<int64_t>(first_crash_period, last_crash_period - 1)(rng_);
      int64_t time = o_.sync_phases ? period * period_ - 1
                                    : period * period_ + RandomUpTo(period_ - 1);
      crash_of_[candidates[c]] = static_cast<int>(crashes_.size());
      crashes_.push_back(Crash{candidates[c], time, kNever, std::vector<int64_t>(n, kNever),
                               std::vector<int64_t>(n, kNever)});
      Push(time, Event::kCrash, candidates[c], -1, 0);
    }
    // One directory for every core: N cores share the N ids and identities.
    auto directory = std::make_shared<MemberDirectory>();
    for (int i = 0; i < n; ++i) {
      cores_.push_back(NewProtocolCore(o_.protocol, o_.core, identities[i],
                                       o_.seed * 1000003ULL + static_cast<uint64_t>(i),
                                       directory));
      if (!o_.join) cores_[i]->Bootstrap(identities, 0);
      int64_t start = o_.sync_phases ? 0 : RandomUpTo(period_ - 1);
      if (o_.join && i > 0) start += RandomUpTo(5 * period_);  // Join over a few periods.
      std::vector<std::string> seeds;
      if (o_.join && i > 0) seeds.push_back(Address(0));
      cores_[i]->Start(start, seeds);
      Schedule(i, start);
    }
  }

  int64_t RandomUpTo(int64_t max) {
    return std::uniform_int_distribution<int64_t>(0, max)(rng_);
  }

  void Push(int64_t time, Event::Kind kind, int node, int from, size_t payload) {
    calendar_.Push(Event{time, kind, node, from, payload});
  }

  // Makes sure core i is ticked at its next deadline (now, if that has
  // passed already: time never goes back for a core).
  void Schedule(int i, int64_t now) {
    int64_t next = std::max(cores_[i]->NextDeadlineMs(), now);
    if (next < scheduled_[i]) {
      scheduled_[i] = next;
      Push(next, Event::kTick, i, -1, 0);
    }
  }

  void Process(const Event& event) {
    const int i = event.node;
    switch (event.kind) {
      case Event::kCrash:
        crashed_[i] = true;
        views_.Crash(i, event.time);
        return;
      case Event::kTick:
        if (crashed_[i] || event.time != scheduled_[i]) return;
        scheduled_[i] = kNever;
        cores_[i]->Tick(event.time);
        break;
      case Event::kDeliver: {
        std::string bytes = TakePayload(event.payload);
        if (crashed_[i]) return;
        cores_[i]->OnDatagram(addresses_[event.from], bytes, event.time);
        break;
      }
      case Event::kSyncRequest: {
        std::string bytes = TakePayload(event.payload);
        if (crashed_[i]) return;  // Refused: the joiner retries.
        // A partition cuts a stream too (refused, or broken mid-way).
        if (Partitioned(i, event.from, event.time)) break;
        size_t request_bytes = bytes.size();
        Result<std::string> answer = cores_[i]->OnSyncRequest(bytes, event.time);
        if (answer.ok()) {
          full_state_exchanges_++;
          full_state_bytes_ += request_bytes + answer->size();
          Push(event.time + Latency(i, event.from), Event::kSyncAnswer, event.from, i,
               StorePayload(std::move(*answer)));
        }
        break;
      }
      case Event::kSyncAnswer: {
        std::string bytes = TakePayload(event.payload);
        if (crashed_[i] || Partitioned(i, event.from, event.time)) return;
        (void)cores_[i]->ApplyFullState(bytes, event.time);  // Counted if dropped.
        break;
      }
    }
    Drain(i, event.time);
    Schedule(i, event.time);
  }

  bool Partitioned(int a, int b, int64_t now) const {
    if (o_.partition <= 0) return false;
    if (now < o_.partition_start * period_ || now >= o_.partition_end * period_) return false;
    int cut = static_cast<int>(o_.partition * o_.nodes);
    return (a < cut) != (b < cut);
  }

  bool Slow(int i) const { return i >= o_.nodes - o_.slow; }

  // One-way latency from `from` to `to`.
  int64_t Latency(int from, int to) {
    int64_t latency = o_.min_latency_ms + RandomUpTo(o_.max_latency_ms - o_.min_latency_ms);
    if (Slow(from)) latency += o_.slow_delay_ms;
    if (Slow(to)) latency += o_.slow_delay_ms;
    return latency;
  }

  size_t StorePayload(std::string bytes) {
    size_t slot;
    if (free_payloads_.empty()) {
      slot = payloads_.size();
      payloads_.push_back(std::move(bytes));
    } else {
      slot = free_payloads_.back();
      free_payloads_.pop_back();
      payloads_[slot] = std::move(bytes);
    }
    return slot;
  }

  std::string TakePayload(size_t slot) {
    std::string bytes = std::move(payloads_[slot]);
    free_payloads_.push_back(slot);
    return bytes;
  }

  void Drain(int i, int64_t now) {
    ProtocolCore& core = *cores_[i];
    for (Outgoing& out : core.outbox()) {
      int to = std::atoi(out.to.c_str() + 1);
      sent_++;
      bytes_sent_ += out.bytes.size();
      if (o_.racks > 1 && i % o_.racks != to % o_.racks) cross_rack_++;
      max_bytes_ = std::max<uint64_t>(max_bytes_, out.bytes.size());
      if (to < 0 || to >= o_.nodes || Partitioned(i, to, now) ||
          (o_.loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < o_.loss)) {
        lost_++;
        continue;
      }
      Push(now + Latency(i, to), Event::kDeliver, to, i, StorePayload(std::move(out.bytes)));
    }
    core.outbox().clear();
    // Full-state exchanges: reliable (TCP), not counted as datagrams; a
    // partition refuses them.
    for (Outgoing& out : core.sync_requests()) {
      int to = std::atoi(out.to.c_str() + 1);
      if (to < 0 || to >= o_.nodes || Partitioned(i, to, now)) continue;
      Push(now + Latency(i, to), Event::kSyncRequest, to, i, StorePayload(std::move(out.bytes)));
    }
    core.sync_requests().clear();
    for (const MemberEvent& e : core.events()) Observe(i, e);
    core.events().clear();
  }

  void Observe(int observer, const MemberEvent& e) {
    int target = std::atoi(e.member->id.c_str() + 1);
    views_.Observe(observer, target, e.type, e.at_ms);
    bool bad_news = e.type == EventType::kSuspect || e.type == EventType::kFailed;
    if (!bad_news) return;
    int c = crash_of_[target];
    if (c < 0 || e.at_ms < crashes_[c].time) {
      // About a member that is up: a false positive.
      if (e.type == EventType::kFailed) {
        false_failures_++;
        ever_failed_[target] = true;
      } else {
        false_suspicions_++;
      }
      return;
    }
    Crash& crash = crashes_[c];
    crash.first_detection = std::min(crash.first_detection, e.at_ms);
    crash.first_know[observer] = std::min(crash.first_know[observer], e.at_ms);
    if (e.type == EventType::kFailed) {
      crash.first_failed[observer] = std::min(crash.first_failed[observer], e.at_ms);
    }
  }

  SimReport Report(int64_t end) {
    SimReport r;
    const double period = static_cast<double>(period_);
    std::vector<double> first, spread, know, failed;
    for (const Crash& crash : crashes_) {
      r.crashes++;
      if (crash.first_detection == kNever) {
        r.undetected++;
        continue;
      }
      first.push_back(static_cast<double>(crash.first_detection - crash.time) / period);
      int64_t all_know = 0, all_failed = 0;
      for (int i = 0; i < o_.nodes; ++i) {
        if (crashed_[i]) continue;  // Crashed by the end: not asked to know.
        all_know = std::max(all_know, crash.first_know[i]);
        all_failed = std::max(all_failed, crash.first_failed[i]);
      }
      if (all_know == kNever) {
        r.undetected++;
        continue;
      }
      know.push_back(static_cast<double>(all_know - crash.time) / period);
      spread.push_back(static_cast<double>(all_know - crash.first_detection) / period);
      if (all_failed != kNever) failed.push_back(static_cast<double>(all_failed - crash.time) / period);
    }
    r.first_detection = Summarize(first);
    r.dissemination = Summarize(spread);
    r.all_know = Summarize(know);
    r.all_failed = Summarize(failed);
    // Member-periods lived: crashed members stop sending at their crash.
    double member_periods = 0;
    for (int i = 0; i < o_.nodes; ++i) {
      int c = crash_of_[i];
      int64_t until = c >= 0 ? std::min(end, crashes_[c].time) : end;
      member_periods += static_cast<double>(until) / period;
    }
    r.messages_sent = sent_;
    r.messages_lost = lost_;
    r.max_message_bytes = max_bytes_;
    r.messages_per_member_per_period = static_cast<double>(sent_) / member_periods;
    r.bytes_per_member_per_period = static_cast<double>(bytes_sent_) / member_periods;
    r.cross_rack_messages_per_member_per_period = static_cast<double>(cross_rack_) / member_periods;
    r.false_failure_events = false_failures_;
    r.false_suspicion_events = false_suspicions_;
    r.falsely_failed_members =
        static_cast<uint64_t>(std::count(ever_failed_.begin(), ever_failed_.end(), true));
    r.max_falsely_failed_at_once = views_.max_falsely_failed();
    if (views_.converged()) {
      r.converged_at_periods = static_cast<double>(views_.converged_since_ms()) / period;
      if (o_.partition > 0 && o_.partition_end > 0) {
        r.merge_periods =
            std::max(0.0, r.converged_at_periods - static_cast<double>(o_.partition_end));
      }
    }
    r.full_state_exchanges = full_state_exchanges_;
    r.full_state_bytes = full_state_bytes_;
    for (int i = 0; i < o_.nodes; ++i) {
      r.refutations += cores_[i]->counters().refutations;
      r.push_pulls += cores_[i]->counters().push_pulls;
      r.reconnects += cores_[i]->counters().reconnects;
    }
    r.members_fully_joined = views_.full_views();
    if (o_.protocol == Protocol::kSwim) {
      auto* swim = static_cast<SwimCore*>(cores_[0].get());
      r.suspicion_timeout_periods = o_.core.suspicion
                                        ? static_cast<double>(swim->SuspicionTimeoutMs()) / period
                                        : 0;
    }
    return r;
  }

  const SimOptions o_;
  const int64_t period_;
  const int64_t end_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<ProtocolCore>> cores_;
  std::vector<std::string> addresses_;  // Member i's address, "n<i>".
  EventCalendar calendar_;
  std::vector<int64_t> scheduled_;  // Time of each member's pending tick.
  std::vector<std::string> payloads_;
  std::vector<size_t> free_payloads_;
  std::vector<bool> crashed_;
  std::vector<int> crash_of_;  // Member -> index in crashes_, or -1.
  std::vector<Crash> crashes_;
  std::vector<bool> ever_failed_;  // Live members someone declared failed.
  uint64_t sent_ = 0, bytes_sent_ = 0, lost_ = 0, max_bytes_ = 0, cross_rack_ = 0;
  uint64_t false_failures_ = 0, false_suspicions_ = 0;
  uint64_t full_state_exchanges_ = 0, full_state_bytes_ = 0;
  ViewTracker views_;
};

void WriteDistribution(JsonWriter& json, std::string_view key, const Distribution& d) {
  json.Key(key).BeginObject();
  json.Key("count").Uint(d.count);
  json.Key("mean").Double(d.mean);
  json.Key("p99").Double(d.p99);
  json.Key("max").Double(d.max);
  json.EndObject();
}

}  // namespace

SimReport RunSimulation(const SimOptions& options) { return Simulation(options).Run(); }

std::string ReportJson(const SimOptions& o, const SimReport& r) {
  JsonWriter json;
  json.BeginObject();
  json.Key("config").BeginObject();
  json.Key("protocol").String(o.protocol == Protocol::kSwim ? "swim" : "gossip");
  json.Key("nodes").Int(o.nodes);
  json.Key("periods").Int(o.periods);
  json.Key("loss").Double(o.loss);
  json.Key("crash").Int(o.crash);
  json.Key("seed").Uint(o.seed);
  json.Key("suspicion").Bool(o.core.suspicion);
  json.Key("buddy").Bool(o.core.buddy);
  json.Key("round_robin").Bool(o.core.round_robin);
  json.Key("awareness_max_multiplier").Int(o.core.awareness_max_multiplier);
  json.Key("suspicion_max_timeout_mult").Double(o.core.suspicion_max_timeout_mult);
  json.Key("push_pull_interval_ms").Int(o.core.push_pull_interval_ms);
  json.Key("reconnect_interval_ms").Int(o.core.reconnect_interval_ms);
  json.Key("partition").Double(o.partition);
  json.Key("partition_start").Int(o.partition_start);
  json.Key("partition_end").Int(o.partition_end);
  json.Key("sync_phases").Bool(o.sync_phases);
  json.Key("join").Bool(o.join);
  json.Key("period_ms").Int(o.core.protocol_period_ms);
  json.Key("ping_timeout_ms").Int(o.core.ping_timeout_ms);
  json.Key("indirect_probes").Int(o.core.indirect_probes);
  json.Key("suspicion_mult").Double(o.core.suspicion_mult);
  json.Key("retransmit_mult").Double(o.core.retransmit_mult);
  json.Key("gossip_fanout").Int(o.core.gossip_fanout);
  json.Key("gossip_fail_periods").Double(static_cast<double>(o.core.gossip_fail_ms) /
                                         static_cast<double>(o.core.protocol_period_ms));
  json.Key("max_datagram_bytes").Uint(o.core.max_datagram_bytes);
  json.Key("racks").Int(o.racks);
  json.Key("rack_aware").Bool(o.core.rack_aware);
  json.EndObject();
  json.Key("crashes").Int(r.crashes);
  json.Key("undetected").Int(r.undetected);
  WriteDistribution(json, "first_detection_periods", r.first_detection);
  WriteDistribution(json, "dissemination_periods", r.dissemination);
  WriteDistribution(json, "all_know_periods", r.all_know);
  WriteDistribution(json, "all_failed_periods", r.all_failed);
  json.Key("suspicion_timeout_periods").Double(r.suspicion_timeout_periods);
  json.Key("log2_n").Double(std::log2(static_cast<double>(o.nodes)));
  json.Key("false_failure_events").Uint(r.false_failure_events);
  json.Key("falsely_failed_members").Uint(r.falsely_failed_members);
  json.Key("false_suspicion_events").Uint(r.false_suspicion_events);
  json.Key("refutations").Uint(r.refutations);
  json.Key("messages_per_member_per_period").Double(r.messages_per_member_per_period);
  json.Key("bytes_per_member_per_period").Double(r.bytes_per_member_per_period);
  json.Key("cross_rack_messages_per_member_per_period")
      .Double(r.cross_rack_messages_per_member_per_period);
  json.Key("max_message_bytes").Uint(r.max_message_bytes);
  json.Key("messages_sent").Uint(r.messages_sent);
  json.Key("messages_lost").Uint(r.messages_lost);
  json.Key("members_fully_joined").Int(r.members_fully_joined);
  json.Key("max_falsely_failed_at_once").Int(r.max_falsely_failed_at_once);
  json.Key("converged_at_periods").Double(r.converged_at_periods);
  json.Key("merge_periods").Double(r.merge_periods);
  json.Key("full_state_exchanges").Uint(r.full_state_exchanges);
  json.Key("full_state_bytes").Uint(r.full_state_bytes);
  json.Key("push_pulls").Uint(r.push_pulls);
  json.Key("reconnects").Uint(r.reconnects);
  json.EndObject();
  return json.str();
}

}  // namespace mr::membership::sim


