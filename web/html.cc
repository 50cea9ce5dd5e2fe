#include "web/html.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

namespace mr::web {

namespace {

constexpr char kStyle[] = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
nav{background:#234;padding:8px 16px}nav a{color:#fff;margin-right:18px;text-decoration:none}
main{padding:12px 16px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff;margin-bottom:12px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;width:120px;height:10px;background:#ddd;margin-right:6px;vertical-align:middle}
.bar>span{display:block;height:100%;background:#4a7}
.state-RUNNING{color:#06c}.state-SUCCEEDED{color:#080}.state-FAILED,.state-KILLED{color:#c00}
.alive{color:#080}.dead,.suspect{color:#c00}pre{white-space:pre-wrap;margin:0;max-width:60em}
svg .map{fill:#5b9bd5}svg .reduce{fill:#ed7d31}svg .failed{fill:#c00}svg .killed{fill:#999}
svg .running{fill-opacity:.55}svg .speculative{stroke:#000;stroke-dasharray:3 2;stroke-width:1.5}
svg .lane{font-size:11px}svg .axis{font-size:10px;fill:#555}svg .barrier{stroke:#333;stroke-dasharray:4 3}
)css";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
          out += "\xEF\xBF\xBD";  // U+FFFD
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Page(const std::string& title, const std::vector<NavLink>& nav,
                 const std::string& body, int refresh_seconds) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  if (refresh_seconds > 0) {
    page += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">";
  }
  page += "<title>" + HtmlEscape(title) + "</title><style>" + kStyle + "</style></head><body><nav>";
  for (const NavLink& link : nav) {
    page += "<a href=\"" + HtmlEscape(link.href) + "\">" + HtmlEscape(link.label) + "</a>";
  }
  page += "</nav><main><h1>" + HtmlEscape(title) + "</h1>\n" + body + "\n</main></body></html>\n";
  return page;
}

std::string Bar(double fraction, const std::string& label) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  char width[16];
  std::snprintf(width, sizeof(width), "%.1f", fraction * 100);
  return "<span class=\"bar\"><span style=\"width:" + std::string(width) + "%\"></span></span>" +
         HtmlEscape(label);
}

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof(out), unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return out;
}

std::string HumanDuration(int64_t ms) {
  char out[32];
  if (ms < 60000) {
    std::snprintf(out, sizeof(out), "%.1f s", ms / 1000.0);
  } else if (ms < 3600000) {
    std::snprintf(out, sizeof(out), "%lld min %02lld s", static_cast<long long>(ms / 60000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(out, sizeof(out), "%lld h %02lld min", static_cast<long long>(ms / 3600000),
                  static_cast<long long>(ms / 60000 % 60));
  }
  return out;
}

std::string TimelineSvg(const std::vector<TimelineBar>& bars, int64_t origin_ms, int64_t now_ms,
                        int64_t barrier_ms) {
  constexpr int kLabelWidth = 140, kPlotWidth = 900, kLaneHeight = 18, kAxisHeight = 22;
  std::set<std::string> lane_names;
  int64_t end = origin_ms + 1;
  for (const TimelineBar& b : bars) {
    lane_names.insert(b.lane);
    end = std::max(end, b.end_ms > b.start_ms ? b.end_ms : now_ms);
  }
  std::map<std::string, int> lane_of;
  for (const std::string& name : lane_names) lane_of.emplace(name, static_cast<int>(lane_of.size()));
  const double span = static_cast<double>(end - origin_ms);
  auto x = [&](int64_t t) {
    return kLabelWidth + kPlotWidth * std::clamp((t - origin_ms) / span, 0.0, 1.0);
  };
  const int height = kAxisHeight + kLaneHeight * static_cast<int>(lane_of.size()) + 4;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                "height=\"%d\" viewBox=\"0 0 %d %d\">",
                kLabelWidth + kPlotWidth + 10, height, kLabelWidth + kPlotWidth + 10, height);
  std::string svg = buf;
  for (const auto& [name, lane] : lane_of) {
    int y = kAxisHeight + lane * kLaneHeight;
    std::snprintf(buf, sizeof(buf), "<text class=\"lane\" x=\"2\" y=\"%d\">", y + 13);
    svg += buf + HtmlEscape(name) + "</text>";
  }
  for (int tick = 0; tick <= 10; ++tick) {
    int64_t t = origin_ms + static_cast<int64_t>(span * tick / 10);
    std::snprintf(buf, sizeof(buf), "<text class=\"axis\" x=\"%.1f\" y=\"12\">%s</text>", x(t),
                  HtmlEscape(HumanDuration(t - origin_ms)).c_str());
    svg += buf;
  }
  for (const TimelineBar& b : bars) {
    int64_t stop = b.end_ms > b.start_ms ? b.end_ms : now_ms;
    double left = x(b.start_ms);
    double width = std::max(2.0, x(stop) - left);
    int y = kAxisHeight + lane_of[b.lane] * kLaneHeight + 2;
    std::string cls = "bar ";
    cls += HtmlEscape(b.kind);
    cls += ' ';
    cls += HtmlEscape(b.outcome);
    if (b.speculative) cls += " speculative";
    std::snprintf(buf, sizeof(buf),
                  "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                  "data-attempt=\"",
                  cls.c_str(), left, y, width, kLaneHeight - 4);
    svg += buf + HtmlEscape(b.label) + "\"><title>" + HtmlEscape(b.label) + " (" +
           HtmlEscape(b.kind) + ", " + HtmlEscape(b.outcome) +
           (b.speculative ? ", speculative" : "") + ", " + HumanDuration(stop - b.start_ms) + ")" +
           (b.tooltip.empty() ? "" : "\n" + HtmlEscape(b.tooltip)) + "</title></rect>";
  }
  if (barrier_ms > origin_ms) {
    std::snprintf(buf, sizeof(buf),
                  "<line class=\"barrier\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\">"
                  "<title>the last map finished</title></line>",
                  x(barrier_ms), kAxisHeight - 4, x(barrier_ms), height);
    svg += buf;
  }
  return svg + "</svg>";
}

}  // namespace mr::web
