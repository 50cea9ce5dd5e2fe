#include "dfs/datanode/chunk_replicator.h"

#include <algorithm>
#include <string>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "dfs/dataplane/client.h"

DEFINE_int32(dfs_datanode_replication_threads, 2,
             "Worker threads a datanode uses to copy chunks to other datanodes on the "
             "master's REPLICATE commands.");
DEFINE_int32(dfs_datanode_max_queued_replications, 32,
             "Most REPLICATE commands a datanode keeps waiting for a worker; more are "
             "dropped (the master re-plans them).");

namespace mr::dfs {

namespace dp = dataplane;

namespace {
constexpr uint64_t kCopyPieceBytes = 1 << 20;  // Read and forwarded at a time.
}

ChunkReplicator::Options ChunkReplicator::Options::FromFlags() {
  Options options;
  options.threads = std::max(1, FLAGS_dfs_datanode_replication_threads);
  options.max_queued = std::max(1, FLAGS_dfs_datanode_max_queued_replications);
  options.io_timeout = dp::DefaultIoTimeout();
  return options;
}

ChunkReplicator::ChunkReplicator(ChunkStore* store, Options options, CorruptionCallback on_corrupt)
    : store_(store), options_(std::move(options)), on_corrupt_(std::move(on_corrupt)) {}

ChunkReplicator::~ChunkReplicator() { Stop(); }

void ChunkReplicator::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

void ChunkReplicator::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  std::lock_guard lock(mu_);
  active_.clear();
}

bool ChunkReplicator::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

bool ChunkReplicator::Enqueue(int64_t chunk_id, int64_t generation,
                              std::vector<dp::Target> targets, std::string access_token) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || active_.count(chunk_id) != 0 ||
        static_cast<int>(queue_.size()) >= options_.max_queued) {
      return false;
    }
    active_.insert(chunk_id);
    queue_.push_back(Copy{chunk_id, generation, std::move(targets), std::move(access_token)});
  }
  cv_.notify_one();
  return true;
}

void ChunkReplicator::Work() {
  for (;;) {
    Copy copy;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      copy = std::move(queue_.front());
      queue_.pop_front();
    }
    Status s = Run(copy);
    if (s.ok()) {
      ++succeeded_;
      LOG(INFO) << "replicated " << ChunkName(copy.chunk_id, copy.generation) << " to "
                << copy.targets.size() << " datanode(s), first " << copy.targets[0].datanode_id;
    } else {
      ++failed_;
      LOG(WARNING) << "replicating " << ChunkName(copy.chunk_id, copy.generation)
                   << " failed: " << s.ToString();
    }
    std::lock_guard lock(mu_);
    active_.erase(copy.chunk_id);
  }
}

Status ChunkReplicator::Run(const Copy& copy) {
  if (copy.targets.empty()) return Status::InvalidArgument("no targets");
  ASSIGN_OR_RETURN(std::unique_ptr<ChunkReader> reader,
                   store_->OpenChunk(copy.chunk_id, copy.generation));
  dp::PipelineWriter writer({/*window=*/16, options_.io_timeout});
  const uint64_t length = reader->info().length;
  // A full target refuses at setup (the master picks another one later).
  RETURN_NOT_OK(
      writer.Open(copy.chunk_id, copy.generation, copy.targets, length, copy.access_token));
  std::string piece;
  for (uint64_t offset = 0; offset < length; offset += piece.size()) {
    if (stopping()) return Status::Aborted("stopping");  // `writer` aborts the pipeline.
    Status s = reader->Read(offset, std::min(kCopyPieceBytes, length - offset), &piece);
    if (s.IsCorruption()) on_corrupt_(reader->info(), s);
    RETURN_NOT_OK(s);
    if (piece.empty()) return Status::Internal("empty read inside the chunk");
    RETURN_NOT_OK(writer.Write(piece));
  }
  return writer.Close();
}

}  // namespace mr::dfs
