// The cost of a datanode's directory scan (ChunkStore::ScanForLostReplicas,
// every --dfs_datanode_directory_scan_interval_ms): two stat calls per
// replica. Lays out --replicas finalized replicas of 4 KiB in a scratch
// store (files written directly, without the per-replica fsync of a real
// write), opens the store, and times --rounds scans. Prints one line:
//   replicas N: scan median X ms (Y us per replica), min A ms, max B ms
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/hash.h"
#include "dfs/datanode/chunk_store.h"

DEFINE_int32(replicas, 10000, "Replicas in the store.");
DEFINE_int32(rounds, 7, "Scans timed.");
DEFINE_string(dir, "/tmp/dfs_scan_bench", "Scratch directory (removed before and after).");

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: dfs_scan_bench [--replicas N] [--rounds R]");
  if (FLAGS_replicas < 1 || FLAGS_rounds < 1) mr::ExitWithError(mr::kExitUsage, "bad counts");
  (void)mr::RemoveAll(FLAGS_dir);
  const std::string chunks = mr::JoinPath(FLAGS_dir, "chunks");
  mr::Status s = mr::CreateDirs(chunks);
  const std::string data(4096, 'x');
  mr::dfs::ChunkMeta meta;
  meta.length = data.size();
  meta.checksums.push_back(mr::Hash64(data));
  const std::string meta_bytes = mr::dfs::EncodeChunkMeta(meta);
  for (int64_t id = 1; s.ok() && id <= FLAGS_replicas; ++id) {
    s = mr::WriteStringToFile(mr::JoinPath(chunks, mr::dfs::ChunkDataName(id, 1)), data, false);
    if (s.ok()) {
      s = mr::WriteStringToFile(mr::JoinPath(chunks, mr::dfs::ChunkMetaName(id, 1)), meta_bytes,
                                false);
    }
  }
  auto store = s.ok() ? mr::dfs::ChunkStore::Open(FLAGS_dir)
                      : mr::Result<std::unique_ptr<mr::dfs::ChunkStore>>(s);
  if (!store.ok()) mr::ExitWithError(mr::kExitFailure, store.status().ToString());
  std::vector<double> ms;
  for (int r = 0; r < FLAGS_rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    std::vector<mr::dfs::LostReplica> lost = (*store)->ScanForLostReplicas();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                           start).count());
    if (!lost.empty()) mr::ExitWithError(mr::kExitFailure, "the scan found lost replicas");
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2];
  std::printf("replicas %d: scan median %.1f ms (%.2f us per replica), min %.1f ms, max %.1f ms\n",
              FLAGS_replicas, median, median * 1000 / FLAGS_replicas, ms.front(), ms.back());
  store->reset();
  (void)mr::RemoveAll(FLAGS_dir);
  return mr::kExitOk;
}
