#include "record_iterator.h"

namespace mr {

namespace {

// The values of the current key. The key is copied, because the record it
// came from is released as soon as the iterator advances.
class GroupValues final : public ValueIterator {
 public:
  explicit GroupValues(RecordIterator* sorted) : sorted_(sorted) {}

  // Positions on the first record; false when there is none (or on error).
  bool Start() {
    Advance();
    return !done_ && status_.ok();
  }

  // Begins the group at the current record; returns false at the end.
  bool BeginGroup() {
    if (done_ || !status_.ok()) return false;
    key_.assign(sorted_->key());
    first_pending_ = true;
    return true;
  }

  bool Next(std::string_view* value) override {
    if (in_group_end_) return false;
    if (first_pending_) {
      first_pending_ = false;
      *value = sorted_->value();
      return true;
    }
    Advance();
    if (done_ || !status_.ok() || sorted_->key() != key_) {
      in_group_end_ = true;
      return false;
    }
    *value = sorted_->value();
    return true;
  }

  // Skips what the user left of the group, stopping on the next key.
  void FinishGroup() {
    std::string_view ignored;
    if (!in_group_end_) {
      while (Next(&ignored)) {
      }
    }
    in_group_end_ = false;
  }

  const std::string& key() const { return key_; }
  const Status& status() const { return status_; }

 private:
  void Advance() {
    status_ = sorted_->Next(&done_);
  }

  RecordIterator* sorted_;
  std::string key_;
  Status status_;
  bool done_ = false;
  bool first_pending_ = false;
  bool in_group_end_ = false;
};

}  // namespace

Status ForEachRecord(RecordIterator* it,
                     const std::function<Status(std::string_view key, std::string_view value)>& fn) {
  while (true) {
    bool done = false;
    RETURN_NOT_OK(it->Next(&done));
    if (done) return Status::OK();
    RETURN_NOT_OK(fn(it->key(), it->value()));
  }
}

Status ForEachKeyGroup(RecordIterator* sorted,
                       const std::function<void(std::string_view key, ValueIterator& values)>& fn) {
  GroupValues group(sorted);
  if (!group.Start()) return group.status();
  while (group.BeginGroup()) {
    fn(group.key(), group);
    group.FinishGroup();
  }
  return group.status();
}

}  // namespace mr
