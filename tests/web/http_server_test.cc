// The daemons' read-only HTTP server against raw TCP clients: routing and
// decoding, the refused methods and malformed, oversized and idle requests,
// and 600 idle connections that do not keep a real client out.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "web/html.h"
#include "web/http_server.h"

namespace mr::web {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Sends `request` and reads until the server closes (or 5 s pass).
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) reply.append(buf, n);
  ::close(fd);
  return reply;
}

std::string Get(int port, const std::string& target) {
  return Exchange(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

int StatusOf(const std::string& reply) {
  return reply.size() > 12 ? std::stoi(reply.substr(9, 3)) : -1;
}

std::string BodyOf(const std::string& reply) {
  size_t end = reply.find("\r\n\r\n");
  return end == std::string::npos ? "" : reply.substr(end + 4);
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Options options = {}) {
    HttpRouter router;
    router.Handle("/", [](const HttpRequest&) { return HttpResponse::Html("<p>home</p>"); });
    router.Handle("/echo", [](const HttpRequest& r) {
      return HttpResponse::Json("{\"a\":\"" + r.Param("a") + "\",\"b\":\"" + r.Param("b", "none") + "\"}");
    });
    router.Handle("/apps/", [](const HttpRequest& r) { return HttpResponse::Html(r.path); });
    router.Handle("/throws", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("x"); });
    server_ = std::make_unique<HttpServer>(std::move(router), options);
    ASSERT_TRUE(server_->Start().ok());
  }
  int port() const { return server_->port(); }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, RoutesAndDecodes) {
  Start();
  std::string home = Get(port(), "/");
  EXPECT_EQ(StatusOf(home), 200) << home;
  EXPECT_NE(home.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_EQ(BodyOf(home), "<p>home</p>");
  EXPECT_EQ(BodyOf(Get(port(), "/echo?a=x+y%21&b=%2Fp")), "{\"a\":\"x y!\",\"b\":\"/p\"}");
  EXPECT_EQ(BodyOf(Get(port(), "/echo")), "{\"a\":\"\",\"b\":\"none\"}");
  EXPECT_EQ(BodyOf(Get(port(), "/apps/app_1%20x")), "/apps/app_1 x");
  EXPECT_EQ(StatusOf(Get(port(), "/apps/")), 404);
  EXPECT_EQ(StatusOf(Get(port(), "/nope")), 404);
  EXPECT_EQ(StatusOf(Get(port(), "/throws")), 500);
  // HEAD: the headers, and no body.
  std::string head = Exchange(port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(head), 200);
  EXPECT_NE(head.find("Content-Length: 11"), std::string::npos) << head;
  EXPECT_EQ(BodyOf(head), "");
}

TEST_F(HttpServerTest, RefusesWhatIsNotAReadOnlyWellFormedRequest) {
  Start();
  std::string post = Exchange(port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(StatusOf(post), 405) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD"), std::string::npos) << post;
  EXPECT_EQ(StatusOf(Exchange(port(), "DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n")), 405);
  EXPECT_EQ(StatusOf(Get(port(), "/x%zz")), 400);
  EXPECT_EQ(StatusOf(Get(port(), "/x%4")), 400);
  EXPECT_EQ(StatusOf(Get(port(), "/echo?a=%G0")), 400);
  EXPECT_EQ(StatusOf(Exchange(port(), "GARBAGE\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port(), "GET x HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(StatusOf(Exchange(port(), big)), 431);
  EXPECT_EQ(StatusOf(Exchange(port(), "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")),
            413);
}

TEST_F(HttpServerTest, KeepsAliveAndClosesIdleConnections) {
  HttpServer::Options options;
  options.idle_timeout_ms = 300;
  Start(options);
  std::string two = Exchange(port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?a=2 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(two.find("<p>home</p>"), std::string::npos) << two;
  EXPECT_NE(two.find("{\"a\":\"2\""), std::string::npos) << two;
  // Nothing sent, or half a request: closed after the idle timeout.
  for (std::string partial : {std::string(), std::string("GET / HTTP/1.1\r\nHost")}) {
    auto start = std::chrono::steady_clock::now();
    std::string reply = Exchange(port(), partial);
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(reply, "");
    EXPECT_LT(waited, std::chrono::seconds(3));
  }
}

// Idle connections past the caps make room for new ones: 600 of them, from
// the one address every local client shares, and a real request is still
// answered at once.
TEST_F(HttpServerTest, SixHundredIdleConnectionsDoNotKeepAClientOut) {
  Start();
  std::vector<int> idle;
  for (int i = 0; i < 600; ++i) idle.push_back(Connect(port()));
  auto start = std::chrono::steady_clock::now();
  std::string reply = Get(port(), "/");
  EXPECT_EQ(StatusOf(reply), 200) << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  for (int fd : idle) ::close(fd);
}

TEST(HtmlTest, EscapesEverythingAUserMayName) {
  EXPECT_EQ(HtmlEscape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(HtmlEscape(std::string("a\x1b[31mb\0c\n", 10)), "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD" "c\n");
  EXPECT_EQ(UrlEncode("/a b/c&d"), "/a%20b/c%26d");
}

TEST(HtmlTest, TimelineHasOneBarPerAttemptInItsLane) {
  std::vector<TimelineBar> bars = {
      {"nm-1-1", 1000, 3000, "m_000000_0", "map", "succeeded", false, ""},
      {"nm-1-2", 1000, 2000, "m_000001_0", "map", "failed", false, "boom <b>"},
      {"nm-2-1", 2500, 3500, "m_000001_1", "map", "succeeded", true, ""},
      {"nm-1-1", 3600, 0, "r_000000_0", "reduce", "running", false, ""},
  };
  std::string svg = TimelineSvg(bars, 1000, 5000, 3500);
  size_t rects = 0;
  for (size_t at = 0; (at = svg.find("<rect ", at)) != std::string::npos; ++at) ++rects;
  EXPECT_EQ(rects, 4u);
  EXPECT_NE(svg.find("class=\"bar map failed\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"bar map succeeded speculative\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"bar reduce running\""), std::string::npos);
  EXPECT_NE(svg.find("boom &lt;b&gt;"), std::string::npos);
  EXPECT_NE(svg.find("class=\"barrier\""), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
}

}  // namespace
}  // namespace mr::web
