// Input splits and the record readers that turn a split into records.
//
// A split is a byte range of one input file. A record belongs to the split
// that holds its first byte, so a record that straddles a boundary is read
// exactly once, by the split where it starts: a line reader whose split does
// not begin at 0 skips the partial line it lands in, and reads on past its
// end to finish its last line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file.h"
#include "common/status.h"
#include "input_source.h"
#include "mapreduce/mapreduce.h"

namespace mr {

struct InputSplit {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Splits of at most split_bytes over every input file under `input` (a file,
// or a directory read recursively, skipping names that start with '_' or
// '.'). Fixed-size record files must hold whole records; their splits are
// cut at record boundaries.
Result<std::vector<InputSplit>> ComputeSplits(const std::string& input, const Job& job,
                                              uint64_t split_bytes);

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Views are valid until the next call.
  virtual Status Next(std::string_view* key, std::string_view* value, bool* done) = 0;
  // Input bytes consumed so far (record delimiters included).
  virtual uint64_t bytes_read() const = 0;
  // The file of the record Next() returned last (its split's path), and the
  // offset of that record's first byte in the file.
  virtual const std::string& path() const = 0;
  virtual uint64_t record_offset() const = 0;
};

// Reads the split from the local file at split.path.
Result<std::unique_ptr<RecordReader>> OpenRecordReader(const InputSplit& split, const Job& job);
// Reads the split from `file` (split.path names it in messages only).
// InvalidArgument if the split ends past the file.
Result<std::unique_ptr<RecordReader>> OpenRecordReader(std::unique_ptr<InputSource> file,
                                                       const InputSplit& split, const Job& job);
// Reads the pieces of a combined split one after another, each through its
// own reader as above (so a record belongs to the piece holding its first
// byte, exactly as if each piece were a split of its own), opening a piece
// when the one before it is done. `open` opens a piece's file; empty: the
// local file at its path. Errors name the piece's file.
std::unique_ptr<RecordReader> OpenPiecesRecordReader(std::vector<InputSplit> pieces,
                                                     InputOpener open, const Job& job);

}  // namespace mr
