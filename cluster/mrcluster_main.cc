// mrcluster: starts, inspects and stops a cluster of daemon processes.
#include <cstdio>
#include <filesystem>
#include <string>

#include <gflags/gflags.h>

#include "cluster/local_cluster.h"
#include "dfs/client/dfs_client.h"
#include "common/exit_codes.h"
#include "common/flags.h"

DEFINE_string(dir, "", "The cluster's directory (holds cluster.conf and one directory per node).");
DEFINE_int32(racks, 2, "up: number of racks.");
DEFINE_int32(nodes_per_rack, 2, "up: datanodes per rack.");
DEFINE_int64(chunk_size, 64 << 20, "up: the cluster's default DFS chunk size in bytes.");
DEFINE_bool(scheduler, true,
            "up: also start a resource manager and a node manager beside each datanode.");
DEFINE_bool(rm_standby, false,
            "up: also start a standby resource manager (rm-standby), which takes over from the "
            "checkpoint if the active one dies.");
DEFINE_bool(membership, true, "up: every daemon also runs a membership (SWIM) member.");
DEFINE_int32(nm_vcores, 0,
             "up: CPU cores each node manager offers to containers; 0: the host's cores shared "
             "out among the node managers (at least 1 each).");
DEFINE_int64(nm_memory_mb, 4096, "up: memory (MB) each node manager offers to containers.");
DEFINE_string(master_flags, "", "up: extra flags for the DFS master, comma-separated.");
DEFINE_string(datanode_flags, "", "up: extra flags for every datanode, comma-separated.");
DEFINE_string(rm_flags, "", "up: extra flags for the resource manager, comma-separated.");
DEFINE_string(nm_flags, "", "up: extra flags for every node manager, comma-separated.");
DEFINE_bool(security, false,
            "up: make the cluster's keys (<dir>/keys) and run every daemon with TLS, "
            "credentials and tokens (docs/SECURITY.md).");
DEFINE_bool(json, false, "status: machine-readable output.");
DEFINE_int32(ready_timeout_ms, 20000, "How long up/start wait for daemons to be ready.");

namespace {

// The user's DFS home, /user/NAME, theirs (0755), as an HDFS admin makes
// one; kept if it exists. Needs the cluster up.
mr::Status MakeHome(const std::string& dir, const std::string& name) {
  auto nodes = mr::cluster::GetStatus(dir);
  if (!nodes.ok()) return nodes.status();
  for (const mr::cluster::NodeStatus& node : *nodes) {
    if (node.node.role == mr::cluster::Role::kMaster && node.pid == 0) {
      return mr::Status::Unavailable("the DFS master is not running");
    }
  }
  auto dfs = mr::dfs::DfsClient::ConnectToCluster(dir);
  if (!dfs.ok()) return dfs.status();
  const std::string home = "/user/" + name;
  mr::Status s = (*dfs)->Mkdirs(home, 0755);
  if (s.ok()) s = (*dfs)->SetOwner(home, name, "");
  return s.Prepend(home);
}

const char kUsage[] =
    "usage:\n"
    "  mrcluster up --dir DIR [--racks R] [--nodes_per_rack K] [--chunk_size BYTES]\n"
    "               [--noscheduler] [--rm_standby] [--nomembership] [--nm_vcores N] [--nm_memory_mb MB]\n"
    "               [--master_flags F] [--datanode_flags F] [--rm_flags F] [--nm_flags F]\n"
    "               (F: extra daemon flags, comma-separated, e.g. --dfs_heartbeat_timeout_ms=9000)\n"
    "               (on a cluster taken down: brings it up again as its cluster.conf says)\n"
    "  mrcluster status --dir DIR [--json]   (SERVING: a resource manager's active/standby)\n"
    "  mrcluster down --dir DIR\n"
    "  mrcluster kill --dir DIR NODE     (kill -9)\n"
    "  mrcluster start --dir DIR NODE\n"
    "  mrcluster user add --dir DIR NAME   (a credential for NAME, a user of this host,\n"
    "                                     and its DFS home /user/NAME)\n"
    "Exit codes: 0 success, 1 failure, 2 usage error.";

int Run(const std::string& verb, int argc, char** argv) {
  if (verb == "user") {
    if (argc != 4 || std::string(argv[2]) != "add") {
      mr::ExitWithError(mr::kExitUsage, "usage: mrcluster user add --dir DIR NAME");
    }
    auto path = mr::cluster::AddUser(FLAGS_dir, argv[3]);
    if (!path.ok()) mr::ExitWithError(mr::kExitFailure, path.status().ToString());
    std::printf("%s\n", path->c_str());
    mr::Status home = MakeHome(FLAGS_dir, argv[3]);
    if (!home.ok()) {
      std::fprintf(stderr, "mrcluster: no DFS home made (run `user add` again with the cluster up): %s\n",
                   home.ToString().c_str());
    }
    return mr::kExitOk;
  }
  std::string node = argc > 2 ? argv[2] : "";
  bool wants_node = verb == "kill" || verb == "start";
  if (argc != (wants_node ? 3 : 2)) {
    mr::ExitWithError(mr::kExitUsage, wants_node ? verb + " needs one NODE" : "unexpected argument");
  }
  mr::Status s;
  if (verb == "up") {
    if (FLAGS_racks < 1 || FLAGS_nodes_per_rack < 1 || FLAGS_racks * FLAGS_nodes_per_rack > 64) {
      mr::ExitWithError(mr::kExitUsage, "--racks and --nodes_per_rack must give 1 to 64 nodes");
    }
    if (FLAGS_chunk_size < (64 << 10) || FLAGS_chunk_size % (64 << 10) != 0) {
      mr::ExitWithError(mr::kExitUsage, "--chunk_size must be a multiple of 64 KiB");
    }
    mr::cluster::UpOptions options;
    options.dir = FLAGS_dir;
    options.racks = FLAGS_racks;
    options.nodes_per_rack = FLAGS_nodes_per_rack;
    options.chunk_size = FLAGS_chunk_size;
    if (FLAGS_nm_vcores < 0 || FLAGS_nm_vcores > 1024 || FLAGS_nm_memory_mb < 64) {
      mr::ExitWithError(mr::kExitUsage, "--nm_vcores must be 0..1024 and --nm_memory_mb >= 64");
    }
    options.scheduler = FLAGS_scheduler;
    options.rm_standby = FLAGS_rm_standby;
    options.membership = FLAGS_membership;
    options.security = FLAGS_security;
    options.daemon_flags = {{"master", FLAGS_master_flags},
                            {"datanode", FLAGS_datanode_flags},
                            {"resourcemanager", FLAGS_rm_flags},
                            {"nodemanager", FLAGS_nm_flags}};
    options.nm_vcores = FLAGS_nm_vcores;
    options.nm_memory_mb = FLAGS_nm_memory_mb;
    options.ready_timeout_ms = FLAGS_ready_timeout_ms;
    s = mr::cluster::Up(options);
  } else if (verb == "down") {
    s = mr::cluster::Down(FLAGS_dir);
  } else if (verb == "kill") {
    s = mr::cluster::KillNode(FLAGS_dir, node);
  } else if (verb == "start") {
    s = mr::cluster::StartNode(FLAGS_dir, node, FLAGS_ready_timeout_ms);
  } else if (verb != "status") {
    mr::ExitWithError(mr::kExitUsage, "unknown verb '" + verb + "' (try --help)");
  }
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  if (verb == "status" || verb == "up") {
    auto status = mr::cluster::GetStatus(FLAGS_dir);
    if (!status.ok()) mr::ExitWithError(mr::kExitFailure, status.status().ToString());
    std::fputs(mr::cluster::FormatStatus(*status, FLAGS_json).c_str(), stdout);
  }
  return mr::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, kUsage);
  if (argc < 2) mr::ExitWithError(mr::kExitUsage, "missing verb (try --help)");
  if (FLAGS_dir.empty()) mr::ExitWithError(mr::kExitUsage, "--dir is required");
  // Daemons and their containers run in other directories: a relative
  // --dir would name the wrong place for them (a container's binary).
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(FLAGS_dir, ec);
  if (!ec) FLAGS_dir = dir.lexically_normal().string();
  return Run(argv[1], argc, argv);
}
