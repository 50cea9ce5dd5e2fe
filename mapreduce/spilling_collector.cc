#include "spilling_collector.h"

#include <cstdio>

#include "merger.h"
#include "record_iterator.h"

namespace mr {

namespace {
// Hadoop's mapreduce.map.combine.minspills: below this, the final merge is
// cheaper than running the combiner again.
constexpr size_t kMinSpillsForCombine = 3;
}  // namespace

SpillingCollector::SpillingCollector(const Job& job, const Partitioner& partitioner,
                                     const TaskInfo& info, MapOutputOptions options,
                                     Counters* counters)
    : partitioner_(partitioner),
      info_(info),
      options_(std::move(options)),
      counters_(counters),
      num_partitions_(info.num_reducers) {
  if (job.combiner()) combiner_.emplace(job, info, counters);
}

Result<SegmentFile> SpillingCollector::Finish() {
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

std::unique_ptr<SegmentFileWriter> SpillingCollector::NewSpillWriter() {
  std::string path = spills_.empty() ? options_.output_path
                                     : SpillPath(spills_.size());
  auto writer = SegmentFileWriter::Create(path, num_partitions_);
  ThrowIfError(writer.status());
  return std::move(writer).value();
}

void SpillingCollector::FinishSpill(SegmentFileWriter* writer) {
  auto spill = writer->Finish();
  ThrowIfError(spill.status());
  for (const SegmentInfo& p : spill->partitions) spilled_records_ += p.records;
  spills_.push_back(std::move(spill).value());
}

uint32_t SpillingCollector::PartitionOf(std::string_view key) const {
  uint32_t p = partitioner_.Partition(key, num_partitions_);
  if (p >= static_cast<uint32_t>(num_partitions_)) {
    ThrowIfError(Status::InvalidArgument("partitioner returned partition " + std::to_string(p) +
                                         " of " + std::to_string(num_partitions_)));
  }
  return p;
}

std::string SpillingCollector::SpillPath(size_t n) const {
  return options_.output_path + ".spill" + std::to_string(n);
}

// Merges spills 1..n-1 and the first one (renamed away from the output
// path) into a new output file.
Status SpillingCollector::MergeSpills() {
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
                                                DirName(options_.output_path), prefix, &stats,
                                                options_.merge_progress));
    RETURN_NOT_OK(writer->StartPartition(p));
    ASSIGN_OR_RETURN(auto merged, MergeSegments(segments));
    auto sink = [&](std::string_view key, std::string_view value) {
      if (++spilled_records_ % kProgressRecordInterval == 0) options_.merge_progress.Done();
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

}  // namespace mr
