// What the DFS master reads from its disk at start: op-log files (framed
// OpLogRecords, replayed into the namespace: paths, owners, modes, chmod
// and chown included) and checkpoints (a NamespaceImage loaded into an
// empty namespace). The first byte picks which.
#include "dfs/master/namespace.h"
#include "dfs/master/op_apply.h"
#include "dfs/master/record_framing.h"
#include "dfs_types.h"
#include "fuzz/fuzz_input.h"
#include "rpc/thrift_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  mr::dfs::Namespace ns("hdfs", "supergroup");
  if (in.TakeByte() % 2 == 0) {
    for (std::string_view payload : mr::dfs::ParseFramedRecords(in.rest()).payloads) {
      mr::dfs::wire::OpLogRecord record;
      if (!mr::DecodeThrift(payload, "op-log record", &record).ok()) continue;
      (void)mr::dfs::DescribeOpLogRecord(record);
      // As the master does: check, then apply what passed.
      if (mr::dfs::ApplyOpLogRecord(record, mr::dfs::MutationMode::kCheck, &ns).ok()) {
        (void)mr::dfs::ApplyOpLogRecord(record, mr::dfs::MutationMode::kApply, &ns);
      }
    }
  } else {
    mr::dfs::wire::NamespaceImage image;
    if (mr::DecodeThrift(in.rest(), "checkpoint", &image).ok() && ns.LoadImage(image).ok()) {
      mr::dfs::wire::NamespaceImage saved;
      ns.SaveImage(&saved);
    }
  }
  return 0;
}
