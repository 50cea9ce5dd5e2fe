// `mrjob status` and `mrjob list` output: for people (aligned text) or, with
// --json, for programs. Attempts are listed in status only (the RM leaves
// them out of ListApplications).
// Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "scheduler_types.h"

namespace mr::sched {

// "RUNNING", "SUCCEEDED", ...
std::string AppStateName(wire::AppState::type state);
bool IsFinal(wire::AppState::type state);

std::string FormatApplication(const wire::ApplicationReport& report, bool json);
std::string FormatApplicationList(const std::vector<wire::ApplicationReport>& reports, bool json);

}  // namespace mr::sched
