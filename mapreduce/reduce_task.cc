#include <glog/logging.h>

#include "map_output_index.h"
#include "merger.h"
#include "output_format.h"
#include "record_iterator.h"
#include "task_context.h"
#include "tasks.h"

namespace mr {

namespace {

// Without a reducer, every pair is written as it comes.
class IdentityReducer final : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    std::string_view value;
    while (values.Next(&value)) context.Emit(key, value);
  }
};

// This partition's segments of every map output (not opened yet).
Result<std::vector<SegmentRef>> FindSegments(const ReduceTaskSpec& spec, uint64_t* bytes) {
  std::vector<SegmentRef> segments;
  for (const SegmentRef& segment : spec.segments) {
    if (segment.info.records == 0) continue;
    *bytes += segment.info.length;
    segments.push_back(segment);
  }
  for (const std::string& path : spec.map_outputs) {
    SegmentFile output;
    RETURN_NOT_OK(ReadMapOutputIndex(path, &output));
    if (output.partitions.size() != static_cast<size_t>(spec.num_reducers)) {
      return Status::Corruption(path + ": index has " + std::to_string(output.partitions.size()) +
                                " partitions, expected " + std::to_string(spec.num_reducers));
    }
    const SegmentInfo& info = output.partitions[spec.partition];
    if (info.records == 0) continue;
    *bytes += info.length;
    segments.push_back({path, info, nullptr});
  }
  return segments;
}

}  // namespace

Status RunReduceTask(const Job& job, const ReduceTaskSpec& spec, const std::atomic<bool>& cancelled,
                     Counters* counters) {
  const TaskInfo info{TaskInfo::Kind::kReduce, spec.partition, spec.num_reducers};
  std::string name = "reduce task " + std::to_string(spec.partition);
  uint64_t bytes_read = 0;
  ASSIGN_OR_RETURN(std::vector<SegmentRef> segments, FindSegments(spec, &bytes_read));
  uint64_t total_records = 0;
  for (const SegmentRef& segment : segments) total_records += segment.info.records;
  // Hadoop's thirds: copy (the caller's), sort, reduce.
  const ProgressPhase sort_progress(spec.progress, 1.0 / 3, 2.0 / 3);
  const ProgressPhase reduce_progress(spec.progress, 2.0 / 3, 1);
  MergeStats stats;
  ASSIGN_OR_RETURN(segments,
                   MergeDownToFanIn(std::move(segments), spec.merge_fan_in, spec.work_dir,
                                    "reduce" + std::to_string(spec.partition), &stats,
                                    sort_progress));
  sort_progress.Done();
  std::unique_ptr<OutputWriter> writer;
  if (spec.open_output) {
    ASSIGN_OR_RETURN(auto sink, spec.open_output(spec.output_path));
    writer = OutputWriter::Create(std::move(sink), job.output_format());
  } else {
    ASSIGN_OR_RETURN(writer, OutputWriter::Create(spec.output_path, job.output_format()));
  }

  uint64_t groups = 0, input_records = 0, output_records = 0;
  auto write = [&](std::string_view key, std::string_view value) {
    ++output_records;
    return writer->Write(key, value);
  };
  SinkContext<decltype(write)> context(info, counters, write);
  Status s = RunUserCode(name, [&]() -> Status {
    std::unique_ptr<Reducer> reducer =
        job.reducer() ? job.reducer()() : std::make_unique<IdentityReducer>();
    reducer->Setup(context);
    ASSIGN_OR_RETURN(auto merged, MergeSegments(segments));
    // Counts every value the merge yields, read by the reducer or skipped,
    // and reports them as the reduce phase's progress.
    class Counted final : public RecordIterator {
     public:
      Counted(RecordIterator* inner, uint64_t* n, const ProgressPhase& progress, uint64_t total)
          : inner_(inner), n_(n), progress_(progress), total_(total) {}
      Status Next(bool* done) override {
        Status s = inner_->Next(done);
        if (s.ok() && !*done && ++*n_ % kProgressRecordInterval == 0) {
          progress_.Report(*n_, total_);
        }
        return s;
      }
      std::string_view key() const override { return inner_->key(); }
      std::string_view value() const override { return inner_->value(); }

     private:
      RecordIterator* inner_;
      uint64_t* n_;
      const ProgressPhase& progress_;
      const uint64_t total_;
    } counted(merged.get(), &input_records, reduce_progress, total_records);
    RETURN_NOT_OK(ForEachKeyGroup(&counted, [&](std::string_view key, ValueIterator& values) {
      ++groups;
      reducer->Reduce(key, values, context);
      if (groups % 1024 == 0 && cancelled.load(std::memory_order_relaxed)) {
        ThrowIfError(Status::Aborted("cancelled"));
      }
    }));
    reducer->Cleanup(context);
    reduce_progress.Done();
    return Status::OK();
  });
  counters->AddFramework(counter::kReduceInputGroups, groups);
  counters->AddFramework(counter::kReduceInputRecords, input_records);
  counters->AddFramework(counter::kReduceOutputRecords, output_records);
  counters->AddFramework(counter::kSpilledRecords, stats.intermediate_records);
  counters->Add(kFileSystemGroup, counter::kLocalBytesRead, bytes_read);
  RETURN_NOT_OK(s);
  RETURN_NOT_OK_PREPEND(writer->Close(), name);
  counters->Add(kFileSystemGroup, counter::kOutputBytes, writer->bytes_written());
  counters->AddFramework(counter::kReduceTasks, 1);
  return Status::OK();
}

}  // namespace mr
