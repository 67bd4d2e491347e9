#include "parse/load.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "parse/prescan.h"
#include "parse/target_names.h"
#include "parse/route_family.h"
#include "parse/validate.h"
#include "parse/yaml_reader.h"
#include "parse/yaml_tree.h"

namespace netlab {

LoadResult load_topology_text(std::string_view text, const std::string& filename) {
  LoadResult r;
  auto file = std::make_shared<const std::string>(filename);
  if (!prescan_text(text, file, r.diagnostics)) return r;
  auto doc = read_yaml(text, file, r.diagnostics);
  if (!doc) return r;
  ReadGaps gaps;
  Topology t = read_topology(*doc, file, r.diagnostics, gaps);
  infer_default_route_families(t);
  resolve_target_names(t, gaps, r.diagnostics);
  if (!gaps.aborted) validate_topology(t, gaps, r.diagnostics);
  if (!r.diagnostics.has_errors()) r.topology = std::move(t);
  return r;
}

std::string topology_path(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

LoadResult load_topology_file(const std::string& path) {
  auto file = std::make_shared<const std::string>(path);
  auto fail = [&](const std::string& why) {
    LoadResult r;
    r.diagnostics.error(Pos{file, 0, 0}, why);
    return r;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot open: ") + std::strerror(errno));
  // In blocks, so that a small file costs small memory, and no further than one block past
  // the limit: enough to know the file is too big without reading it all.
  std::string text;
  char block[65536];
  while (text.size() <= kMaxTopologyBytes && in.read(block, sizeof block).gcount() > 0)
    text.append(block, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return fail(std::string("cannot read: ") + std::strerror(errno));
  if (text.size() > kMaxTopologyBytes)
    return fail("file is larger than 1 MiB (" + std::to_string(kMaxTopologyBytes) +
                " bytes); a topology may be at most that");
  return load_topology_text(text, path);
}

}  // namespace netlab
