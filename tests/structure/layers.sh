#!/bin/bash
# Which layer may include which (docs/architecture.md, "Who includes whom"): fails, naming the
# include, when a file reaches into a layer it must not see.
set -euo pipefail
engine=${1:?usage: layers.sh ENGINE_DIR}
bad=0
# forbid LAYER PATTERN WHY: no file under engine/LAYER includes a header matching PATTERN.
forbid() {
  local hits
  hits=$(grep -rnE "#include \"($2)" "$engine/$1" --include=*.cc --include=*.h || true)
  if [ -n "$hits" ]; then
    echo "engine/$1 must not include $2 ($3):"
    echo "$hits"
    bad=1
  fi
}
forbid kernel 'parse/|plan/|record/|api/|graph/|apply/executor|apply/rollback' "the kernel adapters sit at the edge"
forbid plan 'apply/|kernel/|api/' "the plan is computed, never applied, by the planner"
forbid state 'apply/|kernel/|plan/|api/|parse/' "the desired and live state are plain data"
forbid kinds 'apply/|plan/|api/|parse/|record/' "a kind answers questions; the core asks them"
forbid model 'parse/|state/|plan/|apply/|kernel/|api/' "the model is the file's data"
forbid parse 'state/|plan/|apply/|kernel/|api/' "parsing knows the file, not the kernel"
exit $bad
