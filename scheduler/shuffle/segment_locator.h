// Finding the segment a shuffle request names: the map output's index under
// <apps_dir>/<app_id>/output/, and the output file opened for sending.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "common/status.h"
#include "mapreduce/segment.h"
#include "scheduler/shuffle/shuffle_protocol.h"

namespace mr::shuffle {

// An open map output file and the region of it to send. Owns the
// descriptor (closed by the destructor). Move-only.
class SegmentRegion {
 public:
  SegmentRegion() = default;
  SegmentRegion(SegmentRegion&& other) noexcept { *this = std::move(other); }
  SegmentRegion& operator=(SegmentRegion&& other) noexcept;
  ~SegmentRegion();

  int fd() const { return fd_; }
  const SegmentInfo& info() const { return info_; }

 private:
  friend Status LocateSegment(const std::string&, const ShuffleRequest&, SegmentRegion*);
  int fd_ = -1;
  SegmentInfo info_;
};

// The answer the client gets when this fails: InvalidArgument for bad
// names or a partition the output lacks, NotFound for a missing output,
// Corruption for an index that points past its file, IOError otherwise.
Status LocateSegment(const std::string& apps_dir, const ShuffleRequest& request,
                     SegmentRegion* region);

}  // namespace mr::shuffle
