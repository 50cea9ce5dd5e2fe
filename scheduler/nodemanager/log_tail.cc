#include "scheduler/nodemanager/log_tail.h"

#include <algorithm>
#include <memory>

#include "common/file.h"

namespace mr::sched::nm {

Result<std::string> ReadFileTail(const std::string& path, uint64_t max_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, RandomAccessFile::Open(path));
  uint64_t n = std::min(file->size(), max_bytes);
  std::string out(n, '\0');
  size_t read = 0;
  RETURN_NOT_OK(file->Read(file->size() - n, n, out.data(), &read));
  out.resize(read);
  return out;
}

std::string LastLines(const std::string& path, int max_lines, uint64_t max_bytes) {
  Result<std::string> tail = ReadFileTail(path, max_bytes);
  if (!tail.ok()) return "";
  std::string_view text = *tail;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // Walk back over max_lines newlines; what follows the last one crossed is
  // the answer.
  size_t start = text.size();
  for (int lines = 0; lines < max_lines && start > 0; ++lines) {
    size_t nl = text.rfind('\n', start - 1);
    start = nl == std::string_view::npos ? 0 : nl;
  }
  if (start < text.size() && text[start] == '\n') ++start;
  return std::string(text.substr(start));
}

}  // namespace mr::sched::nm
