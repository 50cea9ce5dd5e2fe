#include "sampler.h"

#include <algorithm>

namespace mr {

Result<std::vector<std::string>> SampleSplitPoints(const Job& job,
                                                   const std::vector<InputSplit>& splits,
                                                   int num_partitions, const SampleOptions& options) {
  std::vector<std::string> samples;
  size_t splits_to_read = std::min(splits.size(), options.max_splits);
  size_t per_split = splits_to_read == 0 ? 0 : (options.max_samples + splits_to_read - 1) / splits_to_read;
  for (size_t i = 0; i < splits_to_read; ++i) {
    const InputSplit& split = splits[i * splits.size() / splits_to_read];
    ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                     options.open ? options.open(split) : OpenRecordReader(split, job));
    std::string_view key, value;
    for (size_t n = 0; n < per_split; ++n) {
      bool done = false;
      RETURN_NOT_OK(reader->Next(&key, &value, &done));
      if (done) break;
      // Text input has no key: the line is what the mapper will most often
      // emit as one, so sample it.
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

}  // namespace mr
