// "host:port" addresses, as flags, cluster.conf and environment variables
// carry them. Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr {

// Splits "host:port" (the last ':' separates, so "[::1]:80"-style hosts
// keep their colons); InvalidArgument unless the host is non-empty and the
// port is in [1, 65535].
Status ParseHostPort(const std::string& address, std::string* host, int* port);

// The non-empty items of a comma-separated list ("a:1,b:2", "rm,rm-standby").
std::vector<std::string> SplitCommaList(const std::string& list);

struct HostPort {
  std::string host;
  int port = 0;
};
// Every "host:port" of a comma-separated list; InvalidArgument (naming
// `what`) for a bad one or an empty list.
Result<std::vector<HostPort>> ParseHostPortList(const std::string& what, const std::string& list);

}  // namespace mr
