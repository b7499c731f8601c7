#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the test VM: run every selftest program (kernel tests first).
cd /ttrec/selftests || exit 1
progs=
for p in kmod_*; do [ -x "$p" ] && progs="$progs /ttrec/selftests/$p"; done
for p in *; do
	case "$p" in kmod_*) continue ;; esac
	[ -f "$p" ] && [ -x "$p" ] && progs="$progs /ttrec/selftests/$p"
done
exec /ttrec/run-tests.sh vm $progs
