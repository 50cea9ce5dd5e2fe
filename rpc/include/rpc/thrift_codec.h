// Thrift compact-protocol encoding of generated structs to bytes and back.
// Thrift throws; these catch at the edge and return Status.
// Thread-safety: stateless.
#pragma once

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
    apache::thrift::protocol::TCompactProtocol protocol(buffer);
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
