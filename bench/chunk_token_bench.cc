// What chunk access tokens cost (issue 16): `put` and `get` of an --mb MiB
// file through the DFS client, on an in-process master and three datanodes
// (replication 3, reads over the data plane: short-circuit reads off), in
// rounds that alternate security off (no tokens) and on (every location
// carries a token the datanodes verify). Also times one token's signing and
// verification alone. Prints a markdown table of medians (min-max).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gflags/gflags.h>

#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "dfs/client/dfs_client.h"
#include "dfs/datanode/datanode.h"
#include "dfs/proto/chunk_token.h"
#include "security/key_material.h"
#include "security/process_security.h"
#include "tests/dfs/client/in_process_master.h"

DEFINE_int32(mb, 256, "MiB put and got per round.");
DEFINE_int32(rounds, 3, "Rounds of each mode (off and on alternate).");
DEFINE_int64(chunk_bytes, int64_t{64} << 20, "Chunk size of the file.");
DEFINE_string(dir, "/tmp/chunk_token_bench", "Scratch directory (removed before and after).");

namespace {

using Clock = std::chrono::steady_clock;

void Check(const mr::Status& s, const char* what) {
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, std::string(what) + ": " + s.ToString());
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Summary(std::vector<double> mbps) {
  std::sort(mbps.begin(), mbps.end());
  char text[64];
  std::snprintf(text, sizeof(text), "%.0f (%.0f-%.0f)", mbps[mbps.size() / 2], mbps.front(),
                mbps.back());
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "usage: chunk_token_bench [--mb N] [--rounds R]");
  google::SetCommandLineOption("dfs_client_short_circuit_reads", "false");
  google::SetCommandLineOption("dfs_heartbeat_interval_ms", "200");
  (void)mr::RemoveAll(FLAGS_dir);
  const std::string keys = mr::JoinPath(FLAGS_dir, "keys");
  Check(mr::security::CreateClusterKeys(keys), "keys");
  auto security = mr::security::LoadServerSecurity(keys);
  Check(security.status(), "load keys");

  // Token cost alone.
  const int kTokens = 100000;
  auto start = Clock::now();
  std::string token;
  for (int i = 0; i < kTokens; ++i) {
    token = mr::dfs::SignChunkToken((*security)->signer(), i, 1, 1, "bench",
                                    mr::WallClockMs() + 60000);
  }
  const double sign_us = Seconds(start) * 1e6 / kTokens;
  start = Clock::now();
  for (int i = 0; i < kTokens; ++i) {
    Check(mr::dfs::VerifyChunkToken((*security)->signer(), token, kTokens - 1, 1, 1,
                                    mr::WallClockMs()),
          "verify");
  }
  const double verify_us = Seconds(start) * 1e6 / kTokens;

  auto master = mr::testing::InProcessMaster::Start(mr::JoinPath(FLAGS_dir, "master"));
  Check(master.status(), "master");
  std::vector<std::unique_ptr<mr::dfs::Datanode>> datanodes;
  for (int i = 0; i < 3; ++i) {
    mr::dfs::Datanode::Options options;
    options.dir = mr::JoinPath(FLAGS_dir, "dn" + std::to_string(i));
    options.id = "dn-" + std::to_string(i);
    options.rack = i < 2 ? "/r1" : "/r2";
    options.master = "127.0.0.1:" + std::to_string((*master)->port());
    auto node = mr::dfs::Datanode::Start(options);
    Check(node.status(), "datanode");
    datanodes.push_back(std::move(*node));
  }
  mr::dfs::DfsClient::Options options;
  options.master_host = "127.0.0.1";
  options.master_port = (*master)->port();
  options.default_chunk_size = FLAGS_chunk_bytes;
  auto client = mr::dfs::DfsClient::Connect(options);
  Check(client.status(), "client");

  std::string data(size_t{1} << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 2654435761u >> 13);
  std::vector<double> put[2], get[2];
  for (int round = 0; round < 2 * FLAGS_rounds; ++round) {
    const bool secure = round % 2 == 1;
    mr::security::SetProcessServerSecurity(secure ? *security : nullptr);
    const std::string path = "/bench-" + std::to_string(round);
    start = Clock::now();
    mr::dfs::DfsClient::CreateOptions create;
    create.replication = 3;
    bool done = false;
    // Datanodes register in the background: the first round may wait for them.
    for (int attempt = 0; !done; ++attempt) {
      auto writer = (*client)->Create(path, create);
      Check(writer.status(), "create");
      mr::Status s;
      for (int i = 0; i < FLAGS_mb && s.ok(); ++i) s = (*writer)->Write(data);
      if (s.ok()) s = (*writer)->Close();
      done = s.ok();
      if (!done && attempt >= 20) Check(s, "put");
      if (!done) start = Clock::now();
    }
    put[secure].push_back(FLAGS_mb / Seconds(start));
    start = Clock::now();
    auto reader = (*client)->Open(path);
    Check(reader.status(), "open");
    std::string piece;
    int64_t bytes = 0;
    do {
      Check((*reader)->Read(1 << 20, &piece), "get");
      bytes += static_cast<int64_t>(piece.size());
    } while (!piece.empty());
    get[secure].push_back(FLAGS_mb / Seconds(start));
    if (bytes != int64_t{FLAGS_mb} << 20) Check(mr::Status::Corruption("short read"), "get");
    Check((*client)->Delete(path, false), "delete");
  }
  mr::security::SetProcessServerSecurity(nullptr);
  std::printf("| tokens | put MB/s | get MB/s |\n|---|---|---|\n");
  for (int secure = 0; secure < 2; ++secure) {
    std::printf("| %s | %s | %s |\n", secure ? "on" : "off", Summary(put[secure]).c_str(),
                Summary(get[secure]).c_str());
  }
  std::printf("\none token: sign %.2f us, verify %.2f us (%d each)\n", sign_us, verify_us,
              kTokens);
  client->reset();
  datanodes.clear();
  master->reset();
  (void)mr::RemoveAll(FLAGS_dir);
  return 0;
}
