// The one mapping between mr::Status and the wire errors of our Thrift
// services. Every service's IDL declares an exception with `1: i32 code,
// 2: string message`, numbering its codes as Status::Code does; these
// helpers convert both ways at the RPC edge.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace mr::rpc {

// An unknown code (a newer peer) becomes Internal.
Status StatusFromCode(int32_t code, const std::string& message);

// `WireError` is a generated Thrift exception with `code` and `message`.
template <typename WireError>
WireError ToWireError(const Status& status) {
  WireError error;
  error.code = static_cast<int32_t>(status.code());
  error.message = status.message();
  return error;
}

template <typename WireError>
Status FromWireError(const WireError& error) {
  return StatusFromCode(error.code, error.message);
}

}  // namespace mr::rpc
