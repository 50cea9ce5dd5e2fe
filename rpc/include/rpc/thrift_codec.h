// Thrift compact-protocol encoding of generated structs to bytes and back.
// Thrift throws; these catch at the edge and return Status.
// Thread-safety: stateless.
#pragma once

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

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
    auto buffer = std::make_shared<apache::thrift::transport::TMemoryBuffer>(
        reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())), bytes.size());
    // Every element takes at least a byte, so no list, set or map holds more
    // elements than there are bytes. (The generated reader resizes a vector
    // to the size a list claims before reading it, and Thrift's own check
    // counts a struct as 0 bytes: a few bytes claiming 2^31 structs would
    // allocate gigabytes.)
    apache::thrift::protocol::TCompactProtocol protocol(
        buffer, /*string_limit=*/0,
        /*container_limit=*/static_cast<int32_t>(
            std::min<size_t>(bytes.size(), std::numeric_limits<int32_t>::max())));
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
