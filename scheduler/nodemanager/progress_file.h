// The file "progress" a container's process may keep in its working
// directory to tell its Node Manager how far it is (docs/SCHEDULER.md): the
// NM returns it in ContainerStatus.progress and progress_ticks.
//
// Format: one line of text, "<fraction> <ticks>\n": the fraction done, a
// decimal in [0, 1], and a tick counter, a decimal integer >= 0 that the
// process advances whenever it makes progress (so a reader tells a task
// that is slow but moving from one that is stuck). The writer replaces the
// file atomically (a temporary file, then rename), so a reader sees an old
// or a new report, never half of one.
//
// Thread-safety: stateless; concurrent writers of one path must serialize
// (they share the temporary file's name).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::sched {

// The name of the file in a container's working directory.
inline constexpr char kProgressFileName[] = "progress";

struct ProgressReport {
  double fraction = -1;  // -1: nothing (valid) reported.
  int64_t ticks = 0;
};

// "<fraction> <ticks>\n".
std::string EncodeProgress(double fraction, int64_t ticks);
// The report in `text`, or {-1, 0} for anything that is not exactly one
// well-formed report (garbage, a negative or non-finite number, a fraction
// over 1, trailing bytes).
ProgressReport ParseProgress(std::string_view text);

// Replaces `path` with the report (no fsync: a report lost in a crash only
// delays the next).
Status WriteProgressFile(const std::string& path, double fraction, int64_t ticks);
// The report in the file at `path` (at most its first 256 bytes are read);
// {-1, 0} when it is missing, unreadable or garbage.
ProgressReport ReadProgressFile(const std::string& path);

}  // namespace mr::sched
