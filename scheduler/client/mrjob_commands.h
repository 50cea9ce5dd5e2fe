// The verbs of `mrjob` (the job client), apart from its main so that parsing
// and output are tested without a process per case.
//
//   mrjob --cluster DIR submit --binary PATH --input /in --output /out
//         [--reducers N] [--partitioner hash|range] [--queue Q] [-- job flags]
//   mrjob --cluster DIR status ID [--json] [--attempts]
//   mrjob --cluster DIR list [--json]
//   mrjob --cluster DIR kill ID
//   mrjob --cluster DIR logs ID [TASK]   TASK: m_000003, m_000003_1, r_000000 or am
//
// Exit codes (common/exit_codes.h): 0 success (submit: the job succeeded);
// 1 failure (the job failed or was killed, an unknown application, a
// missing binary or input, an existing output, an unreachable cluster);
// 2 usage (unknown verb, wrong operands, an option the verb does not take).
// Thread-safety: stateless functions.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "scheduler/client/submit.h"

namespace mr::sched {

extern const char kMrjobUsage[];

// The command line, as main hands it over after flag parsing.
struct MrjobArgs {
  std::vector<std::string> words;     // Verb and operands.
  std::vector<std::string> job_args;  // After a bare "--".
  bool saw_double_dash = false;
  std::string cluster;
  std::string binary, input, output, partitioner, queue;
  int reducers = 0;
  bool json = false;
  bool attempts = false;  // status: list every attempt.
  // Submit's options (--binary, --input, --output, --reducers,
  // --partitioner, --queue) that were given, to refuse them on other verbs.
  std::vector<std::string> submit_flags_given;
};

struct MrjobCommand {
  std::string verb;
  std::vector<std::string> operands;
  bool json = false;
  bool attempts = false;
  std::string cluster;
  SubmitOptions submit;  // submit only.
};

// Splits argv at the first bare "--": the job's flags are what follows (gflags
// would otherwise take them for mrjob's own).
std::vector<std::string> ExtractJobArgs(int* argc, char** argv, bool* saw_double_dash);

// InvalidArgument (a usage error) for an unknown or missing verb, a wrong
// operand count, or an option the verb does not take.
Result<MrjobCommand> ParseMrjobCommand(const MrjobArgs& args);

// Runs a parsed command; returns the exit code. Output on `out`, one-line
// errors on `err`.
int RunMrjobCommand(const MrjobCommand& command, std::ostream& out, std::ostream& err);

}  // namespace mr::sched
