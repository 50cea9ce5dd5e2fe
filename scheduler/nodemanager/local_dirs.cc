#include "scheduler/nodemanager/local_dirs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace mr::sched::nm {

std::vector<std::string> SubdirectoryNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace mr::sched::nm
