#include "scheduler/shuffle/shuffle_client.h"

#include <utility>  // Must precede Boost.Asio with C++20 on g++ 12.

#include <map>

#include <boost/asio/io_context.hpp>
#include <glog/logging.h>

#include "dfs/dataplane/framing.h"
#include "scheduler/auth/sched_auth.h"
#include "scheduler/shuffle/shuffle_protocol.h"

namespace mr::shuffle {

namespace dp = dfs::dataplane;

// One open connection per host:port, kept between fetches. A connection is
// dropped after any transport error or a response it cannot trust.
class ShuffleClient::Impl {
 public:
  explicit Impl(Options options) : options_(options) {}

  Result<FetchedSegment> Fetch(const SegmentSource& source, int partition, WritableFile* out) {
    if (partition < 0) return Status::InvalidArgument("negative partition");
    ShuffleRequest request{source.app_id, source.output_name, static_cast<uint32_t>(partition),
                           /*mac=*/""};
    if (!source.shuffle_secret.empty()) {
      request.mac = sched::auth::ShuffleRequestMac(source.shuffle_secret,
                                                   SignedRequestBytes(request));
    }
    std::string where = source.host + ":" + std::to_string(source.port);
    std::string what = "shuffle fetch of " + source.output_name + " partition " +
                       std::to_string(partition) + " from " + where;
    // A kept connection may have been closed by the server while idle: then
    // the first exchange fails before any data, and one fresh connection is
    // tried. A fresh connection is never retried here.
    bool reused = connections_.count(where) > 0;
    for (int attempt = 0;; ++attempt) {
      ASSIGN_OR_RETURN(dp::tcp::socket * socket, GetConnection(source, where));
      ShuffleResponse response;
      Status s = Exchange(socket, request, &response);
      if (!s.ok()) {
        connections_.erase(where);
        if (reused && attempt == 0) continue;
        return Status::Unavailable(what + ": " + s.message());
      }
      if (!response.status.ok()) return response.status.Prepend(what);
      s = ReceiveSegment(socket, response.length, out);
      if (!s.ok()) {
        connections_.erase(where);
        return s.code() == Status::Code::kCorruption || s.code() == Status::Code::kNoSpace ||
                       s.code() == Status::Code::kIOError
                   ? s.Prepend(what)
                   : Status::Unavailable(what + ": " + s.message());
      }
      return FetchedSegment{response.length, response.raw_bytes, response.records};
    }
  }

 private:
  Result<dp::tcp::socket*> GetConnection(const SegmentSource& source, const std::string& where) {
    auto it = connections_.find(where);
    if (it != connections_.end()) return it->second.get();
    auto socket = std::make_unique<dp::tcp::socket>(io_);
    RETURN_NOT_OK(dp::Connect(socket.get(), source.host, source.port,
                              dp::Timeout(options_.connect_timeout_ms)));
    dp::tcp::socket* raw = socket.get();
    connections_[where] = std::move(socket);
    return raw;
  }

  Status Exchange(dp::tcp::socket* socket, const ShuffleRequest& request,
                  ShuffleResponse* response) {
    dp::Timeout io(options_.io_timeout_ms);
    RETURN_NOT_OK(dp::WriteFrame(socket, dp::FrameType::kReadRequest, EncodeRequest(request), io));
    dp::Frame frame;
    RETURN_NOT_OK(dp::ReadFrame(socket, &frame, io));
    if (frame.type != dp::FrameType::kReadResponse) {
      return Status::Corruption("unexpected frame type " +
                                std::to_string(static_cast<int>(frame.type)));
    }
    return DecodeResponse(frame.payload, response);
  }

  // Reads `length` bytes of packets and appends them to `out`. A local write
  // failure is the caller's (IOError/NoSpace); the stream's are Unavailable
  // or Corruption.
  Status ReceiveSegment(dp::tcp::socket* socket, uint64_t length, WritableFile* out) {
    dp::Timeout io(options_.io_timeout_ms);
    uint64_t received = 0;
    dp::Frame frame;
    while (received < length) {
      Status s = dp::ReadFrame(socket, &frame, io);
      if (!s.ok()) return Status::Unavailable(s.message());
      if (frame.type != dp::FrameType::kPacket || frame.payload.empty() ||
          frame.payload.size() > length - received) {
        return Status::Corruption("bad segment packet after " + std::to_string(received) +
                                  " of " + std::to_string(length) + " bytes");
      }
      RETURN_NOT_OK(out->Append(frame.payload));
      received += frame.payload.size();
    }
    return Status::OK();
  }

  const Options options_;
  boost::asio::io_context io_;  // Owns the sockets; never run.
  std::map<std::string, std::unique_ptr<dp::tcp::socket>> connections_;
};

ShuffleClient::ShuffleClient(Options options) : impl_(std::make_unique<Impl>(options)) {}
ShuffleClient::~ShuffleClient() = default;

Result<FetchedSegment> ShuffleClient::Fetch(const SegmentSource& source, int partition,
                                            WritableFile* out) {
  return impl_->Fetch(source, partition, out);
}

}  // namespace mr::shuffle
