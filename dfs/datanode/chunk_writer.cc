#include "dfs/datanode/chunk_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/hash.h"
#include "dfs/datanode/chunk_store.h"

// Dirty pages of a replica being written are handed to the disk every this
// many bytes, so that the disk works while packets still arrive and the fsync
// in Finalize() has little left to flush (as HDFS's sync-behind-writes).
// Durability is unchanged: nothing is acknowledged as durable before fsync.
DEFINE_int64(dfs_chunk_writeback_bytes, 8 << 20,
             "Start writeback of a replica's data every this many bytes written "
             "(sync_file_range, asynchronous); 0 disables it.");

namespace mr::dfs {

ChunkWriter::ChunkWriter(ChunkStore* store, int64_t chunk_id, int64_t generation,
                         std::unique_ptr<WritableFile> data, std::string data_tmp,
                         std::string meta_tmp, uint64_t reserved_bytes)
    : store_(store),
      chunk_id_(chunk_id),
      generation_(generation),
      data_(std::move(data)),
      data_tmp_(std::move(data_tmp)),
      meta_tmp_(std::move(meta_tmp)),
      promise_left_(reserved_bytes) {}

ChunkWriter::~ChunkWriter() {
  Abort();
  if (writeback_fd_ >= 0) ::close(writeback_fd_);
}

void ChunkWriter::MaybeStartWriteback() {
  if (FLAGS_dfs_chunk_writeback_bytes <= 0 ||
      meta_.length - writeback_start_ < static_cast<uint64_t>(FLAGS_dfs_chunk_writeback_bytes)) {
    return;
  }
  // Only a hint: a failure here costs speed, never data (Finalize fsyncs).
  if (!data_->Flush().ok()) return;
  if (writeback_fd_ < 0) writeback_fd_ = ::open(data_tmp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (writeback_fd_ < 0) return;
  ::sync_file_range(writeback_fd_, static_cast<off_t>(writeback_start_),
                    static_cast<off_t>(meta_.length - writeback_start_), SYNC_FILE_RANGE_WRITE);
  writeback_start_ = meta_.length;
}

void ChunkWriter::AddToChecksums(std::string_view data) {
  while (!data.empty()) {
    size_t take = std::min<size_t>(kChunkSliceBytes - partial_slice_.size(), data.size());
    if (partial_slice_.empty() && take == kChunkSliceBytes) {
      meta_.checksums.push_back(Hash64(data.substr(0, take)));  // Whole slice: no copy.
    } else {
      partial_slice_.append(data.substr(0, take));
      if (partial_slice_.size() == kChunkSliceBytes) {
        meta_.checksums.push_back(Hash64(partial_slice_));
        partial_slice_.clear();
      }
    }
    data.remove_prefix(take);
  }
}

Status ChunkWriter::Append(std::string_view data) {
  if (done_) return Status::Aborted(ChunkName(chunk_id_, generation_) + ": writer is closed");
  RETURN_NOT_OK(error_);
  if (data.size() > promise_left_) {
    // Beyond what the write reserved (it did not say how much it brings).
    error_ = store_->space_.Reserve(data.size() - promise_left_);
    RETURN_NOT_OK(error_);
    promise_left_ = data.size();
  }
  error_ = data_->Append(data);
  RETURN_NOT_OK(error_);
  store_->space_.Wrote(data.size(), data.size());
  promise_left_ -= data.size();
  AddToChecksums(data);
  meta_.length += data.size();
  MaybeStartWriteback();
  return Status::OK();
}

Status ChunkWriter::SyncData() {
  if (done_) return Status::Aborted(ChunkName(chunk_id_, generation_) + ": writer is closed");
  RETURN_NOT_OK(error_);
  error_ = data_->Sync();
  return error_;
}

Status ChunkWriter::FinalizeFiles() {
  if (!partial_slice_.empty()) {
    meta_.checksums.push_back(Hash64(partial_slice_));
    partial_slice_.clear();
  }
  RETURN_NOT_OK(data_->Sync());
  RETURN_NOT_OK(data_->Close());
  const std::string meta = EncodeChunkMeta(meta_);
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> meta_file,
                   WritableFile::Create(meta_tmp_, meta.size() + 1, kReplicaFileMode));
  RETURN_NOT_OK(meta_file->Append(meta));
  RETURN_NOT_OK(meta_file->Sync());
  RETURN_NOT_OK(meta_file->Close());
  return store_->Commit({chunk_id_, generation_, meta_.length}, data_tmp_, meta_tmp_);
}

Result<ChunkInfo> ChunkWriter::Finalize() {
  if (done_) return Status::Aborted(ChunkName(chunk_id_, generation_) + ": writer is closed");
  RETURN_NOT_OK(error_);
  error_ = FinalizeFiles();
  if (!error_.ok()) {
    Abort();
    return error_;
  }
  done_ = true;
  store_->ReleaseWriter(chunk_id_, generation_);
  ReleaseSpace();  // After Commit counted the replica as stored.
  return ChunkInfo{chunk_id_, generation_, meta_.length};
}

void ChunkWriter::ReleaseSpace() {
  if (space_released_) return;
  space_released_ = true;
  store_->space_.Finished(promise_left_, meta_.length);
  promise_left_ = 0;
}

void ChunkWriter::Abort() {
  if (done_) return;
  done_ = true;
  data_.reset();
  for (const std::string& path : {data_tmp_, meta_tmp_}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      LOG(WARNING) << "abort " << ChunkName(chunk_id_, generation_) << ": unlink " << path
                   << ": " << std::strerror(errno);
    }
  }
  store_->ReleaseWriter(chunk_id_, generation_);
  ReleaseSpace();
}

}  // namespace mr::dfs
