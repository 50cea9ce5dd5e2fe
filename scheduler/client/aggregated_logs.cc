#include "scheduler/client/aggregated_logs.h"

#include <charconv>
#include <sstream>

#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"

namespace mr::sched {

std::string AggregatedLogPath(const std::string& app_id) { return "/.logs/" + app_id; }

void AppendLogRecord(const LogRecord& r, std::string* file) {
  *file += r.attempt_id + " " + r.stream + " " + r.container_id + " " + r.node_id + " " +
           r.state + " " + std::to_string(r.text.size()) + "\n";
  *file += r.text;
  *file += "\n";
}

Result<std::vector<LogRecord>> ParseLogRecords(std::string_view file) {
  std::vector<LogRecord> records;
  size_t pos = 0;
  while (pos < file.size()) {
    size_t eol = file.find('\n', pos);
    if (eol == std::string_view::npos) return Status::Corruption("log file: header without end");
    std::istringstream header{std::string(file.substr(pos, eol - pos))};
    LogRecord r;
    std::string length_text;
    if (!(header >> r.attempt_id >> r.stream >> r.container_id >> r.node_id >> r.state >>
          length_text)) {
      return Status::Corruption("log file: bad header");
    }
    size_t length = 0;
    auto [ptr, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(),
                                     length);
    if (ec != std::errc() || ptr != length_text.data() + length_text.size() ||
        length > file.size() - eol - 1 || eol + 1 + length >= file.size() ||
        file[eol + 1 + length] != '\n') {
      return Status::Corruption("log file: bad length for " + r.attempt_id);
    }
    r.text = std::string(file.substr(eol + 1, length));
    records.push_back(std::move(r));
    pos = eol + 1 + length + 1;
  }
  return records;
}

Result<std::vector<LogRecord>> ReadAggregatedLogs(dfs::DfsClient* dfs, const std::string& app_id) {
  ASSIGN_OR_RETURN(std::string file, dfs::ReadWholeFile(dfs, AggregatedLogPath(app_id)));
  return ParseLogRecords(file);
}

}  // namespace mr::sched
