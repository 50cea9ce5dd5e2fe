// A job's counters as the RM hands them back (ApplicationReport.counters_json,
// written by the AM with the engine's Counters::ToJson: {"group": {"name":
// integer, ...}, ...}), read back and printed in the local runner's text
// format ("  group" then "    name=value" lines), so a cluster job prints
// its counters exactly as a local run does.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::sched {

using CounterGroups = std::map<std::string, std::map<std::string, int64_t>>;

// Strict: InvalidArgument for anything but that shape. "" is no counters.
Result<CounterGroups> ParseCountersJson(std::string_view json);
// Groups and names in byte order, as Counters::ToText.
std::string FormatCountersText(const CounterGroups& groups);
// The value of one counter, 0 if absent.
int64_t CounterValue(const CounterGroups& groups, const std::string& group,
                     const std::string& name);

}  // namespace mr::sched
