// mrjob: the job client (verbs in mrjob_commands.h).
#include <iostream>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "scheduler/client/mrjob_commands.h"

DEFINE_string(cluster, "", "The cluster's directory (holds cluster.conf). Required.");
DEFINE_string(binary, "", "submit: the job executable (a local file).");
DEFINE_string(input, "", "submit: the input in the DFS, a file or a directory.");
DEFINE_string(output, "", "submit: the output directory in the DFS; must not exist.");
DEFINE_int32(reducers, 0, "submit: reduce tasks (0: the job's default).");
DEFINE_string(partitioner, "", "submit: hash or range (default: the job's own).");
DEFINE_string(queue, "", "submit: the scheduler queue (default: the resource manager's first).");
DEFINE_bool(json, false, "status, list: machine-readable output.");
DEFINE_bool(attempts, false, "status: list every attempt, even of a large job.");

namespace {

bool Given(const char* flag) {
  gflags::CommandLineFlagInfo info;
  return gflags::GetCommandLineFlagInfo(flag, &info) && !info.is_default;
}

}  // namespace

int main(int argc, char** argv) {
  mr::sched::MrjobArgs args;
  args.job_args = mr::sched::ExtractJobArgs(&argc, argv, &args.saw_double_dash);
  mr::ParseFlagsOrExit(&argc, &argv, mr::sched::kMrjobUsage);
  args.words.assign(argv + 1, argv + argc);
  args.cluster = FLAGS_cluster;
  args.binary = FLAGS_binary;
  args.input = FLAGS_input;
  args.output = FLAGS_output;
  args.reducers = FLAGS_reducers;
  args.partitioner = FLAGS_partitioner;
  args.queue = FLAGS_queue;
  args.json = FLAGS_json;
  args.attempts = FLAGS_attempts;
  for (const char* flag : {"binary", "input", "output", "reducers", "partitioner", "queue"}) {
    if (Given(flag)) args.submit_flags_given.push_back(flag);
  }
  mr::Result<mr::sched::MrjobCommand> command = mr::sched::ParseMrjobCommand(args);
  if (!command.ok()) mr::ExitWithError(mr::kExitUsage, command.status().message() + " (try --help)");
  return mr::sched::RunMrjobCommand(*command, std::cout, std::cerr);
}
