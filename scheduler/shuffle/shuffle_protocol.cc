#include "scheduler/shuffle/shuffle_protocol.h"

#include <algorithm>

#include "common/coding.h"
#include "rpc/status_codes.h"

namespace mr::shuffle {

namespace {

void PutFixed16(std::string* dst, uint16_t v) {
  dst->push_back(static_cast<char>(v & 0xff));
  dst->push_back(static_cast<char>(v >> 8));
}

void PutShortString(std::string* dst, std::string_view s) {
  s = s.substr(0, UINT16_MAX);
  PutFixed16(dst, static_cast<uint16_t>(s.size()));
  dst->append(s);
}

// A cursor over a payload; every getter fails (returns false) past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool U8(uint8_t* v) {
    if (rest_.empty()) return false;
    *v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (rest_.size() < 4) return false;
    *v = DecodeFixed32(rest_.data());
    rest_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (rest_.size() < 8) return false;
    *v = DecodeFixed64(rest_.data());
    rest_.remove_prefix(8);
    return true;
  }
  bool ShortString(std::string* s) {
    if (rest_.size() < 2) return false;
    size_t n = static_cast<uint8_t>(rest_[0]) | (static_cast<size_t>(static_cast<uint8_t>(rest_[1])) << 8);
    rest_.remove_prefix(2);
    if (rest_.size() < n) return false;
    s->assign(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return true;
  }
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::string SignedRequestBytes(const ShuffleRequest& request) {
  std::string out;
  PutFixed32(&out, request.partition);
  PutShortString(&out, request.app_id);
  PutShortString(&out, request.output_name);
  return out;
}

std::string EncodeRequest(const ShuffleRequest& request) {
  std::string out;
  out.push_back(static_cast<char>(request.mac.empty() ? kShuffleProtocolVersion
                                                      : kSignedRequestVersion));
  out += SignedRequestBytes(request);
  if (!request.mac.empty()) PutShortString(&out, request.mac);
  return out;
}

Status DecodeRequest(std::string_view bytes, ShuffleRequest* request) {
  if (bytes.size() > kMaxRequestBytes) {
    return Status::Corruption("shuffle request of " + std::to_string(bytes.size()) + " bytes");
  }
  Reader r(bytes);
  uint8_t version = 0;
  if (!r.U8(&version) ||
      (version != kShuffleProtocolVersion && version != kSignedRequestVersion)) {
    return Status::Corruption("unknown shuffle protocol version");
  }
  request->mac.clear();
  if (!r.U32(&request->partition) || !r.ShortString(&request->app_id) ||
      !r.ShortString(&request->output_name) ||
      (version == kSignedRequestVersion &&
       (!r.ShortString(&request->mac) || request->mac.empty())) ||
      !r.AtEnd()) {
    return Status::Corruption("malformed shuffle request");
  }
  return Status::OK();
}

std::string EncodeResponse(const ShuffleResponse& response) {
  std::string out;
  out.push_back(static_cast<char>(kShuffleProtocolVersion));
  PutFixed32(&out, static_cast<uint32_t>(response.status.code()));
  PutFixed64(&out, response.length);
  PutFixed64(&out, response.raw_bytes);
  PutFixed64(&out, response.records);
  PutShortString(&out, response.status.message().substr(0, 4096));
  return out;
}

Status DecodeResponse(std::string_view bytes, ShuffleResponse* response) {
  Reader r(bytes);
  uint8_t version = 0;
  uint32_t code = 0;
  std::string message;
  if (!r.U8(&version) || version != kShuffleProtocolVersion) {
    return Status::Corruption("unknown shuffle protocol version");
  }
  if (!r.U32(&code) || !r.U64(&response->length) || !r.U64(&response->raw_bytes) ||
      !r.U64(&response->records) || !r.ShortString(&message) || !r.AtEnd()) {
    return Status::Corruption("malformed shuffle response");
  }
  response->status = code == 0 ? Status::OK()
                               : rpc::StatusFromCode(static_cast<int32_t>(code), message);
  return Status::OK();
}

}  // namespace mr::shuffle
