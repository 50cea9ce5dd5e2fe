#include "cluster/cluster_config.h"

#include <gtest/gtest.h>

namespace mr::cluster {
namespace {

TEST(ClusterConfigTest, RoundTrips) {
  ClusterConfig config;
  config.settings["chunk_size"] = "1048576";
  config.nodes.push_back({Role::kMaster, "master", "127.0.0.1", 4000, "", "/c/master", {}});
  config.nodes.push_back({Role::kDatanode, "dn-1-1", "127.0.0.1", 4001, "/r1", "/c/dn-1-1", {{"k", "v"}}});
  Result<ClusterConfig> parsed = ClusterConfig::Parse(config.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Serialize(), config.Serialize());
  ASSERT_NE(parsed->Master(), nullptr);
  EXPECT_EQ(parsed->Master()->port, 4000);
  ASSERT_NE(parsed->Find("dn-1-1"), nullptr);
  EXPECT_EQ(parsed->Find("dn-1-1")->rack, "/r1");
  EXPECT_EQ(parsed->Find("nope"), nullptr);
  EXPECT_EQ(parsed->settings.at("chunk_size"), "1048576");
}

TEST(ClusterConfigTest, AcceptsCommentsAndOtherHosts) {
  Result<ClusterConfig> parsed = ClusterConfig::Parse(
      "# a cluster on two hosts\n"
      "node master m 10.1.0.1 9000 - /data/m   # the master\n"
      "\n"
      "node datanode d1 10.1.0.2 9001 /rackA /data/d1\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->nodes.size(), 2u);
  EXPECT_EQ(parsed->Find("d1")->host, "10.1.0.2");
}

TEST(ClusterConfigTest, SchedulerRolesAndAttributes) {
  Result<ClusterConfig> parsed = ClusterConfig::Parse(
      "node master m 10.1.0.1 9000 - /data/m\n"
      "node resourcemanager rm 10.1.0.1 9100 - /data/rm\n"
      "node nodemanager nm1 10.1.0.2 9200 /r1 /data/nm1 shuffle_port=9201 datanode_id=d1\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_NE(parsed->ResourceManager(), nullptr);
  EXPECT_EQ(parsed->ResourceManager()->port, 9100);
  const NodeConfig* nm = parsed->Find("nm1");
  ASSERT_NE(nm, nullptr);
  EXPECT_EQ(nm->role, Role::kNodeManager);
  EXPECT_EQ(nm->Attribute("shuffle_port"), "9201");
  EXPECT_EQ(nm->Attribute("datanode_id"), "d1");
  EXPECT_EQ(nm->Attribute("missing"), "");
  EXPECT_EQ(ClusterConfig::Parse(parsed->Serialize())->Serialize(), parsed->Serialize());

  EXPECT_FALSE(ClusterConfig::Parse("node master m h 1 - /d\n"
                                    "node resourcemanager a h 2 - /d\n"
                                    "node resourcemanager b h 3 - /d\n").ok());
  // A standby is listed after the active RM, whatever the order of the file.
  Result<ClusterConfig> ha = ClusterConfig::Parse("node master m h 1 - /d\n"
                                                  "node resourcemanager b h 3 - /d standby=1\n"
                                                  "node resourcemanager a h 2 - /d\n");
  ASSERT_TRUE(ha.ok()) << ha.status().ToString();
  EXPECT_EQ(ha->ResourceManager()->id, "a");
  EXPECT_TRUE(ha->Find("b")->IsStandby());
  EXPECT_EQ(ha->ResourceManagerAddresses(), "h:2,h:3");
  EXPECT_FALSE(ClusterConfig::Parse("node master m h 1 - /d\n"
                                    "node nodemanager n h 2 /r /d =x\n").ok());
  EXPECT_FALSE(ClusterConfig::Parse("node master m h 1 - /d\n"
                                    "node nodemanager n h 2 /r /d novalue\n").ok());
}

TEST(ClusterConfigTest, RejectsBadFiles) {
  const char* bad[] = {
      "node datanode d1 h 1 /r /d\n",                                     // No master.
      "node master m h 1 - /d\nnode master m2 h 2 - /d\n",                // Two masters.
      "node master m h 1 - /d\nnode datanode m h 2 /r /d\n",              // Duplicate id.
      "node master m h 0 - /d\n",                                         // Port 0.
      "node master m h 70000 - /d\n",                                     // Port too big.
      "node master m h x - /d\n",                                         // Port not a number.
      "node master m h 1 -\n",                                            // Missing field.
      "node master m h 1 - /d extra\n",                                   // Extra field.
      "node scheduler s h 1 - /d\n",                                      // Unknown role.
      "nodes master m h 1 - /d\n",                                        // Unknown entry.
      "setting chunk_size\nnode master m h 1 - /d\n",                     // Setting w/o value.
  };
  for (const char* text : bad) {
    Result<ClusterConfig> parsed = ClusterConfig::Parse(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument) << text;
    }
  }
}

}  // namespace
}  // namespace mr::cluster
