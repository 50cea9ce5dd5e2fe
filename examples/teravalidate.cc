// teravalidate: checks terasort's output against its input.
//
// The output's part-r-* files, read in name order, must hold records whose
// keys never decrease (across file boundaries too), and the same multiset of
// records as the original input. The multiset is compared through an
// order-independent checksum: the record count plus the sum (mod 2^64) of
// XXH3 of every 100-byte record. Exit 0 only if all of this holds.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/status.h"
#include "tera_record.h"

DEFINE_string(input, "", "Sorted output to check: a directory of part-r-* files (required).");
DEFINE_string(original, "", "The unsorted input it was made from (required).");

namespace mr::tera {
namespace {

// Large reads keep a 1 GB scan I/O-bound; a whole number of records each.
constexpr size_t kReadBytes = (4 << 20) / kRecordBytes * kRecordBytes;

struct ScanResult {
  uint64_t records = 0;
  uint64_t checksum = 0;
  uint64_t misordered = 0;  // Records whose key is below the previous key.
  std::string first_misorder;  // Where the first one is, for the report.
};

// Reads `files` in order, summing checksums and, if `check_order`, counting
// keys that are smaller than the key before them.
Status Scan(const std::vector<std::string>& files, bool check_order, ScanResult* out) {
  std::string buffer(kReadBytes, '\0');
  char prev_key[kKeyBytes];
  bool have_prev = false;
  for (const std::string& path : files) {
    ASSIGN_OR_RETURN(auto file, RandomAccessFile::Open(path));
    if (file->size() % kRecordBytes != 0) {
      return Status::Corruption("size " + std::to_string(file->size()) + " of " + path +
                                " is not a multiple of " + std::to_string(kRecordBytes));
    }
    file->AdviseSequential();
    for (uint64_t offset = 0; offset < file->size();) {
      size_t n = 0;
      RETURN_NOT_OK(file->Read(offset, buffer.size(), buffer.data(), &n));
      if (n == 0 || n % kRecordBytes != 0) return Status::IOError(path + " changed while read");
      for (const char* rec = buffer.data(); rec < buffer.data() + n; rec += kRecordBytes) {
        out->checksum += RecordChecksum(rec);
        if (check_order) {
          if (have_prev && std::memcmp(rec, prev_key, kKeyBytes) < 0 && out->misordered++ == 0) {
            out->first_misorder = "record " + std::to_string(out->records) + " (" + path +
                                  " offset " + std::to_string(offset + (rec - buffer.data())) +
                                  ")";
          }
          std::memcpy(prev_key, rec, kKeyBytes);
          have_prev = true;
        }
        ++out->records;
      }
      offset += n;
    }
  }
  return Status::OK();
}

// The sorted run's files: a directory's part-r-* files in name order, or a
// single file given directly.
Result<std::vector<std::string>> SortedFiles(const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<std::string> all, ListInputFiles(path));
  if (!IsDirectory(path)) return all;
  std::vector<std::string> parts;
  for (auto& f : all) {
    if (BaseName(f).rfind("part-r-", 0) == 0) parts.push_back(std::move(f));
  }
  if (parts.empty()) return Status::NotFound("no part-r-* files in " + path);
  return parts;
}

void PrintSummary(const char* what, size_t files, const ScanResult& r) {
  std::printf("%-9s files=%zu records=%" PRIu64 " checksum=%016" PRIx64 "\n", what, files,
              r.records, r.checksum);
}

// Returns the reason the check fails, or "" if it passes.
std::string Validate() {
  auto sorted_files = SortedFiles(FLAGS_input);
  if (!sorted_files.ok()) return sorted_files.status().ToString();
  auto original_files = ListInputFiles(FLAGS_original);
  if (!original_files.ok()) return original_files.status().ToString();

  // The two scans are independent: run them side by side.
  ScanResult sorted, original;
  Status original_status;
  std::thread original_scan(
      [&] { original_status = Scan(*original_files, /*check_order=*/false, &original); });
  Status sorted_status = Scan(*sorted_files, /*check_order=*/true, &sorted);
  original_scan.join();
  if (!sorted_status.ok()) return sorted_status.ToString();
  if (!original_status.ok()) return original_status.ToString();

  PrintSummary("sorted:", sorted_files->size(), sorted);
  PrintSummary("original:", original_files->size(), original);
  if (sorted.misordered > 0) {
    std::printf("order:    %" PRIu64 " keys out of order, first at %s\n", sorted.misordered,
                sorted.first_misorder.c_str());
    return "output is not sorted: first out-of-order key at " + sorted.first_misorder;
  }
  std::printf("order:    sorted\n");
  if (sorted.records != original.records) {
    return "record counts differ: " + std::to_string(sorted.records) + " sorted vs " +
           std::to_string(original.records) + " original";
  }
  if (sorted.checksum != original.checksum) return "checksums differ: records were altered";
  return "";
}

}  // namespace
}  // namespace mr::tera

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv, "Usage: teravalidate --input=SORTED_DIR --original=DIR");
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  if (FLAGS_input.empty()) mr::ExitWithError(mr::kExitUsage, "--input=SORTED_DIR is required");
  if (FLAGS_original.empty()) mr::ExitWithError(mr::kExitUsage, "--original=DIR is required");
  std::string failure = mr::tera::Validate();
  std::fflush(stdout);
  if (!failure.empty()) mr::ExitWithError(mr::kExitFailure, failure);
  std::printf("OK\n");
  return mr::kExitOk;
}
