#include <cstdio>
int main() {
  std::puts("netlab: under construction");
  return 0;
}
