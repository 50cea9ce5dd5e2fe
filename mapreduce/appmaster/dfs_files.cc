#include "mapreduce/appmaster/dfs_files.h"

#include "dfs/client/dfs_client.h"

namespace mr::am {

Status WriteDfsFile(dfs::DfsClient* dfs, const std::string& path, const std::string& data) {
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsFileWriter> writer,
                   dfs->Create(path, dfs::DfsClient::CreateOptions()));
  Status s = writer->Write(data);
  if (s.ok()) return writer->Close();
  writer->Abort();
  return s;
}

Result<std::string> ReadDfsFile(dfs::DfsClient* dfs, const std::string& path, int64_t max_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<dfs::DfsFileReader> reader, dfs->Open(path));
  if (reader->length() > max_bytes) {
    return Status::Corruption(path + " holds " + std::to_string(reader->length()) +
                              " bytes, more than the " + std::to_string(max_bytes) + " expected");
  }
  std::string file, piece;
  do {
    RETURN_NOT_OK(reader->Read(1 << 20, &piece));
    file += piece;
  } while (!piece.empty());
  return file;
}

}  // namespace mr::am
