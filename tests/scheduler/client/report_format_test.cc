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

// A large job's status summarizes its attempts by kind and state instead of
// listing thousands of lines; --attempts (all_attempts) lists each.
TEST(ReportFormatTest, ALargeJobGetsASummaryOfItsAttempts) {
  wire::ApplicationReport r;
  r.app_id = "app_1_0002";
  r.state = wire::AppState::RUNNING;
  r.queue = "prod";
  r.share = 0.5;
  r.fair_share = 0.75;
  r.wait_reason = "3 containers wanted: the cluster is full";
  for (int i = 0; i < 30; ++i) {
    r.attempts.push_back(Attempt("m_0000" + std::to_string(10 + i) + "_0",
                                 i < 25 ? "SUCCEEDED" : "KILLED", 1000, 2000));
  }
  r.attempts.push_back(Attempt("r_000000_0", "RUNNING", 1000, 0));
  std::string text = FormatApplication(r, /*json=*/false);
  EXPECT_TRUE(Contains(text, "map attempts    25 SUCCEEDED, 5 KILLED\n")) << text;
  EXPECT_TRUE(Contains(text, "reduce attempts 1 RUNNING\n")) << text;
  EXPECT_TRUE(Contains(text, "(31 attempts; --attempts lists each)")) << text;
  EXPECT_FALSE(Contains(text, "m_000010_0")) << text;
  EXPECT_TRUE(Contains(text, "queue           prod\n")) << text;
  EXPECT_TRUE(Contains(text, "waiting         3 containers wanted")) << text;
  EXPECT_TRUE(Contains(text, "share           0.50/0.75")) << text;
  std::string all = FormatApplication(r, /*json=*/false, /*all_attempts=*/true);
  EXPECT_TRUE(Contains(all, "m_000010_0")) << all;
  EXPECT_TRUE(Contains(all, "r_000000_0")) << all;
}

TEST(ReportFormatTest, ListShowsQueueStateShareAndWhyItWaits) {
  wire::ApplicationReport a;
  a.app_id = "app_1_0001";
  a.name = "wordcount";
  a.user = "me";
  a.queue = "dev";
  a.state = wire::AppState::ACCEPTED;
  a.wait_reason = "waiting for its AM to fit";
  wire::ApplicationReport b = a;
  b.app_id = "app_1_0002";
  b.queue = "prod";
  b.state = wire::AppState::RUNNING;
  b.share = 0.25;
  b.fair_share = 0.5;
  b.wait_reason = "";
  b.attempt_counts["RUNNING"] = 3;
  std::string text = FormatApplicationList({a, b}, /*json=*/false);
  EXPECT_TRUE(Contains(text, "QUEUE")) << text;
  EXPECT_TRUE(Contains(text, "WAITING")) << text;
  EXPECT_TRUE(Contains(text, "app_1_0001                 dev        ACCEPTED")) << text;
  EXPECT_TRUE(Contains(text, "waiting for its AM to fit\n")) << text;
  EXPECT_TRUE(Contains(text, "app_1_0002                 prod       RUNNING")) << text;
  EXPECT_TRUE(Contains(text, "0.25/0.50")) << text;
  std::string json = FormatApplicationList({a, b}, /*json=*/true);
  EXPECT_TRUE(Contains(json, "\"queue\":\"prod\"")) << json;
  EXPECT_TRUE(Contains(json, "\"wait_reason\":\"waiting for its AM to fit\"")) << json;
  EXPECT_TRUE(Contains(json, "\"attempt_counts\":{\"RUNNING\":3}")) << json;
}

}  // namespace
}  // namespace mr::sched
