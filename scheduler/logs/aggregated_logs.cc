#include "scheduler/logs/aggregated_logs.h"

#include <charconv>
#include <sstream>

#include <glog/logging.h>

#include "common/file.h"
#include "dfs/client/dfs_client.h"
#include "dfs/client/whole_file.h"

namespace mr::sched {

namespace {
constexpr char kTempSuffix[] = ".tmp";
}  // namespace

std::string AggregatedLogDir(const std::string& app_id) {
  return std::string(kAggregatedLogsRoot) + "/" + app_id;
}

std::string AggregatedLogPath(const std::string& app_id, const std::string& node_id) {
  return AggregatedLogDir(app_id) + "/" + node_id;
}

void AppendLogRecord(const LogRecord& r, std::string* file) {
  *file += r.container_id + " " + r.stream + " " + std::to_string(r.text.size()) + "\n";
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
    std::string length_text, extra;
    if (!(header >> r.container_id >> r.stream >> length_text) || (header >> extra)) {
      return Status::Corruption("log file: bad header");
    }
    size_t length = 0;
    auto [ptr, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(),
                                     length);
    if (ec != std::errc() || ptr != length_text.data() + length_text.size() ||
        length > file.size() - eol - 1 || eol + 1 + length >= file.size() ||
        file[eol + 1 + length] != '\n') {
      return Status::Corruption("log file: bad length for " + r.container_id);
    }
    r.text = std::string(file.substr(eol + 1, length));
    records.push_back(std::move(r));
    pos = eol + 1 + length + 1;
  }
  return records;
}

Status WriteNodeLogs(dfs::DfsClient* dfs, const std::string& app_id, const std::string& node_id,
                     const std::vector<LogRecord>& records, int replication) {
  std::string file;
  for (const LogRecord& r : records) AppendLogRecord(r, &file);
  std::string path = AggregatedLogPath(app_id, node_id);
  std::string temp = path + kTempSuffix;
  RETURN_NOT_OK(dfs->Mkdirs(AggregatedLogDir(app_id)));
  for (const std::string& stale : {temp, path}) {
    Status s = dfs->Delete(stale, /*recursive=*/false);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  dfs::DfsClient::CreateOptions create;
  create.replication = replication;
  RETURN_NOT_OK(dfs::WriteWholeFile(dfs, temp, file, create));
  return dfs->Rename(temp, path);
}

Result<std::map<std::string, std::vector<LogRecord>>> ReadAppLogs(dfs::DfsClient* dfs,
                                                                   const std::string& app_id) {
  ASSIGN_OR_RETURN(std::vector<dfs::DfsFileStatus> files, dfs->List(AggregatedLogDir(app_id)));
  std::map<std::string, std::vector<LogRecord>> by_node;
  for (const dfs::DfsFileStatus& file : files) {
    std::string node_id = BaseName(file.path);
    if (file.is_dir || node_id.ends_with(kTempSuffix)) continue;
    Result<std::string> bytes = dfs::ReadWholeFile(dfs, file.path);
    Result<std::vector<LogRecord>> records =
        bytes.ok() ? ParseLogRecords(*bytes) : Result<std::vector<LogRecord>>(bytes.status());
    if (!records.ok()) {
      LOG(WARNING) << "logs of " << app_id << " on " << node_id << ": "
                   << records.status().ToString();
      continue;
    }
    by_node[node_id] = *std::move(records);
  }
  if (by_node.empty()) return Status::NotFound("no aggregated logs of " + app_id + " yet");
  return by_node;
}

}  // namespace mr::sched
