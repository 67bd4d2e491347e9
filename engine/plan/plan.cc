#include "plan/plan.h"

namespace netlab {

std::string format_action(const Action& a) {
  const char* sign = a.op == Op::Create ? "+" : a.op == Op::Change ? "~" : "-";
  std::string s = std::string(sign) + " " + a.object;
  if (a.ns != kHost || a.object.rfind("namespace ", 0) != 0) s += " in " + a.ns;
  if (!a.why.empty()) s += "  (" + a.why + ")";
  return s;
}

}  // namespace netlab
