#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make the source tree dpkg-buildpackage builds the Debian packages from
# (make deb), as the kernel's scripts/package/mkdebian does: the tree keeps
# no debian/ of its own. Copies the files git tracks, as they are in the
# work tree (or, outside git, the project's top-level layout), into
# OUTDIR/ttrec-VERSION/, with the git revision in .scmversion, and makes
# debian/ there from user/packaging/debian/: the static files as they are,
# the maintainer and the copyright years filled in, and a changelog entry
# for VERSION dated by the last commit (dpkg-buildpackage derives
# SOURCE_DATE_EPOCH from it).
#
# usage: mkdebian.sh SRCDIR OUTDIR VERSION [GIT_REV]
# Environment: DEBFULLNAME and DEBEMAIL name the maintainer (default: the
# author of the last commit).
set -eu
src=$(cd "$1" && pwd) version=$3 rev=${4:-}
mkdir -p "$2"
out=$(cd "$2" && pwd)
tree=$out/ttrec-$version

rm -rf "$tree"
# Packages of an older VERSION would be installed beside the new ones.
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$tree"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 &&
   [ "$(git -C "$src" rev-parse --show-toplevel)" = "$(cd "$src" && pwd -P)" ]; then
	# Tracked files that still exist (not deleted since the last commit).
	(cd "$src" && git ls-files | while IFS= read -r f; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done | cpio -pdm --quiet "$tree")
else
	(cd "$src" && cp -a Makefile Kbuild README.md Documentation bpf include \
		kmod user selftests "$tree"/)
fi
printf '%s\n' "$rev" >"$tree/.scmversion"

if [ -n "${DEBEMAIL:-}" ]; then
	maint="${DEBFULLNAME:-ttrec developers} <$DEBEMAIL>"
else
	maint=$(git -C "$src" log -1 --format='%an <%ae>' 2>/dev/null ||
		echo "ttrec developers <ttrec@localhost>")
fi
date=$(git -C "$src" log -1 --format=%cD 2>/dev/null || date -R)

# The years of the first and the last commit.
first=$(git -C "$src" log --reverse --format=%cd --date=format:%Y 2>/dev/null | head -n 1)
last=$(git -C "$src" log -1 --format=%cd --date=format:%Y 2>/dev/null || date +%Y)
years=${first:-$last}
[ "$years" = "$last" ] || years="$years-$last"

cp -a "$src/user/packaging/debian" "$tree/debian"
sed -i "s|@MAINTAINER@|$maint|" "$tree/debian/control"
sed -i "s|@YEARS@|$years|" "$tree/debian/copyright"
cat >"$tree/debian/changelog" <<CHANGELOG
ttrec ($version) unstable; urgency=medium

  * Built from the source tree${rev:+ at $rev}.

 -- $maint  $date
CHANGELOG
