// Overload{lambdas...}: one visitor for std::visit over a step (or any variant).
#pragma once

namespace netlab {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

}  // namespace netlab
