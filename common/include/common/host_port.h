// "host:port" addresses, as flags, cluster.conf and environment variables
// carry them. Thread-safety: stateless.
#pragma once

#include <string>

#include "common/status.h"

namespace mr {

// Splits "host:port" (the last ':' separates, so "[::1]:80"-style hosts
// keep their colons); InvalidArgument unless the host is non-empty and the
// port is in [1, 65535].
Status ParseHostPort(const std::string& address, std::string* host, int* port);

}  // namespace mr
