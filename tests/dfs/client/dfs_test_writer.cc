// dfs_test_writer: a DFS writer that a test can stop at a chosen byte, for
// writes interrupted by a killed client or master (integrity_itest.cc).
//
//   dfs_test_writer --cluster DIR --path P --bytes N [--seed S] [--overwrite]
//                   [--pause_at B --go_file F]
//
// Writes N pseudo-random bytes (test_util.h's RandomBytes(N, S): the same
// generator) to P through DfsClient, 64 KiB at a time. With --pause_at, after
// B bytes it prints "PAUSED" and waits until F exists (the test kills it, or
// a master, meanwhile), then goes on. Prints "CLOSED" and exits 0 once the
// file is closed; "FAILED: <why>" and exits 1 otherwise.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include <gflags/gflags.h>

#include "common/file.h"
#include "common/flags.h"
#include "dfs/client/dfs_client.h"

DEFINE_string(cluster, "", "The cluster's directory.");
DEFINE_string(path, "", "The DFS file to write.");
DEFINE_int64(bytes, 0, "Bytes to write.");
DEFINE_uint64(seed, 1, "Seed of the bytes (test_util.h's RandomBytes).");
DEFINE_bool(overwrite, false, "Replace an existing file (put -f).");
DEFINE_int64(pause_at, -1, "Stop after this many bytes until --go_file exists; -1: never.");
DEFINE_string(go_file, "", "See --pause_at.");

namespace {

int Fail(const mr::Status& s) {
  std::printf("FAILED: %s\n", s.ToString().c_str());
  std::fflush(stdout);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: dfs_test_writer --cluster DIR --path P --bytes N");
  std::mt19937_64 rng(FLAGS_seed);
  std::string data(static_cast<size_t>(FLAGS_bytes), '\0');
  for (char& c : data) c = static_cast<char>(rng());
  auto client = mr::dfs::DfsClient::ConnectToCluster(FLAGS_cluster);
  if (!client.ok()) return Fail(client.status());
  mr::dfs::DfsClient::CreateOptions options;
  options.overwrite = FLAGS_overwrite;
  auto writer = (*client)->Create(FLAGS_path, options);
  if (!writer.ok()) return Fail(writer.status());
  constexpr int64_t kPiece = 64 << 10;
  for (int64_t at = 0; at < FLAGS_bytes;) {
    int64_t n = std::min(kPiece, FLAGS_bytes - at);
    if (FLAGS_pause_at >= at && FLAGS_pause_at < at + n) n = FLAGS_pause_at - at;
    if (at == FLAGS_pause_at) {
      std::printf("PAUSED\n");
      std::fflush(stdout);
      while (!mr::PathExists(FLAGS_go_file)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      FLAGS_pause_at = -1;
      continue;
    }
    mr::Status s = (*writer)->Write(std::string_view(data).substr(at, n));
    if (!s.ok()) return Fail(s);
    at += n;
  }
  mr::Status s = (*writer)->Close();
  if (!s.ok()) return Fail(s);
  std::printf("CLOSED\n");
  return 0;
}
