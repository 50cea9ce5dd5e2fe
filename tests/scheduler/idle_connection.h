// A TCP connection to 127.0.0.1:port that sends nothing and is closed when
// destroyed: what holds a server's connection slot idle (a slowloris, or a
// client that went quiet). For tests of servers under connection pressure.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace mr::testing {

class IdleTcpConnection {
 public:
  explicit IdleTcpConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }
  ~IdleTcpConnection() { ::close(fd_); }
  IdleTcpConnection(const IdleTcpConnection&) = delete;
  IdleTcpConnection& operator=(const IdleTcpConnection&) = delete;

 private:
  int fd_;
};

}  // namespace mr::testing
