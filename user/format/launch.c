// SPDX-License-Identifier: GPL-2.0
/*
 * The launch facts in the recording directory (format/launch.h), writer
 * and reader side by side: the meta keys from "launch=" on (exe, cwd,
 * personality, rlimit_stack, rseq, fds, the executable's identity, the
 * first exec's AT_RANDOM bytes and vDSO, the ignored and blocked
 * signals), "argv" and "env" (NUL-separated strings), "execs" (one
 * line per later exec: pid, index, AT_RANDOM address and bytes, vDSO,
 * functions patched) and "exe-PID-INDEX" (a copy of an exec'd image that
 * no path names).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "format/recording.h"
#include "format/launch.h"

static void hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int unhex(const char *s, uint8_t *b, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		b[i] = v;
	}
	return 0;
}

/* A NUL-separated string list into DIR/NAME. */
static int write_list(const char *dir, const char *name, char *const *v)
{
	char path[4096];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	for (; v && *v; v++)
		fwrite(*v, 1, strlen(*v) + 1, f);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int read_list(const char *dir, const char *name, char ***out)
{
	char path[4096], *buf = NULL, **v, *p;
	size_t len = 0, cap = 0, n = 0, i;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			free(buf);
			close(fd);
			return -errno;
		}
		if (!r)
			break;
		len += r;
	}
	close(fd);
	if (len && buf[len - 1])
		buf[len++] = 0;
	for (i = 0; i < len; i++)
		n += !buf[i];
	/* the pointers and the strings in one allocation */
	v = malloc((n + 1) * sizeof(char *) + len + 1);
	if (!v) {
		free(buf);
		return -ENOMEM;
	}
	p = (char *)(v + n + 1);
	memcpy(p, buf, len);
	free(buf);
	for (i = 0; i < n; i++) {
		v[i] = p;
		p += strlen(p) + 1;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

int launch_save(const char *dir, const struct launch_info *li)
{
	char rnd[33], fds[LAUNCH_MAX_FDS * 8] = "";
	size_t off = 0;
	int i, err;

	hex(rnd, li->exec.at_random, 16);
	for (i = 0; i < li->nfds && off < sizeof(fds) - 16; i++)
		off += snprintf(fds + off, sizeof(fds) - off, "%s%d", i ? "," : "", li->fds[i]);
	err = write_list(dir, "argv", li->argv);
	if (!err)
		err = write_list(dir, "env", li->envp);
	if (!err)
		err = recording_meta_append(dir,
			"launch=%d\nexe=%s\ncwd=%s\npersonality=%#lx\nrlimit_stack=%llu:%llu\n"
			"rseq=%s\nfds=%s\nexe_ino=%llu\nexe_size=%llu\nexe_mtime_ns=%llu\n"
			"at_random_addr=%#llx\nat_random=%s\nvdso=%#llx\nvdso_patched=%d\n"
			"sig_ignored=%#llx\nsig_blocked=%#llx\ncpu=%d\n",
			li->version, li->exe, li->cwd, li->personality,
			(unsigned long long)li->stack_cur, (unsigned long long)li->stack_max,
			li->rseq_disabled ? "disabled" : "enabled", fds,
			(unsigned long long)li->exe_ino, (unsigned long long)li->exe_size,
			(unsigned long long)li->exe_mtime_ns,
			(unsigned long long)li->exec.at_random_addr, rnd,
			(unsigned long long)li->exec.vdso, li->exec.vdso_patched,
			(unsigned long long)li->sig_ignored, (unsigned long long)li->sig_blocked,
			li->cpu);
	if (err)
		pr_err("cannot write the launch facts into %s: %s\n", dir, strerror(-err));
	return err;
}

static int meta_u64(const char *dir, const char *key, uint64_t *v)
{
	char buf[64], *end;

	if (recording_meta_get(dir, key, buf, sizeof(buf)))
		return -ENOENT;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return errno || *end || end == buf ? -EINVAL : 0;
}

bool launch_recorded(const char *dir)
{
	uint64_t v;

	return !meta_u64(dir, "launch", &v) && v == LAUNCH_VERSION;
}

int launch_load(const char *dir, struct launch_info *li)
{
	char buf[LAUNCH_MAX_FDS * 8], *p;
	uint64_t v;
	int err;

	memset(li, 0, sizeof(*li));
	snprintf(buf, sizeof(buf), "%s/%s", dir, RECORDING_META);
	if (access(dir, F_OK) || access(buf, F_OK)) {
		err = -errno;
		if (access(dir, F_OK))
			pr_err("cannot open the recording %s: %s\n", dir, strerror(-err));
		else
			pr_err("%s is not a recording: it has no %s file\n", dir, RECORDING_META);
		return err;
	}
	if (!launch_recorded(dir)) {
		pr_err("%s has no launch record: only recordings made by `ttrec record` (this version) can be replayed\n",
		       dir);
		return -ENOENT;
	}
	li->version = LAUNCH_VERSION;
	err = -EINVAL;
	if (recording_meta_get(dir, "exe", li->exe, sizeof(li->exe)) ||
	    recording_meta_get(dir, "cwd", li->cwd, sizeof(li->cwd)) ||
	    meta_u64(dir, "personality", &v))
		goto bad;
	li->personality = v;
	if (recording_meta_get(dir, "rlimit_stack", buf, sizeof(buf)) ||
	    sscanf(buf, "%llu:%llu", (unsigned long long *)&li->stack_cur,
		   (unsigned long long *)&li->stack_max) != 2)
		goto bad;
	if (recording_meta_get(dir, "rseq", buf, sizeof(buf)))
		goto bad;
	li->rseq_disabled = !strcmp(buf, "disabled");
	if (recording_meta_get(dir, "fds", buf, sizeof(buf)))
		goto bad;
	for (p = buf; *p && li->nfds < LAUNCH_MAX_FDS;) {
		char *end;

		li->fds[li->nfds++] = strtol(p, &end, 10);
		if (end == p)
			goto bad;
		p = *end == ',' ? end + 1 : end;
	}
	meta_u64(dir, "exe_ino", &li->exe_ino);
	meta_u64(dir, "exe_size", &li->exe_size);
	meta_u64(dir, "exe_mtime_ns", &li->exe_mtime_ns);
	if (meta_u64(dir, "at_random_addr", &li->exec.at_random_addr) ||
	    recording_meta_get(dir, "at_random", buf, sizeof(buf)) ||
	    unhex(buf, li->exec.at_random, 16) || meta_u64(dir, "vdso", &li->exec.vdso) ||
	    recording_meta_get(dir, "vdso_patched", buf, sizeof(buf)))
		goto bad;
	li->exec.vdso_patched = atoi(buf);
	if (meta_u64(dir, "sig_ignored", &li->sig_ignored) ||
	    meta_u64(dir, "sig_blocked", &li->sig_blocked))
		goto bad;
	/* recordings from before it have no cpu: their rseq is disabled */
	li->cpu = recording_meta_get(dir, "cpu", buf, sizeof(buf)) ? -1 : atoi(buf);
	err = read_list(dir, "argv", &li->argv);
	if (!err)
		err = read_list(dir, "env", &li->envp);
	if (!err && !li->argv[0])
		err = -EINVAL;
	if (err)
		goto bad;
	return 0;
bad:
	pr_err("%s: the launch record in %s/meta, argv or env is damaged\n", dir, dir);
	launch_free(li);
	return err ? err : -EINVAL;
}

void launch_free(struct launch_info *li)
{
	free(li->argv);
	free(li->envp);
	li->argv = li->envp = NULL;
}

int launch_save_exec(const char *dir, uint32_t pid, unsigned int index,
		     const struct launch_exec *ex)
{
	char path[4096], rnd[33];
	FILE *f;
	int err = 0;

	hex(rnd, ex->at_random, 16);
	snprintf(path, sizeof(path), "%s/execs", dir);
	f = fopen(path, "a");
	if (!f)
		return -errno;
	fprintf(f, "%u %u %#llx %s %#llx %d\n", pid, index,
		(unsigned long long)ex->at_random_addr, rnd,
		(unsigned long long)ex->vdso, ex->vdso_patched);
	if (fflush(f))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int launch_load_exec(const char *dir, uint32_t pid, unsigned int index,
		     struct launch_exec *ex)
{
	char path[4096], line[256], rnd[64];
	unsigned long long ra, vd;
	unsigned int p, i;
	int patched, found = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/execs", dir);
	f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %llx %63s %llx %d", &p, &i, &ra, rnd, &vd,
			   &patched) != 6 || p != pid || i != index)
			continue;
		memset(ex, 0, sizeof(*ex));
		ex->at_random_addr = ra;
		ex->vdso = vd;
		ex->vdso_patched = patched;
		found = unhex(rnd, ex->at_random, 16);
	}
	fclose(f);
	return found;
}

void launch_image_path(const char *dir, uint32_t pid, unsigned int index, char *out,
		       size_t len)
{
	snprintf(out, len, "%s/exe-%u-%u", dir, pid, index);
}

int launch_save_image(const char *dir, uint32_t pid, unsigned int index, int fd)
{
	char path[4096], buf[65536];
	ssize_t n = 0;
	off_t off = 0;
	int out, err = 0;

	launch_image_path(dir, pid, index, path, sizeof(path));
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
		off += n;
	}
	if (n < 0 && !err)
		err = -errno;
	if (close(out) && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}
