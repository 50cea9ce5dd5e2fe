#include "mapreduce/appmaster/task_names.h"

#include <charconv>
#include <cstdio>

namespace mr::am {

std::string TaskName(TaskKind kind, int index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%c_%06d", kind == TaskKind::kMap ? 'm' : 'r', index);
  return buf;
}

std::string AttemptId(TaskKind kind, int index, int attempt) {
  return TaskName(kind, index) + "_" + std::to_string(attempt);
}

std::optional<ParsedAttemptId> ParseAttemptId(std::string_view id) {
  // "m_000003_1": kind, '_', six digits, '_', the attempt number.
  if (id.size() < 10 || (id[0] != 'm' && id[0] != 'r') || id[1] != '_' || id[8] != '_') {
    return std::nullopt;
  }
  ParsedAttemptId parsed;
  parsed.kind = id[0] == 'm' ? TaskKind::kMap : TaskKind::kReduce;
  auto whole = [](std::string_view digits, int* out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return ec == std::errc() && end == digits.data() + digits.size() && *out >= 0;
  };
  if (!whole(id.substr(2, 6), &parsed.index) || !whole(id.substr(9), &parsed.attempt)) {
    return std::nullopt;
  }
  return parsed;
}

}  // namespace mr::am
