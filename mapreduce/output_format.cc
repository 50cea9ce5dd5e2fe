#include "output_format.h"

#include <cstdio>

namespace mr {

Result<std::unique_ptr<OutputSink>> LocalOutputSink::Create(const std::string& path) {
  // OutputWriter hands over whole buffers, which WritableFile writes through
  // without copying; its own buffer only serves a short last piece.
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(path, /*buffer_bytes=*/64 << 10));
  return std::unique_ptr<OutputSink>(new LocalOutputSink(std::move(file)));
}

Result<std::unique_ptr<OutputWriter>> OutputWriter::Create(const std::string& path,
                                                           OutputFormat format) {
  ASSIGN_OR_RETURN(auto sink, LocalOutputSink::Create(path));
  return Create(std::move(sink), format);
}

std::unique_ptr<OutputWriter> OutputWriter::Create(std::unique_ptr<OutputSink> sink,
                                                   OutputFormat format) {
  return std::unique_ptr<OutputWriter>(new OutputWriter(std::move(sink), format));
}

OutputWriter::OutputWriter(std::unique_ptr<OutputSink> sink, OutputFormat format)
    : sink_(std::move(sink)), format_(format) {
  buffer_.reserve(kBufferBytes + 4096);
}

Status OutputWriter::FlushBuffer() {
  RETURN_NOT_OK(sink_->Append(buffer_));
  flushed_ += buffer_.size();
  buffer_.clear();
  return Status::OK();
}

Status OutputWriter::Close() {
  if (!buffer_.empty()) RETURN_NOT_OK(FlushBuffer());
  return sink_->Close();
}

std::string PartFileName(int partition) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-r-%05d", partition);
  return name;
}

}  // namespace mr
