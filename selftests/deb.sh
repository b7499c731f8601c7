#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (make deb) on a clean Debian 12: a debootstrap
# chroot (minbase, from the Debian mirror apt uses here) with the headers
# of Debian's 6.1 cloud kernel. `apt-get install ./*.deb` installs them;
# ttrec runs, man finds its pages, bash its completion, a program including
# <linux/ttrec.h> compiles; DKMS has built and installed ttrec.ko for the 6.1
# kernel at install, and builds it for the 6.12 kernel when that kernel's
# headers are installed after (a kernel upgrade), each module with its
# kernel's vermagic; a purge leaves no file and no DKMS entry behind. TAP.
#
# Host only, as root, with the packages built (make check does both); it
# skips otherwise. The chroot's base (debootstrap, man-db, the 6.1 headers)
# is kept as a tarball and the downloaded packages in a folder, under
# TTREC_DEB_CACHE (default: $OUTPUT/debtest), so that only a first run
# downloads; the base is made again once a week old. TTREC_DEB_MIRROR and
# TTREC_DEB_SECURITY override the mirrors found in apt's sources. The
# chroot is left in the cache folder when a test failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${OUTPUT:-$here/../.output}
plan=9
skip_all() {
	echo "1..$plan"
	for i in $(seq 1 $plan); do echo "ok $i # SKIP $1"; done
	exit 0
}
debs=$(ls "$out"/deb/*.deb 2>/dev/null)
[ -n "$debs" ] || skip_all "no packages in $out/deb (make deb)"
[ "$(id -u)" = 0 ] || skip_all "not root"
for c in debootstrap unshare chroot dpkg-deb; do
	command -v $c >/dev/null || skip_all "no $c here (make deps)"
done

# Everything below in a mount namespace of its own: the chroot's mounts go
# away with it, whatever happens.
if [ -z "${TTREC_DEB_NS:-}" ]; then
	TTREC_DEB_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

out=$(cd "$out" && pwd)
cache=${TTREC_DEB_CACHE:-$out/debtest}
base=$cache/bookworm-base.tar
root=$cache/root
log=$cache/log
mkdir -p "$cache/archives/partial"
: >"$log"
version=$(dpkg-deb -f "$(ls "$out"/deb/ttrec_*.deb | head -n 1)" Version)
pkgs=$(for d in $debs; do dpkg-deb -f "$d" Package; done | xargs)

n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {	# NAME [quiet]
	n=$((n + 1)) fail=$((fail + 1))
	echo "not ok $n $1"
	# what the chroot said last
	[ -n "${2:-}" ] || tail -n 15 "$log" | sed 's/^/#   /'
}
# check NAME COMMAND...: one result, from the command's status.
check() {
	local name=$1
	shift
	if "$@" >>"$log" 2>&1; then ok "$name"; else not_ok "$name"; fi
}

# The mirror of the suite (bookworm, bookworm-security) in apt's sources.
mirror_of() {
	local suite=$1
	{
		awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
			{ uri = ""; hit = 0
			  for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) { split($i, u, " "); uri = u[2] }
				if ($i ~ /^Suites:/) {
					n = split($i, w, " ")
					for (j = 2; j <= n; j++) if (w[j] == s) hit = 1
				}
			  }
			  if (hit && uri != "") print uri }' \
			/etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n "s/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) $suite .*/\2/p" \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | head -n 1
}
# A URL debootstrap can use: mirror+file:FILE (as in Debian's cloud
# images) names the first mirror in FILE; other schemes fall back to
# deb.debian.org.
usable_mirror() {	# URI DEFAULT
	local uri=$1
	case $uri in mirror+file:*)
		uri=$(grep -m 1 -o '^https\?://[^[:space:]]*' "${uri#mirror+file:}" 2>/dev/null) ;;
	esac
	case $uri in http://*|https://*) echo "${uri%/}" ;; *) echo "$2" ;; esac
}
mirror=${TTREC_DEB_MIRROR:-$(usable_mirror "$(mirror_of bookworm)" \
	http://deb.debian.org/debian)}
security=${TTREC_DEB_SECURITY:-$(usable_mirror "$(mirror_of bookworm-security)" \
	http://deb.debian.org/debian-security)}

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"; }
apt_get() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@"; }

# Mount what the chroot needs: /proc, and the package cache. And make dpkg
# faster where it does not matter: no fsync() per file (a throwaway chroot),
# no man page index (man -w does not use it).
mount_root() {
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/unsafe-io" &&
	echo 'man-db man-db/auto-update boolean false' |
		chroot "$root" debconf-set-selections &&
	cp /etc/resolv.conf "$root/etc/resolv.conf" &&
	mkdir -p "$root/var/cache/apt/archives" &&
	mount -t proc proc "$root/proc" &&
	mount --bind "$cache/archives" "$root/var/cache/apt/archives"
}
unmount_root() {
	local m
	for m in var/cache/apt/archives proc; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	return 0
}
remove_root() {
	unmount_root
	# never through a mount that is still there
	[ ! -e "$root" ] || rm -rf --one-file-system "$root"
}

# The base: debootstrap minbase, the Debian sources, man-db and the 6.1
# cloud headers (with the compiler they need); made when missing or a week
# old, into a tarball.
make_base() {
	remove_root
	mkdir -p "$root"
	debootstrap --variant=minbase bookworm "$root" "$mirror" || return 1
	cat >"$root/etc/apt/sources.list" <<-EOF || return 1
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb $security bookworm-security main
	EOF
	# no services start in a chroot
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" &&
	chmod 0755 "$root/usr/sbin/policy-rc.d" &&
	mount_root &&
	apt_get update &&
	apt_get install man-db linux-headers-cloud-amd64 &&
	unmount_root &&
	tar -C "$root" --exclude=./var/cache/apt/archives -cf "$base.tmp" . &&
	mv "$base.tmp" "$base"
}

echo "1..$plan"
echo "# mirror $mirror, security $security; log $log"
start=$(date +%s)

# 1: the chroot
if [ -z "$(find "$base" -mtime -7 2>/dev/null)" ]; then
	echo "# making the base (debootstrap, about 2-3 min)"
	make_base >>"$log" 2>&1 || rm -f "$base"
fi
remove_root
if [ -f "$base" ] && mkdir -p "$root" && tar -C "$root" -xf "$base" &&
   mount_root >>"$log" 2>&1 && apt_get update >>"$log" 2>&1; then
	ok "a clean Debian 12 chroot with the 6.1 cloud headers ($(( $(date +%s) - start )) s)"
else
	not_ok "a clean Debian 12 chroot (log: $log)"
	while [ $n -lt $plan ]; do not_ok "(no chroot)" quiet; done
	exit 1
fi
k61=$(in_root sh -c 'ls -d /lib/modules/6.1.*-cloud-amd64/build' 2>/dev/null |
      sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1)

# 2: the packages, as a user installs them
mkdir -p "$root/tmp/debs"
# shellcheck disable=SC2086
cp $debs "$root/tmp/debs/"
check "apt-get install ./*.deb ($pkgs)" \
	in_root sh -c 'cd /tmp/debs && apt-get install -y -q -o Dpkg::Use-Pty=0 \
		--no-install-recommends ./*.deb'

# 3-6: the tool, its pages, its completion, the header
check "ttrec --version says $version" \
	in_root sh -c "ttrec --version && ttrec --version | grep -q '^ttrec $version '"
check "man -w finds ttrec(8) and ttrec-snapshot(8)" \
	in_root sh -c 'man -w ttrec | grep -q man8/ttrec.8 &&
		man -w ttrec-snapshot | grep -q man8/ttrec-snapshot.8'
check "bash completion for ttrec" \
	in_root bash -c '. /usr/share/bash-completion/completions/ttrec &&
		complete -p ttrec | grep -q _ttrec'
check "<linux/ttrec.h> compiles (ttrec-dev)" \
	in_root sh -c 'printf "%s\n" "#include <linux/ttrec.h>" \
		"_Static_assert(sizeof(struct ttrec_api) == TTREC_API_SIZE_VER0, \"api\");" \
		"unsigned long cmd = TTREC_IOC_SNAPSHOT;" >/tmp/t.c &&
		cc=$(command -v gcc || command -v gcc-12) &&
		$cc -std=c11 -Wall -Werror -c -o /tmp/t.o /tmp/t.c'

# The vermagic a module built for kernel $1 must have: a module of that
# kernel on this machine, else the one the project built for its series
# with the release put in.
want_vermagic() {
	local rel=$1 ko own
	ko=$(find "/lib/modules/$rel/kernel" -name '*.ko*' 2>/dev/null | head -n 1)
	if [ -n "$ko" ]; then
		modinfo -F vermagic "$ko"
		return
	fi
	for own in "$out"/module/*/ttrec.ko; do
		case "${own#"$out"/module/}" in
		"${rel%.*}".*)	# the same series (6.1.x, 6.12.x)
			echo "$rel $(modinfo -F vermagic "$own" | cut -d' ' -f2-)"
			return ;;
		esac
	done
}
# dkms_ok KERNEL: DKMS says installed for it, and the module is there, with
# the kernel's vermagic.
dkms_ok() {
	local rel=$1 ko got want
	[ -n "$rel" ] || { echo "no kernel headers"; return 1; }
	in_root dkms status -m ttrec -v "$version" -k "$rel"
	in_root dkms status -m ttrec -v "$version" -k "$rel" | grep -q ': installed' || return 1
	ko=$(cd "$root" && ls lib/modules/"$rel"/updates/dkms/ttrec.ko* 2>/dev/null)
	[ -n "$ko" ] || { echo "no ttrec.ko in /lib/modules/$rel"; return 1; }
	got=$(in_root modinfo -F vermagic "/$ko")
	want=$(want_vermagic "$rel")
	echo "vermagic: $got (want: $want)"
	# the same words (modinfo ends it with a space)
	# shellcheck disable=SC2086,SC2116
	[ -n "$want" ] && [ "$(echo $got)" = "$(echo $want)" ]
}

# 7: built at install for the kernel whose headers were there
check "DKMS built ttrec.ko at install for $k61, vermagic matches" dkms_ok "$k61"

# 8: a kernel installed later gets it too
t=$(date +%s)
k612=
if apt_get install linux-headers-6.12-cloud-amd64 >>"$log" 2>&1; then
	k612=$(in_root sh -c 'ls -d /lib/modules/6.12.*-cloud-amd64/build' 2>/dev/null |
	       sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1)
fi
check "6.12 headers installed after: DKMS built ttrec.ko for ${k612:-6.12} ($(( $(date +%s) - t )) s), vermagic matches" \
	dkms_ok "$k612"

# 9: purge: no package, file, DKMS tree or module left
purged() {
	# shellcheck disable=SC2086
	apt_get purge $pkgs || return 1
	left=$(in_root dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $pkgs 2>/dev/null |
	       grep -v ' un *$')
	[ -z "$left" ] || { echo "still known to dpkg: $left"; return 1; }
	left=$(in_root find / -xdev \( -path /proc -o -path /tmp/debs -o \
		-path /var/cache/apt -o -path /var/lib/apt/lists -o -path /var/log \) -prune -o \
		-name '*ttrec*' -print)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	[ -z "$(in_root dkms status -m ttrec)" ] || { echo "dkms still knows ttrec"; return 1; }
	! grep -qs ttrec "$root"/lib/modules/*/modules.dep || { echo "in modules.dep"; return 1; }
}
check "apt-get purge leaves nothing of ttrec" purged

echo "# $(( $(date +%s) - start )) s"
unmount_root
[ "$fail" -eq 0 ] && remove_root
[ "$fail" -eq 0 ]
