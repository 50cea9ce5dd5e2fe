// ThriftServer under callers that hold connections: idle and trickling
// connections cannot keep a normal request out, a connection in a call is
// never the one closed, silent connections are closed, and a client whose
// idle connection the server closed reopens it without an error.

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "EchoService.h"
#include "rpc/thrift_client.h"
#include "rpc/thrift_server.h"
#include "tests/common/idle_connection.h"
#include "test_util.h"

namespace mr::rpc {
namespace {

using ::mr::testing::Eventually;
using ::mr::testing::IdleTcpConnection;

using EchoClient = ThriftClient<test::EchoServiceClient, test::EchoError>;
using Clock = std::chrono::steady_clock;

class EchoHandler : public test::EchoServiceIf {
 public:
  void Echo(std::string& out, const std::string& text) override { out = text; }
  void Sleep(int32_t ms) override { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
  void WhoAmI(std::string&) override {}
};

std::unique_ptr<ThriftServer> StartEcho(ThriftServer::Options options) {
  options.name = "echo";
  auto server = ThriftServer::Start(
      std::make_shared<test::EchoServiceProcessor>(std::make_shared<EchoHandler>()), options);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(*server) : nullptr;
}

Status EchoOnce(int port, const std::string& text) {
  ClientOptions options;
  options.connect_timeout_ms = 1000;
  options.rpc_timeout_ms = 1000;
  ASSIGN_OR_RETURN(auto client, EchoClient::Connect("echo", "127.0.0.1", port, options));
  ASSIGN_OR_RETURN(std::string out, client->CallFor<std::string>(
                                        "Echo", [&](auto& stub, auto& o) { stub.Echo(o, text); }));
  if (out != text) return Status::Internal("echoed " + out);
  return Status::OK();
}

TEST(ThriftServerTest, SixHundredIdleConnectionsDoNotKeepARequestOut) {
  ThriftServer::Options options;  // The flags' defaults: 512 in all, 256 per address.
  auto server = StartEcho(options);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<IdleTcpConnection>> idle;
  for (int i = 0; i < 600; ++i) {
    idle.push_back(std::make_unique<IdleTcpConnection>(server->port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  // Half of them trickle: a frame begun and never finished.
  for (size_t i = 0; i < idle.size(); i += 2) idle[i]->Send(std::string("\0\0\0\x40\x82", 5));
  auto closed = [&] {
    int n = 0;
    for (auto& c : idle) n += c->ClosedByServer();
    return n;
  };
  // The server keeps 256 of them (the cap per address; all come from
  // 127.0.0.1) and closed the ones idle longest.
  ASSERT_TRUE(Eventually([&] { return closed() >= 600 - 256; }, std::chrono::seconds(30)))
      << closed();
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    Status s = EchoOnce(server->port(), "hello " + std::to_string(i));
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  }
  // Requests made their room by closing more of them (not one each: a
  // request's own connection leaves when it is done).
  EXPECT_TRUE(Eventually([&] { return closed() > 600 - 256; }, std::chrono::seconds(5)))
      << closed();
}

TEST(ThriftServerTest, AConnectionInACallIsNeverTheOneClosed) {
  ThriftServer::Options options;
  options.max_connections = 1;
  auto server = StartEcho(options);
  ASSERT_NE(server, nullptr);
  Status slow;
  std::thread caller([&] {
    ClientOptions client_options;
    auto client = EchoClient::Connect("echo", "127.0.0.1", server->port(), client_options);
    slow = client.ok() ? (*client)->Call("Sleep", [](auto& stub) { stub.Sleep(1000); })
                       : client.status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // In its call.
  Status refused = EchoOnce(server->port(), "x");
  EXPECT_TRUE(refused.IsUnavailable()) << refused.ToString();
  caller.join();
  EXPECT_TRUE(slow.ok()) << slow.ToString();
  // Now idle: the next caller takes its place.
  Status s = EchoOnce(server->port(), "y");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ThriftServerTest, SilentConnectionsAreClosed) {
  ThriftServer::Options options;
  options.idle_timeout_ms = 300;
  auto server = StartEcho(options);
  ASSERT_NE(server, nullptr);
  IdleTcpConnection idle(server->port());
  IdleTcpConnection trickling(server->port());
  trickling.Send(std::string("\0\0", 2));  // Half a frame header.
  ASSERT_TRUE(idle.connected() && trickling.connected());
  auto start = Clock::now();
  EXPECT_TRUE(Eventually([&] { return idle.ClosedByServer() && trickling.ClosedByServer(); },
                         std::chrono::seconds(5)));
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(200));
}

TEST(ThriftServerTest, AClientReopensAConnectionTheServerClosedWhileIdle) {
  ThriftServer::Options options;
  options.idle_timeout_ms = 200;
  auto server = StartEcho(options);
  ASSERT_NE(server, nullptr);
  auto client = EchoClient::Connect("echo", "127.0.0.1", server->port(), ClientOptions());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto out = (*client)->CallFor<std::string>("Echo",
                                               [&](auto& stub, auto& o) { stub.Echo(o, "again"); });
    ASSERT_TRUE(out.ok()) << "call " << i << ": " << out.status().ToString();
    EXPECT_EQ(*out, "again");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // Closed meanwhile.
  }
}

TEST(ThriftServerTest, APeerOverItsCapLosesItsOwnIdleConnection) {
  ThriftServer::Options options;
  options.max_connections_per_peer = 4;
  auto server = StartEcho(options);
  ASSERT_NE(server, nullptr);
  // Each sends half a frame header: the kernel hands a connection that has
  // sent nothing to the server only after a while (Thrift listens with
  // TCP_DEFER_ACCEPT), and these must be accepted in order, before the
  // request.
  std::vector<std::unique_ptr<IdleTcpConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<IdleTcpConnection>(server->port()));
    idle.back()->Send(std::string("\0\0", 2));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (auto& c : idle) EXPECT_FALSE(c->ClosedByServer());
  ASSERT_TRUE(EchoOnce(server->port(), "z").ok());
  // The first one (idle longest) made room.
  EXPECT_TRUE(Eventually([&] { return idle[0]->ClosedByServer(); }, std::chrono::seconds(5)));
  for (size_t i = 1; i < idle.size(); ++i) EXPECT_FALSE(idle[i]->ClosedByServer()) << i;
}

}  // namespace
}  // namespace mr::rpc
