// Spill and map-output segments (mapreduce/segment.h), as the merger and
// the reduce read them from local disk or the shuffle. The first byte picks
// what the rest is:
//  - even: record bytes (the varint-framed key/value stream), stored in a
//    valid block stream, so the record parser sees them past the checksums;
//  - odd: the stored bytes of a segment (block headers, checksums, LZ4).
#include "common/block_stream.h"
#include "common/file.h"
#include "fuzz/fuzz_input.h"
#include "mapreduce/segment.h"

namespace {

void ReadAll(std::string_view stored, uint64_t raw_bytes) {
  mr::fuzz::WriteScratch(stored);
  auto file = mr::RandomAccessFile::Open(mr::fuzz::ScratchPath());
  if (!file.ok()) return;
  mr::SegmentInfo segment;
  segment.length = stored.size();
  segment.raw_bytes = raw_bytes;
  mr::SegmentReader reader(file->get(), segment);
  for (int i = 0; i < 1 << 20; ++i) {
    bool done = false;
    if (!reader.Next(&done).ok() || done) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  if (in.TakeByte() % 2 == 1) {
    ReadAll(in.rest(), in.rest().size());
    return 0;
  }
  // Store the records as a writer would (one unit, so one block at most per
  // 64 KiB of them), then read them back.
  const std::string stored_path = mr::fuzz::ScratchPath() + ".stored";
  (void)mr::RemoveAll(stored_path);
  auto file = mr::WritableFile::Create(stored_path);
  if (!file.ok()) return 0;
  mr::BlockWriter writer(file->get(), mr::SegmentBlockOptions());
  if (!writer.Append(in.rest()).ok() || !writer.Finish().ok() || !(*file)->Close().ok()) return 0;
  auto stored = mr::ReadFileToString(stored_path);
  if (!stored.ok()) return 0;
  ReadAll(*stored, in.rest().size());
  return 0;
}
