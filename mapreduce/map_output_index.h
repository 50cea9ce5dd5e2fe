// Reading and writing the index file of a map output (map_output_index.thrift).
#pragma once

#include <string>

#include "common/status.h"
#include "segment.h"

namespace mr {

std::string MapOutputIndexPath(const std::string& output_path);
Status WriteMapOutputIndex(const SegmentFile& output, int map_task);
// Reads the index of the map output at `output_path` and fills *output.
Status ReadMapOutputIndex(const std::string& output_path, SegmentFile* output);

}  // namespace mr
