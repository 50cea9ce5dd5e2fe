#include "dfs/dataplane/framing.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <gflags/gflags.h>

#include "common/coding.h"

DEFINE_int32(dfs_dataplane_io_timeout_ms, 30000,
             "Longest wait for one data-plane frame to be sent or received, or for a "
             "connection to a datanode to be made, before giving up on the peer.");

DEFINE_int32(dfs_dataplane_packet_bytes, 64 * 1024,
             "Data bytes per data-plane packet sent (writes and reads), at most 1 MiB. "
             "Receivers accept any size up to 1 MiB, so nodes may differ.");

namespace mr::dfs::dataplane {

namespace {

using Clock = std::chrono::steady_clock;

// Waits until the descriptor is ready for `events` or the deadline passes.
Status WaitReady(int fd, short events, Clock::time_point deadline, const char* what) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Status::Unavailable(std::string("timed out waiting to ") + what);
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc > 0) return Status::OK();
    if (rc < 0 && errno != EINTR) return Status::FromErrno(errno, "poll");
  }
}

constexpr int kMaxIov = 8;

bool KnownType(uint8_t t) {
  return t >= static_cast<uint8_t>(FrameType::kReadRequest) &&
         t <= static_cast<uint8_t>(FrameType::kLocalReplicaResponse);
}

}  // namespace

Status ReadFull(tcp::socket* socket, char* buf, size_t n, Deadline deadline) {
  int fd = socket->native_handle();
  while (n > 0) {
    ssize_t r = ::recv(fd, buf, n, MSG_DONTWAIT);
    if (r > 0) {
      buf += r;
      n -= r;
    } else if (r == 0) {
      return Status::IOError("connection closed by peer");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      RETURN_NOT_OK(WaitReady(fd, POLLIN, deadline, "receive"));
    } else if (errno != EINTR) {
      return Status::FromErrno(errno, "recv");
    }
  }
  return Status::OK();
}

Status WriteFullV(tcp::socket* socket, std::initializer_list<std::string_view> parts,
                  Deadline deadline) {
  if (parts.size() > kMaxIov) return Status::InvalidArgument("too many parts");
  iovec iov[kMaxIov];
  int count = 0;
  for (std::string_view part : parts) {
    if (!part.empty()) iov[count++] = {const_cast<char*>(part.data()), part.size()};
  }
  int fd = socket->native_handle();
  iovec* next = iov;
  while (count > 0) {
    msghdr msg{};
    msg.msg_iov = next;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t w = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        RETURN_NOT_OK(WaitReady(fd, POLLOUT, deadline, "send"));
      } else if (errno != EINTR) {
        return Status::FromErrno(errno, "send");
      }
      continue;
    }
    size_t sent = static_cast<size_t>(w);
    while (count > 0 && sent >= next->iov_len) {
      sent -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + sent;
      next->iov_len -= sent;
    }
  }
  return Status::OK();
}

Timeout DefaultIoTimeout() { return Timeout(FLAGS_dfs_dataplane_io_timeout_ms); }

size_t PacketDataBytes() {
  return std::clamp<size_t>(static_cast<size_t>(std::max(FLAGS_dfs_dataplane_packet_bytes, 0)),
                            4096, kMaxPacketDataBytes);
}

Status WriteFrame(tcp::socket* socket, FrameType type, std::string_view payload, Timeout timeout) {
  if (payload.size() + 1 > kMaxFrameBytes) {
    return Status::InvalidArgument("frame of " + std::to_string(payload.size()) + " bytes too big");
  }
  if (!socket->is_open()) return Status::IOError("socket is closed");
  std::string header;
  PutFixed32(&header, static_cast<uint32_t>(payload.size() + 1));
  header.push_back(static_cast<char>(type));
  // One sendmsg for both: with TCP_NODELAY, two sends would be two segments.
  return WriteFullV(socket, {header, payload}, Clock::now() + timeout);
}

Status ReadFrameHeader(tcp::socket* socket, FrameType* type, uint32_t* payload_bytes,
                       Deadline deadline) {
  if (!socket->is_open()) return Status::IOError("socket is closed");
  char header[5];
  RETURN_NOT_OK(ReadFull(socket, header, sizeof(header), deadline));
  uint32_t length = DecodeFixed32(header);
  uint8_t t = static_cast<uint8_t>(header[4]);
  if (length < 1 || length > kMaxFrameBytes) {
    return Status::Corruption("bad frame length " + std::to_string(length));
  }
  if (!KnownType(t)) return Status::Corruption("unknown frame type " + std::to_string(t));
  *type = static_cast<FrameType>(t);
  *payload_bytes = length - 1;
  return Status::OK();
}

Status ReadFrame(tcp::socket* socket, Frame* frame, Timeout timeout) {
  auto deadline = Clock::now() + timeout;
  uint32_t n = 0;
  RETURN_NOT_OK(ReadFrameHeader(socket, &frame->type, &n, deadline));
  frame->payload.resize(n);
  return ReadFull(socket, frame->payload.data(), n, deadline);
}

Status Connect(tcp::socket* socket, const std::string& host, int port, Timeout timeout) {
  std::string where = host + ":" + std::to_string(port);
  boost::system::error_code ec;
  boost::asio::ip::address address = boost::asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(socket->get_executor());
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return Status::Unavailable("resolve " + host + ": " + ec.message());
    address = results.begin()->endpoint().address();
  }
  if (port <= 0 || port > 65535) return Status::InvalidArgument("bad port in " + where);
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  socket->open(endpoint.protocol(), ec);
  if (!ec) socket->non_blocking(true, ec);
  if (ec) return Status::IOError("socket for " + where + ": " + ec.message());
  socket->connect(endpoint, ec);
  if (ec == boost::asio::error::in_progress || ec == boost::asio::error::would_block) {
    int fd = socket->native_handle();
    RETURN_NOT_OK_PREPEND(WaitReady(fd, POLLOUT, Clock::now() + timeout, "connect"), where);
    int err = 0;
    socklen_t len = sizeof(err);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) return Status::Unavailable("connect " + where + ": " + std::strerror(err));
  } else if (ec) {
    return Status::Unavailable("connect " + where + ": " + ec.message());
  }
  socket->set_option(tcp::no_delay(true), ec);
  return Status::OK();
}

void ShutdownSocket(tcp::socket* socket, bool reads_only) {
  if (socket->is_open()) ::shutdown(socket->native_handle(), reads_only ? SHUT_RD : SHUT_RDWR);
}

}  // namespace mr::dfs::dataplane
