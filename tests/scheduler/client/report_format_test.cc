// `mrjob status`: each attempt's node, container and run time, in text and
// JSON.
#include "scheduler/client/report_format.h"

#include <chrono>

#include <gtest/gtest.h>

namespace mr::sched {
namespace {

wire::TaskAttemptReport Attempt(const std::string& id, const std::string& state, int64_t start,
                                int64_t finish) {
  wire::TaskAttemptReport a;
  a.attempt_id = id;
  a.state = state;
  a.node_id = "nm-1-1";
  a.container_id = "app_1_0001_c000002";
  a.start_time_ms = start;
  a.finish_time_ms = finish;
  return a;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ReportFormatTest, AttemptsShowTheirRunTime) {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  wire::ApplicationReport r;
  r.app_id = "app_1_0001";
  r.state = wire::AppState::RUNNING;
  r.attempts = {Attempt("m_000000_0", "SUCCEEDED", 1000, 3500),
                Attempt("m_000001_0", "RUNNING", now - 60000, 0),
                Attempt("m_000002_0", "RUNNING", 0, 0)};
  std::string text = FormatApplication(r, /*json=*/false);
  EXPECT_TRUE(Contains(text, "m_000000_0   SUCCEEDED  nm-1-1       app_1_0001_c000002")) << text;
  EXPECT_TRUE(Contains(text, " 2.5s\n")) << text;
  // A running attempt's time runs to now (a minute, give or take the test).
  EXPECT_TRUE(Contains(text, " 60.0s\n") || Contains(text, " 60.1s\n")) << text;
  EXPECT_TRUE(Contains(text, " -\n")) << text;
  std::string json = FormatApplication(r, /*json=*/true);
  EXPECT_TRUE(Contains(json, "\"attempt_id\":\"m_000000_0\"")) << json;
  EXPECT_TRUE(Contains(json, "\"start_time_ms\":1000,\"finish_time_ms\":3500")) << json;
  EXPECT_TRUE(Contains(json, "\"start_time_ms\":" + std::to_string(now - 60000) +
                                 ",\"finish_time_ms\":0"))
      << json;
}

}  // namespace
}  // namespace mr::sched
