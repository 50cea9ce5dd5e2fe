// The DFS client's integration tests start alike: a local cluster of
// processes (local_dfs.h) and a client connected to it.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "dfs/client/dfs_client.h"
#include "tests/dfs/client/local_dfs.h"

namespace mr::testing {

class DfsClusterTest : public ::testing::Test {
 protected:
  // Starts the cluster and connects client_; skips the test if the daemons
  // are not built, fails it (fatally) if the cluster does not start.
  // `extra`: more mrcluster arguments (LocalDfs::Up).
  void StartCluster(int racks = 2, int nodes_per_rack = 2, const std::string& extra = "") {
    std::string missing = MissingDfsDaemons();
    if (!missing.empty()) GTEST_SKIP() << "DFS daemons not available: " << missing;
    CommandResult up = cluster_.Up(racks, nodes_per_rack, kLocalDfsChunk, false, extra);
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    client_ = NewClient();
    ASSERT_NE(client_, nullptr);
  }

  // Another client of the cluster; null (and a failure) if it cannot connect.
  std::unique_ptr<dfs::DfsClient> NewClient() {
    Result<std::unique_ptr<dfs::DfsClient>> client =
        dfs::DfsClient::ConnectToCluster(cluster_.dir());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  LocalDfs cluster_;
  std::unique_ptr<dfs::DfsClient> client_;
};

}  // namespace mr::testing
