#include "mapreduce/appmaster/dfs_input.h"

#include <algorithm>

#include "common/file.h"
#include "dfs/client/dfs_client.h"

namespace mr::am {

namespace {

Status AddFile(dfs::DfsClient* dfs, const dfs::DfsFileStatus& status,
               std::vector<InputFile>* files) {
  if (status.under_construction) {
    return Status::Unavailable("input file " + status.path + " is still being written");
  }
  InputFile file;
  file.path = status.path;
  file.length = status.length;
  file.chunk_size = status.chunk_size;
  if (file.length > 0) {
    ASSIGN_OR_RETURN(std::vector<dfs::DfsChunk> chunks, dfs->GetChunkLocations(status.path));
    for (const dfs::DfsChunk& c : chunks) {
      ChunkLocation chunk{c.offset, c.length, {}};
      for (const dfs::DfsReplica& r : c.replicas) chunk.replicas.push_back({r.node_id, r.rack});
      file.chunks.push_back(std::move(chunk));
    }
    std::sort(file.chunks.begin(), file.chunks.end(),
              [](const ChunkLocation& a, const ChunkLocation& b) { return a.offset < b.offset; });
  }
  files->push_back(std::move(file));
  return Status::OK();
}

Status Walk(dfs::DfsClient* dfs, const dfs::DfsFileStatus& status, std::vector<InputFile>* files) {
  if (!status.is_dir) return AddFile(dfs, status, files);
  ASSIGN_OR_RETURN(std::vector<dfs::DfsFileStatus> entries, dfs->List(status.path));
  for (const dfs::DfsFileStatus& entry : entries) {
    if (IsHiddenInputName(BaseName(entry.path))) continue;
    RETURN_NOT_OK(Walk(dfs, entry, files));
  }
  return Status::OK();
}

}  // namespace

bool IsHiddenInputName(const std::string& name) {
  return !name.empty() && (name[0] == '_' || name[0] == '.');
}

Result<std::vector<InputFile>> ListDfsInput(dfs::DfsClient* dfs, const std::string& input) {
  Result<dfs::DfsFileStatus> root = dfs->Stat(input);
  if (!root.ok()) {
    if (root.status().IsNotFound()) return Status::NotFound("input " + input + " does not exist");
    return root.status();
  }
  std::vector<InputFile> files;
  RETURN_NOT_OK(Walk(dfs, *root, &files));
  std::sort(files.begin(), files.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace mr::am
