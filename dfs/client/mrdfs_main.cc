// mrdfs: the DFS command-line tool (verbs in mrdfs_commands.h).
#include <iostream>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/flags.h"
#include "common/text.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/mrdfs_commands.h"

DEFINE_string(cluster, "", "The cluster's directory (holds cluster.conf). Required.");
DEFINE_bool(json, false, "ls, stat, du, fsck: machine-readable output.");
DEFINE_int32(replication, 0, "put: replicas per chunk; 0: the cluster's default.");
DEFINE_int64(chunk_size, 0, "put: chunk size in bytes (a multiple of 64 KiB); 0: the cluster's.");
DEFINE_string(client_host, "127.0.0.1",
              "This host's address as the datanodes know it (placement and nearest reads).");

int main(int argc, char** argv) {
  std::vector<std::string> verb_options = mr::dfs::ExtractVerbOptions(&argc, argv);
  mr::ParseFlagsOrExit(&argc, &argv, mr::dfs::kMrdfsUsage);
  mr::Result<mr::dfs::MrdfsCommand> command = mr::dfs::ParseMrdfsCommand(
      std::vector<std::string>(argv + 1, argv + argc), verb_options, FLAGS_json);
  if (!command.ok()) {
    mr::ExitWithError(mr::kExitUsage,
                      mr::EscapeForTerminal(command.status().message()) + " (try --help)");
  }
  if (FLAGS_cluster.empty()) mr::ExitWithError(mr::kExitUsage, "--cluster DIR is required");
  if (FLAGS_replication < 0 || FLAGS_chunk_size < 0) {
    mr::ExitWithError(mr::kExitUsage, "--replication and --chunk_size must not be negative");
  }
  command->replication = FLAGS_replication;
  command->chunk_size = FLAGS_chunk_size;
  mr::dfs::DfsClient::Options options;
  options.client_host = FLAGS_client_host;
  auto client = mr::dfs::DfsClient::ConnectToCluster(FLAGS_cluster, options);
  if (!client.ok()) mr::ExitWithError(mr::kExitFailure, client.status().ToString());
  mr::Status s = mr::dfs::RunMrdfsCommand(*command, client->get(), std::cout);
  std::cout.flush();
  // Messages name paths: escaped, as every human-readable output is.
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, command->verb + ": " + mr::EscapeForTerminal(s.ToString()));
  return mr::kExitOk;
}
