#include "mapreduce/appmaster/output_committer.h"

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"
#include "output_format.h"

namespace mr::am {

namespace {
constexpr char kAttemptsDir[] = "_attempts";
}  // namespace

OutputCommitter::OutputCommitter(dfs::DfsClient* dfs, std::string output,
                                 const std::string& app_id)
    : dfs_(dfs), output_(std::move(output)), app_id_(app_id),
      temp_dir_(TempDirFor(output_, app_id)) {}

std::string OutputCommitter::TempDirFor(const std::string& output, const std::string& app_id) {
  std::string name(1, '.');
  name += BaseName(output) + ".tmp-" + app_id;
  return JoinPath(DirName(output), name);
}

Status OutputCommitter::Setup(bool keep_earlier_attempts) {
  Result<dfs::DfsFileStatus> existing = dfs_->Stat(output_);
  if (existing.ok()) return Status::AlreadyExists("output " + output_ + " already exists");
  if (!existing.status().IsNotFound()) return existing.status();
  if (!keep_earlier_attempts) RETURN_NOT_OK(Abort());
  return dfs_->Mkdirs(JoinPath(temp_dir_, kAttemptsDir));
}

std::string OutputCommitter::AttemptDir(const std::string& attempt_id) const {
  return JoinPath(JoinPath(temp_dir_, kAttemptsDir), attempt_id);
}

Status OutputCommitter::Commit(const std::vector<std::string>& winners,
                               const std::string& counters_json) {
  for (size_t p = 0; p < winners.size(); ++p) {
    std::string part = PartFileName(static_cast<int>(p));
    RETURN_NOT_OK_PREPEND(dfs_->Rename(JoinPath(AttemptDir(winners[p]), part),
                                       JoinPath(temp_dir_, part)),
                          "promoting the output of " + winners[p]);
  }
  RETURN_NOT_OK(dfs::WriteWholeFile(dfs_, JoinPath(temp_dir_, kCountersFileName), counters_json));
  // Written last: a directory with _SUCCESS is complete.
  RETURN_NOT_OK(dfs::WriteWholeFile(dfs_, JoinPath(temp_dir_, kSuccessFileName), app_id_ + "\n"));
  RETURN_NOT_OK(dfs_->Delete(JoinPath(temp_dir_, kAttemptsDir), /*recursive=*/true));
  Status renamed = dfs_->Rename(temp_dir_, output_);
  if (renamed.IsAlreadyExists()) {
    return Status::AlreadyExists("output " + output_ + " appeared while the job ran");
  }
  return renamed;
}

std::string OutputCommitter::CommittedBy(const std::string& content) {
  return content.substr(0, content.find('\n'));
}

Status OutputCommitter::Abort() {
  Status s = dfs_->Delete(temp_dir_, /*recursive=*/true);
  return s.IsNotFound() ? Status::OK() : s;
}

}  // namespace mr::am
