// DatanodeAgent: the datanode's control-plane side (docs/DFS.md). One
// background thread keeps the node known to the master through a MasterLink:
//
//   - registers, retrying with exponential backoff while the master is down;
//   - right after registering, and every chunk_report_interval, sends the
//     full chunk report (ChunkStore::List);
//   - heartbeats every heartbeat_interval with the node's load (the chunk
//     store's DiskSpace: capacity and what it still accepts; active
//     data-plane connections), and executes the
//     commands that come back: DELETE at once (an unlink), REPLICATE handed
//     to a ChunkReplicator so the loop never blocks on a copy;
//   - registers again when the master answers NotFound to a heartbeat, chunk
//     report or ChunkReceived (it restarted, or declared the node dead);
//   - sends ChunkReceived for replicas the DataServer finalized
//     (OnChunkWritten) and ReportBadReplica for corrupt ones found by the
//     scrubber or a replication read (OnCorruptReplica, which also deletes
//     the local replica).
//
// Events from other threads are queued and sent by the agent thread, so data
// plane and scrubber threads never wait for the master. A ChunkReceived that
// cannot be delivered is not retried on its own: the agent sends a full chunk
// report instead (on the next tick, or after registering again), which
// carries it. Bad-replica reports are retried until the master takes them.
//
// Thread-safety: Start/Stop from the owning thread; the On* hooks from any
// thread, at any time (before Start and after Stop they only queue).
// Shutdown order: stop the scrubber and the DataServer first (their callbacks
// call the hooks), then the agent. Stop() wakes the agent thread at once; it
// waits for at most one master RPC in flight (bounded by the link's timeout)
// and for copies in progress (ChunkReplicator::Stop). The link, the store
// and the data server must outlive the agent.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "dfs/datanode/chunk_replicator.h"
#include "dfs/datanode/chunk_store.h"
#include "dfs/datanode/data_server.h"
#include "dfs/datanode/master_link.h"

namespace mr::dfs {

class DatanodeAgent {
 public:
  struct Options {
    // This node as the master sees it. A data_port of 0 is filled in at
    // Start() from the DataServer's port.
    wire::DatanodeInfo self;
    std::chrono::milliseconds heartbeat_interval{500};
    std::chrono::milliseconds chunk_report_interval{std::chrono::minutes(10)};
    std::chrono::milliseconds register_backoff_initial{100};
    std::chrono::milliseconds register_backoff_max{5000};
    ChunkReplicator::Options replication;
    // Intervals, backoff and replication from the --dfs_* flags.
    static Options FromFlags();
  };

  // `data_server` may be null (no load figures, and data_port must be set).
  DatanodeAgent(MasterLink* link, ChunkStore* store, DataServer* data_server, Options options);
  ~DatanodeAgent();
  DatanodeAgent(const DatanodeAgent&) = delete;
  DatanodeAgent& operator=(const DatanodeAgent&) = delete;

  void Start();
  void Stop();

  // DataServer::Options::on_chunk_written.
  void OnChunkWritten(const ChunkInfo& chunk);
  // Scrubber callback: deletes the local replica (if it is still this
  // generation) and reports it to the master.
  void OnCorruptReplica(const ChunkInfo& chunk, const Status& why);
  // Scrubber callback (directory scan): the replica is gone from the store.
  void OnLostReplica(const ChunkInfo& chunk, const std::string& why);

  // Whether the master currently knows this node (as far as the agent saw).
  bool registered() const { return registered_.load(); }

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  // Each returns the link's status; NotFound means "register again".
  Status Register();
  Status SendChunkReport();
  Status SendHeartbeat();
  Status SendQueuedEvents();
  void Execute(const wire::DatanodeCommand& command);
  // The load, and the lost replicas queued so far (taken: put them back if
  // the heartbeat fails).
  DatanodeStats CollectStats();
  // Logs when the master becomes unreachable or reachable again (not every
  // failed retry), and every error the master itself answered.
  void NoteLinkStatus(const char* what, const Status& s);
  // Sleeps until `deadline`, Stop(), or (with `wake_on_event`) a new event.
  void WaitUntil(Clock::time_point deadline, bool wake_on_event);
  bool stopping() const;

  MasterLink* const link_;
  ChunkStore* const store_;
  DataServer* const data_server_;
  Options options_;  // self.data_port is set in Start(), before the thread runs.
  ChunkReplicator replicator_;
  std::thread thread_;
  std::atomic<bool> registered_{false};
  bool link_healthy_ = true;  // Agent thread only.

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                              // GUARDED_BY(mu_)
  bool event_ = false;                                 // GUARDED_BY(mu_): a hook queued something.
  bool report_due_ = false;                            // GUARDED_BY(mu_): send a full report.
  std::vector<wire::ChunkReplicaInfo> received_;       // GUARDED_BY(mu_)
  std::set<int64_t> bad_replicas_;                     // GUARDED_BY(mu_)
  std::vector<wire::ChunkReplicaInfo> lost_;           // GUARDED_BY(mu_): for the next heartbeat.
};

}  // namespace mr::dfs
