#include "dfs/master/dfs_path.h"

namespace mr::dfs {

Status ValidatePath(std::string_view path) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid path '" + std::string(path) + "': " + std::string(why));
  };
  if (path.empty()) return invalid("empty");
  if (path[0] != '/') return invalid("not absolute");
  if (path.find('\0') != std::string_view::npos) return invalid("contains NUL");
  if (path.size() == 1) return Status::OK();
  if (path.back() == '/') return invalid("trailing '/'");
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return invalid("empty component ('//')");
    if (part == "." || part == "..") return invalid("'.' or '..' component");
    start = end + 1;
  }
  return Status::OK();
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
