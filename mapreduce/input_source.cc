#include "input_source.h"

namespace mr {

Result<std::unique_ptr<InputSource>> LocalInputSource::Open(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
  file->AdviseSequential();
  return std::unique_ptr<InputSource>(new LocalInputSource(std::move(file)));
}

}  // namespace mr
