#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ustack's layering, checked over the built objects with nm: a layer may
# reference symbols of its own layer and of the layers below it, never of a
# layer above. The order enforced, lowest first:
#
#   wire < core < link < net < socket < protocols < plugin
#
# (plugin: plugin.c and ustack.c, the stack assembled from its layers)
#
# where protocols are tcp/ udp/ raw/ packet/ netlink/ (one rank: netlink's
# sock_diag may read TCP's and UDP's sockets). A lower layer reaches a higher
# one only through a handler the higher one registered (net/proto.h,
# socket/sock.h, link/link.h). Usage: test_layering.sh BUILD_DIR/src/ustack
set -u
dir=${1:?usage: $0 BUILD_DIR/src/ustack}
command -v nm >/dev/null || { echo "SKIP: nm (binutils) not installed"; exit 77; }

# References that still go up, each commented with why; this list only
# shrinks (docs/design.md, "The layering rule").
ALLOW=(
)

rank() {
	case $1 in
	wire) echo 0 ;; core) echo 1 ;; link) echo 2 ;; net) echo 3 ;; socket) echo 4 ;;
	tcp|udp|raw|packet|netlink) echo 5 ;; plugin) echo 6 ;; *) echo -1 ;;
	esac
}

# layer of an object, from its path in the build tree
layer_of() {
	case $1 in
	*/ustack_wire.dir/*) echo wire ;;
	*/plugin.c.o | */ustack_core.dir/ustack.c.o) echo plugin ;;
	*/ustack_core.dir/*) local r=${1#*/ustack_core.dir/}; echo "${r%%/*}" ;;
	*) echo "" ;;
	esac
}

mapfile -t objs < <(find "$dir" -name '*.c.o' \( -path '*/ustack_core.dir/*' -o -path '*/ustack_wire.dir/*' -o -name plugin.c.o \) | sort)
if [ ${#objs[@]} -lt 20 ]; then
	echo "FAIL: found ${#objs[@]} objects under $dir: is it the build tree's src/ustack?"
	exit 1
fi

declare -A def_layer def_obj
for o in "${objs[@]}"; do
	l=$(layer_of "$o")
	if [ "$(rank "$l")" -lt 0 ]; then
		echo "FAIL: $o is in no known layer ($l): add its directory to this test"
		exit 1
	fi
	while read -r sym; do
		def_layer[$sym]=$l
		def_obj[$sym]=${o##*.dir/}
	done < <(nm --defined-only -g "$o" | awk 'NF==3 {print $3}')
done

declare -A allowed
for a in "${ALLOW[@]}"; do allowed[$a]=1; done

bad=0 used_allow=0
for o in "${objs[@]}"; do
	l=$(layer_of "$o"); r=$(rank "$l")
	src=${o##*.dir/}; src=${src%.o}
	while read -r sym; do
		h=${def_layer[$sym]:-}
		[ -n "$h" ] || continue
		hr=$(rank "$h")
		[ "$hr" -gt "$r" ] || continue
		key="$src -> $sym"
		if [ -n "${allowed[$key]:-}" ]; then
			used_allow=$((used_allow + 1))
			echo "allowed: $key (${def_obj[$sym]%.o})"
			continue
		fi
		echo "UP: $l $src references $sym of $h (${def_obj[$sym]%.o})"
		bad=$((bad + 1))
	done < <(nm -u "$o" | awk '{print $NF}')
done
# an allow-list entry that no longer matches must go (the list only shrinks)
if [ "$used_allow" -ne "${#ALLOW[@]}" ]; then
	echo "FAIL: ${#ALLOW[@]} allow-list entries, $used_allow still needed: remove the stale ones"
	bad=$((bad + 1))
fi
echo "${#objs[@]} objects, $bad upward references"
[ "$bad" -eq 0 ]
