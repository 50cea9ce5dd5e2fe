// ClusterState's scheduler (cluster_state.h, "schedules"): AM admission, fair
// shares, task grants with delay scheduling, preemption, and why each
// application waits.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <glog/logging.h>

#include "scheduler/resourcemanager/cluster_state.h"
#include "scheduler/resourcemanager/fair_share.h"
#include "scheduler/resourcemanager/resources.h"

namespace mr::sched {

namespace {

constexpr double kShareSlack = 1e-9;
// How fast the service an application got over its fair share fades
// (AccrueService).
constexpr double kServiceHalfLifeMs = 10000;

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// "0.25".
std::string Fraction(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", x);
  return buf;
}

// How local `node` is for `request`: 0 node, 1 rack, 2 neither (wire::Locality).
int LocalityOn(const wire::ContainerRequest& request, const wire::NodeInfo& node) {
  if (Contains(request.nodes, node.id)) return 0;
  if (Contains(request.racks, node.rack)) return 1;
  return 2;
}

bool HasPreferences(const wire::ContainerRequest& request) {
  return !request.nodes.empty() || !request.racks.empty();
}

}  // namespace

void ClusterState::Schedule(int64_t now_ms) {
  const wire::Resource total = LiveCapacity();
  AccrueService(now_ms);
  AdmitAms(now_ms, total);
  GrantTasks(now_ms, total);
  ComputeFairShares(total);
  Preempt(now_ms, total);
  UpdateWaitReasons(now_ms);
}

wire::Resource ClusterState::LiveCapacity() const {
  wire::Resource total = MakeResource(0, 0);
  for (const auto& [id, node] : nodes_) {
    if (node.alive) AddTo(&total, node.info.capability);
  }
  return total;
}

double ClusterState::QueueKey(const std::string& queue, const wire::Resource& total) const {
  wire::Resource used = MakeResource(0, 0);
  for (const auto& [id, app] : apps_) {
    if (app.queue == queue && !app.Finished()) AddTo(&used, app.report.used);
  }
  const QueueConfig* config = FindQueue(queue);
  return DominantShare(used, total) / (config != nullptr ? config->weight : 1.0);
}

void ClusterState::AccrueService(App& app, int64_t now_ms) {
  if (app.service_at_ms > 0 && now_ms > app.service_at_ms) {
    double dt = static_cast<double>(now_ms - app.service_at_ms);
    double over = DominantShare(app.report.used, LiveCapacity()) - app.fair_share;
    app.service = app.service * std::exp2(-dt / kServiceHalfLifeMs) + over * dt;
  }
  app.service_at_ms = std::max(app.service_at_ms, now_ms);
}

void ClusterState::AccrueService(int64_t now_ms) {
  for (auto& [id, app] : apps_) {
    if (!app.Finished()) AccrueService(app, now_ms);
  }
}

// ---- AMs ---------------------------------------------------------------------

void ClusterState::AdmitAms(int64_t now_ms, const wire::Resource& total) {
  int running = 0;
  // AMs of attempts that ended (stopping) count against their node's room
  // until they are gone, but not against the share: they are not running.
  wire::Resource am_held = MakeResource(0, 0);
  for (const auto& [id, c] : containers_) {
    if (c.is_am && !c.stopping) AddTo(&am_held, c.resource);
  }
  std::vector<App*> waiting;
  for (auto& [id, app] : apps_) {
    if (app.has_am) ++running;
    app.am_wait.clear();
    if (app.WantsAm()) waiting.push_back(&app);
  }
  if (waiting.empty()) return;
  std::map<std::string, double> queue_key;
  for (const QueueConfig& queue : options_.queues) queue_key[queue.name] = QueueKey(queue.name, total);
  // Retried AMs first (their task containers hold resources already), then
  // the queue furthest below its weight, then FIFO.
  std::sort(waiting.begin(), waiting.end(), [&](const App* a, const App* b) {
    bool a_retry = a->am_attempts > 0, b_retry = b->am_attempts > 0;
    if (a_retry != b_retry) return a_retry;
    double ka = queue_key[a->queue], kb = queue_key[b->queue];
    if (ka != kb) return ka < kb;
    return a->submit_order < b->submit_order;
  });
  wire::Resource am_limit = MakeResource(
      static_cast<int32_t>(std::floor(total.vcores * options_.max_am_share + kShareSlack)),
      static_cast<int64_t>(std::floor(total.memory_mb * options_.max_am_share + kShareSlack)));
  for (App* app : waiting) {
    const wire::Resource& am = app->submission.am_resource;
    if (running >= options_.max_running_apps) {
      app->am_wait = "waiting for its AM: " + std::to_string(running) +
                     " applications run, the most allowed (--rm_max_running_apps)";
      continue;
    }
    // One AM may always run, or nothing could.
    bool any_am = am_held.vcores > 0 || am_held.memory_mb > 0;
    if (any_am && !Fits(Plus(am_held, am), am_limit)) {
      app->am_wait = "waiting for its AM to fit: AMs hold " + ToString(am_held) + " of the " +
                     ToString(am_limit) + " they may (--rm_max_am_share=" +
                     Fraction(options_.max_am_share) + ")";
      continue;
    }
    Node* best = nullptr;
    for (auto& [id, node] : nodes_) {
      if (!node.alive || !Fits(am, node.Free())) continue;
      if (best == nullptr || node.Free().memory_mb > best->Free().memory_mb) best = &node;
    }
    if (best == nullptr) {
      app->am_wait = "waiting for a node with room for its AM (" + ToString(am) + ")";
      continue;
    }
    wire::Container container = Grant(*app, *best, am, /*is_am=*/true, now_ms);
    AddTo(&am_held, am);
    app->has_am = true;
    app->needs_am = false;
    app->am_registered = false;
    app->last_am_contact_ms = now_ms;
    ++app->am_attempts;
    app->am_container_ids.push_back(container.container_id);
    app->report.state = wire::AppState::ACCEPTED;
    app->report.am_container_id = container.container_id;
    app->report.am_node_id = best->info.id;
    ++version_;
    ++running;
    AmLaunch launch;
    launch.node = best->info;
    launch.user = app->report.user;
    launch.context.app_id = app->report.app_id;
    launch.context.container_id = container.container_id;
    launch.context.binary_dfs_path = app->submission.binary_dfs_path;
    launch.context.arguments = app->submission.am_args;
    launch.context.env = app->submission.am_env;
    launch.context.env["MR_AM_ATTEMPT"] = std::to_string(app->am_attempts);
    launch.context.resource = am;
    am_launches_.push_back(std::move(launch));
  }
}

// ---- Fair shares ---------------------------------------------------------------

void ClusterState::ComputeFairShares(const wire::Resource& total) {
  // Demand: what an application holds plus what it asks for, as a dominant
  // share; only applications with an AM take part (YARN's runnable apps).
  std::map<std::string, std::vector<App*>> by_queue;
  std::map<App*, double> demand;
  for (auto& [id, app] : apps_) {
    app.fair_share = 0;
    app.report.share = DominantShare(app.report.used, total);
    app.report.fair_share = 0;
    if (app.Finished() || !app.has_am) continue;
    wire::Resource wanted = app.report.used;
    for (const auto& [request_id, r] : app.pending) AddTo(&wanted, r.request.resource);
    demand[&app] = std::min(1.0, DominantShare(wanted, total));
    by_queue[app.queue].push_back(&app);
  }
  std::vector<ShareClaim> queue_claims;
  std::vector<const std::vector<App*>*> queue_apps;
  for (const QueueConfig& queue : options_.queues) {
    auto it = by_queue.find(queue.name);
    if (it == by_queue.end()) continue;
    double queue_demand = 0;
    for (App* app : it->second) queue_demand += demand[app];
    queue_claims.push_back({queue.weight, std::min(1.0, queue_demand)});
    queue_apps.push_back(&it->second);
  }
  std::vector<double> queue_shares = WaterFill(queue_claims, 1.0);
  for (size_t q = 0; q < queue_apps.size(); ++q) {
    std::vector<ShareClaim> claims;
    for (App* app : *queue_apps[q]) claims.push_back({1.0, demand[app]});
    std::vector<double> shares = WaterFill(claims, queue_shares[q]);
    for (size_t a = 0; a < shares.size(); ++a) {
      (*queue_apps[q])[a]->fair_share = shares[a];
      (*queue_apps[q])[a]->report.fair_share = shares[a];
    }
  }
}

// ---- Task containers -----------------------------------------------------------

std::vector<ClusterState::App*> ClusterState::AppsInFairOrder() {
  const wire::Resource total = LiveCapacity();
  std::map<std::string, double> queue_key;
  for (const QueueConfig& queue : options_.queues) queue_key[queue.name] = QueueKey(queue.name, total);
  std::vector<App*> apps;
  for (auto& [id, app] : apps_) {
    if (app.report.state == wire::AppState::RUNNING && !app.pending.empty()) apps.push_back(&app);
  }
  std::sort(apps.begin(), apps.end(), [&](const App* a, const App* b) {
    double ka = queue_key[a->queue], kb = queue_key[b->queue];
    if (ka != kb) return ka < kb;
    double sa = DominantShare(a->report.used, total), sb = DominantShare(b->report.used, total);
    if (sa != sb) return sa < sb;
    if (a->service != b->service) return a->service < b->service;
    if (a->last_grant_ms != b->last_grant_ms) return a->last_grant_ms < b->last_grant_ms;
    return a->submit_order < b->submit_order;
  });
  return apps;
}

void ClusterState::GrantTasks(int64_t now_ms, const wire::Resource& total) {
  (void)total;
  // PlaceFor recomputes these for every application with requests.
  for (auto& [id, app] : apps_) {
    app.unschedulable.clear();
    if (app.pending.empty() || app.report.state != wire::AppState::RUNNING) {
      app.declined_since_ms.clear();
    }
  }
  for (;;) {
    bool granted = false;
    for (App* app : AppsInFairOrder()) {
      std::optional<Placement> placement = PlaceFor(*app, now_ms);
      if (!placement.has_value()) continue;
      const wire::ContainerRequest r = placement->request->request;
      wire::Container container = Grant(*app, *placement->node, r.resource, /*is_am=*/false,
                                        now_ms);
      container.request_id = r.request_id;
      container.locality = !HasPreferences(r) ? wire::Locality::OFF_RACK
                                               : static_cast<wire::Locality::type>(placement->level);
      containers_[container.container_id].grant = container;
      app->pending.erase(r.request_id);
      app->declined_since_ms.erase(placement->node->info.id);
      app->last_grant_ms = now_ms;
      app->granted.push_back(std::move(container));
      granted = true;
      break;  // Shares moved: the order again.
    }
    if (!granted) return;
  }
}

std::set<std::string> ClusterState::EffectiveExclusions(const wire::ContainerRequest& request,
                                                        bool* unschedulable) const {
  std::set<std::string> excluded(request.excluded_nodes.begin(), request.excluded_nodes.end());
  bool fits_outside = false, fits_anywhere = false;
  for (const auto& [id, node] : nodes_) {
    if (!node.alive || !Fits(request.resource, node.TaskRoom())) continue;
    fits_anywhere = true;
    if (excluded.count(id) == 0) fits_outside = true;
  }
  *unschedulable = !fits_anywhere;
  // Exclusions never make a request unplaceable (as Hadoop ignores its
  // node blacklist past a threshold): the nodes that could hold it are all
  // excluded, so none is.
  if (!fits_outside) excluded.clear();
  return excluded;
}

std::optional<ClusterState::Placement> ClusterState::PlaceFor(App& app, int64_t now_ms) {
  std::vector<Request*> order;
  for (auto& [id, request] : app.pending) order.push_back(&request);
  std::sort(order.begin(), order.end(), [](const Request* a, const Request* b) {
    if (a->request.priority != b->request.priority) return a->request.priority < b->request.priority;
    return a->created_ms < b->created_ms;
  });
  app.unschedulable.clear();
  std::set<std::string> declined;  // Free nodes it would take for no request (locality).
  std::set<std::string> acceptable;  // Free nodes it would take for some request.
  std::optional<Placement> best;
  for (size_t i = 0; i < order.size(); ++i) {
    Request* request = order[i];
    const wire::ContainerRequest& r = request->request;
    // Requests of a lower priority only if a higher one found nothing.
    if (best.has_value() && r.priority != best->request->request.priority) break;
    bool unschedulable = false;
    std::set<std::string> excluded = EffectiveExclusions(r, &unschedulable);
    if (unschedulable && app.unschedulable.empty()) {
      app.unschedulable = "a container of " + ToString(r.resource) +
                          " fits no live node (largest: " + ToString(LargestNode()) +
                          ", less the AMs on it)";
    }
    for (auto& [id, node] : nodes_) {
      if (!node.alive || !Fits(r.resource, node.Free()) || excluded.count(id) > 0) continue;
      int level = HasPreferences(r) ? LocalityOn(r, node.info) : 2;
      int allowed = 2;
      if (HasPreferences(r)) {
        auto since = app.declined_since_ms.find(id);
        int64_t idle = since == app.declined_since_ms.end() ? 0 : now_ms - since->second;
        int64_t delay = r.locality_delay_ms;
        allowed = idle >= 2 * delay ? 2 : idle >= delay ? 1 : 0;
      }
      if (level > allowed) {
        declined.insert(id);
        continue;
      }
      acceptable.insert(id);
      // Best locality, then the oldest request (the order), then the node
      // with the most free memory (spreads load).
      bool better = !best.has_value() || level < best->level ||
                    (level == best->level && request == best->request &&
                     node.Free().memory_mb > best->node->Free().memory_mb);
      if (better) best = Placement{request, &node, level};
    }
  }
  // Delay scheduling's clocks: one per free node the app turns down; a node
  // that is not free for it (or that it takes) starts afresh.
  for (const std::string& id : acceptable) declined.erase(id);
  for (auto it = app.declined_since_ms.begin(); it != app.declined_since_ms.end();) {
    it = declined.count(it->first) > 0 ? std::next(it) : app.declined_since_ms.erase(it);
  }
  for (const std::string& id : declined) app.declined_since_ms.emplace(id, now_ms);
  return best;
}

// ---- Preemption ----------------------------------------------------------------

void ClusterState::Preempt(int64_t now_ms, const wire::Resource& total) {
  if (options_.preemption_timeout_ms <= 0) return;
  // Usage after the preemptions decided in this pass.
  std::map<std::string, wire::Resource> usage;
  for (const auto& [id, app] : apps_) usage[id] = app.report.used;
  for (auto& [app_id, app] : apps_) {
    bool below = app.report.state == wire::AppState::RUNNING && !app.pending.empty() &&
                 app.report.share + kShareSlack < app.fair_share;
    // Starved: below its fair share, and no node has room for any request
    // (locality alone is not starvation: delay scheduling relaxes it).
    bool room = false;
    for (const auto& [request_id, request] : app.pending) {
      if (!below || room) break;
      bool unschedulable = false;
      std::set<std::string> excluded = EffectiveExclusions(request.request, &unschedulable);
      for (const auto& [id, node] : nodes_) {
        if (node.alive && excluded.count(id) == 0 && Fits(request.request.resource, node.Free())) {
          room = true;
        }
      }
    }
    if (!below || room) {
      app.starved_since_ms = 0;
      continue;
    }
    if (app.starved_since_ms == 0) app.starved_since_ms = now_ms;
    if (now_ms - app.starved_since_ms < options_.preemption_timeout_ms) continue;
    // The youngest task containers of applications over their fair share.
    std::vector<std::pair<int64_t, std::string>> candidates;  // (granted, id)
    for (const auto& [id, c] : containers_) {
      if (c.is_am || c.stopping || c.app_id == app_id) continue;
      const App* owner = FindApp(c.app_id);
      if (owner == nullptr || owner->Finished()) continue;
      if (DominantShare(usage[c.app_id], total) <= owner->fair_share + kShareSlack) continue;
      candidates.emplace_back(c.granted_ms, id);
    }
    std::sort(candidates.rbegin(), candidates.rend());
    double gained = app.report.share;
    std::map<std::string, wire::Resource> freed;  // By node, from this round's victims.
    for (const auto& [granted_ms, id] : candidates) {
      if (gained + kShareSlack >= app.fair_share) break;
      Container& c = containers_[id];
      const App* owner = FindApp(c.app_id);
      wire::Resource after = Minus(usage[c.app_id], c.resource);
      if (DominantShare(after, total) + kShareSlack < owner->fair_share) continue;
      // Only if some request of the starved app would fit in the room.
      const Node& node = nodes_[c.node_id];
      wire::Resource room_then = Plus(Plus(node.Free(), freed[c.node_id]), c.resource);
      bool useful = false;
      for (const auto& [request_id, request] : app.pending) {
        bool unschedulable = false;
        std::set<std::string> excluded = EffectiveExclusions(request.request, &unschedulable);
        if (excluded.count(c.node_id) == 0 && Fits(request.request.resource, room_then)) {
          useful = true;
        }
      }
      if (!useful) continue;
      usage[c.app_id] = after;
      AddTo(&freed[c.node_id], c.resource);
      gained += DominantShare(c.resource, total);
      c.stopping = true;
      c.preempted = true;
      nodes_[c.node_id].preempt_containers.push_back(id);
      LOG(INFO) << "rm: preempting " << id << " of " << c.app_id << " (share "
                << Fraction(DominantShare(usage[c.app_id], total)) << " after, fair "
                << Fraction(owner->fair_share) << ") for " << app_id << " (share "
                << Fraction(app.report.share) << ", fair " << Fraction(app.fair_share) << ")";
    }
    // The clock starts again: the next round waits another timeout.
    app.starved_since_ms = now_ms;
  }
}

// ---- Why applications wait -----------------------------------------------------

void ClusterState::UpdateWaitReasons(int64_t now_ms) {
  for (auto& [id, app] : apps_) {
    std::string why;
    if (app.Finished()) {
      why = "";
    } else if (app.WantsAm()) {
      why = app.am_wait;
    } else if (app.report.state == wire::AppState::ACCEPTED) {
      why = "its AM is starting";
    } else if (!app.pending.empty()) {
      std::string wanted = std::to_string(app.pending.size()) + " container" +
                           (app.pending.size() == 1 ? "" : "s") + " wanted: ";
      if (!app.unschedulable.empty()) {
        why = wanted + "unschedulable: " + app.unschedulable;
      } else if (!app.declined_since_ms.empty()) {
        why = wanted + "waiting for nodes holding their data (delay scheduling)";
      } else {
        bool below = app.report.share + kShareSlack < app.fair_share;
        why = wanted + "the cluster is full; share " + Fraction(app.report.share) + " of a fair " +
              Fraction(app.fair_share);
        if (below && options_.preemption_timeout_ms > 0 && app.starved_since_ms > 0) {
          int64_t left = options_.preemption_timeout_ms - (now_ms - app.starved_since_ms);
          why += ", preemption in " + std::to_string(std::max<int64_t>(0, left) / 1000) + " s";
        }
      }
    }
    app.report.wait_reason = why;
  }
}

}  // namespace mr::sched
