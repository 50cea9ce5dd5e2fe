// DfsClient options from cluster.conf, and connection errors; no daemons.
#include <chrono>

#include <gflags/gflags.h>
#include <gtest/gtest.h>

#include "cluster/cluster_config.h"
#include "dfs/client/dfs_client.h"

DECLARE_int32(dfs_client_master_retry_ms);

namespace mr::dfs {
namespace {

cluster::ClusterConfig Parse(const std::string& text) {
  Result<cluster::ClusterConfig> config = cluster::ClusterConfig::Parse(text);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return config.ok() ? *std::move(config) : cluster::ClusterConfig();
}

const char kTwoHosts[] =
    "setting chunk_size 1048576\n"
    "node master m 10.0.0.1 9000 - /m\n"
    "node datanode a 10.0.0.2 9001 /r1 /a\n"
    "node datanode b 10.0.0.3 9002 /r2 /b\n";

TEST(DfsClientOptionsTest, FromClusterConfig) {
  DfsClient::Options base;
  base.client_host = "10.0.0.3";
  Result<DfsClient::Options> options = DfsClient::OptionsForCluster(Parse(kTwoHosts), base);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->master_host, "10.0.0.1");
  EXPECT_EQ(options->master_port, 9000);
  EXPECT_EQ(options->default_chunk_size, 1 << 20);
  EXPECT_EQ(options->default_replication, 3);
  EXPECT_EQ(options->client_rack, "/r2");  // The client runs on datanode b.

  base.client_host = "10.0.0.9";  // Not a datanode host: rack unknown.
  options = DfsClient::OptionsForCluster(Parse(kTwoHosts), base);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->client_rack, "");

  base.client_rack = "/given";  // An explicit rack stays.
  base.client_host = "10.0.0.2";
  options = DfsClient::OptionsForCluster(Parse(kTwoHosts), base);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->client_rack, "/given");
}

TEST(DfsClientOptionsTest, LocalClusterRackIsAmbiguous) {
  // mrcluster puts every datanode on 127.0.0.1: no single rack for the client.
  Result<DfsClient::Options> options = DfsClient::OptionsForCluster(
      Parse("setting replication 2\n"
            "node master m 127.0.0.1 9000 - /m\n"
            "node datanode a 127.0.0.1 9001 /r1 /a\n"
            "node datanode b 127.0.0.1 9002 /r2 /b\n"),
      DfsClient::Options());
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->client_rack, "");
  EXPECT_EQ(options->default_replication, 2);
  EXPECT_EQ(options->default_chunk_size, int64_t{64} << 20);  // No setting: the default.
}

TEST(DfsClientOptionsTest, BadSettings) {
  Result<DfsClient::Options> options = DfsClient::OptionsForCluster(
      Parse("setting chunk_size lots\nnode master m 127.0.0.1 9000 - /m\n"),
      DfsClient::Options());
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("chunk_size"), std::string::npos);
}

TEST(DfsClientOptionsTest, ConnectErrors) {
  gflags::FlagSaver saver;
  FLAGS_dfs_client_master_retry_ms = 300;  // Connect waits this long for a master.
  DfsClient::Options options;
  EXPECT_EQ(DfsClient::Connect(options).status().code(), Status::Code::kInvalidArgument);
  options.master_host = "127.0.0.1";
  options.master_port = 1;  // Privileged and unused: refused at once, every time.
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<DfsClient>> client = DfsClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Status::Code::kUnavailable) << client.status().ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150))
      << "retried for the retry window";
  EXPECT_FALSE(DfsClient::ConnectToCluster("/nonexistent/cluster").ok());
}

}  // namespace
}  // namespace mr::dfs
