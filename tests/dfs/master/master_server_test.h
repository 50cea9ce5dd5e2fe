// The master's service tests run a MasterServer in the test process, on a
// temporary directory, with a client of it; restarting it brings the
// namespace back from the op log with an empty chunk map.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "dfs/master/master_client.h"
#include "dfs/master/master_server.h"
#include "test_util.h"

namespace mr::dfs {

class MasterServerTest : public ::testing::Test {
 protected:
  // Starts the master (options from the flags) and connects client_.
  void StartServer() {
    MasterServer::Options options = MasterServer::Options::FromFlags();
    options.dir = dir_.Join("meta");
    auto server = MasterServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    client_ = Connect();
    ASSERT_NE(client_, nullptr);
  }

  // Another client; null (and a failure) if it cannot connect.
  std::unique_ptr<MasterClient> Connect() {
    auto client = MasterClient::Connect("127.0.0.1", server_->port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? *std::move(client) : nullptr;
  }

  // Stops the master and starts it again on the same directory.
  void RestartServer() {
    client_.reset();
    server_->Stop();
    server_.reset();
    StartServer();
  }

  testing::ScopedTempDir dir_;
  std::unique_ptr<MasterServer> server_;
  std::unique_ptr<MasterClient> client_;
};

}  // namespace mr::dfs
