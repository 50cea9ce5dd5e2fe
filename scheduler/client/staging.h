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
// The job's --files, each under its base name; the AM hands them to every
// task container.
inline std::string StagedFilesDir(const std::string& app_id) {
  return StagingDir(app_id) + "/files";
}

// The first line a job binary prints when `mrjob submit` runs it with
// --mr_role=check and its flags are good (docs/SCHEDULER.md, "Checking a
// job's flags"); "job NAME" and one "file PATH" per --files entry follow.
inline constexpr char kJobCheckVersionLine[] = "mr-job-check 1";

}  // namespace mr::sched
