// mrstream: a streaming job (streaming_job.h, docs/STREAMING.md), run here or
// submitted to a cluster like any job binary:
//
//   mrstream --input=PATH --output=DIR --mapper=CMD [--reducer=CMD]
//            [--combiner=CMD] [--files=a.py,b.py] [framework flags]
#include <csignal>

#include "mapreduce/mapreduce.h"
#include "mapreduce/streaming/streaming_job.h"

int main(int argc, char** argv) {
  // A command that stops reading its input must not kill the task: the
  // write sees EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  return mr::JobMain(argc, argv, mr::streaming::MakeStreamingJob());
}
