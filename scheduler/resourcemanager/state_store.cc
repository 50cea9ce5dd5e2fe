#include "scheduler/resourcemanager/state_store.h"

#include <cerrno>
#include <cstdio>

#include "common/file.h"
#include "rpc/thrift_codec.h"

namespace mr::sched {

namespace {

class LocalStateStore final : public RmStateStore {
 public:
  explicit LocalStateStore(std::string dir)
      : dir_(std::move(dir)), path_(JoinPath(dir_, "rm_state")) {}

  Status Save(const wire::RmCheckpoint& checkpoint) override {
    RETURN_NOT_OK(CreateDirs(dir_));
    std::string tmp = path_ + ".tmp";
    RETURN_NOT_OK(WriteStringToFile(tmp, EncodeThrift(checkpoint), /*sync=*/true));
    if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
      return Status::FromErrno(errno, "rename " + tmp + " to " + path_);
    }
    return SyncDir(dir_);
  }

  Result<wire::RmCheckpoint> Load() override {
    if (!PathExists(path_)) return Status::NotFound("no RM checkpoint at " + path_);
    ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path_));
    wire::RmCheckpoint checkpoint;
    RETURN_NOT_OK(DecodeThrift(bytes, path_, &checkpoint));
    return checkpoint;
  }

  std::string Describe() const override { return path_; }

 private:
  const std::string dir_;
  const std::string path_;
};

}  // namespace

std::unique_ptr<RmStateStore> NewLocalStateStore(const std::string& dir) {
  return std::make_unique<LocalStateStore>(dir);
}

}  // namespace mr::sched
