// The index of a map task's output file: where each reduce partition's
// segment lies. Written beside the output as "<output>.index" (Thrift compact
// protocol, then an 8-byte XXH3 of those bytes) and read by reduce tasks and,
// on a cluster, by the shuffle service. See docs/FORMATS.md.
namespace cpp mr.wire

struct SegmentIndexEntry {
  1: required i64 offset
  2: required i64 length
  3: required i64 raw_bytes
  4: required i64 records
}

struct MapOutputIndex {
  1: required i32 version = 1
  2: required i32 map_task
  3: required list<SegmentIndexEntry> partitions
}
