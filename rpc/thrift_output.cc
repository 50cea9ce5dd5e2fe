#include "thrift_output.h"

#include <cstring>
#include <mutex>

#include <glog/logging.h>
#include <thrift/TOutput.h>

namespace mr::rpc {

namespace {

std::mutex mu;
bool routed_for_server = false;  // Guarded by mu.
bool routed_for_client = false;  // Guarded by mu.

void ToWarning(const char* message) {
  // A read that timed out is a connection closed for idling (ThriftServer's
  // idle timeout): routine, not a warning.
  if (std::strstr(message, "(timed out)") != nullptr) {
    VLOG(1) << "thrift: " << message;
    return;
  }
  LOG(WARNING) << "thrift: " << message;
}
void ToVerbose(const char* message) { VLOG(1) << "thrift: " << message; }

}  // namespace

void RouteThriftOutputForServer() {
  std::lock_guard<std::mutex> lock(mu);
  if (routed_for_server) return;
  routed_for_server = true;
  apache::thrift::GlobalOutput.setOutputFunction(ToWarning);
}

void RouteThriftOutputForClient() {
  std::lock_guard<std::mutex> lock(mu);
  if (routed_for_server || routed_for_client) return;
  routed_for_client = true;
  apache::thrift::GlobalOutput.setOutputFunction(ToVerbose);
}

}  // namespace mr::rpc
