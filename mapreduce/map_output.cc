#include "map_output.h"

#include <cstdio>
#include <optional>
#include <vector>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "aggregation_table.h"
#include "common/coding.h"
#include "common/hash.h"
#include "hash_partition.h"
#include "merger.h"
#include "record.h"
#include "record_iterator.h"
#include "sort_buffer.h"
#include "task_context.h"

DEFINE_int32(aggregation_combine_threshold, 8,
             "Map-side aggregation runs the combiner on a key whose next value does not fit in "
             "its table entry once it holds this many values.");

namespace mr {

namespace {

// Hadoop's mapreduce.map.combine.minspills: below this, the final merge is
// cheaper than running the combiner again.
constexpr size_t kMinSpillsForCombine = 3;
// Map-side aggregation combines a key's values at this size even when there
// are fewer than --aggregation_combine_threshold of them.
constexpr size_t kCombineAtValueBytes = 4096;

// Spill files and the final merge, shared by both collectors.
class SpillingCollector : public MapOutputCollector {
 public:
  SpillingCollector(const Job& job, const Partitioner& partitioner, const TaskInfo& info,
                    MapOutputOptions options, Counters* counters)
      : partitioner_(partitioner),
        info_(info),
        options_(std::move(options)),
        counters_(counters),
        num_partitions_(info.num_reducers) {
    if (job.combiner()) combiner_.emplace(job, info, counters);
  }

  Result<SegmentFile> Finish() override {
    RETURN_NOT_OK(RunUserCode("map output", [this] {
      if (HasBuffered() || spills_.empty()) SpillBuffered();
      return Status::OK();
    }));
    counters_->AddFramework(counter::kMapSpills, spills_.size());
    Status s = MergeSpills();
    if (combiner_) {
      counters_->AddFramework(counter::kCombineInputRecords, combiner_->input_records());
      counters_->AddFramework(counter::kCombineOutputRecords, combiner_->output_records());
    }
    counters_->AddFramework(counter::kSpilledRecords, spilled_records_);
    if (!s.ok()) return s;
    return std::move(final_);
  }

 protected:
  virtual bool HasBuffered() const = 0;
  // Writes what is buffered as one sorted spill (throws TaskFailure).
  virtual void SpillBuffered() = 0;

  // A writer for the next spill. The first spill is written straight to the
  // output path: if it is the only one, it needs no merge.
  std::unique_ptr<SegmentFileWriter> NewSpillWriter() {
    std::string path = spills_.empty() ? options_.output_path
                                       : SpillPath(spills_.size());
    auto writer = SegmentFileWriter::Create(path, num_partitions_);
    ThrowIfError(writer.status());
    return std::move(writer).value();
  }

  void FinishSpill(SegmentFileWriter* writer) {
    auto spill = writer->Finish();
    ThrowIfError(spill.status());
    for (const SegmentInfo& p : spill->partitions) spilled_records_ += p.records;
    spills_.push_back(std::move(spill).value());
  }

  uint32_t PartitionOf(std::string_view key) const {
    uint32_t p = partitioner_.Partition(key, num_partitions_);
    if (p >= static_cast<uint32_t>(num_partitions_)) {
      ThrowIfError(Status::InvalidArgument("partitioner returned partition " + std::to_string(p) +
                                           " of " + std::to_string(num_partitions_)));
    }
    return p;
  }

  const Partitioner& partitioner_;
  const TaskInfo& info_;
  MapOutputOptions options_;
  Counters* counters_;
  int num_partitions_;
  std::optional<Combiner> combiner_;

 private:
  std::string SpillPath(size_t n) const {
    return options_.output_path + ".spill" + std::to_string(n);
  }

  // Merges spills 1..n-1 and the first one (at the output path) into a new
  // output file.
  Status MergeSpills() {
    if (spills_.size() == 1) {
      final_ = std::move(spills_[0]);
      return Status::OK();
    }
    std::string first_path = SpillPath(0);
    if (std::rename(options_.output_path.c_str(), first_path.c_str()) != 0) {
      return Status::FromErrno(errno, "rename " + options_.output_path);
    }
    spills_[0].path = first_path;
    ASSIGN_OR_RETURN(auto writer, SegmentFileWriter::Create(options_.output_path, num_partitions_));
    bool combine = combiner_.has_value() && spills_.size() >= kMinSpillsForCombine;
    MergeStats stats;
    for (int p = 0; p < num_partitions_; ++p) {
      std::vector<SegmentRef> segments;
      for (size_t i = 0; i < spills_.size(); ++i) {
        if (spills_[i].partitions[p].records > 0) {
          segments.push_back({spills_[i].path, spills_[i].partitions[p], nullptr});
        }
      }
      if (segments.empty()) continue;
      std::string prefix = BaseName(options_.output_path) + ".p" + std::to_string(p);
      ASSIGN_OR_RETURN(segments, MergeDownToFanIn(std::move(segments), options_.merge_fan_in,
                                                  DirName(options_.output_path), prefix, &stats));
      RETURN_NOT_OK(writer->StartPartition(p));
      ASSIGN_OR_RETURN(auto merged, MergeSegments(segments));
      auto sink = [&](std::string_view key, std::string_view value) {
        ++spilled_records_;
        return writer->Append(key, value);
      };
      if (combine) {
        RETURN_NOT_OK(RunUserCode("combiner", [&] {
          return ForEachKeyGroup(merged.get(), [&](std::string_view key, ValueIterator& values) {
            combiner_->Combine(key, values, sink);
          });
        }));
      } else {
        RETURN_NOT_OK(ForEachRecord(merged.get(), sink));
      }
    }
    spilled_records_ += stats.intermediate_records;
    counters_->AddFramework(counter::kMergePasses, stats.passes + 1);
    ASSIGN_OR_RETURN(final_, writer->Finish());
    // On failure the runner removes the whole work directory instead.
    for (const SegmentFile& spill : spills_) RETURN_NOT_OK(RemoveAll(spill.path));
    return Status::OK();
  }

  std::vector<SegmentFile> spills_;
  SegmentFile final_;
  uint64_t spilled_records_ = 0;
};

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

// The values stored in an AggregationTable entry.
class EntryValues final : public ValueIterator {
 public:
  explicit EntryValues(std::string_view encoded) : pos_(encoded.data()), end_(pos_ + encoded.size()) {}
  bool Next(std::string_view* value) override {
    uint32_t len;
    const char* p = pos_ < end_ ? DecodeVarint32(pos_, end_, &len) : nullptr;
    if (p == nullptr) return false;
    *value = std::string_view(p, len);
    pos_ = p + len;
    return true;
  }

 private:
  const char* pos_;
  const char* end_;
};

class AggregatingCollector final : public SpillingCollector {
 public:
  AggregatingCollector(const Job& job, const Partitioner& partitioner, const TaskInfo& info,
                       MapOutputOptions options, Counters* counters)
      : SpillingCollector(job, partitioner, info, std::move(options), counters),
        hash_partitioner_(dynamic_cast<const HashPartitioner*>(&partitioner) != nullptr) {}

  void Collect(std::string_view key, std::string_view value) override {
    uint64_t hash = Hash64(key);
    bool inserted = false;
    AggregationTable::Entry* entry = table_.FindOrInsert(key, hash, &inserted);
    if (inserted) {
      // The hash partitioner would hash the key again; reuse ours.
      entry->partition = hash_partitioner_ ? PartitionOfHash(hash, num_partitions_) : PartitionOf(key);
    }
    // Combine when the value would not fit in the entry and there are
    // enough values to make the call worth it: small values then never
    // leave their entry. Large ones overflow, and are combined by bytes.
    if (!table_.FitsInline(*entry, value) &&
        entry->value_count >= static_cast<uint32_t>(FLAGS_aggregation_combine_threshold)) {
      CombineInPlace(entry);
    }
    if (!table_.AddValue(entry, value) && entry->values().size() >= kCombineAtValueBytes) {
      CombineInPlace(entry);
    }
    // Spill before the next insertion could take the table past its budget;
    // a single entry is never spilled alone (a tiny budget would otherwise
    // spill every record).
    if (table_.size() > 1 &&
        table_.memory_bytes() + table_.next_growth_bytes() > options_.buffer_bytes) {
      SpillBuffered();
    }
  }

 protected:
  bool HasBuffered() const override { return !table_.empty(); }

  void SpillBuffered() override {
    auto writer = NewSpillWriter();
    auto sink = [&](std::string_view k, std::string_view v) { return writer->Append(k, v); };
    int partition = -1;
    std::vector<uint32_t> order = table_.SortedOrder();
    std::vector<AggregationTable::Entry>& entries = table_.entries();
    for (size_t n = 0; n < order.size(); ++n) {
      // Sorted order visits the entries at random: fetch ahead.
      constexpr size_t kPrefetchDistance = 8;
      if (n + kPrefetchDistance < order.size()) {
        __builtin_prefetch(&entries[order[n + kPrefetchDistance]]);
      }
      AggregationTable::Entry& e = entries[order[n]];
      if (e.value_count == 0) continue;
      if (static_cast<int>(e.partition) != partition) {
        partition = e.partition;
        ThrowIfError(writer->StartPartition(partition));
      }
      EntryValues values(e.values());
      if (e.value_count == 1) {
        // Nothing to combine: the combiner may run zero times on a value.
        std::string_view value;
        values.Next(&value);
        ThrowIfError(writer->Append(e.key(), value));
      } else {
        combiner_->Combine(e.key(), values, sink);
      }
    }
    FinishSpill(writer.get());
    table_.Clear();
  }

 private:
  void CombineInPlace(AggregationTable::Entry* entry) {
    combined_.clear();
    uint32_t count = 0;
    auto sink = [&](std::string_view, std::string_view v) {
      PutVarint32(&combined_, static_cast<uint32_t>(v.size()));
      combined_.append(v);
      ++count;
      return Status::OK();
    };
    EntryValues values(entry->values());
    combiner_->Combine(entry->key(), values, sink);
    table_.ReplaceValues(entry, combined_, count);
  }

  AggregationTable table_;
  bool hash_partitioner_;
  std::string combined_;
};

}  // namespace

std::unique_ptr<MapOutputCollector> MapOutputCollector::Create(const Job& job,
                                                               const Partitioner& partitioner,
                                                               const TaskInfo& info,
                                                               MapOutputOptions options,
                                                               Counters* counters) {
  if (job.combiner() && options.aggregate) {
    return std::make_unique<AggregatingCollector>(job, partitioner, info, std::move(options),
                                                  counters);
  }
  return std::make_unique<SortingCollector>(job, partitioner, info, std::move(options), counters);
}

}  // namespace mr
