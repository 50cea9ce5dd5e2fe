#include "dfs/dataplane/messages.h"

#include "rpc/thrift_codec.h"

namespace mr::dfs::dataplane {

template <typename T>
std::string EncodeMessage(const T& message) {
  return EncodeThrift(message);
}

template <typename T>
Status DecodeMessage(std::string_view bytes, T* message) {
  return DecodeThrift(bytes, "bad data-plane message", message);
}

#define MR_DATAPLANE_MESSAGE(T)                         \
  template std::string EncodeMessage<T>(const T&);      \
  template Status DecodeMessage<T>(std::string_view, T*);
MR_DATAPLANE_MESSAGE(ReadRequest)
MR_DATAPLANE_MESSAGE(ReadResponse)
MR_DATAPLANE_MESSAGE(WriteRequest)
MR_DATAPLANE_MESSAGE(Packet)
MR_DATAPLANE_MESSAGE(Ack)
MR_DATAPLANE_MESSAGE(LocalReplicaRequest)
MR_DATAPLANE_MESSAGE(LocalReplicaResponse)
#undef MR_DATAPLANE_MESSAGE

int32_t StatusToWire(const Status& status) { return static_cast<int32_t>(status.code()); }

Status StatusFromWire(int32_t code, const std::string& message) {
  using Code = Status::Code;
  switch (static_cast<Code>(code)) {
    case Code::kOk: return Status::OK();
    case Code::kNotFound: return Status::NotFound(message);
    case Code::kAlreadyExists: return Status::AlreadyExists(message);
    case Code::kInvalidArgument: return Status::InvalidArgument(message);
    case Code::kIOError: return Status::IOError(message);
    case Code::kCorruption: return Status::Corruption(message);
    case Code::kNoSpace: return Status::NoSpace(message);
    case Code::kAborted: return Status::Aborted(message);
    case Code::kUnavailable: return Status::Unavailable(message);
    case Code::kInternal: return Status::Internal(message);
    case Code::kPermissionDenied: return Status::PermissionDenied(message);
  }
  return Status::Internal("unknown status code " + std::to_string(code) + ": " + message);
}

}  // namespace mr::dfs::dataplane
