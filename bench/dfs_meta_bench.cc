// dfs_meta_bench: the DFS master's metadata throughput from concurrent
// clients (issue 3, item 11; target 10,000 operations per second).
//   dfs_meta_bench --cluster DIR --threads T --seconds S
// Each of T threads has its own MasterClient (its own connection) and runs,
// for S seconds per phase:
//   create:  Create + Complete of an empty file in a fresh directory
//            (one operation = the pair; each mutation is in the op log);
//   lookup:  GetChunkLocations of one existing one-chunk file.
// Prints one line per phase: "create ops/s N ..." and "lookup ops/s N ...".
// Any failed RPC stops the run with exit 1. Every loop is bounded by S.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>

#include "cluster/cluster_config.h"
#include "common/exit_codes.h"
#include "common/flags.h"
#include "dfs/client/dfs_client.h"
#include "dfs/master/master_client.h"

DEFINE_string(cluster, "", "The cluster's directory (holds cluster.conf). Required.");
DEFINE_int32(threads, 4, "Concurrent clients, each with its own master connection.");
DEFINE_double(seconds, 5, "Length of each phase.");

namespace mr::dfs {
namespace {

using Clock = std::chrono::steady_clock;

struct PhaseResult {
  int64_t ops = 0;
  double seconds = 0;
  Status status;
};

// Runs op(thread, i) on every thread until `seconds` pass; counts successes.
template <typename Op>
PhaseResult RunPhase(const std::vector<std::unique_ptr<MasterClient>>& clients, double seconds,
                     const Op& op) {
  std::atomic<int64_t> ops{0};
  std::atomic<bool> failed{false};
  std::vector<Status> errors(clients.size());
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < clients.size(); ++t) {
    threads.emplace_back([&, t] {
      int64_t mine = 0;
      for (int64_t i = 0; Clock::now() < deadline && !failed.load(); ++i) {
        Status s = op(clients[t].get(), t, i);
        if (!s.ok()) {
          errors[t] = s;
          failed = true;
          break;
        }
        ++mine;
      }
      ops += mine;
    });
  }
  for (std::thread& thread : threads) thread.join();
  PhaseResult result;
  result.ops = ops.load();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const Status& s : errors) {
    if (!s.ok()) result.status = s;
  }
  return result;
}

void Print(const char* phase, const PhaseResult& r, int threads) {
  std::printf("%s ops/s %.0f (%lld ops in %.2f s, %d threads)\n", phase, r.ops / r.seconds,
              static_cast<long long>(r.ops), r.seconds, threads);
  std::fflush(stdout);
}

Status Run() {
  ASSIGN_OR_RETURN(cluster::ClusterConfig config, cluster::LoadConfig(FLAGS_cluster));
  const cluster::NodeConfig* master = config.Master();
  if (master == nullptr) return Status::InvalidArgument("no master in " + FLAGS_cluster);
  std::vector<std::unique_ptr<MasterClient>> clients;
  for (int t = 0; t < FLAGS_threads; ++t) {
    ASSIGN_OR_RETURN(auto client, MasterClient::Connect(master->host, master->port));
    clients.push_back(std::move(client));
  }
  // A fresh directory per run, so reruns against one cluster do not collide.
  const std::string dir =
      "/meta-bench-" + std::to_string(Clock::now().time_since_epoch().count());
  RETURN_NOT_OK(clients[0]->Mkdirs(dir));

  PhaseResult create = RunPhase(clients, FLAGS_seconds, [&](MasterClient* c, size_t t, int64_t i) {
    std::string path = dir + "/t" + std::to_string(t) + "-" + std::to_string(i);
    std::string name = "meta-bench-" + std::to_string(t);
    Result<wire::FileStatus> created = c->Create(path, 3, 64 << 20, name, "127.0.0.1");
    if (!created.ok()) return created.status().Prepend("create " + path);
    Result<bool> done = c->Complete(path, name, 0);
    if (!done.ok()) return done.status().Prepend("complete " + path);
    return *done ? Status::OK() : Status::Internal("complete of empty " + path + " not done");
  });
  RETURN_NOT_OK(create.status);
  Print("create", create, FLAGS_threads);

  // One small file with one chunk, written through the client library.
  const std::string small = dir + "/small";
  {
    ASSIGN_OR_RETURN(auto dfs, DfsClient::ConnectToCluster(FLAGS_cluster));
    ASSIGN_OR_RETURN(auto writer, dfs->Create(small, {}));
    RETURN_NOT_OK(writer->Write(std::string(4096, 'x')));
    RETURN_NOT_OK(writer->Close());
  }
  PhaseResult lookup = RunPhase(clients, FLAGS_seconds, [&](MasterClient* c, size_t, int64_t) {
    Result<std::vector<wire::LocatedChunk>> chunks = c->GetChunkLocations(small, 0, 1);
    if (!chunks.ok()) return chunks.status().Prepend("locations of " + small);
    return chunks->size() == 1 ? Status::OK() : Status::Internal("expected one chunk");
  });
  RETURN_NOT_OK(lookup.status);
  Print("lookup", lookup, FLAGS_threads);
  return clients[0]->Delete(dir, /*recursive=*/true);
}

}  // namespace
}  // namespace mr::dfs

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "usage: dfs_meta_bench --cluster DIR [--threads T] [--seconds S]");
  if (FLAGS_cluster.empty()) mr::ExitWithError(mr::kExitUsage, "--cluster DIR is required");
  if (FLAGS_threads < 1 || FLAGS_threads > 256 || !(FLAGS_seconds > 0 && FLAGS_seconds <= 600)) {
    mr::ExitWithError(mr::kExitUsage, "--threads must be 1..256 and --seconds in (0, 600]");
  }
  mr::Status s = mr::dfs::Run();
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  return mr::kExitOk;
}
