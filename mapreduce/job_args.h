// The job's own flags to forward when a job binary submits itself to a
// cluster (--cluster): every flag of the original command line except those
// the submission itself consumes.
#pragma once

#include <string>
#include <vector>

namespace mr {

// argv[1..] without --cluster, --input, --output, --reducers and
// --partitioner (in any gflags spelling: -f or --f, "=value" or the value as
// the next argument). Everything after a bare "--" is kept as it is.
std::vector<std::string> JobArgsForCluster(int argc, const char* const* argv);

}  // namespace mr
