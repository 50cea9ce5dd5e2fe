// Process exit codes shared by every tool, daemon and job binary.
#pragma once

namespace mr {

inline constexpr int kExitOk = 0;       // Success.
inline constexpr int kExitFailure = 1;  // The work failed (missing input, I/O error, ...).
inline constexpr int kExitUsage = 2;    // Bad command line: unknown flag, missing argument.

}  // namespace mr
