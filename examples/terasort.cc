// terasort: sorts teragen's 100-byte records by their 10-byte key.
//
// The engine does all the work: fixed-size records split into (key, rest),
// range partitioning on sampled split points so that the reducers' outputs
// concatenate into one sorted sequence, and raw output that writes each
// record back as key bytes then value bytes (the same 100 bytes). No mapper
// and no reducer: the identity ones pass every record through.
#include "mapreduce/mapreduce.h"
#include "tera_record.h"

int main(int argc, char** argv) {
  mr::Job job("terasort");
  job.SetInputFormat(mr::InputFormat::kFixedRecords)
      .SetFixedRecordLayout(mr::tera::kRecordBytes, mr::tera::kKeyBytes)
      .SetOutputFormat(mr::OutputFormat::kRaw)
      .SetPartitioning(mr::Partitioning::kRange)
      .SetDefaultReducers(2)
      // As Hadoop's TeraSort: the sorted copy is cheap to make again.
      .SetOutputReplication(1);
  return mr::JobMain(argc, argv, job);
}
