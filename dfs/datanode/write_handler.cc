#include "dfs/datanode/write_handler.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <glog/logging.h>

#include "dfs/dataplane/client.h"

namespace mr::dfs {

namespace dp = dataplane;

namespace {

// State of one write stream. The receiver thread owns `writer_` until it has
// appended (and synced) the last packet; then the responder may finalize it.
// Fields under "mu_" are shared by both threads.
class WriteStream {
 public:
  WriteStream(ChunkStore* store, std::string self_id, dp::tcp::socket* upstream,
              const dp::WriteRequest& request, dp::Timeout timeout)
      : store_(store), self_id_(std::move(self_id)), upstream_(upstream), request_(request),
        timeout_(timeout), downstream_(io_) {}

  Status Run();
  // Valid after Run() returned OK.
  const ChunkInfo& finalized_info() const { return finalized_info_; }

 private:
  Status Setup(std::string* failed_id);
  void Receive();
  void Respond();
  // Sends the error Ack upstream (once) and shuts the downstream link.
  void FailStream(int64_t seq, const Status& status, const std::string& failed_id);
  // A failure of this node's own disk, worded so that the client's error
  // names the node ("datanode X is full: ...").
  Status LocalError(const Status& status) const;
  bool HasDownstream() const { return !request_.targets.empty(); }

  ChunkStore* const store_;
  const std::string self_id_;
  dp::tcp::socket* const upstream_;
  const dp::WriteRequest request_;
  const dp::Timeout timeout_;
  boost::asio::io_context io_;
  dp::tcp::socket downstream_;
  std::unique_ptr<ChunkWriter> writer_;

  std::mutex mu_;
  std::condition_variable cv_;
  int64_t written_seq_ = -1;  // GUARDED_BY(mu_): last packet appended locally.
  int64_t last_seq_ = -1;     // GUARDED_BY(mu_): seq of the `last` packet once seen.
  Status receive_status_;     // GUARDED_BY(mu_): why receiving stopped early.
  bool forward_failed_ = false;  // GUARDED_BY(mu_): ... because sending downstream failed.
  bool receiving_ = true;     // GUARDED_BY(mu_)
  bool failed_ = false;       // GUARDED_BY(mu_): an error Ack was sent.
  Status result_;             // GUARDED_BY(mu_): the stream's outcome.
  bool finalized_ = false;    // Responder thread only until joined.
  ChunkInfo finalized_info_;  // Responder thread only until joined.
};

Status WriteStream::LocalError(const Status& status) const {
  if (status.IsNoSpace()) return status.Prepend("datanode " + self_id_ + " is full");
  return status.Prepend("datanode " + self_id_);
}

Status WriteStream::Setup(std::string* failed_id) {
  *failed_id = self_id_;
  // Space first, before the downstream nodes are asked: a full node refuses
  // at once and the client routes around it.
  Result<std::unique_ptr<ChunkWriter>> writer = store_->CreateChunk(
      request_.chunk_id, request_.generation,
      static_cast<uint64_t>(std::max<int64_t>(0, request_.reserve_bytes)));
  if (!writer.ok()) return LocalError(writer.status());
  writer_ = std::move(writer).value();
  if (!HasDownstream()) return Status::OK();
  dp::WriteRequest next = request_;
  next.targets.erase(next.targets.begin());
  return dp::OpenWriteStream(&downstream_, request_.targets[0], next, timeout_, failed_id);
}

void WriteStream::FailStream(int64_t seq, const Status& status, const std::string& failed_id) {
  {
    std::lock_guard lock(mu_);
    if (failed_) return;
    failed_ = true;
    result_ = status;
  }
  dp::Ack ack;
  ack.seq = seq;
  ack.code = dp::StatusToWire(status);
  ack.message = status.message();
  ack.failed_datanode_id = failed_id;
  (void)dp::SendMessage(upstream_, ack, timeout_);  // Upstream may be gone.
  dp::ShutdownSocket(&downstream_);
  cv_.notify_all();
}

void WriteStream::Receive() {
  uint64_t offset = 0;
  for (int64_t seq = 0;; ++seq) {
    dp::Packet packet;
    Status s = dp::ReceiveMessage(upstream_, &packet, timeout_);
    bool failed;
    {
      std::lock_guard lock(mu_);
      failed = failed_;
    }
    if (s.ok() && failed) {
      if (packet.last) break;
      continue;  // Drain what the client sent before it saw the error Ack.
    }
    if (s.ok() && (packet.seq != seq || packet.offset != static_cast<int64_t>(offset) ||
                   packet.data.size() > dp::kMaxPacketDataBytes)) {
      s = Status::Corruption("packet out of order or too big");
    }
    bool forward_failed = false;
    if (s.ok() && HasDownstream() && !dp::SendMessage(&downstream_, packet, timeout_).ok()) {
      forward_failed = true;  // The responder reads the cause from downstream.
      s = Status::Aborted("forward to datanode " + request_.targets[0].datanode_id);
    }
    if (s.ok()) {
      s = writer_->Append(packet.data);
      // Flush the replica now, while the downstream nodes flush theirs, rather
      // than after their acks: the nodes' fsyncs overlap instead of adding up.
      // The responder still finalizes (and acks) only after the downstream ack.
      if (s.ok() && packet.last) s = writer_->SyncData();
      if (!s.ok()) s = LocalError(s);
    }
    std::lock_guard lock(mu_);
    if (!s.ok()) {
      receive_status_ = s;
      forward_failed_ = forward_failed;
      break;
    }
    offset += packet.data.size();
    written_seq_ = seq;
    if (packet.last) last_seq_ = seq;
    cv_.notify_all();
    if (packet.last) break;
  }
  bool wake_responder;
  {
    std::lock_guard lock(mu_);
    receiving_ = false;
    wake_responder = !receive_status_.ok() && !forward_failed_;
  }
  cv_.notify_all();
  // The responder may be blocked on a downstream ack that will never come.
  if (wake_responder) dp::ShutdownSocket(&downstream_);
}

void WriteStream::Respond() {
  const std::string next_id = HasDownstream() ? request_.targets[0].datanode_id : "";
  for (int64_t seq = 0;; ++seq) {
    if (HasDownstream()) {
      dp::Ack ack;
      Status s = dp::ReceiveMessage(&downstream_, &ack, timeout_);
      if (!s.ok()) {
        std::unique_lock lock(mu_);
        if (!receive_status_.ok() && !forward_failed_) {  // We broke the link ourselves.
          Status why = receive_status_;
          lock.unlock();
          return FailStream(seq, why, self_id_);
        }
        lock.unlock();
        return FailStream(seq, s.Prepend("datanode " + next_id), next_id);
      }
      s = dp::StatusFromWire(ack.code, ack.message);
      if (!s.ok()) return FailStream(seq, s, ack.failed_datanode_id);
      if (ack.seq != seq) return FailStream(seq, Status::Corruption("ack out of order"), next_id);
    }
    bool last;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return written_seq_ >= seq || !receiving_ || failed_; });
      if (written_seq_ < seq) {
        Status why = receive_status_.ok() ? Status::Aborted("stream ended") : receive_status_;
        lock.unlock();
        return FailStream(seq, why, self_id_);
      }
      last = seq == last_seq_;
    }
    if (last) {
      Result<ChunkInfo> info = writer_->Finalize();
      if (!info.ok()) return FailStream(seq, LocalError(info.status()), self_id_);
      finalized_ = true;
      finalized_info_ = *info;
    }
    dp::Ack ack;
    ack.seq = seq;
    if (!dp::SendMessage(upstream_, ack, timeout_).ok() || last) return;
  }
}

Status WriteStream::Run() {
  dp::Ack setup;
  setup.seq = dp::kSetupAckSeq;
  std::string failed_id;
  Status s = Setup(&failed_id);
  setup.code = dp::StatusToWire(s);
  setup.message = s.message();
  if (!s.ok()) setup.failed_datanode_id = failed_id;
  Status sent = dp::SendMessage(upstream_, setup, timeout_);
  if (!s.ok() || !sent.ok()) {
    dp::ShutdownSocket(&downstream_);
    return s.ok() ? sent : s;
  }
  std::thread responder([this] { Respond(); });
  Receive();
  responder.join();
  if (!finalized_) {
    dp::ShutdownSocket(&downstream_);  // Later nodes abort too.
    writer_->Abort();
    std::lock_guard lock(mu_);
    return result_.ok() ? (receive_status_.ok() ? Status::Aborted("write stream ended")
                                                : receive_status_)
                        : result_;
  }
  return Status::OK();
}

}  // namespace

Status ServeWrite(ChunkStore* store, const std::string& self_id, dp::tcp::socket* upstream,
                  const dp::WriteRequest& request, dp::Timeout timeout, ChunkInfo* finalized) {
  WriteStream stream(store, self_id, upstream, request, timeout);
  Status s = stream.Run();
  if (s.ok() && finalized != nullptr) *finalized = stream.finalized_info();
  return s;
}

}  // namespace mr::dfs
