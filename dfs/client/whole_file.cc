#include "dfs/client/whole_file.h"

namespace mr::dfs {

Status WriteWholeFile(DfsClient* dfs, const std::string& path, std::string_view data,
                      const DfsClient::CreateOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<DfsFileWriter> writer, dfs->Create(path, options));
  Status s = writer->Write(data);
  if (s.ok()) return writer->Close();
  writer->Abort();
  return s;
}

Result<std::string> ReadWholeFile(DfsClient* dfs, const std::string& path, int64_t max_bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<DfsFileReader> reader, dfs->Open(path));
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

}  // namespace mr::dfs
