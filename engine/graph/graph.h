// A dependency graph of kernel objects: one vertex per object (or per facet of one, such as a
// link's configuration), an edge where one needs the other. `up` walks it in topological
// order, `down` in reverse. Knows nothing of what the vertices mean.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace netlab {

class CycleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Graph {
 public:
  // Adds a vertex; ids are unique. Returns its index.
  size_t add(std::string id);
  // `from` needs `to`: `to` comes first in order(). Unknown ids are a programming error.
  void need(size_t from, size_t to);
  void need(const std::string& from, const std::string& to);
  bool has(const std::string& id) const { return index_.count(id) != 0; }
  size_t index(const std::string& id) const;
  const std::string& id(size_t v) const { return ids_[v]; }
  const std::vector<size_t>& needs(size_t v) const { return needs_[v]; }
  // `v` goes as late as what needs it allows: among ready vertices it is taken only when no
  // other vertex is ready.
  void defer(size_t v) { deferred_.at(v) = true; }
  size_t size() const { return ids_.size(); }

  // Every vertex after all it needs; among ready vertices, the one added first goes first
  // (deferred ones last), so the order is stable. Throws CycleError naming a cycle's vertices.
  std::vector<size_t> order() const;

 private:
  std::vector<std::string> ids_;
  std::vector<std::vector<size_t>> needs_;
  std::vector<bool> deferred_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace netlab
