#include "scheduler/resourcemanager/dfs_state_store.h"

#include "common/host_port.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"
#include "rpc/thrift_codec.h"

namespace mr::sched {

namespace {

class DfsStateStore final : public RmStateStore {
 public:
  DfsStateStore(std::string master_address, std::string path)
      : master_address_(std::move(master_address)), path_(std::move(path)) {}

  Status Save(const wire::RmCheckpoint& checkpoint) override {
    Status s = TrySave(checkpoint);
    if (!s.ok()) dfs_.reset();  // Reconnect next time.
    return s;
  }

  Result<wire::RmCheckpoint> Load() override {
    Result<wire::RmCheckpoint> checkpoint = TryLoad();
    if (!checkpoint.ok() && !checkpoint.status().IsNotFound()) dfs_.reset();
    return checkpoint;
  }

  std::string Describe() const override { return "dfs://" + master_address_ + path_; }

 private:
  Result<dfs::DfsClient*> Dfs() {
    if (!dfs_) {
      dfs::DfsClient::Options options;
      RETURN_NOT_OK(ParseHostPort(master_address_, &options.master_host, &options.master_port));
      options.client_name = "resource-manager-checkpoint";
      ASSIGN_OR_RETURN(dfs_, dfs::DfsClient::Connect(options));
    }
    return dfs_.get();
  }

  Status TrySave(const wire::RmCheckpoint& checkpoint) {
    ASSIGN_OR_RETURN(dfs::DfsClient * dfs, Dfs());
    std::string fresh = path_ + ".new";
    dfs::DfsClient::CreateOptions create;
    create.overwrite = true;
    RETURN_NOT_OK(dfs::WriteWholeFile(dfs, fresh, EncodeThrift(checkpoint), create));
    Status deleted = dfs->Delete(path_, /*recursive=*/false);
    if (!deleted.ok() && !deleted.IsNotFound()) return deleted;
    return dfs->Rename(fresh, path_);
  }

  Result<wire::RmCheckpoint> TryLoad() {
    ASSIGN_OR_RETURN(dfs::DfsClient * dfs, Dfs());
    Result<std::string> bytes = dfs::ReadWholeFile(dfs, path_);
    if (bytes.status().IsNotFound()) bytes = dfs::ReadWholeFile(dfs, path_ + ".new");
    if (bytes.status().IsNotFound()) return Status::NotFound("no RM checkpoint at " + Describe());
    RETURN_NOT_OK(bytes.status());
    wire::RmCheckpoint checkpoint;
    RETURN_NOT_OK(DecodeThrift(*bytes, Describe(), &checkpoint));
    return checkpoint;
  }

  const std::string master_address_;
  const std::string path_;
  std::unique_ptr<dfs::DfsClient> dfs_;
};

}  // namespace

std::unique_ptr<RmStateStore> NewDfsStateStore(const std::string& master_address,
                                               const std::string& path) {
  return std::make_unique<DfsStateStore>(master_address, path);
}

}  // namespace mr::sched
