// A DFS master serving in this process (MasterServer with the --dfs_* flags),
// for tests that also run datanodes in-process: the master's headers and the
// datanode's cannot share a translation unit (each has a ChunkInfo), so
// this one keeps MasterServer behind a small handle.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace mr::testing {

class InProcessMaster {
 public:
  // Recovers (or creates) the master's state in `dir` and serves on an
  // ephemeral port of 127.0.0.1.
  static Result<std::unique_ptr<InProcessMaster>> Start(const std::string& dir);
  ~InProcessMaster();

  int port() const;

 private:
  struct Impl;
  explicit InProcessMaster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mr::testing
