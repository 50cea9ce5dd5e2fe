// The job API: everything a job author needs, in one header.
//
// A job is an ordinary executable. Its main() describes the job and hands
// argc/argv to JobMain(), which runs it:
//
//   class TokenizerMapper : public mr::Mapper { ... };
//   class SumReducer : public mr::Reducer { ... };
//   int main(int argc, char** argv) {
//     mr::Job job("wordcount");
//     job.SetMapper<TokenizerMapper>().SetCombiner<SumReducer>().SetReducer<SumReducer>();
//     return mr::JobMain(argc, argv, job);
//   }
//
// Keys and values are byte strings (std::string_view): any bytes, NUL
// included. Map output is sorted by key bytes (memcmp order) within each
// reduce partition, and each reducer sees its keys in that order.
//
// Threading: the engine creates one Mapper per map task and one Reducer per
// reduce task (and one combiner per task that combines), and calls each from
// a single thread. Different tasks run concurrently, so user classes must not
// share mutable state without their own locking. A user method that throws
// fails its task, and with it the job.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mr {

// A user counter, summed over all tasks and reported with the job's own.
class Counter {
 public:
  void Increment(int64_t delta = 1) { value_ += delta; }
  int64_t value() const { return value_; }

 private:
  int64_t value_ = 0;
};

struct TaskInfo {
  enum class Kind { kMap, kReduce };
  Kind kind;
  int index;          // Map task index, or the reduce partition.
  int num_reducers;
};

// Passed to every user method; valid only during the call.
class Context {
 public:
  virtual ~Context() = default;
  // Map and combine: adds a pair to the map output. Reduce: writes a pair to
  // the output. Both views may be released as soon as Emit returns.
  virtual void Emit(std::string_view key, std::string_view value) = 0;
  // The counter (group, name) of this task; the pointer stays valid for the
  // whole task, so hot loops may look it up once in Setup.
  virtual Counter* GetCounter(std::string_view group, std::string_view name) = 0;
  virtual const TaskInfo& task() const = 0;
  // Map only: where the current input record comes from, as Hadoop's
  // FileSplit and TextInputFormat's key tell. input_file() is the file's path
  // as the job was given it (a local path, or the DFS path on a cluster) and
  // input_offset() the byte offset of the record's first byte in that file.
  // Empty and 0 in Setup, Cleanup, combiners and reducers.
  virtual std::string_view input_file() const { return {}; }
  virtual uint64_t input_offset() const { return 0; }
};

class Mapper {
 public:
  virtual ~Mapper() = default;
  virtual void Setup(Context& context) {}
  // Text input: key is empty and value is one line without its "\n" (or
  // "\r\n"). Fixed-size records: key and value are the record's two parts.
  // context.input_file() and input_offset() say where the record is.
  virtual void Map(std::string_view key, std::string_view value, Context& context) = 0;
  virtual void Cleanup(Context& context) {}
};

// The values of one key, in no particular order; each view is valid until
// the next call to Next().
class ValueIterator {
 public:
  virtual ~ValueIterator() = default;
  virtual bool Next(std::string_view* value) = 0;
};

// Also serves as a combiner, whose Emit()s become map output again; a
// combiner may run zero, one or several times on any subset of a key's values,
// must emit only the key it was given, and gets Setup() but no Cleanup().
class Reducer {
 public:
  virtual ~Reducer() = default;
  virtual void Setup(Context& context) {}
  virtual void Reduce(std::string_view key, ValueIterator& values, Context& context) = 0;
  virtual void Cleanup(Context& context) {}
};

// Chooses a key's reduce partition in [0, num_partitions).
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  virtual uint32_t Partition(std::string_view key, uint32_t num_partitions) const = 0;
};

// XXH3 of the key bytes, spread over the partitions.
class HashPartitioner final : public Partitioner {
 public:
  uint32_t Partition(std::string_view key, uint32_t num_partitions) const override;
};

// Key ranges cut at sorted split points: partition i holds the keys k with
// split_points[i-1] <= k < split_points[i], so the concatenated outputs are
// globally sorted. Needs num_partitions == split_points.size() + 1. Points
// may repeat (skewed keys): the partitions between equal points stay empty.
class RangePartitioner final : public Partitioner {
 public:
  explicit RangePartitioner(std::vector<std::string> split_points);
  uint32_t Partition(std::string_view key, uint32_t num_partitions) const override;
  const std::vector<std::string>& split_points() const { return split_points_; }

 private:
  std::vector<std::string> split_points_;
};

enum class InputFormat {
  kTextLines,     // One record per line; "\n" ends a line, a trailing "\r" is dropped.
  kFixedRecords,  // Records of record_bytes; the first key_bytes are the key.
};

enum class OutputFormat {
  kText,  // "key\tvalue\n" per pair.
  kRaw,   // key bytes then value bytes, nothing between or after.
};

enum class Partitioning {
  kHash,   // HashPartitioner.
  kRange,  // RangePartitioner on split points sampled from the input.
};

// What the job computes. Cheap to copy; factories are called once per task.
class Job {
 public:
  using MapperFactory = std::function<std::unique_ptr<Mapper>()>;
  using ReducerFactory = std::function<std::unique_ptr<Reducer>()>;

  explicit Job(std::string name) : name_(std::move(name)) {}

  template <typename T>
  Job& SetMapper() { mapper_ = [] { return std::make_unique<T>(); }; return *this; }
  template <typename T>
  Job& SetReducer() { reducer_ = [] { return std::make_unique<T>(); }; return *this; }
  template <typename T>
  Job& SetCombiner() { combiner_ = [] { return std::make_unique<T>(); }; return *this; }
  Job& SetMapper(MapperFactory f) { mapper_ = std::move(f); return *this; }
  Job& SetReducer(ReducerFactory f) { reducer_ = std::move(f); return *this; }
  Job& SetCombiner(ReducerFactory f) { combiner_ = std::move(f); return *this; }

  Job& SetInputFormat(InputFormat format) { input_format_ = format; return *this; }
  Job& SetFixedRecordLayout(int record_bytes, int key_bytes) {
    record_bytes_ = record_bytes; key_bytes_ = key_bytes; return *this;
  }
  Job& SetOutputFormat(OutputFormat format) { output_format_ = format; return *this; }
  Job& SetPartitioning(Partitioning p) { partitioning_ = p; return *this; }
  // Used when --reducers is not given.
  Job& SetDefaultReducers(int n) { default_reducers_ = n; return *this; }
  // Replicas of each part file on a cluster (0: the DFS's default). Output
  // that is cheap to recompute may take 1, as Hadoop's TeraSort does.
  Job& SetOutputReplication(int n) { output_replication_ = n; return *this; }
  // Checks the job's own flags once they are parsed: a non-empty message is
  // a usage error (exit code 2) reported before anything runs.
  Job& SetFlagCheck(std::function<std::string()> check) { flag_check_ = std::move(check); return *this; }

  const std::string& name() const { return name_; }
  // Empty: the identity mapper (every input record is emitted as it is).
  const MapperFactory& mapper() const { return mapper_; }
  // Empty: the identity reducer (every value is written as it comes).
  const ReducerFactory& reducer() const { return reducer_; }
  const ReducerFactory& combiner() const { return combiner_; }
  InputFormat input_format() const { return input_format_; }
  int record_bytes() const { return record_bytes_; }
  int key_bytes() const { return key_bytes_; }
  OutputFormat output_format() const { return output_format_; }
  Partitioning partitioning() const { return partitioning_; }
  int default_reducers() const { return default_reducers_; }
  int output_replication() const { return output_replication_; }
  const std::function<std::string()>& flag_check() const { return flag_check_; }

 private:
  std::string name_;
  MapperFactory mapper_;
  ReducerFactory reducer_;
  ReducerFactory combiner_;
  InputFormat input_format_ = InputFormat::kTextLines;
  int record_bytes_ = 100;
  int key_bytes_ = 10;
  OutputFormat output_format_ = OutputFormat::kText;
  Partitioning partitioning_ = Partitioning::kHash;
  int default_reducers_ = 1;
  int output_replication_ = 0;
  std::function<std::string()> flag_check_;
};

// The entry point of every job binary. Parses the framework's flags (and the
// job's own gflags) from argv, runs the job, prints its counters, and returns
// the process exit code: 0 success, 1 the job failed, 2 usage error.
//
//   <binary> --input=PATH --output=DIR [--reducers=N]   run on this machine
//
// PATH is a file or a directory read recursively (names starting with '_'
// or '.' are skipped). DIR must not exist; on success it holds part-r-00000
// .. (one per reducer, keys sorted by bytes within each), _counters.json, and
// _SUCCESS. It appears by an atomic rename, so a failed or killed job leaves
// nothing there. Other framework flags (see --help): --parallelism,
// --split_size_mb, --sort_buffer_mb, --merge_fan_in, --map_side_aggregation,
// --spill_compression, --local_dir.
//
// The same binary runs the job on a cluster (docs/SCHEDULER.md):
//
//   <binary> --cluster=DIR --input=DFS_PATH --output=DFS_DIR [--reducers=N]
//            [--partitioner=hash|range] [job flags]
//
// submits it (as `mrjob submit` does), forwarding the job's own flags to
// every task. The framework itself starts the binary with --mr_role=am (the
// job's Application Master) and --mr_role=task (one map or reduce attempt).
// Job binaries link the library mr_job.
int JobMain(int argc, char** argv, const Job& job);

}  // namespace mr
