#include "scheduler/client/report_format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "common/clock.h"
#include "common/json_writer.h"
#include "counters.h"
#include "scheduler/client/progress_display.h"

namespace mr::sched {

namespace {

std::string FormatTime(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void WriteReportFields(const wire::ApplicationReport& r, JsonWriter* json) {
  json->Key("app_id").String(r.app_id);
  json->Key("name").String(r.name);
  json->Key("user").String(r.user);
  json->Key("state").String(AppStateName(r.state));
  json->Key("map_progress").Double(r.map_progress);
  json->Key("reduce_progress").Double(r.reduce_progress);
  json->Key("diagnostics").String(r.diagnostics);
  json->Key("submit_time_ms").Int(r.submit_time_ms);
  json->Key("finish_time_ms").Int(r.finish_time_ms);
  json->Key("am_container_id").String(r.am_container_id);
  json->Key("am_node_id").String(r.am_node_id);
  json->Key("used").BeginObject();
  json->Key("vcores").Int(r.used.vcores).Key("memory_mb").Int(r.used.memory_mb);
  json->EndObject();
  json->Key("queue").String(r.queue);
  json->Key("share").Double(r.share);
  json->Key("fair_share").Double(r.fair_share);
  json->Key("wait_reason").String(r.wait_reason);
  json->Key("attempt_counts").BeginObject();
  for (const auto& [state, n] : r.attempt_counts) json->Key(state).Int(n);
  json->EndObject();
}

std::string ShareText(const wire::ApplicationReport& r) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f/%.2f", r.share, r.fair_share);
  return buf;
}

// An attempt's run time, to now while it runs ("-" before it started).
std::string AttemptSeconds(const wire::TaskAttemptReport& a) {
  if (a.start_time_ms <= 0) return "-";
  int64_t end = a.finish_time_ms > 0 ? a.finish_time_ms : WallClockMs();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs", std::max<int64_t>(0, end - a.start_time_ms) / 1000.0);
  return buf;
}

std::string Line(const char* label, const std::string& value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%-16s", label);
  return buf + value + "\n";
}

}  // namespace

std::string AppStateName(wire::AppState::type state) {
  auto it = wire::_AppState_VALUES_TO_NAMES.find(state);
  return it == wire::_AppState_VALUES_TO_NAMES.end() ? "UNKNOWN" : it->second;
}

bool IsFinal(wire::AppState::type state) {
  return state == wire::AppState::SUCCEEDED || state == wire::AppState::FAILED ||
         state == wire::AppState::KILLED;
}

std::string AttemptSummary(const std::vector<wire::TaskAttemptReport>& attempts, char kind) {
  std::map<std::string, int> by_state;
  for (const wire::TaskAttemptReport& a : attempts) {
    if (!a.attempt_id.empty() && a.attempt_id[0] == kind) ++by_state[a.state];
  }
  std::string out;
  for (const char* state : {"RUNNING", "SUCCEEDED", "FAILED", "KILLED"}) {
    auto it = by_state.find(state);
    if (it == by_state.end()) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + state;
    by_state.erase(it);
  }
  for (const auto& [state, n] : by_state) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + state;
  }
  return out.empty() ? "none" : out;
}

std::string FormatApplication(const wire::ApplicationReport& r, bool json, bool all_attempts) {
  Result<Counters> counters = Counters::FromJson(r.counters_json);
  if (json) {
    JsonWriter w;
    w.BeginObject();
    WriteReportFields(r, &w);
    w.Key("attempts").BeginArray();
    for (const wire::TaskAttemptReport& a : r.attempts) {
      w.BeginObject();
      w.Key("attempt_id").String(a.attempt_id);
      w.Key("container_id").String(a.container_id);
      w.Key("node_id").String(a.node_id);
      w.Key("state").String(a.state);
      w.Key("diagnostics").String(a.diagnostics);
      w.Key("start_time_ms").Int(a.start_time_ms);
      w.Key("finish_time_ms").Int(a.finish_time_ms);
      w.EndObject();
    }
    w.EndArray();
    w.Key("counters");
    (counters.ok() ? *counters : Counters()).WriteJson(&w);
    w.EndObject();
    return w.str() + "\n";
  }
  std::string out;
  out += Line("application", r.app_id);
  out += Line("name", r.name);
  out += Line("user", r.user);
  out += Line("queue", r.queue);
  out += Line("state", AppStateName(r.state));
  if (!r.wait_reason.empty()) out += Line("waiting", r.wait_reason);
  out += Line("share", ShareText(r) + " of the cluster (dominant share now / fair share)");
  out += Line("progress", "map " + std::to_string(ProgressDisplay::Percent(r.map_progress)) +
                              "%, reduce " +
                              std::to_string(ProgressDisplay::Percent(r.reduce_progress)) + "%");
  out += Line("submitted", FormatTime(r.submit_time_ms));
  out += Line("finished", FormatTime(r.finish_time_ms));
  if (!r.am_container_id.empty()) {
    out += Line("am", r.am_container_id + " on " + r.am_node_id);
  }
  if (!r.diagnostics.empty()) out += Line("diagnostics", r.diagnostics);
  if (!r.attempts.empty()) {
    out += Line("map attempts", AttemptSummary(r.attempts, 'm'));
    out += Line("reduce attempts", AttemptSummary(r.attempts, 'r'));
  }
  if (!r.attempts.empty() && !all_attempts && r.attempts.size() > kListedAttempts) {
    out += "(" + std::to_string(r.attempts.size()) + " attempts; --attempts lists each)\n";
  } else if (!r.attempts.empty()) {
    out += "attempts\n";
    for (const wire::TaskAttemptReport& a : r.attempts) {
      char buf[256];
      std::snprintf(buf, sizeof(buf), "  %-12s %-10s %-12s %-32s %8s\n", a.attempt_id.c_str(),
                    a.state.c_str(), a.node_id.c_str(), a.container_id.c_str(),
                    AttemptSeconds(a).c_str());
      out += buf;
    }
  }
  std::string counters_text = counters.ok() ? counters->ToText() : "";
  if (!counters_text.empty()) out += "counters\n" + counters_text;
  return out;
}

std::string FormatApplicationList(const std::vector<wire::ApplicationReport>& reports, bool json) {
  if (json) {
    JsonWriter w;
    w.BeginObject().Key("applications").BeginArray();
    for (const wire::ApplicationReport& r : reports) {
      w.BeginObject();
      WriteReportFields(r, &w);
      w.EndObject();
    }
    w.EndArray().EndObject();
    return w.str() + "\n";
  }
  std::string out;
  char buf[1024];
  std::snprintf(buf, sizeof(buf), "%-26s %-10s %-10s %5s %7s  %-9s %-16s %-8s %s\n",
                "APPLICATION", "QUEUE", "STATE", "MAP", "REDUCE", "SHARE", "NAME", "USER",
                "WAITING");
  out += buf;
  for (const wire::ApplicationReport& r : reports) {
    std::snprintf(buf, sizeof(buf), "%-26s %-10s %-10s %4d%% %6d%%  %-9s %-16s %-8s %s\n",
                  r.app_id.c_str(), r.queue.c_str(), AppStateName(r.state).c_str(),
                  ProgressDisplay::Percent(r.map_progress),
                  ProgressDisplay::Percent(r.reduce_progress), ShareText(r).c_str(),
                  r.name.c_str(), r.user.c_str(), r.wait_reason.c_str());
    out += buf;
  }
  return out;
}

}  // namespace mr::sched
