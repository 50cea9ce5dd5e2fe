#include "common/flags.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string_view>
#include <vector>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/exit_codes.h"
#include "common/file.h"

namespace mr {

namespace {

std::string& MutableProgramName() {
  static std::string name = "mr";
  return name;
}

// Checks each "--name[=value]" / "-name" argument before gflags sees it, so
// that a mistake is a usage error (exit 2) rather than gflags' exit 1.
void ValidateFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    size_t name_start = arg[1] == '-' ? 2 : 1;
    // Accept GNU-style "--nodes-per-rack" for "nodes_per_rack": gflags names
    // use underscores, people type hyphens. Only the name part changes.
    for (size_t k = name_start; k < std::min(arg.find('='), arg.size()); ++k) {
      if (argv[i][k] == '-') argv[i][k] = '_';
    }
    arg.remove_prefix(name_start);
    std::string name(arg.substr(0, arg.find('=')));
    gflags::CommandLineFlagInfo info;
    if (gflags::GetCommandLineFlagInfo(name.c_str(), &info)) {
      size_t eq = arg.find('=');
      std::string value;
      if (eq != std::string_view::npos) {
        value = std::string(arg.substr(eq + 1));
      } else if (info.type == "bool") {
        continue;
      } else {
        if (i + 1 >= argc) ExitWithError(kExitUsage, "flag --" + name + " needs a value");
        value = argv[++i];  // gflags takes the next argument as the value.
      }
      // Setting it now only checks the value: gflags sets it again below.
      if (gflags::SetCommandLineOption(name.c_str(), value.c_str()).empty()) {
        ExitWithError(kExitUsage, "bad value '" + value + "' for flag --" + name);
      }
      continue;
    }
    if (name.rfind("no", 0) == 0 && gflags::GetCommandLineFlagInfo(name.c_str() + 2, &info) &&
        info.type == "bool") {
      continue;
    }
    if (name == "help" || name == "helpfull" || name == "version") continue;
    ExitWithError(kExitUsage, "unknown flag --" + name + " (try --help)");
  }
}

void PrintHelp(const std::string& usage) {
  std::printf("%s\n\nFlags:\n", usage.c_str());
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);
  for (const auto& f : flags) {
    // Hide the libraries' own flags; --helpfull shows everything.
    if (f.filename.find("gflags") != std::string::npos ||
        f.filename.find("glog") != std::string::npos ||
        f.filename.find("logging") != std::string::npos ||
        f.filename.find("vlog_is_on") != std::string::npos ||
        f.filename.find("utilities") != std::string::npos ||
        f.name.rfind("fault_inject", 0) == 0) {
      continue;
    }
    std::printf("  --%s (%s) default: %s\n      %s\n", f.name.c_str(), f.type.c_str(),
                f.default_value.empty() ? "\"\"" : f.default_value.c_str(),
                f.description.c_str());
  }
}

}  // namespace

const std::string& ProgramName() { return MutableProgramName(); }

void ExitWithError(int code, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", ProgramName().c_str(), message.c_str());
  std::fflush(stderr);
  std::exit(code);
}

void ParseFlagsOrExit(int* argc, char*** argv, const std::string& usage) {
  MutableProgramName() = BaseName((*argv)[0]);
  gflags::SetUsageMessage(usage);
  // Tools talk to people: errors and warnings on stderr, no log files.
  FLAGS_logtostderr = true;
  FLAGS_minloglevel = google::GLOG_WARNING;
  ValidateFlags(*argc, *argv);
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = (*argv)[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      PrintHelp(usage);
      std::exit(kExitOk);
    }
  }
  gflags::ParseCommandLineFlags(argc, argv, /*remove_flags=*/true);
  static bool glog_ready = false;
  if (!glog_ready) {
    google::InitGoogleLogging((*argv)[0]);
    glog_ready = true;
  }
}

}  // namespace mr
