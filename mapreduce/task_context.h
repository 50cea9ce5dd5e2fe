// The Context implementations handed to user code, and the exception that
// carries an engine error out through user code.
//
// Emit() returns nothing (the user API has no error path), so when the engine
// fails inside it (a full disk during a spill, a combiner that changed its
// key), it throws TaskFailure; the task's top level catches it, and any other
// exception from user code, and turns it into the task's Status. No exception
// leaves a task.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "counters.h"
#include "mapreduce/mapreduce.h"

namespace mr {

struct TaskFailure {
  Status status;
};

// Throws TaskFailure if `s` is not OK.
inline void ThrowIfError(Status s) {
  if (!s.ok()) throw TaskFailure{std::move(s)};
}

// Runs fn (which calls user code) and maps any exception to a Status that
// names `what` ("map task 3").
Status RunUserCode(std::string_view what, const std::function<Status()>& fn);

// A Context whose Emit() hands each pair to `Sink::operator()(key, value)`,
// which returns a Status. Counters and task info come from the task.
template <typename Sink>
class SinkContext final : public Context {
 public:
  SinkContext(const TaskInfo& info, Counters* counters, Sink sink)
      : info_(info), counters_(counters), sink_(std::move(sink)) {}

  void Emit(std::string_view key, std::string_view value) override {
    ThrowIfError(sink_(key, value));
  }
  Counter* GetCounter(std::string_view group, std::string_view name) override {
    return counters_->Get(group, name);
  }
  const TaskInfo& task() const override { return info_; }

 private:
  const TaskInfo& info_;
  Counters* counters_;
  Sink sink_;
};

// Runs the job's combiner on groups of one key and checks that it keeps the
// key (the output must stay sorted). Counts combine input and output records.
class Combiner {
 public:
  using Sink = std::function<Status(std::string_view key, std::string_view value)>;

  // `job.combiner()` must be set.
  Combiner(const Job& job, const TaskInfo& info, Counters* counters);
  ~Combiner();
  // Throws TaskFailure on an error of the sink or of the combiner's contract.
  void Combine(std::string_view key, ValueIterator& values, const Sink& sink);
  uint64_t input_records() const { return input_records_; }
  uint64_t output_records() const { return output_records_; }

 private:
  class ForwardingContext;
  std::unique_ptr<Reducer> reducer_;
  std::unique_ptr<ForwardingContext> context_;
  uint64_t input_records_ = 0;
  uint64_t output_records_ = 0;
};

}  // namespace mr
