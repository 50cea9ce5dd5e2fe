// The verbs of `mrdfs` (the DFS command-line tool), apart from its main so
// that parsing and output can be tested without a process per case.
//
//   mrdfs --cluster DIR put LOCAL DFS [-f]     copy a local file in (-f: replace)
//   mrdfs --cluster DIR get DFS LOCAL [-f]     copy out (via a temp file + rename)
//   mrdfs --cluster DIR cat DFS
//   mrdfs --cluster DIR ls [-l] [PATH] [--json]   (-l: permissions, owner, group)
//   mrdfs --cluster DIR rm [-r] PATH
//   mrdfs --cluster DIR mkdir PATH             (with missing parents)
//   mrdfs --cluster DIR mv SRC DST             (into DST if it is a directory)
//   mrdfs --cluster DIR stat PATH [--json]     chunks, sizes, replicas with node and rack
//   mrdfs --cluster DIR du [PATH] [--json]     bytes, and raw bytes (x replication)
//   mrdfs --cluster DIR fsck [PATH] [--json]   chunks healthy / under-replicated / missing,
//                                              incomplete files
//   mrdfs --cluster DIR chmod [-R] MODE PATH    MODE octal (755, 1777)
//   mrdfs --cluster DIR chown [-R] USER[:GROUP] PATH
//   mrdfs --cluster DIR chgrp [-R] GROUP PATH
//   mrdfs --cluster DIR whoami                  the user, groups, superuser as the master sees
//
// Human-readable output prints names escaped as ls -b does (common/text.h);
// --json prints them exactly. du and fsck walk with an explicit stack and
// report an entry they cannot check instead of failing the whole walk.
//
// Exit codes (common/exit_codes.h): 0 success; 1 failure (not found, exists,
// unavailable, permission denied — "Permission denied: user=U, access=A,
// inode=..." as HDFS says it — and fsck finding a chunk with no live
// replica, an incomplete file or an entry it could not check; du with an
// entry it could not list; chmod/chown/chgrp -R with an entry it could not
// change);
// 2 usage (unknown verb, wrong operands, an option the verb does not take, a
// malformed DFS path such as "a/b", "/a/../b", "/a//b" or one past the
// limits of dfs_path.h).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "dfs/client/dfs_client.h"

namespace mr::dfs {

extern const char kMrdfsUsage[];

struct MrdfsCommand {
  std::string verb;
  std::vector<std::string> operands;
  bool force = false;      // -f: put, get.
  bool recursive = false;  // -r: rm; -R: chmod, chown, chgrp.
  bool long_format = false;  // -l: ls.
  bool json = false;       // --json: ls, stat, du, fsck.
  uint16_t mode = 0;       // chmod.
  std::string owner;       // chown (may be empty with a group: ":GROUP").
  std::string group;       // chown, chgrp.
  int32_t replication = 0;  // put; 0: the cluster's default.
  int64_t chunk_size = 0;   // put; 0: the cluster's default.
};

// Removes the verb options "-f", "-r", "-R" and "-l" from argv (before any "--") and
// returns them, so that gflags does not take them for flags of its own.
std::vector<std::string> ExtractVerbOptions(int* argc, char** argv);

// Builds the command from the words left after flag parsing (verb first)
// and the extracted verb options. InvalidArgument (a usage error) for an
// unknown verb, a wrong operand count, an option or --json the verb does not
// take, or a malformed DFS path.
Result<MrdfsCommand> ParseMrdfsCommand(const std::vector<std::string>& words,
                                       const std::vector<std::string>& verb_options, bool json);

// Runs a parsed command; regular output goes to `out`. A non-OK Status is a
// failure (exit 1); its message is the one line to print.
Status RunMrdfsCommand(const MrdfsCommand& command, DfsClient* client, std::ostream& out);

}  // namespace mr::dfs
