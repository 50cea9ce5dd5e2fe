// Where a submission stages its job in the DFS (docs/SCHEDULER.md,
// "Submission and the DFS"): the client uploads the binary there, NMs
// localize it from there, and the AM deletes the directory when the job
// ends. Header-only, so the AM (in the job binary) shares it without
// linking the client.
#pragma once

#include <string>

namespace mr::sched {

inline std::string StagingDir(const std::string& app_id) { return "/.staging/" + app_id; }
inline std::string StagedBinaryPath(const std::string& app_id) {
  return StagingDir(app_id) + "/job";
}

}  // namespace mr::sched
