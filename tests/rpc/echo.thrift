// A service for the RPC layer's own tests.
namespace cpp mr.rpc.test

exception EchoError {
  1: i32 code
  2: string message
}

service EchoService {
  string Echo(1: string text) throws (1: EchoError error)
  // Answers after `ms` milliseconds: a connection that is in a call.
  void Sleep(1: i32 ms) throws (1: EchoError error)
  // The caller as the server authenticated it: "user[,superuser][,app=ID]".
  string WhoAmI() throws (1: EchoError error)
}
