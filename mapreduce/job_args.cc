#include "job_args.h"

#include <array>
#include <string_view>

namespace mr {

namespace {

// None is a bool flag, so each takes a value ("--f=v" or "--f v").
constexpr std::array<std::string_view, 5> kSubmissionFlags = {"cluster", "input", "output",
                                                              "reducers", "partitioner"};

bool IsSubmissionFlag(std::string_view name) {
  for (std::string_view f : kSubmissionFlags) {
    if (name == f) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> JobArgsForCluster(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") {
      for (; i < argc; ++i) args.emplace_back(argv[i]);
      break;
    }
    std::string_view name = arg;
    if (name.starts_with("--")) {
      name.remove_prefix(2);
    } else if (name.starts_with("-") && name.size() > 1) {
      name.remove_prefix(1);
    } else {
      args.emplace_back(arg);
      continue;
    }
    size_t eq = name.find('=');
    if (!IsSubmissionFlag(name.substr(0, eq))) {
      args.emplace_back(arg);
      continue;
    }
    if (eq == std::string_view::npos) ++i;  // Its value is the next argument.
  }
  return args;
}

}  // namespace mr
