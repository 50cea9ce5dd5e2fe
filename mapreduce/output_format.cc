#include "output_format.h"

#include <cstdio>

namespace mr {

Result<std::unique_ptr<OutputWriter>> OutputWriter::Create(const std::string& path,
                                                           OutputFormat format) {
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(path));
  return std::unique_ptr<OutputWriter>(new OutputWriter(std::move(file), format));
}

Status OutputWriter::Write(std::string_view key, std::string_view value) {
  RETURN_NOT_OK(file_->Append(key));
  if (format_ == OutputFormat::kText) RETURN_NOT_OK(file_->Append("\t"));
  RETURN_NOT_OK(file_->Append(value));
  if (format_ == OutputFormat::kText) RETURN_NOT_OK(file_->Append("\n"));
  return Status::OK();
}

Status OutputWriter::Close() { return file_->Close(); }

std::string PartFileName(int partition) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-r-%05d", partition);
  return name;
}

}  // namespace mr
