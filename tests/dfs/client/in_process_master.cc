#include "tests/dfs/client/in_process_master.h"

#include "dfs/master/master_server.h"

namespace mr::testing {

struct InProcessMaster::Impl {
  std::unique_ptr<dfs::MasterServer> server;
};

Result<std::unique_ptr<InProcessMaster>> InProcessMaster::Start(const std::string& dir) {
  dfs::MasterServer::Options options = dfs::MasterServer::Options::FromFlags();
  options.dir = dir;
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->server, dfs::MasterServer::Start(options));
  return std::unique_ptr<InProcessMaster>(new InProcessMaster(std::move(impl)));
}

InProcessMaster::InProcessMaster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InProcessMaster::~InProcessMaster() = default;

int InProcessMaster::port() const { return impl_->server->port(); }

}  // namespace mr::testing
