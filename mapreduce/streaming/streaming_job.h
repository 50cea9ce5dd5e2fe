// Streaming jobs (Hadoop Streaming): the mapper, combiner and reducer are
// user commands in any language that read text lines on stdin and write
// "key\tvalue" lines on stdout (docs/STREAMING.md).
//
// - Mapper: each input line is written to one command per map task. Each
//   line it writes is split at its first tab into key and value (a line
//   without a tab is all key, with an empty value).
// - Combiner (optional): the mapper's output is buffered (up to
//   --stream_combine_buffer_mb), sorted by key and piped through one run of
//   the combiner command, whose lines are split as the mapper's are; as
//   Hadoop runs its combiner over each sorted spill.
// - Reducer: one command per reduce task reads "key\tvalue" lines sorted
//   and grouped by key; every line it writes is a line of the output, as it
//   is. Without --reducer, the output is the map output's "key\tvalue"
//   lines (just "key" for an empty value).
//
// Commands run with /bin/sh -c in a directory holding the job's --files by
// their base names: a task's working directory on a cluster, and in a local
// run a scratch directory with links to them.
#pragma once

#include "mapreduce/mapreduce.h"

namespace mr::streaming {

// The job that --mapper, --reducer and --combiner describe.
Job MakeStreamingJob();

}  // namespace mr::streaming
