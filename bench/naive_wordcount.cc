// naive_wordcount: the honest single-threaded baseline that bench/run_bench.sh
// compares the wordcount job against.
//
// Reads every input file in 1 MiB blocks, splits on the bytes ' ', '\t',
// '\n', '\v', '\f', '\r' (a word is a maximal run of any other bytes, NUL and
// invalid UTF-8 included, case-sensitive), counts words in a
// std::unordered_map<std::string, uint64_t>, and writes "word\tcount\n" lines
// sorted by word bytes. A word never spans two files.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gflags/gflags.h>

#include "common/exit_codes.h"
#include "common/file.h"
#include "common/flags.h"
#include "common/status.h"

DEFINE_string(input, "", "Input file, or directory read recursively (names starting with _ or . skipped)");
DEFINE_string(output, "", "Output file to create: word\\tcount lines sorted by word bytes");

namespace {

constexpr size_t kBlockBytes = 1 << 20;

using WordCounts = std::unordered_map<std::string, uint64_t>;

constexpr std::array<bool, 256> MakeDelimiterTable() {
  std::array<bool, 256> table{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) table[c] = true;
  return table;
}
constexpr std::array<bool, 256> kIsDelimiter = MakeDelimiterTable();

bool IsDelimiter(char c) { return kIsDelimiter[static_cast<unsigned char>(c)]; }

// Counts the words of one file. `partial` carries a word cut by a block end.
mr::Status CountFile(const std::string& path, std::vector<char>* block, WordCounts* counts,
                     uint64_t* bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<mr::RandomAccessFile> file, mr::RandomAccessFile::Open(path));
  file->AdviseSequential();
  std::string partial;
  for (uint64_t offset = 0;;) {
    size_t n = 0;
    RETURN_NOT_OK(file->Read(offset, block->size(), block->data(), &n));
    if (n == 0) break;
    offset += n;
    const char* p = block->data();
    const char* end = p + n;
    while (p < end) {
      if (IsDelimiter(*p)) {
        if (!partial.empty()) {
          ++(*counts)[partial];
          partial.clear();
        }
        ++p;
        continue;
      }
      const char* start = p;
      while (p < end && !IsDelimiter(*p)) ++p;
      if (p == end) {
        partial.append(start, p);  // May continue in the next block.
      } else if (partial.empty()) {
        ++(*counts)[std::string(start, p)];
      } else {
        partial.append(start, p);
        ++(*counts)[partial];
        partial.clear();
      }
    }
  }
  if (!partial.empty()) ++(*counts)[partial];
  *bytes += file->size();
  return mr::Status::OK();
}

mr::Status WriteSorted(const WordCounts& counts, const std::string& path) {
  std::vector<const WordCounts::value_type*> entries;
  entries.reserve(counts.size());
  for (const auto& entry : counts) entries.push_back(&entry);
  // std::string compares as unsigned bytes (memcmp order), like the engine.
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  ASSIGN_OR_RETURN(std::unique_ptr<mr::WritableFile> out, mr::WritableFile::Create(path));
  std::string line;
  for (const auto* entry : entries) {
    line.assign(entry->first);
    line += '\t';
    line += std::to_string(entry->second);
    line += '\n';
    RETURN_NOT_OK(out->Append(line));
  }
  return out->Close();
}

mr::Status Run() {
  ASSIGN_OR_RETURN(std::vector<std::string> files, mr::ListInputFiles(FLAGS_input));
  std::vector<char> block(kBlockBytes);
  WordCounts counts;
  uint64_t bytes = 0;
  for (const std::string& path : files) {
    RETURN_NOT_OK_PREPEND(CountFile(path, &block, &counts, &bytes), path);
  }
  uint64_t words = 0;
  for (const auto& [word, count] : counts) words += count;
  RETURN_NOT_OK(WriteSorted(counts, FLAGS_output));
  std::fprintf(stderr, "%s: %zu files, %llu bytes, %llu words, %zu distinct\n",
               mr::ProgramName().c_str(), files.size(), static_cast<unsigned long long>(bytes),
               static_cast<unsigned long long>(words), counts.size());
  return mr::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  mr::ParseFlagsOrExit(&argc, &argv,
                       "naive_wordcount --input=PATH --output=FILE\n"
                       "Single-threaded word count baseline (see bench/run_bench.sh).");
  if (FLAGS_input.empty() || FLAGS_output.empty()) {
    mr::ExitWithError(mr::kExitUsage, "--input and --output are required (try --help)");
  }
  if (argc > 1) mr::ExitWithError(mr::kExitUsage, std::string("unexpected argument ") + argv[1]);
  mr::Status s = Run();
  if (!s.ok()) mr::ExitWithError(mr::kExitFailure, s.ToString());
  return mr::kExitOk;
}
