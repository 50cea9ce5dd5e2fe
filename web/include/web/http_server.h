// A small read-only HTTP/1.1 server for a daemon's status pages and JSON
// (docs/WEB.md), on Boost.Beast.
//
// What it promises a daemon that embeds it:
// - Read-only: GET and HEAD only (405 with Allow otherwise); a request has
//   no body.
// - Bounded: at most max_connections at once and max_per_peer from one
//   client address. A connection past either cap makes room by closing the
//   connection (of that peer, or of all) that has waited longest for a
//   request, so idle connections, however many are opened, never keep a
//   new client out. A request's line and headers take at most
//   max_header_bytes (431 past that); a connection that sends nothing for
//   idle_timeout_ms, or takes longer than that to send one request, is
//   closed. One caller can slow itself, not the daemon.
// - Malformed requests are answered 400 and closed; nothing a client sends
//   reaches a handler undecoded (the path and query are percent-decoded,
//   and a bad escape is a 400).
//
// Threading: one I/O thread runs every connection asynchronously, and the
// handlers run on it: they must be quick (render from in-memory state) and
// safe against the daemon's own threads. Start/Stop from the owner's
// thread; port() from any.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace mr::web {

struct HttpRequest {
  std::string method;  // "GET" or "HEAD".
  std::string path;    // Decoded, without the query.
  std::map<std::string, std::string> query;  // Decoded; the last value of a repeated name.

  // The query parameter, or `fallback` when absent.
  const std::string& Param(const std::string& name, const std::string& fallback = "") const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;

  static HttpResponse Html(std::string body);
  static HttpResponse Json(std::string body);
  static HttpResponse Svg(std::string body);
  // A short plain-text error page.
  static HttpResponse Error(int status, const std::string& message);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Maps paths to handlers: an exact path ("/ws/v1/cluster/info"), or a prefix
// ending in '/' ("/ws/v1/cluster/apps/") that takes the paths under it; the
// longest match wins. Everything else is 404.
class HttpRouter {
 public:
  void Handle(const std::string& path, HttpHandler handler);
  HttpResponse Route(const HttpRequest& request) const;

 private:
  std::map<std::string, HttpHandler> exact_;
  std::map<std::string, HttpHandler> prefixes_;
};

class HttpServer {
 public:
  struct Options {
    std::string bind_address = "127.0.0.1";
    int port = 0;  // 0: an ephemeral port, see port().
    int max_connections = 256;
    int max_per_peer = 32;
    int max_header_bytes = 8192;
    int idle_timeout_ms = 10000;
    // Defaults from the --web_* flags.
    static Options FromFlags();
  };

  HttpServer(HttpRouter router, Options options);
  ~HttpServer();  // Stop().
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Start();
  // Closes every connection and joins the I/O thread. Idempotent.
  void Stop();
  int port() const { return port_.load(); }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int> port_{0};
};

// Percent-decodes `in` (and '+' as a space when `plus_is_space`); false on
// a bad escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

}  // namespace mr::web
