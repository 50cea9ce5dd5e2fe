// Writes one new chunk replica into a ChunkStore.
//
// Bytes are appended in order to "<id>_<gen>.data.tmp" while a checksum is
// computed per 64 KiB slice; Finalize() fsyncs the data, writes and fsyncs
// "<id>_<gen>.meta.tmp", renames both (data first, meta last) and fsyncs the
// directory, after which the replica is durable and visible to readers.
// Abort() (or destruction before Finalize) removes the temp files.
//
// Created by ChunkStore::CreateChunk; the store must outlive the writer.
// Thread-safety: a writer belongs to one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/file.h"
#include "common/status.h"
#include "dfs/datanode/chunk_format.h"

namespace mr::dfs {

class ChunkStore;

class ChunkWriter {
 public:
  ~ChunkWriter();
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  // After a failed call the writer is dead: every later call fails and the
  // caller should Abort() (the destructor does). NoSpace when the bytes go
  // beyond the reservation and the disk has no room for them.
  Status Append(std::string_view data);
  // Makes the bytes appended so far durable (fdatasync of the data file)
  // without making the replica visible. Optional: Finalize() does it too, but
  // a pipeline node calls it as soon as it has the last packet, so that its
  // flush overlaps its downstream's instead of following it (write_handler).
  Status SyncData();
  // Makes the replica durable and visible; returns its info.
  Result<ChunkInfo> Finalize();
  // Removes the temp files. Idempotent; a no-op after Finalize().
  void Abort();

  uint64_t bytes_written() const { return meta_.length; }
  int64_t chunk_id() const { return chunk_id_; }
  int64_t generation() const { return generation_; }

 private:
  friend class ChunkStore;
  ChunkWriter(ChunkStore* store, int64_t chunk_id, int64_t generation,
              std::unique_ptr<WritableFile> data, std::string data_tmp, std::string meta_tmp,
              uint64_t reserved_bytes);

  void AddToChecksums(std::string_view data);
  // Starts writeback of the bytes appended since the last call once there
  // are --dfs_chunk_writeback_bytes of them (sync_file_range, no wait).
  void MaybeStartWriteback();
  Status FinalizeFiles();
  // Returns the unused reservation to the store's DiskSpace (once).
  void ReleaseSpace();

  ChunkStore* const store_;
  const int64_t chunk_id_;
  const int64_t generation_;
  std::unique_ptr<WritableFile> data_;
  const std::string data_tmp_;
  const std::string meta_tmp_;
  std::string partial_slice_;  // Bytes of the slice not yet checksummed.
  ChunkMeta meta_;
  int writeback_fd_ = -1;      // Read-only descriptor of data_tmp_ for sync_file_range.
  uint64_t writeback_start_ = 0;  // Bytes before this offset were handed to writeback.
  uint64_t promise_left_;      // Reserved in the store's DiskSpace, not yet written.
  bool space_released_ = false;
  Status error_;               // First failure; sticky.
  bool done_ = false;          // Finalized or aborted.
};

}  // namespace mr::dfs
