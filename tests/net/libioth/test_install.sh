#!/bin/bash
# The installed library used as a user of the original libioth would: the
# programs of examples/basic compiled against the installed headers with pkg-config
# (and a CMake project with find_package), run on `vdestack` and on
# `kernel` (inside a namespace whose interface is named vde0, as with
# `vdens`), talking to each other through one VDE switch.
. "$IOTH_TESTLIB"
need_cmd pkg-config cc vde_plug cmake
tmp=$(mktemp -d); NET_DIRS="$NET_DIRS $tmp"
prefix="$tmp/prefix"
# The user's own install_manifest.txt (make install; read by make uninstall)
# must survive this test: install as the "Unspecified" component (every
# install rule of the tree), whose manifest is install_manifest_Unspecified.txt.
user_manifest="$IOTH_BUILD_DIR/install_manifest.txt"
manifest_state() { if [ -e "$user_manifest" ]; then sha256sum <"$user_manifest"; else echo absent; fi; }
before=$(manifest_state)
test_manifest="$IOTH_BUILD_DIR/install_manifest_Unspecified.txt"
cmake --install "$IOTH_BUILD_DIR" --component Unspecified --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "cmake --install"; }
[ "$(manifest_state)" = "$before" ] || fail "the test's install changed the user's $user_manifest"
cp "$test_manifest" "$tmp/manifest" && rm -f "$test_manifest"
ok "the user's install_manifest.txt left as it was ($before)"
libdir=$(dirname "$(find "$prefix" -name ioth.pc)")/..
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# No LD_LIBRARY_PATH: the installed tools and libraries find ours by their
# run path; the programs compiled here are given one, as the README says.
unset LD_LIBRARY_PATH
grep -q "programs of yours need -Wl,-rpath,$prefix" "$tmp/install.log" ||
	{ cat "$tmp/install.log"; fail "the install does not say how programs find a non-system libdir"; }
for f in "$prefix"/bin/* "$libdir"/lib*.so "$libdir"/ioth/*.so; do
	[ -f "$f" ] || continue
	missing=$(ldd "$f" 2>&1 | grep "not found")
	[ -z "$missing" ] || fail "installed $(basename "$f") does not find its libraries: $missing"
done
ok "every installed tool, library and plugin finds its libraries, without LD_LIBRARY_PATH"
export IOTH_PLUGIN_PATH="$libdir/ioth"   # the installed plugins, not the build tree's
for p in ioth_kernel-r.so ioth_vdestack-r.so; do
	[ -f "$libdir/ioth/$p" ] || fail "$p not installed under <libdir>/ioth"
done
[ -f "$prefix/include/ioth.h" ] || fail "ioth.h not installed"
IOTHRUN_CHECKED=0
if [ -x "$IOTH_BUILD_DIR/tools/iothrun/iothrun" ]; then
	[ -x "$prefix/bin/iothrun" ] || fail "iothrun not installed in <prefix>/bin"
	[ -f "$libdir/ioth/libiothrun.so" ] || fail "libiothrun.so not installed under <libdir>/ioth"
	[ -n "$(find "$prefix" -name iothrun.1)" ] || fail "iothrun.1 not installed"
fi
ok "installed: $(cd "$prefix" && find . -name 'libioth.so*' -o -name ioth.h | tr '\n' ' ')"

# a man page (or a link to one) for every public function of the headers
man3=$(dirname "$(find "$prefix" -name ioth.3 | head -1)")
[ -d "$man3" ] || fail "no man3 directory"
nopage=""
for f in $(grep -ohE "\b(ioth|iothconf|iothdns|iothaddr)_[a-z0-9_]+ *\(" "$IOTH_SOURCE_DIR"/include/ioth.h \
		"$IOTH_SOURCE_DIR"/include/iothconf.h "$IOTH_SOURCE_DIR"/include/iothdns.h \
		"$IOTH_SOURCE_DIR"/include/iothaddr.h | tr -d ' (' | sort -u) \
		ioth_if_nametoindex ioth_ipaddr_add ioth_iproute_add ioth_nldialog; do
	# ioth__*: the header's own inline helpers, not API
	case $f in ioth_foo_*|ioth__*|*_t) continue ;; esac
	[ -f "$man3/$f.3" ] || { nopage="$nopage $f"; continue; }
	target=$(sed -n 's/^\.so //p' "$man3/$f.3")
	[ -z "$target" ] || [ -f "$man3/../$target" ] || nopage="$nopage $f(->$target)"
done
[ -z "$nopage" ] || fail "no man page for:$nopage"
for p in ioth-demo iothrun iothdig iothconf-show; do
	[ -f "$man3/../man1/$p.1" ] || fail "no man page $p.1"
done
ok "a man page for every public function (man ioth_msocket opens ioth(3)) and every tool"

for p in ciao_send ciao_recv echo_server echo_client; do
	cc -o "$tmp/$p" "$IOTH_SOURCE_DIR/examples/basic/$p.c" $(pkg-config --cflags --libs ioth) -lpthread \
		-Wl,-rpath,"$(pkg-config --variable=libdir ioth)" ||
		fail "$p does not compile with pkg-config --cflags --libs ioth"
done
ok "examples compile with pkg-config"

mkdir "$tmp/cm"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(user C)
find_package(ioth REQUIRED)
add_executable(ciao_cmake ciao.c)
target_link_libraries(ciao_cmake ioth::ioth)
CM
cp "$IOTH_SOURCE_DIR/examples/basic/ciao_send.c" "$tmp/cm/ciao.c"
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/cm.log" 2>&1 &&
	cmake --build "$tmp/cm/build" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "CMake find_package(ioth)"; }
ok "a CMake project builds with find_package(ioth)"

need_root
net_switch SW
VNL="vde://$SW"
# The kernel stack of a namespace with an interface named vde0.
net_ns k "$SW" vde0
NS=$(nsname k)

net_bg timeout 20 "$tmp/ciao_recv" vdestack "$VNL" 198.18.6.2/24 5000 1 >"$tmp/recv" 2>&1
wait_until 10 grep -q listening "$tmp/recv" || { cat "$tmp/recv"; fail "receiver on vdestack"; }
ip netns exec "$NS" timeout 20 "$tmp/ciao_send" kernel "$VNL" 198.18.6.1/24 198.18.6.2 5000 ||
	fail "ciao_send on the kernel stack"
wait_until 5 grep -q ": ciao" "$tmp/recv" || { cat "$tmp/recv"; fail "ciao from kernel not received"; }
ok "ciao from the kernel stack to a vdestack stack"

net_nsbg k timeout 30 "$tmp/echo_server" kernel "" 198.18.6.10/24 5000 >"$tmp/server" 2>&1
wait_until 10 grep -q "echo server" "$tmp/server" || { cat "$tmp/server"; fail "echo_server on kernel"; }
reply=$(echo "over the wire" | timeout 20 "$tmp/echo_client" vdestack "$VNL" 198.18.6.11/24 198.18.6.10 5000)
[ "$reply" = "over the wire" ] || fail "echo through kernel server: '$reply'"
ok "echo_client on vdestack, echo_server on kernel"
# without IOTH_PLUGIN_PATH: the installed libioth finds the plugins next to itself
env -u IOTH_PLUGIN_PATH "$tmp/cm/build/ciao_cmake" vdestack "$VNL" 198.18.6.20/24 198.18.6.2 5000 ||
	fail "CMake-built ciao runs"
ok "CMake-built ciao runs, the installed plugins found without IOTH_PLUGIN_PATH"
if [ -x "$prefix/bin/iothrun" ] && [ -x /usr/bin/python3 ]; then
	# the installed iothrun finds the installed library (relative to itself),
	# and libiothrun.so, preloaded into python, finds libiothconf and libioth
	got=$("$prefix/bin/iothrun" -d "stack=vdestack,vnl=$VNL,eth,ip=198.18.6.40/24" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("198.18.6.1", 9))
print(s.getsockname()[0])' 2>"$tmp/iothrun.log")
	[ "$got" = 198.18.6.40 ] || { cat "$tmp/iothrun.log"; fail "installed iothrun: got '$got'"; }
	grep -q "LD_PRELOAD=$(cd "$libdir" && pwd -P)/ioth/libiothrun.so" "$tmp/iothrun.log" ||
		{ cat "$tmp/iothrun.log"; fail "installed iothrun did not use the installed library"; }
	ok "installed iothrun runs a program on a vdestack stack"
	IOTHRUN_CHECKED=1
fi
# make uninstall removes what make install put there.
(cd "$IOTH_BUILD_DIR" && cmake -DMANIFEST="$tmp/manifest" -P "$IOTH_SOURCE_DIR/cmake/uninstall.cmake" \
	>"$tmp/uninstall.log" 2>&1) || { cat "$tmp/uninstall.log"; fail "uninstall"; }
left=$(find "$prefix" -type f -o -type l | wc -l)
[ "$left" = 0 ] || { find "$prefix" -type f -o -type l; fail "$left files left after uninstall"; }
n=$(grep -c '' "$tmp/manifest")
grep -q "uninstall: $n of the $n files listed" "$tmp/uninstall.log" ||
	{ cat "$tmp/uninstall.log"; fail "uninstall did not say what it removed"; }
ok "uninstall removed every installed file, and said so"
# a second uninstall finds nothing: it warns instead of succeeding silently
(cd "$IOTH_BUILD_DIR" && cmake -DMANIFEST="$tmp/manifest" -P "$IOTH_SOURCE_DIR/cmake/uninstall.cmake" \
	>"$tmp/uninstall2.log" 2>&1)
grep -q "not there" "$tmp/uninstall2.log" && grep -q "uninstall removed nothing" "$tmp/uninstall2.log" ||
	{ cat "$tmp/uninstall2.log"; fail "uninstall of files not there is silent"; }
ok "uninstall warns about listed files that are not there"
[ "$(manifest_state)" = "$before" ] || fail "the user's $user_manifest changed"
echo "$((11 + IOTHRUN_CHECKED)) passed, 0 failed"
