#include "shuffle_fetcher.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <glog/logging.h>

namespace mr {

namespace {

std::string Describe(const shuffle::SegmentSource& source) {
  return source.output_name + " on " + source.host + ":" + std::to_string(source.port);
}

// Copies one segment into `path`, retrying while the source is unreachable.
Result<SegmentRef> FetchOne(shuffle::ShuffleClient* client, const FetchRequest& request,
                            const shuffle::SegmentSource& source, const std::string& path,
                            const std::atomic<bool>& cancelled) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, request.attempts); ++attempt) {
    if (attempt > 0) {
      LOG(WARNING) << "shuffle: retrying " << Describe(source) << " after " << last.ToString();
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 6)));
    }
    if (cancelled.load()) return Status::Aborted("cancelled");
    RETURN_NOT_OK(RemoveAll(path));  // What a broken try left.
    ASSIGN_OR_RETURN(auto file, WritableFile::Create(path));
    Result<shuffle::FetchedSegment> fetched = client->Fetch(source, request.partition, file.get());
    if (fetched.ok()) {
      RETURN_NOT_OK(file->Close());
      if (file->size() != fetched->length) {
        return Status::Corruption("fetched " + std::to_string(file->size()) + " bytes, expected " +
                                  std::to_string(fetched->length));
      }
      SegmentInfo info{0, fetched->length, fetched->raw_bytes, fetched->records};
      return SegmentRef{path, info, nullptr};
    }
    last = fetched.status();
    if (last.code() != Status::Code::kUnavailable) break;
  }
  return last;
}

}  // namespace

Result<std::vector<SegmentRef>> FetchPartition(const FetchRequest& request,
                                               const std::atomic<bool>& cancelled,
                                               FetchStats* stats) {
  const size_t n = request.sources.size();
  std::vector<SegmentRef> segments(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;  // Guarded by mu.
  auto worker = [&] {
    shuffle::ShuffleClient client{shuffle::ShuffleClient::Options()};
    for (size_t i; !failed.load() && (i = next.fetch_add(1)) < n;) {
      const shuffle::SegmentSource& source = request.sources[i];
      std::string path = JoinPath(request.dir, "map-" + std::to_string(i) + ".segment");
      Result<SegmentRef> segment = FetchOne(&client, request, source, path, cancelled);
      std::lock_guard<std::mutex> lock(mu);
      if (!segment.ok()) {
        if (first_error.ok()) {
          first_error = segment.status().Prepend("fetching partition " +
                                                 std::to_string(request.partition) + " of " +
                                                 Describe(source));
        }
        failed = true;
        return;
      }
      stats->bytes += segment->info.length;
      stats->records += segment->info.records;
      segments[i] = *std::move(segment);
    }
  };
  int threads = static_cast<int>(std::clamp<size_t>(request.parallel_fetches, 1, std::max<size_t>(n, 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  RETURN_NOT_OK(first_error);
  return segments;
}

}  // namespace mr
