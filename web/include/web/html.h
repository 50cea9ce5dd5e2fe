// HTML and SVG for the daemons' status pages (docs/WEB.md): escaping, the
// page frame every page shares (style sheet, navigation, refresh while
// something runs), and the task timeline. Plain HTML and CSS with no
// scripts and nothing fetched from elsewhere.
//
// Every string that may come from a user (job names, paths, diagnostics,
// node ids) goes through HtmlEscape before it is written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mr::web {

// Escapes &, <, >, " and ' for text and attribute values; control
// characters other than \n and \t become U+FFFD (a name may hold anything).
std::string HtmlEscape(std::string_view text);
// A percent-encoded query value (for links that carry a name or a path).
std::string UrlEncode(std::string_view text);

struct NavLink {
  std::string href;
  std::string label;
};

// A whole page: <title>, the style sheet, the navigation bar, `body` (HTML
// already escaped), and with refresh_seconds > 0 a reload that often (a
// running job's page).
std::string Page(const std::string& title, const std::vector<NavLink>& nav,
                 const std::string& body, int refresh_seconds = 0);

// A horizontal bar filled to `fraction` (0..1), with `label` beside it.
std::string Bar(double fraction, const std::string& label);

// "1.2 GiB", "340 MiB", "12 KiB", "17 B".
std::string HumanBytes(int64_t bytes);
// "3.2 s", "1 min 05 s", "2 h 01 min".
std::string HumanDuration(int64_t ms);

// One bar of a timeline: an attempt, from start to finish, in a lane.
struct TimelineBar {
  std::string lane;   // A node id, or node:slot.
  int64_t start_ms;
  int64_t end_ms;     // <= start_ms: still running (drawn to `now_ms`).
  std::string label;  // The attempt id, shown in its tooltip.
  std::string kind;   // "map" or "reduce": the bar's colour.
  std::string outcome;  // "succeeded", "failed", "killed", "running".
  bool speculative = false;  // A backup attempt: drawn hatched.
  std::string tooltip;       // More lines for the tooltip (escaped here).
};

// The timeline as an inline <svg>: one lane per distinct TimelineBar.lane
// (sorted), one <rect class="bar ..."> per bar, a time axis, and a dashed
// line at barrier_ms (> 0: when the last map finished, so reduces could
// start their reduce phase).
std::string TimelineSvg(const std::vector<TimelineBar>& bars, int64_t origin_ms, int64_t now_ms,
                        int64_t barrier_ms);

}  // namespace mr::web
