#include "task_spec_io.h"

#include <algorithm>

#include "common/file.h"
#include "rpc/thrift_codec.h"

namespace mr {

Status ReadTaskSpec(const std::string& path, wire::TaskSpec* spec) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return DecodeThrift(bytes, "task spec " + path, spec);
}

std::string EncodeTaskSpec(const wire::TaskSpec& spec) { return EncodeThrift(spec); }

std::string EncodeTaskResult(const Counters& counters) { return EncodeTaskResult(counters, {}); }

std::string EncodeTaskResult(const Counters& counters,
                             const std::vector<int32_t>& fetch_failed_maps) {
  wire::TaskResult result;
  result.fetch_failed_maps = fetch_failed_maps;
  counters.ForEach([&](const std::string& group, const std::string& name, int64_t value) {
    wire::CounterValue c;
    c.group = group;
    c.name = name;
    c.value = value;
    result.counters.push_back(std::move(c));
  });
  return EncodeThrift(result);
}

Status DecodeTaskResult(std::string_view bytes, Counters* counters) {
  std::vector<int32_t> ignored;
  return DecodeTaskResult(bytes, counters, &ignored);
}

Status DecodeTaskResult(std::string_view bytes, Counters* counters,
                        std::vector<int32_t>* fetch_failed_maps) {
  wire::TaskResult result;
  RETURN_NOT_OK(DecodeThrift(bytes, "task result", &result));
  for (const wire::CounterValue& c : result.counters) counters->Add(c.group, c.name, c.value);
  std::vector<int32_t> maps = std::move(result.fetch_failed_maps);
  std::sort(maps.begin(), maps.end());
  maps.erase(std::unique(maps.begin(), maps.end()), maps.end());
  *fetch_failed_maps = std::move(maps);
  return Status::OK();
}

}  // namespace mr
