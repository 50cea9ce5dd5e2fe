// Grep: counts the input lines that match a regular expression (ECMAScript
// syntax, searched anywhere in the line). Output: one line "PATTERN\tCOUNT".
#include <cstdint>
#include <regex>
#include <string>

#include <gflags/gflags.h>

#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

DEFINE_string(pattern, "", "Regular expression (ECMAScript) a line must contain.");

namespace {

// Counts matches in the task and emits one total at the end.
class MatchCountMapper : public mr::Mapper {
 public:
  void Setup(mr::Context&) override { regex_.assign(FLAGS_pattern, std::regex::optimize); }
  void Map(std::string_view, std::string_view line, mr::Context&) override {
    if (std::regex_search(line.begin(), line.end(), regex_)) ++matches_;
  }
  void Cleanup(mr::Context& context) override {
    context.Emit(FLAGS_pattern, std::to_string(matches_));
  }

 private:
  std::regex regex_;
  uint64_t matches_ = 0;
};

std::string CheckPattern() {
  if (FLAGS_pattern.empty()) return "--pattern is required";
  try {
    std::regex check(FLAGS_pattern);
  } catch (const std::regex_error& e) {
    return "bad --pattern '" + FLAGS_pattern + "': " + e.what();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("grep");
  job.SetMapper<MatchCountMapper>().SetReducer<mr::LongSumReducer>().SetFlagCheck(CheckPattern);
  return mr::JobMain(argc, argv, job);
}
