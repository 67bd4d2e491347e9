#!/usr/bin/env bash
# check.sh BUILD VERSION: builds the Debian packages in BUILD, unpacks them into a fresh root
# and checks what a user of the package gets: the tool runs, its manual pages render, its
# completions (bash, zsh) complete, and a project of its own finds netlab::netlab and builds a
# LabGuard example (which, as root, it also runs in a sandbox).
set -euo pipefail
build=$(cd "$1" && pwd)
version=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail cpack; }
deb=$build/netlab_${version}_amd64.deb
dev=$build/netlab-dev_${version}_amd64.deb
[ -f "$deb" ] && [ -f "$dev" ] || fail "no $deb or $dev"
root=$work/root
dpkg -x "$deb" "$root"
dpkg -x "$dev" "$root"
# Debian's layout: a -dev package's library, CMake package and pkg-config file in the multiarch
# folder (lib/x86_64-linux-gnu), nothing of them in /usr/lib itself.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$root/usr/lib/$multiarch
for file in libnetlab.a cmake/netlab/netlabConfig.cmake pkgconfig/netlab.pc; do
  [ -f "$libdir/$file" ] || fail "no /usr/lib/$multiarch/$file in $(basename "$dev")"
done
stray=$(find "$root/usr/lib" -mindepth 1 -maxdepth 1 ! -name "$multiarch")
[ -z "$stray" ] || fail "$(basename "$dev") installs in /usr/lib itself: $stray"
echo "== the library, CMake package and netlab.pc in /usr/lib/$multiarch: ok"
# The description as `apt show` prints it: a summary, then lines of at most 80 characters.
for package in "$deb" "$dev"; do
  description=$(dpkg -f "$package" Description)
  [ "$(wc -l <<<"$description")" -gt 1 ] || fail "$(basename "$package") has no long description"
  long=$(tail -n +2 <<<"$description" | grep -E '^.{81}|^ ;' || true)
  [ -z "$long" ] || fail "$(basename "$package")'s description has a bad line: $long"
done
depends=$(dpkg -f "$deb" Depends)
echo "== $(basename "$deb"): $depends"
for lib in libyaml-cpp0.7 libnl-3-200 libnl-route-3-200 libip4tc2 libpcap0.8 libstdc++6 libc6; do
  grep -q "\b$lib\b" <<<"$depends" || fail "$deb does not depend on $lib"
done

netlab=$root/usr/bin/netlab
[ "$("$netlab" --version)" = "netlab $version" ] || fail "netlab --version: $("$netlab" --version)"
# Read whole before grep -q, which stops reading early (a SIGPIPE, under pipefail a failure).
help=$("$netlab" --help)
grep -q '^  validate ' <<<"$help" || fail "netlab --help names no validate"
topologies=("$root"/usr/share/netlab/topologies/*.yaml)
for topology in "${topologies[@]}"; do
  out=$("$netlab" validate "$topology" 2>&1) || { echo "$out"; fail "netlab validate $topology"; }
done
[ -f "$root/usr/share/netlab/schema/topology.schema.json" ] || fail "no schema"
echo "== netlab --version, --help, validate of ${#topologies[@]} installed topologies: ok"

# Debian's pages and changelogs are gzipped with gzip -9n: no file name or time in the header
# (byte 3, flags; 4-7, time), so the package is the same for the same sources; byte 8 says -9.
gzipped() {
  [ -f "$1" ] || fail "no ${1#"$root"}"
  [ ! -e "${1%.gz}" ] || fail "${1%.gz} installed uncompressed"
  local header
  header=$(od -An -tx1 -N9 "$1" | tr -d ' \n')
  [ "$header" = 1f8b08000000000002 ] || fail "${1#"$root"} is not gzip -9n: header $header"
}
man1=$root/usr/share/man/man1/netlab.1.gz
man5=$root/usr/share/man/man5/netlab-topology.5.gz
gzipped "$man1"
gzipped "$man5"
# Each package says, as Debian requires, under what terms it is distributed (a machine-readable
# copyright file) and what changed (a changelog: changelog.gz for a native package).
for package in netlab netlab-dev; do
  doc=$root/usr/share/doc/$package
  copyright=$(cat "$doc/copyright") || fail "$package has no copyright file"
  [ "$(head -1 <<<"$copyright")" = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" ] ||
    fail "$package's copyright file is not machine-readable (DEP-5)"
  grep -q '^Files: \*$' <<<"$copyright" && grep -q '^License: ' <<<"$copyright" ||
    fail "$package's copyright file has no Files: * paragraph with a License"
  gzipped "$doc/changelog.gz"
  changelog=$(zcat "$doc/changelog.gz" | dpkg-parsechangelog -l - -S Version) ||
    fail "$package's changelog does not parse"
  [ "$changelog" = "$version" ] || fail "$package's changelog is of version $changelog"
done
echo "== copyright (DEP-5) and changelog.gz of version $version in both packages: ok"

# Each page renders without a warning, and shows every verb and every key of the format.
for page in "$man1" "$man5"; do
  text=$(MANWIDTH=100 man --warnings -l "$page" 2>"$work/man.err") || fail "man -l $page"
  [ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man -l $page warns"; }
  grep -q '^NAME' <<<"$text" || fail "man -l $page: no NAME"
done
verbs=$(sed -n '/^Subcommands:/,/^[^ ]/ s/^  \([a-z]\+\) .*/\1/p' <<<"$help")
page1=$(MANWIDTH=100 man -l "$man1")
page5=$(MANWIDTH=100 man -l "$man5")
[ -n "$verbs" ] || fail "netlab --help lists no verbs"
for verb in $verbs; do
  grep -q "^   netlab $verb$" <<<"$page1" || fail "netlab(1) has no section for $verb"
done
grep -q '^   veth$' <<<"$page5" || fail "netlab-topology(5) has no veth section"
echo "== netlab.1.gz, netlab-topology.5.gz: gzip -9n, man -l renders them: ok"

completion=$root/usr/share/bash-completion/completions/netlab
reply=$(PATH=$root/usr/bin:$PATH bash -c '
  source "$1" && complete -p netlab >/dev/null || exit 1
  COMP_WORDS=(netlab val); COMP_CWORD=1; _netlab; echo "${COMPREPLY[*]}"
  COMP_WORDS=(netlab status --j); COMP_CWORD=2; _netlab; echo "${COMPREPLY[*]}"' _ "$completion")
[ "$reply" = $'validate\n--json' ] || fail "completion of 'netlab val', 'netlab status --j': $reply"
echo "== bash completion: ok"

# zsh's completion, with compadd and _files replaced by stand-ins that print what they are given.
reply=$(PATH=$root/usr/bin:$PATH zsh -f -c '
  compadd() { shift; print -r -- "$*"; }
  _files() { print -r -- "files $*"; }
  fpath=("$1" $fpath) && autoload -U _netlab
  words=(netlab st); CURRENT=2; _netlab
  words=(netlab validate ""); CURRENT=3; _netlab' _ "$root/usr/share/zsh/vendor-completions")
[ "$reply" = $'validate graph plan up down exec capture test status logs list\nfiles -g *.(yaml|yml)(-.)' ] ||
  fail "zsh completion of 'netlab st', 'netlab validate ': $reply"
echo "== zsh completion: ok"

# A project of the library's users: the CMake package, then pkg-config.
cmake -S "$here" -B "$work/user" -DCMAKE_PREFIX_PATH="$root/usr" >"$work/user.log" 2>&1 &&
  cmake --build "$work/user" >>"$work/user.log" 2>&1 || { cat "$work/user.log"; fail "find_package(netlab)"; }
pc=(pkg-config --define-variable=prefix="$root/usr")
PKG_CONFIG_PATH=$libdir/pkgconfig "${pc[@]}" --exact-version="$version" netlab ||
  fail "netlab.pc is not version $version"
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig "${pc[@]}" --cflags --libs netlab)
# shellcheck disable=SC2086
c++ -o "$work/pc_example" "$here/lab_guard_example.cc" $flags || fail "a build with netlab.pc"
echo "== out-of-tree builds with find_package(netlab) and pkg-config: ok"

# Running a lab needs root; the sandbox keeps it off this machine's network.
if [ "$(id -u)" -eq 0 ]; then
  unshare --net --mount --propagation private bash -c '
    mount -t tmpfs netlab-run /run && mkdir -p /run/netns /run/netlab
    mkdir -p /etc/netns && mount -t tmpfs netlab-etc-netns /etc/netns
    "$1" "$2" netns1 192.168.213.3 && [ -z "$(ls /run/netns)" ]' _ \
    "$work/user/lab_guard_example" "$root/usr/share/netlab/topologies/default.yaml" ||
    fail "the LabGuard example"
  echo "== the LabGuard example, run in a sandbox: ok"
  # Four tests bring up one file at once, each as a copy of its own, and leave nothing.
  unshare --net --mount --propagation private bash -c '
    mount -t tmpfs netlab-run /run && mkdir -p /run/netns /run/netlab
    mkdir -p /etc/netns && mount -t tmpfs netlab-etc-netns /etc/netns
    ctest --test-dir "$1" -j4 --output-on-failure >"$2" 2>&1 &&
      [ -z "$(ls /run/netns)" ] && [ -z "$(ls /etc/netns)" ]' _ "$work/user" "$work/ctest.log" ||
    { cat "$work/ctest.log"; fail "the parallel fixture under ctest -j4"; }
  grep -q "100% tests passed, 0 tests failed out of 4" "$work/ctest.log" ||
    { cat "$work/ctest.log"; fail "the parallel fixture ran other than 4 tests"; }
  echo "== the parallel fixture, 4 GoogleTest tests under ctest -j4 in a sandbox: ok"
fi
