#include "mapreduce/appmaster/task_names.h"

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

}  // namespace mr::am
