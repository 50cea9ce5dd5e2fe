// The Thrift services' entry (what ThriftServer reads from a connection):
// framed compact-protocol calls, decoded by each service's generated
// processor down to the handler, here one that does nothing. The first byte
// picks the service: DFS master, resource manager, node manager.
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "MasterService.h"
#include "NodeManagerService.h"
#include "ResourceManagerService.h"
#include "fuzz/fuzz_input.h"
#include "rpc/thrift_client.h"
#include "rpc/thrift_server.h"

namespace {

using apache::thrift::protocol::TCompactProtocol;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TMemoryBuffer;

std::shared_ptr<apache::thrift::TProcessor> Processor(uint8_t which) {
  switch (which % 3) {
    case 0:
      return std::make_shared<mr::dfs::wire::MasterServiceProcessor>(
          std::make_shared<mr::dfs::wire::MasterServiceNull>());
    case 1:
      return std::make_shared<mr::sched::wire::ResourceManagerServiceProcessor>(
          std::make_shared<mr::sched::wire::ResourceManagerServiceNull>());
    default:
      return std::make_shared<mr::sched::wire::NodeManagerServiceProcessor>(
          std::make_shared<mr::sched::wire::NodeManagerServiceNull>());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mr::fuzz::FuzzInput in(data, size);
  auto processor = Processor(in.TakeByte());
  // The server's settings (ThriftServer::Options' default frame size).
  const int32_t max_frame_bytes = mr::rpc::ThriftServer::Options().max_frame_bytes;
  auto config = mr::rpc::FramedRpcConfig(max_frame_bytes);
  std::string bytes(in.rest());
  auto input = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(bytes.data()),
                                               bytes.size(), TMemoryBuffer::OBSERVE, config);
  auto framed_in = std::make_shared<TFramedTransport>(input, config);
  auto output = std::make_shared<TFramedTransport>(std::make_shared<TMemoryBuffer>(config), config);
  auto in_protocol = mr::rpc::ThriftServer::RequestProtocolFactory(max_frame_bytes)->getProtocol(framed_in);
  auto out_protocol = std::make_shared<TCompactProtocol>(output);
  try {
    // As a connection's thread does: calls until the stream ends or fails.
    for (int calls = 0; calls < 64; ++calls) {
      if (!processor->process(in_protocol, out_protocol, nullptr)) break;
    }
  } catch (const std::exception&) {
    // The server closes such a connection.
  }
  return 0;
}
