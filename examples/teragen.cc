// teragen: writes the input of the sort benchmark (format in tera_record.h).
//
// DIR/part-m-00000 .. part-m-<K-1> hold contiguous row ranges, then an empty
// DIR/_SUCCESS. Everything is written into DIR.tmp-<pid> and renamed into
// place at the end, so a killed run never leaves a DIR that looks complete.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/status.h"
#include "tera_record.h"

DEFINE_int64(records, -1, "Number of 100-byte records to generate (required).");
DEFINE_string(output, "", "Output directory; must not exist (required).");
DEFINE_int32(maps, 2, "Number of output files (part-m-*), each a contiguous row range.");
DEFINE_uint64(seed, 0, "Seed; the same seed always produces the same records.");
DEFINE_double(skew, 0.0, "Fraction in [0, 1] of records whose key is one of 3 hot keys.");

namespace mr::tera {
namespace {

constexpr uint64_t kRecordsPerBatch = 10000;  // 1 MB handed to each Append.

std::string PartName(int index) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-m-%05d", index);
  return name;
}

// Writes rows [begin, end) to `path`.
Status WritePart(const std::string& path, uint64_t begin, uint64_t end) {
  ASSIGN_OR_RETURN(auto file, WritableFile::Create(path));
  std::string batch;
  for (uint64_t row = begin; row < end;) {
    uint64_t n = std::min(kRecordsPerBatch, end - row);
    batch.resize(n * kRecordBytes);
    for (uint64_t i = 0; i < n; ++i, ++row) {
      MakeRecord(FLAGS_seed, FLAGS_skew, row, batch.data() + i * kRecordBytes);
    }
    RETURN_NOT_OK(file->Append(batch));
  }
  // No fsync: the rename below only promises "complete or absent" against a
  // killed process, which is what re-running a benchmark needs.
  return file->Close();
}

// Writes all parts into `dir`, running up to one thread per core.
Status WriteParts(const std::string& dir) {
  const uint64_t n = FLAGS_records;
  const int parts = FLAGS_maps;
  std::atomic<int> next_part{0};
  std::mutex mu;
  Status first_error;  // Guarded by mu.
  auto worker = [&] {
    for (int p = next_part++; p < parts; p = next_part++) {
      // Integer split keeps the row ranges contiguous and balanced to +-1.
      uint64_t begin = static_cast<uint64_t>((static_cast<unsigned __int128>(n) * p) / parts);
      uint64_t end = static_cast<uint64_t>((static_cast<unsigned __int128>(n) * (p + 1)) / parts);
      Status s = WritePart(JoinPath(dir, PartName(p)), begin, end);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
        return;
      }
    }
  };
  int threads = std::clamp<int>(std::thread::hardware_concurrency(), 1, parts);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return first_error;
}

Status Run(const std::string& output) {
  if (PathExists(output)) return Status::AlreadyExists("output already exists: " + output);
  std::string tmp = output + ".tmp-" + std::to_string(::getpid());
  RETURN_NOT_OK(CreateDirs(tmp));
  Status s = WriteParts(tmp);
  if (s.ok()) s = WriteStringToFile(JoinPath(tmp, "_SUCCESS"), "", /*sync=*/false);
  if (s.ok()) s = RenameNoReplace(tmp, output);
  // Best effort: the first error is the one worth reporting.
  if (!s.ok()) (void)RemoveAll(tmp);
  return s;
}

}  // namespace
}  // namespace mr::tera

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "Usage: teragen --records=N --output=DIR [--maps=K] [--seed=S] [--skew=F]");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  if (FLAGS_records < 0) mr::ExitWithError(mr::kExitUsage, "--records=N is required");
  if (FLAGS_output.empty()) mr::ExitWithError(mr::kExitUsage, "--output=DIR is required");
  if (FLAGS_maps < 1) mr::ExitWithError(mr::kExitUsage, "--maps must be at least 1");
  if (!(FLAGS_skew >= 0 && FLAGS_skew <= 1)) {
    mr::ExitWithError(mr::kExitUsage, "--skew must be in [0, 1]");
  }
  auto start = std::chrono::steady_clock::now();
  mr::Status s = mr::tera::Run(FLAGS_output);
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("teragen: wrote %lld records (%lld bytes) in %d files to %s in %.2f s\n",
              static_cast<long long>(FLAGS_records),
              static_cast<long long>(FLAGS_records * mr::tera::kRecordBytes), FLAGS_maps,
              FLAGS_output.c_str(), secs);
  return mr::kExitOk;
}
