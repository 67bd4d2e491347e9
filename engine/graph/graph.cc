#include "graph/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace netlab {

size_t Graph::add(std::string id) {
  auto [it, inserted] = index_.emplace(id, ids_.size());
  if (!inserted) throw std::logic_error("graph: duplicate vertex " + id);
  ids_.push_back(std::move(id));
  needs_.emplace_back();
  deferred_.push_back(false);
  return it->second;
}

size_t Graph::index(const std::string& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) throw std::logic_error("graph: no vertex " + id);
  return it->second;
}

void Graph::need(size_t from, size_t to) {
  auto& n = needs_.at(from);
  if (std::find(n.begin(), n.end(), to) == n.end()) n.push_back(to);
}

void Graph::need(const std::string& from, const std::string& to) {
  need(index(from), index(to));
}

std::vector<size_t> Graph::order() const {
  const size_t n = ids_.size();
  std::vector<size_t> missing(n);  // needs not yet placed
  std::vector<std::vector<size_t>> needed_by(n);
  for (size_t v = 0; v < n; ++v) {
    missing[v] = needs_[v].size();
    for (size_t w : needs_[v]) needed_by[w].push_back(v);
  }
  using Heap = std::priority_queue<size_t, std::vector<size_t>, std::greater<>>;
  Heap ready, ready_deferred;
  auto make_ready = [&](size_t v) { (deferred_[v] ? ready_deferred : ready).push(v); };
  for (size_t v = 0; v < n; ++v)
    if (missing[v] == 0) make_ready(v);
  std::vector<size_t> out;
  out.reserve(n);
  while (!ready.empty() || !ready_deferred.empty()) {
    Heap& from = ready.empty() ? ready_deferred : ready;
    size_t v = from.top();
    from.pop();
    out.push_back(v);
    for (size_t w : needed_by[v])
      if (--missing[w] == 0) make_ready(w);
  }
  if (out.size() == n) return out;

  // Name one cycle: walk unplaced vertices along unplaced needs until one repeats.
  std::vector<int> seen_at(n, -1);
  std::vector<size_t> path;
  size_t v = 0;
  while (missing[v] == 0) ++v;
  while (seen_at[v] < 0) {
    seen_at[v] = static_cast<int>(path.size());
    path.push_back(v);
    for (size_t w : needs_[v])
      if (missing[w] != 0) {
        v = w;
        break;
      }
  }
  std::string msg = "dependency cycle: ";
  for (size_t i = seen_at[v]; i < path.size(); ++i) msg += ids_[path[i]] + " -> ";
  throw CycleError(msg + ids_[v]);
}

}  // namespace netlab
