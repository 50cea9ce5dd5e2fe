#include <chrono>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "map_output_index.h"
#include "progress_reporter.h"
#include "task_context.h"
#include "tasks.h"

DEFINE_int32(fault_inject_map_record_delay_us, 0,
             "Testing only: every map task sleeps this long before each input record.");

namespace mr {

namespace {

// Hands emits to the collector, counting them.
class MapContext final : public Context {
 public:
  MapContext(const TaskInfo& info, Counters* counters, MapOutputCollector* collector)
      : info_(info), counters_(counters), collector_(collector) {}

  void Emit(std::string_view key, std::string_view value) override {
    ++records_;
    bytes_ += key.size() + value.size();
    collector_->Collect(key, value);
  }
  Counter* GetCounter(std::string_view group, std::string_view name) override {
    return counters_->Get(group, name);
  }
  const TaskInfo& task() const override { return info_; }
  std::string_view input_file() const override {
    return reader_ != nullptr ? std::string_view(reader_->path()) : std::string_view();
  }
  uint64_t input_offset() const override {
    return reader_ != nullptr ? reader_->record_offset() : 0;
  }

  uint64_t records() const { return records_; }
  uint64_t bytes() const { return bytes_; }
  // The reader whose records Map() gets, while it gets them; null in Setup
  // and Cleanup.
  void set_reader(const RecordReader* reader) { reader_ = reader; }

 private:
  const TaskInfo& info_;
  Counters* counters_;
  MapOutputCollector* collector_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  const RecordReader* reader_ = nullptr;
};

// Without a mapper, every input record is emitted as it comes.
class IdentityMapper final : public Mapper {
 public:
  void Map(std::string_view key, std::string_view value, Context& context) override {
    context.Emit(key, value);
  }
};

// Check for cancellation this often (records).
constexpr uint64_t kCancelCheckInterval = 4096;

}  // namespace

Status RunMapTask(const Job& job, const Partitioner& partitioner, const MapTaskSpec& spec,
                  const std::atomic<bool>& cancelled, Counters* counters) {
  const TaskInfo info{TaskInfo::Kind::kMap, spec.task_index, spec.num_reducers};
  std::string name = "map task " + std::to_string(spec.task_index);
  std::unique_ptr<RecordReader> reader;
  std::string input_name = spec.split.path;  // For errors.
  if (!spec.pieces.empty()) {
    reader = OpenPiecesRecordReader(spec.pieces, spec.open_input, job);
    input_name = "combined split of " + std::to_string(spec.pieces.size()) + " pieces";
  } else if (spec.open_input) {
    ASSIGN_OR_RETURN(auto source, spec.open_input(spec.split));
    ASSIGN_OR_RETURN(reader, OpenRecordReader(std::move(source), spec.split, job));
  } else {
    ASSIGN_OR_RETURN(reader, OpenRecordReader(spec.split, job));
  }
  MapOutputOptions output_options = spec.output;
  // The input is all read by the final merge: it only ticks.
  output_options.merge_progress = ProgressPhase(spec.progress, 1, 1);
  auto collector = MapOutputCollector::Create(job, partitioner, info, output_options, counters);
  MapContext context(info, counters, collector.get());
  uint64_t input_records = 0;
  // Progress: input bytes consumed of the split's (a reader finishing its
  // last record reads a little past the end; the fraction is capped).
  uint64_t split_bytes = spec.split.length;
  if (!spec.pieces.empty()) {
    split_bytes = 0;
    for (const InputSplit& piece : spec.pieces) split_bytes += piece.length;
  }
  const ProgressPhase progress(spec.progress, 0, 1);
  Status s = RunUserCode(name, [&]() -> Status {
    std::unique_ptr<Mapper> mapper =
        job.mapper() ? job.mapper()() : std::make_unique<IdentityMapper>();
    mapper->Setup(context);
    context.set_reader(reader.get());
    std::string_view key, value;
    while (true) {
      bool done = false;
      RETURN_NOT_OK_PREPEND(reader->Next(&key, &value, &done), input_name);
      if (done) break;
      if (FLAGS_fault_inject_map_record_delay_us > 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(FLAGS_fault_inject_map_record_delay_us));
      }
      mapper->Map(key, value, context);
      ++input_records;
      if (input_records % kProgressRecordInterval == 0) {
        progress.Report(reader->bytes_read(), split_bytes);
      }
      if (input_records % kCancelCheckInterval == 0 && cancelled.load(std::memory_order_relaxed)) {
        return Status::Aborted("cancelled");
      }
    }
    context.set_reader(nullptr);
    mapper->Cleanup(context);
    progress.Done();
    return Status::OK();
  });
  counters->AddFramework(counter::kMapInputRecords, input_records);
  counters->AddFramework(counter::kMapInputBytes, reader->bytes_read());
  counters->AddFramework(counter::kMapOutputRecords, context.records());
  counters->AddFramework(counter::kMapOutputBytes, context.bytes());
  RETURN_NOT_OK(s);
  ASSIGN_OR_RETURN(SegmentFile output, collector->Finish());
  uint64_t bytes = 0;
  for (const SegmentInfo& p : output.partitions) bytes += p.length;
  counters->Add(kFileSystemGroup, counter::kLocalBytesWritten, bytes);
  counters->AddFramework(counter::kMapTasks, 1);
  return WriteMapOutputIndex(output, spec.task_index).Prepend(name);
}

}  // namespace mr
