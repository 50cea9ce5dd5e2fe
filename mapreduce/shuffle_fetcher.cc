#include "shuffle_fetcher.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <glog/logging.h>

#include "common/clock.h"

namespace mr {

namespace {

std::string HostPort(const shuffle::SegmentSource& source) {
  return source.host + ":" + std::to_string(source.port);
}

std::string Describe(const shuffle::SegmentSource& source) {
  return source.output_name + " on " + HostPort(source);
}

// Errors that say the map output is lost (its node is gone, its file is
// missing or damaged), rather than that this reduce cannot go on.
bool IsFetchFailure(const Status& s) {
  return s.code() == Status::Code::kUnavailable || s.code() == Status::Code::kNotFound ||
         s.code() == Status::Code::kCorruption;
}

constexpr int kFirstPauseMs = 200;
constexpr int kMaxPauseMs = 5000;

// The shuffle services of one copy phase: since when each has been
// unreachable. Thread-safety: every method locks.
class ServiceStates {
 public:
  // Whether `service` has been unreachable for `limit_ms` already.
  bool Dead(const std::string& service, int64_t limit_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = down_since_.find(service);
    return it != down_since_.end() && it->second > 0 && SteadyClockMs() - it->second >= limit_ms;
  }
  void Failed(const std::string& service) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t& since = down_since_[service];
    if (since == 0) since = SteadyClockMs();
  }
  void Worked(const std::string& service) {
    std::lock_guard<std::mutex> lock(mu_);
    down_since_[service] = 0;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> down_since_;  // 0: reachable.
};

// Copies one segment into `path`, retrying while its service is
// unreachable, within the request's bound.
Result<SegmentRef> FetchOne(shuffle::ShuffleClient* client, const FetchRequest& request,
                            const shuffle::SegmentSource& source, const std::string& path,
                            const std::atomic<bool>& cancelled, ServiceStates* services) {
  const std::string service = HostPort(source);
  int pause_ms = kFirstPauseMs;
  for (int attempt = 0;; ++attempt) {
    if (cancelled.load()) return Status::Aborted("cancelled");
    RETURN_NOT_OK(RemoveAll(path));  // What a broken try left.
    ASSIGN_OR_RETURN(auto file, WritableFile::Create(path));
    Result<shuffle::FetchedSegment> fetched = client->Fetch(source, request.partition, file.get());
    if (fetched.ok()) {
      services->Worked(service);
      RETURN_NOT_OK(file->Close());
      if (file->size() != fetched->length) {
        return Status::Corruption("fetched " + std::to_string(file->size()) + " bytes, expected " +
                                  std::to_string(fetched->length));
      }
      SegmentInfo info{0, fetched->length, fetched->raw_bytes, fetched->records};
      return SegmentRef{path, info, nullptr};
    }
    Status last = fetched.status();
    if (last.code() != Status::Code::kUnavailable) return last;
    services->Failed(service);
    if (services->Dead(service, request.unreachable_ms)) {
      return last.Prepend("unreachable for " + std::to_string(request.unreachable_ms) + " ms");
    }
    LOG_IF(WARNING, attempt % 5 == 0) << "shuffle: retrying " << Describe(source) << " in "
                                      << pause_ms << " ms after " << last.ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min(pause_ms * 2, kMaxPauseMs);
  }
}

}  // namespace

Result<std::vector<SegmentRef>> FetchPartition(const FetchRequest& request,
                                               const std::atomic<bool>& cancelled,
                                               FetchStats* stats) {
  const size_t n = request.sources.size();
  std::vector<SegmentRef> segments(n);
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};  // A hard error: the copy cannot go on.
  std::mutex mu;
  Status hard_error;                // Guarded by mu.
  size_t done = 0;                  // Guarded by mu.
  ServiceStates services;
  auto worker = [&] {
    shuffle::ShuffleClient client{shuffle::ShuffleClient::Options()};
    for (size_t i; !stopped.load() && (i = next.fetch_add(1)) < n;) {
      const shuffle::SegmentSource& source = request.sources[i];
      Result<SegmentRef> segment =
          services.Dead(HostPort(source), request.unreachable_ms)
              ? Result<SegmentRef>(Status::Unavailable(HostPort(source) + " is unreachable"))
              : FetchOne(&client, request, source,
                         JoinPath(request.dir, "map-" + std::to_string(i) + ".segment"),
                         cancelled, &services);
      size_t done_now;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!segment.ok() && IsFetchFailure(segment.status())) {
          stats->failures.push_back({i, segment.status()});
          continue;
        }
        if (!segment.ok()) {
          if (hard_error.ok()) {
            hard_error = segment.status().Prepend("fetching partition " +
                                                  std::to_string(request.partition) + " of " +
                                                  Describe(source));
          }
          stopped = true;
          return;
        }
        stats->bytes += segment->info.length;
        stats->records += segment->info.records;
        segments[i] = *std::move(segment);
        done_now = ++done;
      }
      request.progress.Report(done_now, n);  // Outside mu: it may sleep (fault injection).
    }
  };
  int threads = static_cast<int>(std::clamp<size_t>(request.parallel_fetches, 1, std::max<size_t>(n, 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  RETURN_NOT_OK(hard_error);
  if (!stats->failures.empty()) {
    std::sort(stats->failures.begin(), stats->failures.end(),
              [](const FetchFailure& a, const FetchFailure& b) { return a.source < b.source; });
    const FetchFailure& first = stats->failures.front();
    return Status::Unavailable("could not fetch " + std::to_string(stats->failures.size()) +
                               " of " + std::to_string(n) + " map outputs of partition " +
                               std::to_string(request.partition) + ", first " +
                               Describe(request.sources[first.source]) + ": " +
                               first.status.ToString());
  }
  request.progress.Done();
  return segments;
}

}  // namespace mr
