// ChunkReplicator: carries out the master's REPLICATE commands. Each copy
// reads the local replica (verified slice by slice, ChunkReader) and pushes
// it through a write pipeline to the targets (dataplane::PipelineWriter). The
// receiving datanodes report ChunkReceived themselves once they finalize, so
// a copy's success reaches the master from the targets, not from here.
//
// A small fixed pool of worker threads takes copies from a bounded queue, so
// a burst of commands never blocks the caller (the heartbeat loop) and never
// floods the disk or the network. A copy that cannot be queued (queue full,
// or the same chunk already queued or in progress) is dropped: the master
// re-plans chunks that stay under-replicated.
//
// A local replica that fails verification while it is read is passed to
// `on_corrupt` (on the worker thread) and the copy is abandoned.
//
// Thread-safety: Enqueue and the counters from any thread; Start/Stop from
// the owner. Stop() wakes the workers, drops queued copies and joins; a copy
// in progress stops at its next 1 MiB piece, or after the data-plane I/O
// timeout if a target stalls. The store must outlive the replicator.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "dfs/datanode/chunk_store.h"
#include "dfs/dataplane/framing.h"
#include "dfs/dataplane/messages.h"

namespace mr::dfs {

class ChunkReplicator {
 public:
  struct Options {
    int threads = 2;
    int max_queued = 32;
    dataplane::Timeout io_timeout = dataplane::DefaultIoTimeout();
    // From --dfs_datanode_replication_threads, --dfs_datanode_max_queued_replications
    // and the data-plane I/O timeout.
    static Options FromFlags();
  };
  using CorruptionCallback = std::function<void(const ChunkInfo& chunk, const Status& status)>;

  ChunkReplicator(ChunkStore* store, Options options, CorruptionCallback on_corrupt);
  ~ChunkReplicator();
  ChunkReplicator(const ChunkReplicator&) = delete;
  ChunkReplicator& operator=(const ChunkReplicator&) = delete;

  void Start();
  void Stop();

  // Queues a copy of replica (chunk_id, generation) to the pipeline
  // `targets`, presenting `access_token` (the master's REPLICATE token; ""
  // without security) to them. False if it was dropped (see above) or the
  // replicator is stopped.
  bool Enqueue(int64_t chunk_id, int64_t generation, std::vector<dataplane::Target> targets,
               std::string access_token = "");

  uint64_t copies_succeeded() const { return succeeded_.load(); }
  uint64_t copies_failed() const { return failed_.load(); }

 private:
  struct Copy {
    int64_t chunk_id = 0;
    int64_t generation = 0;
    std::vector<dataplane::Target> targets;
    std::string access_token;
  };

  void Work();
  Status Run(const Copy& copy);
  bool stopping() const;

  ChunkStore* const store_;
  const Options options_;
  const CorruptionCallback on_corrupt_;
  std::vector<std::thread> workers_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Copy> queue_;          // GUARDED_BY(mu_)
  std::set<int64_t> active_;        // GUARDED_BY(mu_): chunk ids queued or in progress.
  bool stopping_ = true;            // GUARDED_BY(mu_): true until Start().
  std::atomic<uint64_t> succeeded_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace mr::dfs
