#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs: busybox, ttrec.ko (one per kernel built
# for, /ttrec/modules/<release>/ttrec.ko: the init links the running
# kernel's to /ttrec/ttrec.ko), ttrec, the selftests, the workloads and
# every shared library they need (found with ldd).
#
# usage: mkinitramfs.sh OUTPUT_DIR INITRAMFS
# TTREC_VM_EXTRA: more host programs to copy in (with their libraries).
# TTREC_VM_KMODS: guest kernel modules to copy in, with what they depend on
# (from TTREC_VM_KMODS_DIR/modules.dep), listed in load order in
# /ttrec/kmods.list for the init to insmod.
set -euo pipefail

out=$1
image=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
root=$out/vm/root

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,etc,ttrec/selftests/workloads}

busybox=$(command -v busybox || true)
for b in /bin/busybox /usr/bin/busybox "$busybox"; do
	if [ -n "$b" ] && [ -x "$b" ] && file -L "$b" | grep -q 'statically linked'; then
		busybox=$b
		break
	fi
done
[ -x "$busybox" ] || { echo "mkinitramfs: no static busybox (apt-get install busybox-static)" >&2; exit 1; }
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$src/selftests/vm/init" "$root/init"
install -m 0755 "$src/selftests/vm/vm-tests.sh" "$root/ttrec/vm-tests.sh"
install -m 0755 "$src/selftests/run-tests.sh" "$root/ttrec/run-tests.sh"
nmod=0
for ko in "$out"/module/*/ttrec.ko; do
	[ -f "$ko" ] || continue
	krel=${ko%/ttrec.ko}
	krel=${krel##*/}
	install -D -m 0644 "$ko" "$root/ttrec/modules/$krel/ttrec.ko"
	nmod=$((nmod + 1))
done
[ "$nmod" -gt 0 ] || { echo "mkinitramfs: no ttrec.ko in $out/module/*/ (make module)" >&2; exit 1; }
install -m 0755 "$out/ttrec" "$root/ttrec/ttrec"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

elfs=("$out/ttrec")
for t in "$out"/selftests/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	install -m 0755 "$t" "$root/ttrec/selftests/"
	elfs+=("$t")
done
for t in "$out"/selftests/workloads/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	install -m 0755 "$t" "$root/ttrec/selftests/workloads/"
	elfs+=("$t")
done
# Shell-script selftests run as they are (completion.sh with the completion);
# deb.sh installs the Debian packages in a chroot, on the host only.
install -m 0644 "$src/user/completion/ttrec.bash" "$root/ttrec/selftests/ttrec.bash"
for t in "$src"/selftests/*.sh; do
	case "${t##*/}" in run-tests.sh|deb.sh) continue ;; esac
	[ -f "$t" ] && install -m 0755 "$t" "$root/ttrec/selftests/"
done
for p in ${TTREC_VM_EXTRA:-}; do
	path=$(command -v "$p") || { echo "mkinitramfs: $p not found on the host" >&2; exit 1; }
	cp -L "$path" "$root/bin/"
	elfs+=("$path")
done

if [ -n "${TTREC_VM_KMODS:-}" ]; then
	kdir=${TTREC_VM_KMODS_DIR:?TTREC_VM_KMODS needs TTREC_VM_KMODS_DIR}
	mkdir -p "$root/ttrec/kmods"
	: >"$root/ttrec/kmods.list"
	add_kmod() {	# NAME or kernel/.../NAME.ko: its dependencies first
		local rel deps d
		case $1 in
		*.ko*) rel=$1 ;;
		*) rel=$(grep -E "(^|/)$1\.ko(\.xz|\.zst)?:" "$kdir/modules.dep" | head -n 1 | cut -d: -f1) ;;
		esac
		[ -n "$rel" ] || { echo "mkinitramfs: no module $1 in $kdir" >&2; exit 1; }
		grep -qxF "/ttrec/kmods/${rel##*/}" "$root/ttrec/kmods.list" && return
		deps=$(grep -E "^$rel:" "$kdir/modules.dep" | cut -d: -f2)
		for d in $deps; do add_kmod "$d"; done
		cp "$kdir/$rel" "$root/ttrec/kmods/"
		echo "/ttrec/kmods/${rel##*/}" >>"$root/ttrec/kmods.list"
	}
	for m in $TTREC_VM_KMODS; do add_kmod "$m"; done
fi

# Shared libraries and the dynamic loader, at the paths ldd names.
for e in "${elfs[@]}"; do
	file -L "$e" | grep -q 'dynamically linked' || continue
	ldd "$e" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }'
done | sort -u | while read -r lib; do
	cp -L --parents "$lib" "$root/"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$image.tmp"
mv "$image.tmp" "$image"
