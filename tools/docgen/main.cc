// netlab_docgen NETLAB SCHEMA OUTDIR [TEMPLATE OUT]...: writes OUTDIR/netlab.1 from the binary's
// --help and OUTDIR/netlab-topology.5 from the JSON Schema, and each completion TEMPLATE filled
// with the verbs and options as OUT, so that none of them can drift from the tool.
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "pages.h"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc % 2 != 0) {
    std::fprintf(stderr, "usage: netlab_docgen NETLAB SCHEMA OUTDIR [TEMPLATE OUT]...\n");
    return 64;
  }
  try {
    using namespace netlab::docgen;
    MainHelp help = read_help(argv[1]);
    std::string dir = argv[3];
    write(dir + "/netlab.1", cli_page(help));
    write(dir + "/netlab-topology.5", topology_page(read(argv[2]), help.version));
    for (int i = 4; i + 1 < argc; i += 2) write(argv[i + 1], completion(help, read(argv[i])));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab_docgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
