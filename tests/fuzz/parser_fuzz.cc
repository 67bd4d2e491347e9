// Any bytes in: a topology or diagnostics out, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/load.h"
#include "state/desired.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = netlab::load_topology_text(text, "fuzz.yaml");
  for (const auto& d : result.diagnostics.all()) (void)d.str();
  // A topology that validates must also build a graph without a cycle.
  if (result.topology) (void)netlab::build_desired(*result.topology);
  return 0;
}
