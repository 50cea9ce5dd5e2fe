// Member over real UDP sockets in one process: join through a seed, events
// to subscribers, snapshots, bad datagrams counted, a member destroyed
// without leaving is failed by the others, and a graceful leave.
#include "membership/member.h"

#include <utility>  // Before Asio: Boost 1.74 Asio under C++20 needs it.

#include <atomic>
#include <mutex>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include "core_test_util.h"
#include "test_util.h"

namespace mr::membership {
namespace {

using mr::testing::Eventually;

// Records every event a member delivers.
class EventLog {
 public:
  Member::Callback Callback() {
    return [this](const MemberEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(std::string(EventTypeName(e.type)) + " " + e.member->id);
    };
  }
  bool Has(const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::find(lines_.begin(), lines_.end(), line) != lines_.end();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

Member::Options Options(const std::string& id, std::vector<std::string> seeds) {
  Member::Options options;
  options.id = id;
  options.seeds = std::move(seeds);
  options.core.cluster_id = "member-test";
  options.metadata = {{"role", "test"}};
  return options;
}

std::optional<MemberState> StateIn(const Member& member, const std::string& id) {
  for (const MemberSnapshot& s : member.Snapshot()) {
    if (s.member->id == id) return s.state;
  }
  return std::nullopt;
}

TEST(MemberTest, JoinEventsSnapshotsBadInputCrashAndLeave) {
  auto seed = std::make_unique<Member>(Options("s", {}));
  EventLog seed_log;
  seed->Subscribe(seed_log.Callback());
  ASSERT_TRUE(seed->Start().ok());
  EXPECT_FALSE(seed->Start().ok());  // Once only.
  const std::string seed_address = seed->self().address;
  std::vector<std::unique_ptr<Member>> others;
  for (int i = 0; i < 3; ++i) {
    others.push_back(std::make_unique<Member>(Options(testing::NumberedId("m", i), {seed_address})));
    ASSERT_TRUE(others.back()->Start().ok());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Eventually([&] { return seed_log.Has("joined " + testing::NumberedId("m", i)); },
                           std::chrono::seconds(10)));
  }
  ASSERT_TRUE(Eventually([&] { return StateIn(*others[2], "m0") == MemberState::kAlive; },
                         std::chrono::seconds(10)));
  for (const MemberSnapshot& s : others[2]->Snapshot()) {
    EXPECT_EQ(s.member->metadata.at("role"), "test");
  }

  // Garbage, and another cluster's message, at the seed's socket.
  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), 0));
  boost::asio::ip::udp::endpoint to(boost::asio::ip::make_address("127.0.0.1"), seed->port());
  socket.send_to(boost::asio::buffer(std::string("garbage")), to);
  socket.send_to(boost::asio::buffer(std::string(3000, 'x')), to);
  socket.send_to(boost::asio::buffer(testing::MessageBytes("z", wire::MessageType::PING, 1, {}, "other")), to);
  ASSERT_TRUE(Eventually([&] {
    MemberCounters c = seed->counters();
    return c.dropped_malformed >= 1 && c.dropped_oversized >= 1 && c.dropped_other_cluster >= 1;
  }, std::chrono::seconds(10)));

  // Destroyed without Leave(): a crash, to the others.
  others[0].reset();
  ASSERT_TRUE(Eventually([&] { return seed_log.Has("failed m0"); }, std::chrono::seconds(10)));
  EXPECT_TRUE(Eventually([&] { return StateIn(*others[1], "m0") == MemberState::kFailed; },
                         std::chrono::seconds(10)));
  // Graceful: left, not failed.
  others[1]->Leave();
  ASSERT_TRUE(Eventually([&] { return seed_log.Has("left m1"); }, std::chrono::seconds(10)));
  EXPECT_FALSE(seed_log.Has("failed m1"));
}

}  // namespace
}  // namespace mr::membership
