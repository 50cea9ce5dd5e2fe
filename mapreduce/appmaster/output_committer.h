// The job's output commit in the DFS (docs/SCHEDULER.md, step 6). Everything
// is written under a hidden sibling of the output,
//   <parent>/.<name>.tmp-<app_id>/
//     _attempts/<attempt_id>/part-r-NNNNN    what each reduce attempt writes
// and the commit moves each partition's winning part up into the temporary
// directory, writes _counters.json and then _SUCCESS (which holds the
// application's id, so that a later AM attempt of the same application
// knows the output is its own), removes _attempts and renames the directory
// to the output path. The DFS rename refuses an
// existing destination (AlreadyExists), so a commit never replaces an
// output that appeared meanwhile. Abort removes the temporary directory:
// a failed or killed job leaves nothing at the output path.
//
// Thread-safety: none; one per job, used by the driver's thread.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::am {

inline constexpr char kSuccessFileName[] = "_SUCCESS";
inline constexpr char kCountersFileName[] = "_counters.json";

class OutputCommitter {
 public:
  OutputCommitter(dfs::DfsClient* dfs, std::string output, const std::string& app_id);

  // "<parent>/.<name>.tmp-<app_id>".
  static std::string TempDirFor(const std::string& output, const std::string& app_id);

  // AlreadyExists if the output exists; creates the temporary directory. A
  // leftover of an earlier AM of this app is removed first, unless
  // `keep_earlier_attempts` (a restarted AM recovering their reduce outputs).
  Status Setup(bool keep_earlier_attempts = false);
  // Where reduce attempt `attempt_id` writes its part file.
  std::string AttemptDir(const std::string& attempt_id) const;
  // `winners[p]` is the attempt id whose part-r-<p> is the output's.
  Status Commit(const std::vector<std::string>& winners, const std::string& counters_json);
  // Removes the temporary directory (nothing there is fine).
  Status Abort();

  // The application whose commit wrote a _SUCCESS holding `content` ("" if
  // none says).
  static std::string CommittedBy(const std::string& content);

  const std::string& temp_dir() const { return temp_dir_; }

 private:
  dfs::DfsClient* const dfs_;
  const std::string output_;
  const std::string app_id_;
  const std::string temp_dir_;
};

}  // namespace mr::am
