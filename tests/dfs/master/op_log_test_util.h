// Helpers shared by the op-log tests (op_log_test.cc, op_log_recovery_test.cc).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "common/file.h"
#include "dfs/master/master_state.h"
#include "dfs/master/record_framing.h"
#include "dfs_types.h"

namespace mr::dfs {

// What a MasterState holds, as one comparable value: its namespace image,
// chunk-id counter and last sequence number.
inline wire::NamespaceImage ImageOf(const MasterState& state) {
  wire::NamespaceImage image;
  state.ns().SaveImage(&image);
  image.next_chunk_id = state.next_chunk_id();
  image.last_sequence = state.last_sequence();
  return image;
}

// Six logged ops under `prefix`: a directory, a two-chunk file created in it
// and closed, then renamed to prefix + "/g".
inline void WriteSixOps(MasterState* state, const std::string& prefix) {
  ASSERT_TRUE(state->Mkdirs(prefix + "/dir").ok());
  ASSERT_TRUE(state->Create(prefix + "/dir/f", 3, 1000, "c1").ok());
  ASSERT_TRUE(state->AddChunk(prefix + "/dir/f", "c1").ok());
  ASSERT_TRUE(state->AddChunk(prefix + "/dir/f", "c1").ok());
  ASSERT_TRUE(state->Complete(prefix + "/dir/f", "c1", 17).ok());
  ASSERT_TRUE(state->Rename(prefix + "/dir/f", prefix + "/g").ok());
}

// Byte offsets where each intact record of a log file's bytes begins.
inline std::vector<size_t> RecordOffsets(const std::string& bytes) {
  std::vector<size_t> offsets;
  for (std::string_view payload : ParseFramedRecords(bytes).payloads) {
    offsets.push_back(static_cast<size_t>(payload.data() - bytes.data()) - kRecordHeaderBytes);
  }
  return offsets;
}

// Rewrites the file at `path` (synced) with `change` applied to its bytes.
inline void ChangeFile(const std::string& path, const std::function<void(std::string*)>& change) {
  std::string bytes = *ReadFileToString(path);
  change(&bytes);
  ASSERT_TRUE(RemoveAll(path).ok());
  ASSERT_TRUE(WriteStringToFile(path, bytes, true).ok());
}

}  // namespace mr::dfs
