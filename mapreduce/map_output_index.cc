#include "map_output_index.h"

#include "common/coding.h"
#include "common/file.h"
#include "common/hash.h"
#include "map_output_index_types.h"
#include "rpc/thrift_codec.h"

namespace mr {

namespace {
constexpr int32_t kIndexVersion = 1;
constexpr size_t kMaxIndexBytes = 64 << 20;
}  // namespace

std::string MapOutputIndexPath(const std::string& output_path) { return output_path + ".index"; }

Status WriteMapOutputIndex(const SegmentFile& output, int map_task) {
  wire::MapOutputIndex index;
  index.version = kIndexVersion;
  index.map_task = map_task;
  for (const SegmentInfo& s : output.partitions) {
    wire::SegmentIndexEntry e;
    e.offset = s.offset;
    e.length = s.length;
    e.raw_bytes = s.raw_bytes;
    e.records = s.records;
    index.partitions.push_back(e);
  }
  std::string bytes = EncodeThrift(index);
  PutFixed64(&bytes, Hash64(bytes));
  return WriteStringToFile(MapOutputIndexPath(output.path), bytes, /*sync=*/false);
}

Status ReadMapOutputIndex(const std::string& output_path, SegmentFile* output) {
  std::string path = MapOutputIndexPath(output_path);
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  if (bytes.size() < 8 || bytes.size() > kMaxIndexBytes) return Status::Corruption(path + ": bad size");
  std::string_view body(bytes.data(), bytes.size() - 8);
  if (Hash64(body) != DecodeFixed64(bytes.data() + body.size())) {
    return Status::Corruption(path + ": checksum mismatch");
  }
  wire::MapOutputIndex index;
  RETURN_NOT_OK(DecodeThrift(body, path, &index));
  if (index.version != kIndexVersion) return Status::Corruption(path + ": unknown index version");
  output->path = output_path;
  output->partitions.clear();
  for (const wire::SegmentIndexEntry& e : index.partitions) {
    if (e.offset < 0 || e.length < 0 || e.raw_bytes < 0 || e.records < 0) {
      return Status::Corruption(path + ": negative segment field");
    }
    output->partitions.push_back({static_cast<uint64_t>(e.offset), static_cast<uint64_t>(e.length),
                                  static_cast<uint64_t>(e.raw_bytes),
                                  static_cast<uint64_t>(e.records)});
  }
  return Status::OK();
}

}  // namespace mr
