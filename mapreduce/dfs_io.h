// The engine's I/O on the DFS, through the DFS client library only: an
// InputSource over a byte range of a DFS file for map tasks, and an
// OutputSink that writes a new DFS file for reduce tasks.
//
// Thread-safety: each source or sink belongs to one task thread; the
// DfsClient they share must outlive them (see dfs_client.h).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "dfs/client/dfs_client.h"
#include "input_source.h"
#include "output_sink.h"

namespace mr {

// Reads a closed DFS file. DfsFileReader prefers the nearest replica (the
// client's host, then rack) and fails over to the others.
class DfsInputSource final : public InputSource {
 public:
  static Result<std::unique_ptr<InputSource>> Open(dfs::DfsClient* client, const std::string& path);
  Status Read(uint64_t offset, size_t n, char* scratch, size_t* bytes_read) override;
  uint64_t size() const override { return static_cast<uint64_t>(reader_->length()); }
  const std::string& path() const override { return reader_->path(); }

 private:
  explicit DfsInputSource(std::unique_ptr<dfs::DfsFileReader> reader) : reader_(std::move(reader)) {}
  std::unique_ptr<dfs::DfsFileReader> reader_;
  std::string piece_;  // The last piece read, copied into the caller's buffer.
};

// Creates a DFS file (replacing one of the same name: an attempt's output is
// its own); the file becomes visible at Close. Without a successful Close
// the file is deleted.
class DfsOutputSink final : public OutputSink {
 public:
  // `replication` 0: the client's default.
  static Result<std::unique_ptr<OutputSink>> Create(dfs::DfsClient* client, const std::string& path,
                                                    int replication = 0);
  Status Append(std::string_view data) override { return writer_->Write(data); }
  Status Close() override { return writer_->Close(); }

 private:
  explicit DfsOutputSink(std::unique_ptr<dfs::DfsFileWriter> writer) : writer_(std::move(writer)) {}
  std::unique_ptr<dfs::DfsFileWriter> writer_;
};

// Client options for a process in a container (docs/SCHEDULER.md): the
// master from MR_DFS_MASTER ("host:port"), the client's host from
// MR_NODE_HOST and rack from MR_RACK, so that reads go to a replica on this
// node when there is one. InvalidArgument if MR_DFS_MASTER is missing or
// malformed.
Result<dfs::DfsClient::Options> DfsClientOptionsFromEnv();

// A client with DfsClientOptionsFromEnv(), for an AM or a task: a master
// that does not answer (restarting) is tried again, with backoff, for as
// long as a client retries master calls (--dfs_client_master_retry_ms), so
// a short master outage costs a container time, not its attempt.
Result<std::unique_ptr<dfs::DfsClient>> ConnectDfsFromEnv();

}  // namespace mr
