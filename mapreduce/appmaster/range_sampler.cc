#include "mapreduce/appmaster/range_sampler.h"

#include <algorithm>

#include <gflags/gflags.h>

#include "dfs_io.h"
#include "input_format.h"

// Defined by the local runner (local_job_runner.cc); the AM samples as it does.
DECLARE_int32(range_sample_size);
DECLARE_int32(range_sample_splits);

namespace mr::am {

Result<std::vector<std::string>> SampleSplitPointsFromDfs(dfs::DfsClient* dfs, const Job& job,
                                                          const std::vector<MapSplit>& splits,
                                                          int num_partitions) {
  size_t max_samples = static_cast<size_t>(std::max(1, FLAGS_range_sample_size));
  size_t to_read = std::min(splits.size(), static_cast<size_t>(std::max(1, FLAGS_range_sample_splits)));
  size_t per_split = to_read == 0 ? 0 : (max_samples + to_read - 1) / to_read;
  std::vector<std::string> samples;
  for (size_t i = 0; i < to_read; ++i) {
    const MapSplit& split = splits[i * splits.size() / to_read];
    ASSIGN_OR_RETURN(std::unique_ptr<InputSource> source, DfsInputSource::Open(dfs, split.path));
    InputSplit input{split.path, static_cast<uint64_t>(split.offset),
                     static_cast<uint64_t>(split.length)};
    ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                     OpenRecordReader(std::move(source), input, job));
    std::string_view key, value;
    for (size_t n = 0; n < per_split; ++n) {
      bool done = false;
      RETURN_NOT_OK(reader->Next(&key, &value, &done));
      if (done) break;
      // Text input has no key: its line is what a mapper most often emits.
      samples.emplace_back(job.input_format() == InputFormat::kTextLines ? value : key);
    }
  }
  std::sort(samples.begin(), samples.end());
  std::vector<std::string> points;
  if (samples.empty()) return points;
  for (int i = 1; i < num_partitions; ++i) {
    points.push_back(samples[i * samples.size() / num_partitions]);
  }
  return points;
}

}  // namespace mr::am
