// Thrift compact-protocol encoding of generated structs to bytes and back.
// Thrift throws; these catch at the edge and return Status.
// Thread-safety: stateless.
#pragma once

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "common/status.h"

namespace mr {

template <typename T>
std::string EncodeThrift(const T& value) {
  auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>();
  apache::thrift::protocol::TCompactProtocol protocol(buffer);
  value.write(&protocol);
  return buffer->getBufferAsString();
}

// Corruption (naming `what`) if `bytes` is not one whole encoded T.
template <typename T>
Status DecodeThrift(std::string_view bytes, std::string_view what, T* value) {
  try {
    // Nothing decoded from `bytes` is longer than `bytes`. Thrift 0.17
    // allocates a string's claimed size before it finds the bytes missing
    // (its message-size check is against 100 MB, whatever the buffer holds),
    // and the generated reader sizes a vector from a list's claim before
    // reading it, counting a struct as no bytes; without these limits a few
    // bytes could allocate gigabytes. (Every element takes at least a byte.)
    const int32_t limit =
        static_cast<int32_t>(std::min<size_t>(bytes.size() + 1, std::numeric_limits<int32_t>::max()));
    // One configuration for every buffer (limits only, never written):
    // without it each buffer allocates its own.
    static const auto kConfiguration = std::make_shared<apache::thrift::TConfiguration>();
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())), bytes.size(),
        apache::thrift::transport::TMemoryBuffer::OBSERVE, kConfiguration);
    apache::thrift::protocol::TCompactProtocol protocol(buffer, /*string_limit=*/limit,
                                                        /*container_limit=*/limit);
    value->read(&protocol);
    if (buffer->available_read() != 0) {
      return Status::Corruption(std::string(what) + ": trailing bytes after record");
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(what) + ": " + e.what());
  }
  return Status::OK();
}

}  // namespace mr
