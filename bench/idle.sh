# Sourced by run.sh and sandbox.sh: waiting until the kernel is done with earlier work.

# busy_ticks: "BUSY TOTAL" CPU ticks so far, all CPUs (/proc/stat).
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

# cpu_idle: true when the CPUs are under 5% busy over the next half second.
cpu_idle() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(busy_ticks)
  sleep 0.5
  read -r b1 t1 < <(busy_ticks)
  [ $(((b1 - b0) * 20)) -le $((t1 - t0)) ]
}
