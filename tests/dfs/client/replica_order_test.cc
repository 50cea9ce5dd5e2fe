#include "dfs/client/replica_order.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

namespace mr::dfs {
namespace {

DfsReplica R(const std::string& id, const std::string& host, const std::string& rack) {
  return DfsReplica{id, host, 9000, rack};
}

std::vector<std::string> Ids(const std::vector<DfsReplica>& replicas) {
  std::vector<std::string> ids;
  for (const DfsReplica& r : replicas) ids.push_back(r.node_id);
  return ids;
}

TEST(ReplicaOrderTest, SameHostThenSameRackThenAny) {
  std::mt19937_64 rng(1);
  ClientLocation client{"10.0.0.1", "/r1", ""};
  for (int i = 0; i < 50; ++i) {
    std::vector<DfsReplica> replicas = {R("far", "10.0.1.7", "/r2"),
                                        R("rack", "10.0.0.2", "/r1"),
                                        R("local", "10.0.0.1", "/r1")};
    std::shuffle(replicas.begin(), replicas.end(), rng);
    OrderReplicasByDistance(client, &replicas, &rng);
    EXPECT_EQ(Ids(replicas), (std::vector<std::string>{"local", "rack", "far"}));
  }
}

TEST(ReplicaOrderTest, RackLearnedFromAReplicaOnTheClientsHost) {
  std::mt19937_64 rng(2);
  ClientLocation client{"10.0.0.1", "", ""};
  std::vector<DfsReplica> replicas = {R("far", "10.0.1.7", "/r2"),
                                      R("rack", "10.0.0.2", "/r1"),
                                      R("local", "10.0.0.1", "/r1")};
  EXPECT_EQ(EffectiveClientRack(client, replicas), "/r1");
  OrderReplicasByDistance(client, &replicas, &rng);
  EXPECT_EQ(Ids(replicas), (std::vector<std::string>{"local", "rack", "far"}));
}

TEST(ReplicaOrderTest, UnknownRackMakesOtherHostsEquallyFar) {
  ClientLocation client{"10.9.9.9", "", ""};
  std::vector<DfsReplica> replicas = {R("a", "10.0.0.2", "/r1"), R("b", "10.0.1.7", "/r2")};
  EXPECT_EQ(EffectiveClientRack(client, replicas), "");
  EXPECT_EQ(DistanceTo(replicas[0], client, ""), ReplicaDistance::kOffRack);
  EXPECT_EQ(DistanceTo(replicas[1], client, ""), ReplicaDistance::kOffRack);
  // An explicit rack wins over anything learned.
  ClientLocation racked{"10.9.9.9", "/r2", ""};
  EXPECT_EQ(DistanceTo(replicas[1], racked, EffectiveClientRack(racked, replicas)),
            ReplicaDistance::kSameRack);
}

TEST(ReplicaOrderTest, EquallyNearReplicasAreSpreadRandomly) {
  std::mt19937_64 rng(3);
  ClientLocation client{"10.0.0.1", "/r1", ""};
  std::map<std::string, int> first;
  for (int i = 0; i < 300; ++i) {
    std::vector<DfsReplica> replicas = {R("x", "10.0.1.1", "/r2"), R("y", "10.0.1.2", "/r2"),
                                        R("z", "10.0.1.3", "/r2")};
    OrderReplicasByDistance(client, &replicas, &rng);
    ++first[replicas[0].node_id];
  }
  ASSERT_EQ(first.size(), 3u);
  for (const auto& [id, n] : first) EXPECT_GT(n, 50) << id;
}

TEST(ReplicaOrderTest, ADatanodeIdPicksItsReplicaAmongOnesOnTheSameHost) {
  // A local cluster: every datanode on 127.0.0.1; a task beside dn-b.
  std::mt19937_64 rng(3);
  ClientLocation client{"127.0.0.1", "", "dn-b"};
  for (int i = 0; i < 50; ++i) {
    std::vector<DfsReplica> replicas = {R("dn-a", "127.0.0.1", "/r1"),
                                        R("dn-c", "127.0.0.1", "/r2"),
                                        R("dn-b", "127.0.0.1", "/r2")};
    std::shuffle(replicas.begin(), replicas.end(), rng);
    OrderReplicasByDistance(client, &replicas, &rng);
    // Its own replica, then its rack (learned from that replica), then any.
    EXPECT_EQ(Ids(replicas), (std::vector<std::string>{"dn-b", "dn-c", "dn-a"}));
  }
}

TEST(ReplicaOrderTest, EmptyAndSingle) {
  std::mt19937_64 rng(4);
  ClientLocation client{"h", "/r", ""};
  std::vector<DfsReplica> none;
  OrderReplicasByDistance(client, &none, &rng);
  EXPECT_TRUE(none.empty());
  std::vector<DfsReplica> one = {R("only", "other", "/q")};
  OrderReplicasByDistance(client, &one, &rng);
  EXPECT_EQ(Ids(one), (std::vector<std::string>{"only"}));
}

}  // namespace
}  // namespace mr::dfs
