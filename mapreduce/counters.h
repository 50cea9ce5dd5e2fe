// Job counters: named 64-bit sums grouped like Hadoop's ("Map-Reduce
// Framework", "File System", user groups). Each task fills its own Counters
// without locks; the runner adds them into the job's under its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/json_writer.h"
#include "common/status.h"
#include "mapreduce/mapreduce.h"

namespace mr {

inline constexpr std::string_view kFrameworkGroup = "Map-Reduce Framework";
inline constexpr std::string_view kFileSystemGroup = "File System";
inline constexpr std::string_view kTimeGroup = "Phase Times (ms)";

// Counter names used by the engine (Hadoop's names where Hadoop has one).
namespace counter {
inline constexpr std::string_view kMapInputRecords = "Map input records";
inline constexpr std::string_view kMapInputBytes = "Map input bytes";
inline constexpr std::string_view kMapOutputRecords = "Map output records";
inline constexpr std::string_view kMapOutputBytes = "Map output bytes";
// Every value handed to a combiner, including outputs of earlier combines
// that are combined again; a key alone in its spill skips the combiner.
inline constexpr std::string_view kCombineInputRecords = "Combine input records";
inline constexpr std::string_view kCombineOutputRecords = "Combine output records";
inline constexpr std::string_view kSpilledRecords = "Spilled Records";
inline constexpr std::string_view kMapSpills = "Map spills";
inline constexpr std::string_view kMergePasses = "Merge passes";
// Cluster reduces: stored bytes fetched from the shuffle services.
inline constexpr std::string_view kReduceShuffleBytes = "Reduce shuffle bytes";
inline constexpr std::string_view kReduceInputGroups = "Reduce input groups";
inline constexpr std::string_view kReduceInputRecords = "Reduce input records";
inline constexpr std::string_view kReduceOutputRecords = "Reduce output records";
inline constexpr std::string_view kMapTasks = "Map tasks";
inline constexpr std::string_view kReduceTasks = "Reduce tasks";
inline constexpr std::string_view kLocalBytesWritten = "Local bytes written";
inline constexpr std::string_view kLocalBytesRead = "Local bytes read";
inline constexpr std::string_view kOutputBytes = "Output bytes written";
}  // namespace counter

class Counters {
 public:
  // Stable for the lifetime of this object.
  Counter* Get(std::string_view group, std::string_view name);
  void Add(std::string_view group, std::string_view name, int64_t delta) {
    Get(group, name)->Increment(delta);
  }
  void AddFramework(std::string_view name, int64_t delta) { Add(kFrameworkGroup, name, delta); }
  int64_t Value(std::string_view group, std::string_view name) const;
  void MergeFrom(const Counters& other);
  // Calls fn(group, name, value) for every counter, sorted by (group, name).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [key, counter] : counters_) fn(key.first, key.second, counter.value());
  }

  // Human-readable, one "  name=value" line per counter under each group.
  std::string ToText() const;
  // {"group": {"name": value, ...}, ...}
  std::string ToJson() const;
  // The same object, as the next value of `json`.
  void WriteJson(JsonWriter* json) const;
  // Reads what ToJson writes (a cluster job's counters travel as it);
  // strict: InvalidArgument for anything else. "" is no counters.
  static Result<Counters> FromJson(std::string_view json);

 private:
  std::map<std::pair<std::string, std::string>, Counter, std::less<>> counters_;
};

}  // namespace mr
