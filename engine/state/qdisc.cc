#include "state/qdisc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace netlab {

namespace {

// Where no rate is declared, netem's queue is sized for the fastest a veth is likely to go.
constexpr double kVethBytesPerSecond = 10e9 / 8;
// The most a tbf queues, as a time at its rate (tc's `latency`).
constexpr uint32_t kTbfQueueMs = 50;
// netem's own default: its queue never holds less.
constexpr uint32_t kNetemMinLimit = 1000;

uint32_t diff(uint32_t a, uint32_t b) {
  return a > b ? a - b : b - a;
}

QdiscObj tbf(const ImpairObj& want, uint32_t handle, uint32_t parent) {
  QdiscObj q{want.ns, want.dev, "tbf", handle, parent};
  q.rate = static_cast<uint32_t>(want.value.rate / 8);
  // A bucket of 10 ms at the rate keeps the timer's slack out of the rate; at least a few
  // whole packets, or a packet larger than the bucket would be dropped.
  q.burst = std::max(q.rate / 100, 4 * (want.mtu + 14));
  q.limit = q.rate / 1000 * kTbfQueueMs + q.burst;
  return q;
}

// netem holds every packet for its delay: its queue must hold the bandwidth-delay product, or a
// delayed link drops what it cannot hold (its default of 1000 packets caps a 50 ms link at
// about 240 Mbit/s). Twice that, counting packets of a full MTU (smaller ones are rarer).
uint32_t netem_limit(const ImpairObj& want) {
  double bytes_per_s = want.value.rate ? want.value.rate / 8.0 : kVethBytesPerSecond;
  double seconds = (want.value.delay_us + want.value.jitter_us) / 1e6;
  double packets = std::ceil(2 * bytes_per_s * seconds / (want.mtu + 14));
  return static_cast<uint32_t>(std::clamp<double>(packets, kNetemMinLimit, INT32_MAX));
}

std::string rate_text(uint64_t bits) {
  for (auto [unit, scale] :
       {std::pair{"gbit", 1'000'000'000ull}, {"mbit", 1'000'000ull}, {"kbit", 1'000ull}})
    if (bits >= scale && bits % scale == 0) return std::to_string(bits / scale) + unit;
  return std::to_string(bits) + "bit";
}

std::string delay_text(uint32_t us) {
  if (us >= 1'000'000 && us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  if (us >= 1'000 && us % 1'000 == 0) return std::to_string(us / 1'000) + "ms";
  return std::to_string(us) + "us";
}

std::string percent_text(uint32_t p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", p * 100.0 / UINT32_MAX);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s + "%";
}

std::string delay_of(uint64_t us) {
  return delay_text(static_cast<uint32_t>(us));
}
std::string percent_of(uint64_t p) {
  return percent_text(static_cast<uint32_t>(p));
}

struct Key {
  const char* name;
  uint64_t (*value)(const Impairment&);  // 0: not set
  std::string (*format)(uint64_t);
  bool netem;
  std::string text(const Impairment& m) const { return value(m) ? format(value(m)) : ""; }
};

// Every key of `impair:`, as the file names it.
const Key kKeys[] = {
    {"rate", [](const Impairment& m) { return m.rate; }, rate_text, false},
    {"delay", [](const Impairment& m) -> uint64_t { return m.delay_us; }, delay_of, true},
    {"jitter", [](const Impairment& m) -> uint64_t { return m.jitter_us; }, delay_of, true},
    {"loss", [](const Impairment& m) -> uint64_t { return m.loss; }, percent_of, true},
    {"duplicate", [](const Impairment& m) -> uint64_t { return m.duplicate; }, percent_of, true},
    {"corrupt", [](const Impairment& m) -> uint64_t { return m.corrupt; }, percent_of, true},
    {"reorder", [](const Impairment& m) -> uint64_t { return m.reorder; }, percent_of, true},
};

}  // namespace

bool QdiscObj::same_settings(const QdiscObj& o) const {
  if (kind != o.kind || handle != o.handle || parent != o.parent) return false;
  if (kind == "tbf") return rate == o.rate && limit == o.limit;
  return limit == o.limit && diff(delay_us, o.delay_us) <= 1 && diff(jitter_us, o.jitter_us) <= 1 &&
         loss == o.loss && duplicate == o.duplicate && corrupt == o.corrupt && reorder == o.reorder;
}

bool ImpairObj::needs_netem() const {
  return std::any_of(std::begin(kKeys), std::end(kKeys),
                     [&](const Key& k) { return k.netem && k.value(value); });
}

std::vector<QdiscObj> impair_qdiscs(const ImpairObj& want) {
  std::vector<QdiscObj> out;
  const Impairment& m = want.value;
  if (want.needs_netem()) {
    QdiscObj q{want.ns, want.dev, "netem", kQdiscHandle};
    q.limit = netem_limit(want);
    q.delay_us = m.delay_us;
    q.jitter_us = m.jitter_us;
    q.loss = m.loss;
    q.duplicate = m.duplicate;
    q.corrupt = m.corrupt;
    q.reorder = m.reorder;
    out.push_back(q);
    if (m.rate) out.push_back(tbf(want, kQdiscChildHandle, kQdiscHandle | 1));
  } else if (m.rate) {
    out.push_back(tbf(want, kQdiscHandle, kQdiscRoot));
  }
  return out;
}

Impairment impairment_of(const std::vector<const QdiscObj*>& qdiscs) {
  Impairment m;
  for (const QdiscObj* q : qdiscs) {
    if (q->kind == "tbf") m.rate = uint64_t{q->rate} * 8;
    if (q->kind != "netem") continue;
    m.delay_us = q->delay_us;
    m.jitter_us = q->jitter_us;
    m.loss = q->loss;
    m.duplicate = q->duplicate;
    m.corrupt = q->corrupt;
    m.reorder = q->reorder;
  }
  return m;
}

std::string describe_impairment(const Impairment& m) {
  std::string s;
  for (const auto& k : kKeys)
    if (auto v = k.text(m); !v.empty())
      s += (s.empty() ? "" : ", ") + std::string(k.name) + " " + v;
  return s.empty() ? "none" : s;
}

std::string impairment_changes(const Impairment& have, const Impairment& want) {
  std::string s;
  for (const auto& k : kKeys) {
    auto a = k.text(have), b = k.text(want);
    if (a == b) continue;
    s += (s.empty() ? "" : ", ") + std::string(k.name) + " " + (a.empty() ? "none" : a) + " -> " +
         (b.empty() ? "none" : b);
  }
  return s;
}

std::string netem_keys(const Impairment& m) {
  std::string s;
  for (const auto& k : kKeys)
    if (k.netem && k.value(m)) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

}  // namespace netlab
