// host:port parsing and comma-separated address lists (flags, cluster.conf
// and MR_RM_ADDRESS carry them).
#include "common/host_port.h"

#include <gtest/gtest.h>

namespace mr {
namespace {

TEST(HostPortTest, ParsesHostAndPort) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(ParseHostPort("127.0.0.1:4000", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 4000);
  for (const char* bad : {"", "127.0.0.1", ":4000", "h:0", "h:65536", "h:12x", "h:"}) {
    EXPECT_EQ(ParseHostPort(bad, &host, &port).code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST(HostPortTest, ListsSkipEmptyItemsAndNameWhatIsBad) {
  EXPECT_EQ(SplitCommaList(",a,,b,"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitCommaList("").empty());
  auto list = ParseHostPortList("--rm", "127.0.0.1:4000,h:5");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].host, "h");
  EXPECT_EQ((*list)[1].port, 5);
  for (const char* bad : {"", ",", "127.0.0.1:4000,h", "x"}) {
    auto parsed = ParseHostPortList("MR_RM_ADDRESS", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("MR_RM_ADDRESS"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace mr
