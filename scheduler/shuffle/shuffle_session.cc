#include "scheduler/shuffle/shuffle_session.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <glog/logging.h>

#include "common/clock.h"
#include "common/coding.h"
#include "common/file.h"
#include "dfs/dataplane/framing.h"
#include "scheduler/auth/sched_auth.h"

namespace mr::shuffle {

namespace asio = boost::asio;
namespace dp = dfs::dataplane;
using boost::system::error_code;

namespace {

// A data-plane frame header (framing.h) for `payload_bytes` of `type`.
std::string FrameHeader(dp::FrameType type, size_t payload_bytes) {
  std::string header;
  PutFixed32(&header, static_cast<uint32_t>(payload_bytes + 1));
  header.push_back(static_cast<char>(type));
  return header;
}

}  // namespace

ShuffleSession::ShuffleSession(asio::ip::tcp::socket socket, const Config* config,
                               std::function<void()> on_end)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      config_(config),
      on_end_(std::move(on_end)) {}

ShuffleSession::~ShuffleSession() {
  if (on_end_) on_end_();
}

bool RequestDropper::ShouldDrop() {
  if (!refuse_file_.empty() && PathExists(refuse_file_)) return true;
  if (fraction_ <= 0) return false;
  std::lock_guard lock(mu_);
  return std::uniform_real_distribution<double>(0, 1)(rng_) < fraction_;
}

void ShuffleSession::Start() {
  error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);  // sendfile returns EAGAIN instead of blocking.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void ShuffleSession::Close() {
  closing_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->End(""); });
}

void ShuffleSession::Arm(std::chrono::milliseconds timeout) {
  timer_.expires_after(timeout);  // Cancels the previous wait.
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec != asio::error::operation_aborted) self->End("timed out");
  });
}

void ShuffleSession::End(const std::string& why) {
  if (!why.empty()) VLOG(1) << "shuffle: closing a connection: " << why;
  timer_.cancel();
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void ShuffleSession::ReadHeader() {
  if (!socket_.is_open()) return;
  waiting_since_ms_ = SteadyClockMs();
  awaiting_request_ = true;
  Arm(config_->idle_timeout);
  asio::async_read(socket_, asio::buffer(header_, sizeof(header_)),
                   [self = shared_from_this()](const error_code& ec, size_t) {
                     self->ReadPayload(ec);
                   });
}

void ShuffleSession::ReadPayload(const error_code& ec) {
  if (ec) return End(ec == asio::error::eof ? "" : ec.message());
  uint32_t length = DecodeFixed32(header_);
  auto type = static_cast<dp::FrameType>(header_[4]);
  if (type != dp::FrameType::kReadRequest || length < 1 || length > kMaxRequestBytes + 1) {
    LOG_EVERY_N(WARNING, 100) << "shuffle: malformed request frame (type "
                              << static_cast<int>(header_[4]) << ", length " << length
                              << "); closing the connection";
    return End("malformed request frame");
  }
  payload_.resize(length - 1);
  Arm(config_->io_timeout);
  asio::async_read(socket_, asio::buffer(payload_),
                   [self = shared_from_this()](const error_code& ec, size_t) { self->Answer(ec); });
}

void ShuffleSession::Answer(const error_code& ec) {
  awaiting_request_ = false;
  if (ec) return End(ec.message());
  ShuffleRequest request;
  Status s = DecodeRequest(payload_, &request);
  if (!s.ok()) {
    LOG_EVERY_N(WARNING, 100) << "shuffle: " << s.ToString() << "; closing the connection";
    return End(s.ToString());
  }
  if (config_->dropper != nullptr && config_->dropper->ShouldDrop()) {
    LOG_EVERY_N(WARNING, 100) << "shuffle: fault injection: dropping a request for "
                              << request.output_name;
    return End("dropped (fault injection)");
  }
  ShuffleResponse response;
  if (config_->keyring != nullptr &&
      (request.mac.empty() ||
       !sched::auth::VerifyShuffleRequestMac(*config_->keyring, request.app_id,
                                             SignedRequestBytes(request), request.mac))) {
    ++*config_->refused;
    response.status = sched::auth::Refuse(
        "shuffle fetch of " + request.app_id.substr(0, 64) + "/" +
        request.output_name.substr(0, 64) + " partition " + std::to_string(request.partition) +
        (request.mac.empty() ? ": unsigned" : ": not signed with that job's shuffle secret"));
  } else {
    response.status = LocateSegment(config_->apps_dir, request, &region_);
  }
  if (response.status.ok()) {
    response.length = region_.info().length;
    response.raw_bytes = region_.info().raw_bytes;
    response.records = region_.info().records;
  } else {
    VLOG(1) << "shuffle: " << request.app_id << "/" << request.output_name << " partition "
            << request.partition << ": " << response.status.ToString();
  }
  std::string body = EncodeResponse(response);
  out_ = FrameHeader(dp::FrameType::kReadResponse, body.size()) + body;
  sent_ = 0;
  packet_left_ = 0;
  bool send_segment = response.status.ok();
  Arm(config_->io_timeout);
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this(), send_segment](const error_code& ec, size_t) {
                      if (ec) return self->End(ec.message());
                      if (send_segment) return self->SendPacketHeader();
                      self->ReadHeader();
                    });
}

void ShuffleSession::SendPacketHeader() {
  uint64_t length = region_.info().length;
  if (sent_ == length) {
    region_ = SegmentRegion();  // Closes the file.
    return ReadHeader();
  }
  packet_left_ = static_cast<size_t>(std::min<uint64_t>(length - sent_, dp::kMaxPacketDataBytes));
  out_ = FrameHeader(dp::FrameType::kPacket, packet_left_);
  Arm(config_->io_timeout);  // Each packet gets the whole timeout.
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const error_code& ec, size_t) {
                      if (ec) return self->End(ec.message());
                      self->SendFileBytes();
                    });
}

void ShuffleSession::SendFileBytes() {
  while (packet_left_ > 0) {
    off_t offset = static_cast<off_t>(region_.info().offset + sent_);
    ssize_t w = ::sendfile(socket_.native_handle(), region_.fd(), &offset, packet_left_);
    if (w > 0) {
      sent_ += static_cast<uint64_t>(w);
      packet_left_ -= static_cast<size_t>(w);
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      socket_.async_wait(asio::ip::tcp::socket::wait_write,
                         [self = shared_from_this()](const error_code& ec) {
                           if (ec) return self->End(ec.message());
                           self->SendFileBytes();
                         });
      return;
    } else {
      return End(w == 0 ? "map output shrank while being sent" : std::string("sendfile: ") +
                                                                     std::strerror(errno));
    }
  }
  SendPacketHeader();
}

}  // namespace mr::shuffle
