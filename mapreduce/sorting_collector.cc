#include <string_view>

#include "record_iterator.h"
#include "sort_buffer.h"
#include "spilling_collector.h"

namespace mr {

namespace {

// Iterates one partition's run of a sorted SortBuffer.
class SortBufferIterator final : public RecordIterator {
 public:
  SortBufferIterator(const SortBuffer& buffer, size_t begin, size_t end)
      : buffer_(buffer), next_(begin), end_(end) {}
  Status Next(bool* done) override {
    *done = next_ == end_;
    if (!*done) current_ = &buffer_.entry(next_++);
    return Status::OK();
  }
  std::string_view key() const override { return buffer_.Key(*current_); }
  std::string_view value() const override { return buffer_.Value(*current_); }

 private:
  const SortBuffer& buffer_;
  size_t next_;
  size_t end_;
  const SortBuffer::IndexEntry* current_ = nullptr;
};

class SortingCollector final : public SpillingCollector {
 public:
  SortingCollector(const Job& job, const Partitioner& partitioner, const TaskInfo& info,
                   MapOutputOptions options, Counters* counters)
      : SpillingCollector(job, partitioner, info, std::move(options), counters),
        buffer_(options_.buffer_bytes) {}

  void Collect(std::string_view key, std::string_view value) override {
    uint32_t partition = PartitionOf(key);
    if (buffer_.Add(partition, key, value)) return;
    if (!buffer_.empty()) SpillBuffered();
    if (buffer_.Add(partition, key, value)) return;
    // Larger than the whole buffer: a spill of its own (Hadoop's
    // spillSingleRecord), streamed from the caller's memory.
    auto writer = NewSpillWriter();
    ThrowIfError(writer->StartPartition(partition));
    ThrowIfError(writer->Append(key, value));
    FinishSpill(writer.get());
  }

 protected:
  bool HasBuffered() const override { return !buffer_.empty(); }

  void SpillBuffered() override {
    buffer_.Sort();
    auto writer = NewSpillWriter();
    size_t n = buffer_.size();
    for (size_t begin = 0; begin < n;) {
      uint32_t partition = buffer_.entry(begin).partition;
      size_t end = begin;
      while (end < n && buffer_.entry(end).partition == partition) ++end;
      ThrowIfError(writer->StartPartition(partition));
      auto sink = [&](std::string_view k, std::string_view v) { return writer->Append(k, v); };
      for (size_t i = begin; i < end;) {
        size_t run_end = i + 1;
        if (combiner_) {
          std::string_view key = buffer_.Key(buffer_.entry(i));
          while (run_end < end && buffer_.Key(buffer_.entry(run_end)) == key) ++run_end;
        }
        if (run_end == i + 1) {
          // A lone value (or no combiner): the combiner may run zero times.
          ThrowIfError(writer->AppendEncoded(buffer_.Record(buffer_.entry(i))));
        } else {
          SortBufferIterator run(buffer_, i, run_end);
          ThrowIfError(ForEachKeyGroup(&run, [&](std::string_view key, ValueIterator& values) {
            combiner_->Combine(key, values, sink);
          }));
        }
        i = run_end;
      }
      begin = end;
    }
    FinishSpill(writer.get());
    buffer_.Clear();
  }

 private:
  SortBuffer buffer_;
};

}  // namespace

std::unique_ptr<MapOutputCollector> NewSortingCollector(const Job& job,
                                                        const Partitioner& partitioner,
                                                        const TaskInfo& info,
                                                        MapOutputOptions options,
                                                        Counters* counters) {
  return std::make_unique<SortingCollector>(job, partitioner, info, std::move(options), counters);
}

}  // namespace mr
