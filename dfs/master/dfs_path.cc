#include "dfs/master/dfs_path.h"

#include <algorithm>

#include "common/text.h"

namespace mr::dfs {

std::string ShortPath(std::string_view path) {
  constexpr size_t kShown = 40;
  if (path.size() <= kShown) return std::string(path);
  return std::string(Utf8Prefix(path, kShown)) + "...";
}

Status ValidatePath(std::string_view path) {
  auto invalid = [&](const std::string& why) {
    return Status::InvalidArgument("invalid path '" + ShortPath(path) + "': " + why);
  };
  if (path.empty()) return invalid("empty");
  if (path[0] != '/') return invalid("not absolute");
  // Before anything that walks the path: a huge one is refused in O(1).
  if (path.size() > kMaxDfsPathBytes) {
    return invalid("longer than " + std::to_string(kMaxDfsPathBytes) + " bytes");
  }
  if (path.find('\0') != std::string_view::npos) return invalid("contains NUL");
  if (!IsValidUtf8(path)) return invalid("not valid UTF-8");
  if (path.size() == 1) return Status::OK();
  if (path.back() == '/') return invalid("trailing '/'");
  size_t depth = 0;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return invalid("empty component ('//')");
    if (part == "." || part == "..") return invalid("'.' or '..' component");
    if (part.size() > kMaxDfsComponentBytes) {
      return invalid("a component is longer than " + std::to_string(kMaxDfsComponentBytes) +
                     " bytes");
    }
    if (++depth > kMaxDfsPathDepth) {
      return invalid("deeper than " + std::to_string(kMaxDfsPathDepth) + " components");
    }
    start = end + 1;
  }
  return Status::OK();
}

size_t PathDepth(std::string_view path) {
  return path.size() <= 1 ? 0 : static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string JoinComponents(const std::vector<std::string>& components, size_t count) {
  if (count == 0) return "/";
  std::string path;
  for (size_t i = 0; i < count; ++i) path += "/" + components[i];
  return path;
}

bool IsSameOrUnder(std::string_view path, std::string_view ancestor) {
  if (ancestor == "/") return true;
  if (path.substr(0, ancestor.size()) != ancestor) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

}  // namespace mr::dfs
