// `mrjob status` and `mrjob list` output: for people (aligned text) or, with
// --json, for programs. Status shows the attempts by kind and state, and
// lists each one for a small job (kListedAttempts at most) or when asked
// (--attempts; JSON always has them all); list shows each application's
// queue, state, progress, share of the cluster and why it waits.
// Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "scheduler_types.h"

namespace mr::sched {

// "RUNNING", "SUCCEEDED", ...
std::string AppStateName(wire::AppState::type state);
bool IsFinal(wire::AppState::type state);

// A job with more attempts than this gets a summary by state, not a list.
inline constexpr size_t kListedAttempts = 20;

// "4 SUCCEEDED, 1 KILLED" of the map (or reduce) attempts.
std::string AttemptSummary(const std::vector<wire::TaskAttemptReport>& attempts, char kind);

std::string FormatApplication(const wire::ApplicationReport& report, bool json,
                              bool all_attempts = false);
std::string FormatApplicationList(const std::vector<wire::ApplicationReport>& reports, bool json);

}  // namespace mr::sched
