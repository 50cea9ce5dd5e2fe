#include "task_spec_io.h"

#include "common/file.h"
#include "rpc/thrift_codec.h"

namespace mr {

Status ReadTaskSpec(const std::string& path, wire::TaskSpec* spec) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(path));
  return DecodeThrift(bytes, "task spec " + path, spec);
}

std::string EncodeTaskSpec(const wire::TaskSpec& spec) { return EncodeThrift(spec); }

std::string EncodeTaskResult(const Counters& counters) {
  wire::TaskResult result;
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
  wire::TaskResult result;
  RETURN_NOT_OK(DecodeThrift(bytes, "task result", &result));
  for (const wire::CounterValue& c : result.counters) counters->Add(c.group, c.name, c.value);
  return Status::OK();
}

}  // namespace mr
