#include "mapreduce/streaming/streaming_job.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gflags/gflags.h>

#include "common/file.h"
#include "job_flags.h"
#include "mapreduce/streaming/stream_command.h"
#include "task_context.h"

DEFINE_string(mapper, "", "The mapper command (run with /bin/sh -c); required.");
DEFINE_string(reducer, "",
              "The reducer command (empty: the output is the map output's key\\tvalue lines).");
DEFINE_string(combiner, "", "The combiner command, run over each sorted batch of map output.");
DEFINE_int32(stream_combine_buffer_mb, 16,
             "With --combiner: map output buffered per map task before it is sorted and "
             "combined.");

namespace mr::streaming {

namespace {

// The user counters of a streaming job: lines each command wrote or read.
constexpr char kCounterGroup[] = "Streaming";

// Key and value of an output line: split at its first tab, else all key.
std::pair<std::string_view, std::string_view> SplitLine(std::string_view line) {
  size_t tab = line.find('\t');
  if (tab == std::string_view::npos) return {line, std::string_view()};
  return {line.substr(0, tab), line.substr(tab + 1)};
}

// Removes the local run's scratch directory when the process ends.
std::string* local_scratch_dir = nullptr;
void RemoveLocalScratch() {
  if (local_scratch_dir != nullptr) (void)RemoveAll(*local_scratch_dir);
}

// A scratch directory with a link to each --files entry by its base name.
Result<std::string> MakeLocalScratch() {
  const char* tmp = std::getenv("TMPDIR");
  std::string parent = !FLAGS_local_dir.empty() ? FLAGS_local_dir
                       : tmp != nullptr && *tmp != '\0' ? std::string(tmp)
                                                        : std::string("/tmp");
  RETURN_NOT_OK(CreateDirs(parent));
  std::string pattern = JoinPath(parent, "mrstream-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) return Status::FromErrno(errno, "mkdtemp " + pattern);
  local_scratch_dir = new std::string(pattern);
  std::atexit(RemoveLocalScratch);
  for (const std::string& file : JobFiles()) {
    char* absolute = ::realpath(file.c_str(), nullptr);
    if (absolute == nullptr) return Status::FromErrno(errno, "--files " + file);
    std::string target(absolute);
    std::free(absolute);
    std::string link = JoinPath(pattern, BaseName(file));
    if (::symlink(target.c_str(), link.c_str()) != 0) return Status::FromErrno(errno, "symlink " + link);
  }
  return pattern;
}

// Where the commands run: a cluster task's working directory (the current
// one, where its NM put the --files); in a local run with --files, a scratch
// directory linking them (made once per process); else the current one.
std::string CommandDirectory() {
  if (FLAGS_mr_role == "task" || JobFiles().empty()) return "";
  static std::once_flag once;
  static Result<std::string> dir = Status::OK();
  std::call_once(once, [] { dir = MakeLocalScratch(); });
  ThrowIfError(dir.status());
  return *dir;
}

std::unique_ptr<StreamCommand> StartCommand(const std::string& command, const std::string& role) {
  Result<std::unique_ptr<StreamCommand>> started =
      StreamCommand::Start(command, role, CommandDirectory(), /*own_group=*/FLAGS_mr_role != "task");
  ThrowIfError(started.status());
  return std::move(started).value();
}

// Map output waiting for the combiner: sorted by key and piped through one
// run of the combiner command whenever it reaches its budget, and at the
// end of the map task.
class CombineBuffer {
 public:
  explicit CombineBuffer(Context& context)
      : input_lines_(context.GetCounter(kCounterGroup, "Combiner input lines")),
        output_lines_(context.GetCounter(kCounterGroup, "Combiner output lines")) {}

  void Add(std::string_view key, std::string_view value, Context& context) {
    records_.push_back({bytes_.size(), static_cast<uint32_t>(key.size()),
                        static_cast<uint32_t>(value.size())});
    bytes_.append(key);
    bytes_.append(value);
    if (bytes_.size() >= budget_bytes_) Flush(context);
  }

  void Flush(Context& context) {
    if (records_.empty()) return;
    auto key_of = [&](const Record& r) { return std::string_view(bytes_).substr(r.offset, r.key_len); };
    std::stable_sort(records_.begin(), records_.end(),
                     [&](const Record& a, const Record& b) { return key_of(a) < key_of(b); });
    std::unique_ptr<StreamCommand> combiner = StartCommand(FLAGS_combiner, "combiner");
    auto emit = [&](std::string_view line) {
      output_lines_->Increment();
      auto [key, value] = SplitLine(line);
      context.Emit(key, value);
    };
    input_lines_->Increment(records_.size());
    for (const Record& r : records_) {
      combiner->AppendRecord(key_of(r), std::string_view(bytes_).substr(r.offset + r.key_len, r.value_len));
      ThrowIfError(combiner->MaybeWrite());
      combiner->TakeLines(emit);
    }
    ThrowIfError(combiner->Finish());
    combiner->TakeLines(emit);
    records_.clear();
    bytes_.clear();
  }

 private:
  struct Record {
    size_t offset;  // Of the key in bytes_; the value follows it.
    uint32_t key_len;
    uint32_t value_len;
  };
  const size_t budget_bytes_ = size_t{static_cast<uint32_t>(std::max(1, FLAGS_stream_combine_buffer_mb))} << 20;
  Counter* const input_lines_;
  Counter* const output_lines_;
  std::string bytes_;
  std::vector<Record> records_;
};

class StreamMapper final : public Mapper {
 public:
  void Setup(Context& context) override {
    command_ = StartCommand(FLAGS_mapper, "mapper");
    output_lines_ = context.GetCounter(kCounterGroup, "Mapper output lines");
    if (!FLAGS_combiner.empty()) combine_ = std::make_unique<CombineBuffer>(context);
  }
  void Map(std::string_view, std::string_view line, Context& context) override {
    command_->AppendLine(line);
    ThrowIfError(command_->MaybeWrite());
    Take(context);
  }
  void Cleanup(Context& context) override {
    ThrowIfError(command_->Finish());
    Take(context);
    if (combine_ != nullptr) combine_->Flush(context);
  }

 private:
  void Take(Context& context) {
    command_->TakeLines([&](std::string_view line) {
      output_lines_->Increment();
      auto [key, value] = SplitLine(line);
      if (combine_ != nullptr) {
        combine_->Add(key, value, context);
      } else {
        context.Emit(key, value);
      }
    });
  }

  std::unique_ptr<StreamCommand> command_;
  Counter* output_lines_ = nullptr;
  std::unique_ptr<CombineBuffer> combine_;
};

// Every line the reducer command writes is an output line as it is (the
// output format is raw: key, then value, nothing between).
class StreamReducer final : public Reducer {
 public:
  void Setup(Context&) override { command_ = StartCommand(FLAGS_reducer, "reducer"); }
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    std::string_view value;
    while (values.Next(&value)) {
      command_->AppendRecord(key, value);
      ThrowIfError(command_->MaybeWrite());
      Take(context);
    }
  }
  void Cleanup(Context& context) override {
    ThrowIfError(command_->Finish());
    Take(context);
  }

 private:
  void Take(Context& context) {
    command_->TakeLines([&](std::string_view line) { context.Emit(line, "\n"); });
  }

  std::unique_ptr<StreamCommand> command_;
};

// No --reducer: the map output as "key\tvalue" lines ("key" alone when the
// value is empty, so a line without a tab comes out as it went in).
class PassThroughReducer final : public Reducer {
 public:
  void Reduce(std::string_view key, ValueIterator& values, Context& context) override {
    std::string_view value;
    while (values.Next(&value)) {
      if (value.empty()) {
        context.Emit(key, "\n");
        continue;
      }
      line_.clear();
      line_ += '\t';
      line_.append(value);
      line_ += '\n';
      context.Emit(key, line_);
    }
  }

 private:
  std::string line_;
};

std::string CheckStreamingFlags() {
  if (FLAGS_mapper.empty()) return "--mapper is required (a command, e.g. --mapper='python3 map.py')";
  return "";
}

}  // namespace

Job MakeStreamingJob() {
  Job job("mrstream");
  // The factories run per task, once the flags are parsed.
  job.SetMapper<StreamMapper>()
      .SetReducer([]() -> std::unique_ptr<Reducer> {
        if (FLAGS_reducer.empty()) return std::make_unique<PassThroughReducer>();
        return std::make_unique<StreamReducer>();
      })
      .SetOutputFormat(OutputFormat::kRaw)
      .SetFlagCheck(CheckStreamingFlags);
  return job;
}

}  // namespace mr::streaming
