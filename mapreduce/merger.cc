#include "merger.h"

#include "key_prefix.h"

#include <algorithm>
#include <cstring>

#include <unistd.h>

#include <glog/logging.h>

namespace mr {

namespace {

class SegmentIterator final : public RecordIterator {
 public:
  explicit SegmentIterator(SegmentRef ref) : ref_(std::move(ref)), reader_(ref_.file.get(), ref_.info) {}
  Status Next(bool* done) override { return reader_.Next(done); }
  std::string_view key() const override { return reader_.key(); }
  std::string_view value() const override { return reader_.value(); }

 private:
  SegmentRef ref_;  // Keeps the file open.
  SegmentReader reader_;
};

}  // namespace

MergingIterator::MergingIterator(std::vector<std::unique_ptr<RecordIterator>> children)
    : children_(std::move(children)) {}

bool MergingIterator::Less(const Entry& a, const Entry& b) const {
  if (a.prefix != b.prefix) return a.prefix < b.prefix;
  int c = a.it->key().compare(b.it->key());
  return c < 0 || (c == 0 && a.order < b.order);
}

void MergingIterator::SiftDown(size_t i) {
  size_t n = heap_.size();
  Entry e = heap_[i];
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && Less(heap_[child + 1], heap_[child])) ++child;
    if (!Less(heap_[child], e)) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = e;
}

Status MergingIterator::Next(bool* done) {
  if (!started_) {
    started_ = true;
    for (size_t i = 0; i < children_.size(); ++i) {
      bool child_done = false;
      RETURN_NOT_OK(children_[i]->Next(&child_done));
      if (!child_done) heap_.push_back({KeyPrefix(children_[i]->key()), children_[i].get(), i});
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  } else if (!heap_.empty()) {
    bool child_done = false;
    RETURN_NOT_OK(heap_.front().it->Next(&child_done));
    if (child_done) {
      heap_.front() = heap_.back();
      heap_.pop_back();
    } else {
      heap_.front().prefix = KeyPrefix(heap_.front().it->key());
    }
    if (!heap_.empty()) SiftDown(0);
  }
  *done = heap_.empty();
  return Status::OK();
}

Result<std::unique_ptr<RecordIterator>> MergeSegments(const std::vector<SegmentRef>& segments) {
  std::vector<std::unique_ptr<RecordIterator>> children;
  children.reserve(segments.size());
  for (SegmentRef s : segments) {
    if (s.file == nullptr) {
      ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(s.path));
      s.file = std::move(file);
    }
    if (s.info.offset + s.info.length > s.file->size()) {
      return Status::Corruption(s.path + ": segment past the end of the file");
    }
    children.push_back(std::make_unique<SegmentIterator>(std::move(s)));
  }
  return std::unique_ptr<RecordIterator>(std::make_unique<MergingIterator>(std::move(children)));
}

Result<std::vector<SegmentRef>> MergeDownToFanIn(std::vector<SegmentRef> segments, int fan_in,
                                                 const std::string& dir,
                                                 const std::string& file_prefix,
                                                 MergeStats* stats,
                                                 const ProgressPhase& progress) {
  CHECK_GE(fan_in, 2);
  uint64_t total_records = 0;
  for (const SegmentRef& s : segments) total_records += s.info.records;
  while (segments.size() > static_cast<size_t>(fan_in)) {
    // Merging (count - fan_in + 1) segments leaves exactly fan_in, or, when
    // that is more than fan_in, takes fan_in and goes round again. Smallest
    // first, so the big segments are read once, in the final merge.
    size_t take = std::min<size_t>(fan_in, segments.size() - fan_in + 1);
    std::stable_sort(segments.begin(), segments.end(), [](const SegmentRef& a, const SegmentRef& b) {
      return a.info.raw_bytes < b.info.raw_bytes;
    });
    std::vector<SegmentRef> group(segments.begin(), segments.begin() + take);
    segments.erase(segments.begin(), segments.begin() + take);

    std::string path = JoinPath(dir, file_prefix + ".merge" + std::to_string(stats->passes));
    ASSIGN_OR_RETURN(auto writer, SegmentFileWriter::Create(path, 1));
    RETURN_NOT_OK(writer->StartPartition(0));
    ASSIGN_OR_RETURN(auto merged, MergeSegments(group));
    RETURN_NOT_OK(ForEachRecord(merged.get(), [&](std::string_view key, std::string_view value) {
      if (++stats->intermediate_records % kProgressRecordInterval == 0) {
        progress.Report(stats->intermediate_records, total_records);
      }
      return writer->Append(key, value);
    }));
    ASSIGN_OR_RETURN(SegmentFile out, writer->Finish());
    ++stats->passes;
    ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(out.path));
    // The file stays readable after unlinking; nothing is left on disk if we die.
    ::unlink(out.path.c_str());
    segments.push_back({out.path, out.partitions[0], std::shared_ptr<RandomAccessFile>(std::move(file))});
  }
  return segments;
}

}  // namespace mr
