#include "task_context.h"

#include <exception>
#include <string>

namespace mr {

Status RunUserCode(std::string_view what, const std::function<Status()>& fn) {
  try {
    return fn();
  } catch (const TaskFailure& f) {
    return f.status.Prepend(what);
  } catch (const std::exception& e) {
    return Status::Aborted(std::string(what) + ": user code threw: " + e.what());
  } catch (...) {
    return Status::Aborted(std::string(what) + ": user code threw a non-standard exception");
  }
}

// Forwards emits of the current Combine() call to its sink.
class Combiner::ForwardingContext final : public Context {
 public:
  ForwardingContext(const TaskInfo& info, Counters* counters) : info_(info), counters_(counters) {}

  void Emit(std::string_view key, std::string_view value) override {
    if (key != key_) {
      ThrowIfError(Status::InvalidArgument("the combiner emitted a key other than its input key"));
    }
    ++*output_records_;
    ThrowIfError((*sink_)(key, value));
  }
  Counter* GetCounter(std::string_view group, std::string_view name) override {
    return counters_->Get(group, name);
  }
  const TaskInfo& task() const override { return info_; }

  std::string_view key_;
  const Sink* sink_ = nullptr;
  uint64_t* output_records_ = nullptr;

 private:
  const TaskInfo& info_;
  Counters* counters_;
};

namespace {
// Counts the values the combiner reads.
class CountingValues final : public ValueIterator {
 public:
  CountingValues(ValueIterator& inner, uint64_t* count) : inner_(inner), count_(count) {}
  bool Next(std::string_view* value) override {
    if (!inner_.Next(value)) return false;
    ++*count_;
    return true;
  }

 private:
  ValueIterator& inner_;
  uint64_t* count_;
};
}  // namespace

Combiner::Combiner(const Job& job, const TaskInfo& info, Counters* counters)
    : reducer_(job.combiner()()), context_(std::make_unique<ForwardingContext>(info, counters)) {
  context_->output_records_ = &output_records_;
  reducer_->Setup(*context_);
}

Combiner::~Combiner() = default;

void Combiner::Combine(std::string_view key, ValueIterator& values, const Sink& sink) {
  context_->key_ = key;
  context_->sink_ = &sink;
  CountingValues counted(values, &input_records_);
  reducer_->Reduce(key, counted, *context_);
  // Values the combiner skipped were still consumed from the input.
  std::string_view rest;
  while (counted.Next(&rest)) {
  }
}

}  // namespace mr
