// The engine's DFS tests' cluster: the shared LocalDfs (mrcluster processes,
// tests/dfs/client/local_dfs.h; 2 racks x 2 datanodes, 1 MiB chunks) plus a
// connected client, whole-file put/get, and the master's address as a Node
// Manager passes it to containers (MR_DFS_MASTER). Whole-file helpers are
// the scheduler tests' (tests/mapreduce/appmaster/dfs_files.h).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "test_util.h"
#include "tests/dfs/client/local_dfs.h"
#include "tests/mapreduce/appmaster/dfs_files.h"

namespace mr::testing {

class EngineDfs {
 public:
  static constexpr int64_t kChunkBytes = kLocalDfsChunk;

  // Starts the cluster and connects client(); fails the test otherwise.
  void Up() {
    CommandResult up = cluster_.Up(2, 2, kChunkBytes);
    ASSERT_EQ(up.exit_code, 0) << "mrcluster up failed:\n" << up.out << up.err;
    Result<cluster::ClusterConfig> config = cluster::LoadConfig(cluster_.dir());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    master_address_ = config->Master()->host + ":" + std::to_string(config->Master()->port);
    Result<std::unique_ptr<dfs::DfsClient>> client = dfs::DfsClient::ConnectToCluster(cluster_.dir());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  Status Put(const std::string& path, const std::string& data) {
    return PutDfsFile(client_.get(), path, data);
  }
  Result<std::string> Get(const std::string& path) { return GetDfsFile(client_.get(), path); }

  dfs::DfsClient* client() { return client_.get(); }
  const std::string& master_address() const { return master_address_; }
  // A path in this cluster's temporary directory (outside the cluster's).
  std::string Join(const std::string& name) const { return cluster_.Join(name); }

 private:
  LocalDfs cluster_;  // Taken down after client_ is gone.
  std::string master_address_;
  std::unique_ptr<dfs::DfsClient> client_;
};

}  // namespace mr::testing
