// Task and attempt names (docs/SCHEDULER.md, "Ids and names"): "m_000003",
// "m_000003_1", and a map attempt's output name "m_000003_1.out".
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mr::am {

enum class TaskKind { kMap, kReduce };

// "m_000003" / "r_000000".
std::string TaskName(TaskKind kind, int index);
// "m_000003_1": the task's name and the attempt number (from 0).
std::string AttemptId(TaskKind kind, int index, int attempt);
struct ParsedAttemptId {
  TaskKind kind;
  int index = 0;
  int attempt = 0;
};
// The inverse of AttemptId; nullopt for anything else.
std::optional<ParsedAttemptId> ParseAttemptId(std::string_view id);
// A map attempt leaves its output under this name in $MR_APP_LOCAL_DIR/output.
inline std::string MapOutputName(const std::string& attempt_id) { return attempt_id + ".out"; }

// The file a container finds its TaskSpec in (LaunchContext.files).
inline constexpr std::string_view kTaskSpecFileName = "task_spec";

}  // namespace mr::am
