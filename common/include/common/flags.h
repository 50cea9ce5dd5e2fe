// Command-line parsing on top of gflags with our exit-code contract.
#pragma once

#include <string>

namespace mr {

// Parses gflags from argv, removing them. Unlike gflags' own parser, an
// unknown flag or a malformed value prints one line
//   "<program>: unknown flag --foo (try --help)"
// and exits with kExitUsage (2). --help prints `usage` plus the flags defined
// outside gflags' and glog's own files, then exits 0. Also sets glog up to
// log to stderr (only WARNING and above unless --v or --minloglevel is set).
void ParseFlagsOrExit(int* argc, char*** argv, const std::string& usage);

// Prints "<program>: <message>" on stderr and exits with `code`.
[[noreturn]] void ExitWithError(int code, const std::string& message);

// Name the process was started as (basename of argv[0]).
const std::string& ProgramName();

}  // namespace mr
