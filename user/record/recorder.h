/* SPDX-License-Identifier: GPL-2.0 */
/* The recorder shared by `ttrec record` and `ttrec attach` (user/record/). */
#ifndef TTREC_RECORD_RECORDER_H
#define TTREC_RECORD_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The recorder (recorder.c), shared by record and attach. */
struct recorder_opts {
	const char *dir;
	bool follow_fork;
	double duration;	/* seconds; 0: until the target exits */
	int pid;		/* attach: the target (a tgid) */
	char *const *argv;	/* record: the command to run (then pid is 0) */
	uint64_t ring_bytes;	/* 0: default */
	bool all_cpus;		/* record: do not pin the command to one CPU */
	/* called on every turn of the main loop (every few ms) while recording */
	void (*tick)(void *arg);
	void *tick_arg;
	/*
	 * --snapshot-interval: the snapshots ttrec.ko takes of the target go
	 * into the journal (REC_SNAP); @snap_image names the image of the one
	 * thread @parker took (snap_series_image()); @started is called with
	 * the command's pid once it runs (record), to begin them. All get
	 * @tick_arg.
	 */
	bool snapshots;
	bool (*snap_image)(void *arg, uint32_t parker, char *name, size_t len,
			   uint8_t id[16]);
	int (*started)(void *arg, int pid);
	/*
	 * At the end, before the target is untraced: true while a snapshot
	 * is still under way (the recorder drains meanwhile).
	 */
	bool (*settle)(void *arg);
};

/*
 * Load the BPF program, start opts->argv (traced from its exec) or trace
 * opts->pid (its whole thread group), drain
 * into DIR/journal until the target (and with follow_fork its children)
 * exits, SIGINT/SIGTERM or the duration. Return: 0 or -errno.
 * *exit_status gets the target's wait status when known (record), or -1.
 */
int recorder_run(const struct recorder_opts *o, int *exit_status);

#endif
