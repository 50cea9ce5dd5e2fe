#include "dfs/master/replication_monitor.h"

#include <gflags/gflags.h>
#include <glog/logging.h>

DEFINE_int64(dfs_replication_check_ms, 1000,
             "How often the master plans re-replication and excess-replica deletion (one "
             "planner round at most this often, driven by datanode heartbeats).");
DEFINE_int64(dfs_pending_replication_timeout_ms, 30000,
             "A REPLICATE command not confirmed by ChunkReceived within this time is "
             "planned again.");
DEFINE_int32(dfs_max_replications_per_round, 32,
             "At most this many REPLICATE commands per planner round (the rate limit).");
DEFINE_int32(dfs_max_replications_per_source, 2,
             "At most this many REPLICATE commands per source datanode per round.");

namespace mr::dfs {

ReplicationMonitor::Options ReplicationMonitor::Options::FromFlags() {
  Options options;
  options.check_interval_ms = FLAGS_dfs_replication_check_ms;
  options.pending_timeout_ms = FLAGS_dfs_pending_replication_timeout_ms;
  options.plan.max_replications = FLAGS_dfs_max_replications_per_round;
  options.plan.max_replications_per_source = FLAGS_dfs_max_replications_per_source;
  return options;
}

void ReplicationMonitor::QueueDelete(const std::string& node_id, int64_t chunk_id,
                                     int64_t generation) {
  ReplicationCommand command;
  command.kind = ReplicationCommand::Kind::kDelete;
  command.datanode_id = node_id;
  command.chunk_id = chunk_id;
  command.generation = generation;
  queues_[node_id].push_back(std::move(command));
}

void ReplicationMonitor::MaybePlan(ChunkMap* map, int64_t now_ms) {
  if (!round_requested_ && now_ms - last_round_ms_ < options_.check_interval_ms) return;
  round_requested_ = false;
  last_round_ms_ = now_ms;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.targets.empty() || it->second.deadline_ms <= now_ms) {
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  // Nodes with a DELETE of a chunk still queued hold a copy the map no
  // longer counts: not a target for it.
  std::map<int64_t, std::vector<std::string>> deleting;
  for (const auto& [node, commands] : queues_) {
    for (const ReplicationCommand& c : commands) {
      if (c.kind == ReplicationCommand::Kind::kDelete) deleting[c.chunk_id].push_back(node);
    }
  }
  std::vector<ChunkReplicas> chunks;
  for (ChunkReplicas& c : map->CompleteChunks()) {
    if (pending_.contains(c.chunk_id)) continue;
    if (auto it = deleting.find(c.chunk_id); it != deleting.end()) {
      c.avoid.insert(c.avoid.end(), it->second.begin(), it->second.end());
    }
    chunks.push_back(std::move(c));
  }
  ReplicationPlan plan = PlanReplication(chunks, map->LiveNodes(), options_.plan, &rng_);
  if (!plan.commands.empty() || plan.missing_chunks > 0) {
    LOG(INFO) << "replication monitor: " << plan.commands.size() << " commands, "
              << plan.missing_chunks << " chunks with no live replica, " << plan.deferred_chunks
              << " deferred";
  }
  for (ReplicationCommand& command : plan.commands) {
    if (command.kind == ReplicationCommand::Kind::kReplicate) {
      Pending& pending = pending_[command.chunk_id];
      pending.targets.insert(command.target_ids.begin(), command.target_ids.end());
      pending.deadline_ms = now_ms + options_.pending_timeout_ms;
    } else {
      (void)map->RemoveReplica(command.datanode_id, command.chunk_id);
    }
    queues_[command.datanode_id].push_back(std::move(command));
  }
}

std::vector<ReplicationCommand> ReplicationMonitor::TakeCommands(const std::string& node_id) {
  auto it = queues_.find(node_id);
  if (it == queues_.end()) return {};
  std::vector<ReplicationCommand> commands = std::move(it->second);
  queues_.erase(it);
  return commands;
}

void ReplicationMonitor::ForgetNode(const std::string& node_id) {
  queues_.erase(node_id);
  // A copy to a dead node will never arrive: plan those chunks again now,
  // not after the pending timeout.
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = it->second.targets.contains(node_id) ? pending_.erase(it) : std::next(it);
  }
}

void ReplicationMonitor::OnReplicaAdded(int64_t chunk_id, const std::string& node_id) {
  auto it = pending_.find(chunk_id);
  if (it == pending_.end()) return;
  it->second.targets.erase(node_id);
  if (it->second.targets.empty()) pending_.erase(it);
}

}  // namespace mr::dfs
