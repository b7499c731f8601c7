#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the test VM: run every selftest program (kernel tests first).
# TTREC_ONLY="a,b": only those programs (the ttrec.only= boot flag).
cd /ttrec/selftests || exit 1
if [ -n "${TTREC_ONLY:-}" ]; then
	progs=
	for p in $(echo "$TTREC_ONLY" | tr , ' '); do progs="$progs /ttrec/selftests/$p"; done
	exec /ttrec/run-tests.sh vm $progs
fi
progs=
for p in kmod_*; do [ -x "$p" ] && progs="$progs /ttrec/selftests/$p"; done
for p in *; do
	case "$p" in kmod_*) continue ;; esac
	[ -f "$p" ] && [ -x "$p" ] && progs="$progs /ttrec/selftests/$p"
done
exec /ttrec/run-tests.sh vm $progs
