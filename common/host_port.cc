#include "common/host_port.h"

#include <charconv>
#include <sstream>

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

std::vector<std::string> SplitCommaList(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

Result<std::vector<HostPort>> ParseHostPortList(const std::string& what, const std::string& list) {
  std::vector<HostPort> out;
  for (const std::string& address : SplitCommaList(list)) {
    HostPort hp;
    RETURN_NOT_OK_PREPEND(ParseHostPort(address, &hp.host, &hp.port), what);
    out.push_back(std::move(hp));
  }
  if (out.empty()) return Status::InvalidArgument(what + ": no host:port in '" + list + "'");
  return out;
}

}  // namespace mr
