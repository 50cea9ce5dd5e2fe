// The one validator for names that become a single path component on a Node
// Manager's disk: application, container and map output names in the
// shuffle service and the NM, and LaunchContext.files names.
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "common/status.h"

namespace mr::shuffle {

inline constexpr size_t kMaxLocalNameBytes = 255;

// True for 1..255 bytes of [A-Za-z0-9._-] not starting with '.': no path
// separators, no "." or "..", nothing hidden.
bool IsSafeLocalName(std::string_view name);

// InvalidArgument naming `what` (e.g. "app id") unless IsSafeLocalName(name).
Status CheckSafeLocalName(std::string_view name, std::string_view what);

}  // namespace mr::shuffle
