#include "dfs_io.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <gflags/gflags.h>

#include "common/clock.h"
#include "common/host_port.h"

DECLARE_int32(dfs_client_master_retry_ms);  // dfs/client/dfs_client.cc

namespace mr {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

Result<std::unique_ptr<InputSource>> DfsInputSource::Open(dfs::DfsClient* client,
                                                          const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsFileReader> reader, client->Open(path));
  return std::unique_ptr<InputSource>(new DfsInputSource(std::move(reader)));
}

Status DfsInputSource::Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) {
  *bytes_read = 0;
  if (offset >= size()) return Status::OK();
  // Record readers read front to back, so this seeks once, at the start.
  if (static_cast<int64_t>(offset) != reader_->position()) {
    RETURN_NOT_OK(reader_->Seek(static_cast<int64_t>(offset)));
  }
  RETURN_NOT_OK(reader_->Read(n, &piece_));
  std::memcpy(scratch, piece_.data(), piece_.size());
  *bytes_read = piece_.size();
  return Status::OK();
}

Result<std::unique_ptr<OutputSink>> DfsOutputSink::Create(dfs::DfsClient* client,
                                                          const std::string& path,
                                                          int replication) {
  dfs::DfsClient::CreateOptions options;
  options.overwrite = true;
  options.replication = replication;
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsFileWriter> writer, client->Create(path, options));
  return std::unique_ptr<OutputSink>(new DfsOutputSink(std::move(writer)));
}

Result<dfs::DfsClient::Options> DfsClientOptionsFromEnv() {
  std::string master = Env("MR_DFS_MASTER");
  dfs::DfsClient::Options options;
  if (!ParseHostPort(master, &options.master_host, &options.master_port).ok()) {
    return Status::InvalidArgument("MR_DFS_MASTER must be host:port, got '" + master + "'");
  }
  if (std::string host = Env("MR_NODE_HOST"); !host.empty()) options.client_host = host;
  options.client_rack = Env("MR_RACK");
  options.client_datanode_id = Env("MR_DATANODE_ID");
  if (std::string chunk = Env("MR_DFS_CHUNK_SIZE"); !chunk.empty()) {
    int64_t bytes = 0;
    auto [ptr, ec] = std::from_chars(chunk.data(), chunk.data() + chunk.size(), bytes);
    if (ec == std::errc() && ptr == chunk.data() + chunk.size() && bytes > 0) {
      options.default_chunk_size = bytes;
    }
  }
  return options;
}

Result<std::unique_ptr<dfs::DfsClient>> ConnectDfsFromEnv() {
  ASSIGN_OR_RETURN(dfs::DfsClient::Options options, DfsClientOptionsFromEnv());
  const int64_t deadline = SteadyClockMs() + std::max(0, FLAGS_dfs_client_master_retry_ms);
  int pause_ms = 50;
  while (true) {
    Result<std::unique_ptr<dfs::DfsClient>> client = dfs::DfsClient::Connect(options);
    if (client.ok() || !client.status().IsUnavailable() || SteadyClockMs() >= deadline) {
      return client;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min(pause_ms * 2, 1000);
  }
}

}  // namespace mr
