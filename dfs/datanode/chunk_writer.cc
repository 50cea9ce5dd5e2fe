#include "dfs/datanode/chunk_writer.h"

#include <unistd.h>

#include <algorithm>

#include <glog/logging.h>

#include "common/hash.h"
#include "dfs/datanode/chunk_store.h"

namespace mr::dfs {

ChunkWriter::ChunkWriter(ChunkStore* store, int64_t chunk_id, int64_t generation,
                         std::unique_ptr<WritableFile> data, std::string data_tmp,
                         std::string meta_tmp)
    : store_(store),
      chunk_id_(chunk_id),
      generation_(generation),
      data_(std::move(data)),
      data_tmp_(std::move(data_tmp)),
      meta_tmp_(std::move(meta_tmp)) {}

ChunkWriter::~ChunkWriter() { Abort(); }

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
  error_ = data_->Append(data);
  RETURN_NOT_OK(error_);
  AddToChecksums(data);
  meta_.length += data.size();
  return Status::OK();
}

Status ChunkWriter::FinalizeFiles() {
  if (!partial_slice_.empty()) {
    meta_.checksums.push_back(Hash64(partial_slice_));
    partial_slice_.clear();
  }
  RETURN_NOT_OK(data_->Sync());
  RETURN_NOT_OK(data_->Close());
  RETURN_NOT_OK(WriteStringToFile(meta_tmp_, EncodeChunkMeta(meta_), /*sync=*/true));
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
  return ChunkInfo{chunk_id_, generation_, meta_.length};
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
}

}  // namespace mr::dfs
