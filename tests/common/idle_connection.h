// A TCP connection to 127.0.0.1:port that sends nothing unless told and is
// closed when destroyed: what holds a server's connection slot idle (a
// slowloris, or a client that went quiet). For tests of servers under
// connection pressure.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

namespace mr::testing {

class IdleTcpConnection {
 public:
  explicit IdleTcpConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    EXPECT_TRUE(connected_) << "connect to port " << port;
  }
  ~IdleTcpConnection() { ::close(fd_); }
  IdleTcpConnection(const IdleTcpConnection&) = delete;
  IdleTcpConnection& operator=(const IdleTcpConnection&) = delete;

  bool connected() const { return connected_; }
  // Sends `bytes` (e.g. the start of a request that never ends).
  void Send(const std::string& bytes) {
    (void)!::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // True once the server has closed its end (a read sees the end or an error).
  bool ClosedByServer() {
    char byte;
    ssize_t n = ::recv(fd_, &byte, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace mr::testing
