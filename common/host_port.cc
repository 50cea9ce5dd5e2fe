#include "common/host_port.h"

#include <charconv>

namespace mr {

Status ParseHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::InvalidArgument("expected HOST:PORT, got '" + address + "'");
  }
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  int value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > 65535) {
    return Status::InvalidArgument("bad port in '" + address + "'");
  }
  *host = address.substr(0, colon);
  *port = value;
  return Status::OK();
}

}  // namespace mr
