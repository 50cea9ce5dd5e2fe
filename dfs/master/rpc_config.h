// The Thrift transport configuration shared by the master's server and its
// clients: framed messages of at most `max_frame_bytes`.
#pragma once

#include <cstdint>
#include <memory>

#include <thrift/TConfiguration.h>

namespace mr::dfs {

inline std::shared_ptr<apache::thrift::TConfiguration> FramedRpcConfig(int32_t max_frame_bytes) {
  // A copy: passing the static constant by reference odr-uses it, and the
  // Thrift library does not export its definition (sanitizer builds fail).
  const int max_message_bytes = apache::thrift::TConfiguration::DEFAULT_MAX_MESSAGE_SIZE;
  return std::make_shared<apache::thrift::TConfiguration>(max_message_bytes, max_frame_bytes);
}

}  // namespace mr::dfs
