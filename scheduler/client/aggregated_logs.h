// Task logs that outlive their containers. A Node Manager deletes an
// application's directory, container logs included, once the application
// ends (docs/SCHEDULER.md), so the AM copies the tail of each attempt's
// stdout and stderr into one DFS file before it finishes, and `mrjob logs`
// reads them from there once the job is over.
//
// File: one record per (attempt, stream), each a header line
//   <attempt_id> <stream> <container_id> <node_id> <state> <length>\n
// followed by <length> bytes of log and a "\n". Ids and states hold no
// spaces.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::dfs {
class DfsClient;
}

namespace mr::sched {

// "/.logs/<app_id>".
std::string AggregatedLogPath(const std::string& app_id);

struct LogRecord {
  std::string attempt_id;
  std::string stream;  // "stdout" or "stderr".
  std::string container_id;
  std::string node_id;
  std::string state;
  std::string text;
};

void AppendLogRecord(const LogRecord& record, std::string* file);
// Corruption if `file` is not a sequence of whole records.
Result<std::vector<LogRecord>> ParseLogRecords(std::string_view file);
// Reads and parses AggregatedLogPath(app_id); NotFound if the AM left none.
Result<std::vector<LogRecord>> ReadAggregatedLogs(dfs::DfsClient* dfs, const std::string& app_id);

}  // namespace mr::sched
