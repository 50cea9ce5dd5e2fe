#include "scheduler/shuffle/segment_locator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/file.h"
#include "mapreduce/map_output_index.h"
#include "scheduler/shuffle/local_names.h"

namespace mr::shuffle {

SegmentRegion& SegmentRegion::operator=(SegmentRegion&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    info_ = other.info_;
    other.fd_ = -1;
  }
  return *this;
}

SegmentRegion::~SegmentRegion() {
  if (fd_ >= 0) ::close(fd_);
}

Status LocateSegment(const std::string& apps_dir, const ShuffleRequest& request,
                     SegmentRegion* region) {
  RETURN_NOT_OK(CheckSafeLocalName(request.app_id, "app id"));
  RETURN_NOT_OK(CheckSafeLocalName(request.output_name, "output name"));
  std::string path =
      JoinPath(JoinPath(JoinPath(apps_dir, request.app_id), "output"), request.output_name);
  SegmentFile output;
  Status s = ReadMapOutputIndex(path, &output);
  if (s.IsNotFound()) {
    return Status::NotFound("no map output " + request.output_name + " of " + request.app_id);
  }
  RETURN_NOT_OK(s);
  if (request.partition >= output.partitions.size()) {
    return Status::InvalidArgument("map output " + request.output_name + " has " +
                                   std::to_string(output.partitions.size()) +
                                   " partitions, not " + std::to_string(request.partition + 1));
  }
  SegmentRegion opened;
  opened.info_ = output.partitions[request.partition];
  // Never through a symlink: the output directory is the job's user's, and
  // the NM serving it may be root (docs/SCHEDULER.md, "Containers and users").
  opened.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (opened.fd_ < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(opened.fd_, &st) != 0) return Status::FromErrno(errno, "stat " + path);
  if (!S_ISREG(st.st_mode)) return Status::PermissionDenied(path + " is not a regular file");
  if (opened.info_.offset + opened.info_.length > static_cast<uint64_t>(st.st_size)) {
    return Status::Corruption(path + ": index points past the end of the file");
  }
  *region = std::move(opened);
  return Status::OK();
}

}  // namespace mr::shuffle
