// SPDX-License-Identifier: GPL-2.0
/*
 * Launch facts shared by `ttrec record` and `ttrec replay`: what a replay
 * must reproduce for the program's first instruction to see the same
 * machine as in the recording.
 *
 * - The address space: ADDR_NO_RANDOMIZE (personality), the same
 *   RLIMIT_STACK (it places mmap_base), the same argv, environment and
 *   execve file name (they fill the initial stack).
 * - The 16 AT_RANDOM bytes (stack protector and pointer guard): recorded
 *   at the exec stop, written back at the replay's exec stop.
 * - The vDSO: its time functions never enter the kernel, so the recorder
 *   would not see them. At the exec stop both sides overwrite each of them
 *   with `mov $NR,%eax; syscall; ret`, which the recorder records and the
 *   replayer emulates like any syscall.
 * - rseq: the kernel writes the current cpu into a registered rseq area at
 *   any preemption. A seccomp filter fails rseq() with ENOSYS in the
 *   recorded program, so libc does not register one (and the journal says
 *   ENOSYS, which replay returns again).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "format/recording.h"
#include "launch/launch.h"

/* ------------------------------------------------------------ the vDSO */

struct vdso_fn {
	const char *name;
	int nr;			/* syscall to make; < 0: return this -errno */
};

static const struct vdso_fn vdso_fns[] = {
	{ "__vdso_clock_gettime", SYS_clock_gettime },
	{ "__vdso_gettimeofday", SYS_gettimeofday },
	{ "__vdso_time", SYS_time },
	{ "__vdso_getcpu", SYS_getcpu },
	{ "__vdso_clock_getres", SYS_clock_getres },
	{ "__vdso_getrandom", -ENOSYS },
};

#define VDSO_STUB	8

/* The stub for @f: mov $nr,%eax; syscall; ret  or  mov $-errno,%rax; ret */
static void vdso_stub(const struct vdso_fn *f, uint8_t *b)
{
	int32_t v = f->nr;

	memset(b, 0xcc, VDSO_STUB);
	if (f->nr >= 0) {
		b[0] = 0xb8;
		memcpy(b + 1, &v, 4);
		b[5] = 0x0f;
		b[6] = 0x05;
		b[7] = 0xc3;
	} else {
		b[0] = 0x48;
		b[1] = 0xc7;
		b[2] = 0xc0;
		memcpy(b + 3, &v, 4);
		b[7] = 0xc3;
	}
}

/* Our own vDSO: its bytes and length ([vdso] in /proc/self/maps). */
static int own_vdso(const uint8_t **img, size_t *len)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR), lo, hi;
	char line[512];
	FILE *f;

	if (!base)
		return -ENOENT;
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -errno;
	*len = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[vdso]") || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		if (lo == base)
			*len = hi - lo;
	}
	fclose(f);
	if (!*len)
		return -ENOENT;
	*img = (const uint8_t *)base;
	return 0;
}

/* Offset of symbol @name in the vDSO image @img, and its size. */
static int vdso_sym(const uint8_t *img, size_t len, const char *name,
		    uint64_t *off, uint64_t *size)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	uint64_t load = UINT64_MAX;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > len ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > len)
		return -ENOEXEC;
	ph = (const void *)(img + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < load)
			load = ph[i].p_vaddr;
	if (load == UINT64_MAX)
		return -ENOEXEC;
	sh = (const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *st;
		const Elf64_Sym *sym;
		uint64_t n, k;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		st = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > len || st->sh_offset + st->sh_size > len ||
		    !sh[i].sh_entsize)
			return -ENOEXEC;
		sym = (const void *)(img + sh[i].sh_offset);
		n = sh[i].sh_size / sh[i].sh_entsize;
		for (k = 0; k < n; k++) {
			if (sym[k].st_name >= st->sh_size ||
			    strcmp((const char *)img + st->sh_offset + sym[k].st_name, name))
				continue;
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value)
				continue;
			*off = sym[k].st_value - load;
			*size = sym[k].st_size;
			return *off + *size <= len ? 0 : -ENOEXEC;
		}
	}
	return -ENOENT;
}

int vdso_patch(int memfd, uint64_t base)
{
	const uint8_t *img;
	uint8_t *theirs, stub[VDSO_STUB];
	size_t len;
	unsigned int i;
	int err, n = 0;

	err = own_vdso(&img, &len);
	if (err)
		return err;
	theirs = malloc(len);
	if (!theirs)
		return -ENOMEM;
	if (pread(memfd, theirs, len, base) != (ssize_t)len) {
		err = -EIO;
		goto out;
	}
	if (memcmp(theirs, img, len)) {
		err = -ESTALE;	/* another image: offsets would be wrong */
		goto out;
	}
	for (i = 0; i < sizeof(vdso_fns) / sizeof(vdso_fns[0]); i++) {
		uint64_t off, size;

		if (vdso_sym(img, len, vdso_fns[i].name, &off, &size))
			continue;
		if (size < VDSO_STUB) {
			err = -ENOSPC;
			goto out;
		}
		vdso_stub(&vdso_fns[i], stub);
		if (pwrite(memfd, stub, sizeof(stub), base + off) != sizeof(stub)) {
			err = -EIO;
			goto out;
		}
		n++;
	}
	err = n;
out:
	free(theirs);
	return err;
}

/* ------------------------------------------------------------ the child */

int launch_resolve_exe(const char *file, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;
	struct stat st;
	int err = -ENOENT;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/')) {
		if ((size_t)snprintf(out, len, "%s", file) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = e + 1) {
		e = strchrnul(p, ':');
		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)(e - p), p,
				     e == p ? "" : "/", file) < len) {
			if (!stat(out, &st) && S_ISREG(st.st_mode)) {
				if (!access(out, X_OK))
					return 0;
				err = -EACCES;
			}
		}
		if (!*e)
			break;
	}
	return err;
}

int launch_pick_cpu(void)
{
	cpu_set_t set;
	int cpu;

	/* on a single CPU the recorder itself must get its turns */
	if (sched_getaffinity(0, sizeof(set), &set) || CPU_COUNT(&set) < 2)
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int launch_child_prepare(bool *rseq_disabled, int cpu)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rseq, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	int pers = personality(0xffffffff);

	*rseq_disabled = false;
	if (pers == -1 || personality(pers | ADDR_NO_RANDOMIZE) == -1)
		return -errno;
	if (cpu >= 0) {
		struct sched_param sp = { .sched_priority = 1 };
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return -errno;
		/*
		 * Real-time round robin: a thread runs until it blocks or its
		 * 100 ms slice ends, never preempted by a thread it woke:
		 * threads interleave at their syscalls, as replay runs them,
		 * save a rare slice end. (FIFO would have no slice end at all,
		 * but a thread polling for its sibling would then never let
		 * it run.) Best effort.
		 */
		sched_setscheduler(0, SCHED_RR, &sp);
	}
	/* without CAP_SYS_ADMIN a filter needs no_new_privs */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) &&
	    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	     syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)))
		return 0;
	*rseq_disabled = true;
	return 0;
}

static int read_auxv(pid_t pid, uint64_t *random, uint64_t *vdso)
{
	char path[64];
	uint64_t av[2 * 64];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, av, sizeof(av));
	close(fd);
	if (n < 0)
		return -errno;
	*random = *vdso = 0;
	for (i = 0; i + 1 < n / 8; i += 2) {
		if (av[i] == AT_RANDOM)
			*random = av[i + 1];
		else if (av[i] == AT_SYSINFO_EHDR)
			*vdso = av[i + 1];
	}
	return *random ? 0 : -ENOENT;
}

int launch_exec_stop(pid_t pid, bool patch, struct launch_exec *ex)
{
	char path[64];
	int fd, err;

	memset(ex, 0, sizeof(*ex));
	ex->vdso_patched = -1;
	err = read_auxv(pid, &ex->at_random_addr, &ex->vdso);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, ex->at_random, 16, ex->at_random_addr) != 16) {
		close(fd);
		return -EIO;
	}
	if (patch && ex->vdso) {
		err = vdso_patch(fd, ex->vdso);
		if (err < 0) {
			close(fd);
			return err;
		}
		ex->vdso_patched = err;
	}
	close(fd);
	return 0;
}

int launch_read_sigs(pid_t pid, uint64_t *ignored, uint64_t *blocked)
{
	char path[64], line[256];
	unsigned long long v;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigIgn: %llx", &v) == 1) {
			*ignored = v;
			found |= 1;
		} else if (sscanf(line, "SigBlk: %llx", &v) == 1) {
			*blocked = v;
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

void launch_child_set_sigs(uint64_t ignored, uint64_t blocked)
{
	struct sigaction sa;
	sigset_t set;
	int sig;

	memset(&sa, 0, sizeof(sa));
	for (sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = ignored & (1ULL << (sig - 1)) ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&set);
	for (sig = 1; sig <= 64; sig++)
		if (blocked & (1ULL << (sig - 1)))
			sigaddset(&set, sig);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int launch_list_fds(pid_t pid, int *fds, int max)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || v < 0 || v > INT_MAX)
			continue;
		if (n == max) {
			closedir(d);
			return -E2BIG;
		}
		fds[n++] = (int)v;
	}
	closedir(d);
	qsort(fds, n, sizeof(int), cmp_int);
	return n;
}

/* ------------------------------------------------------------ on disk */

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
			"sig_ignored=%#llx\nsig_blocked=%#llx\n",
			li->version, li->exe, li->cwd, li->personality,
			(unsigned long long)li->stack_cur, (unsigned long long)li->stack_max,
			li->rseq_disabled ? "disabled" : "enabled", fds,
			(unsigned long long)li->exe_ino, (unsigned long long)li->exe_size,
			(unsigned long long)li->exe_mtime_ns,
			(unsigned long long)li->exec.at_random_addr, rnd,
			(unsigned long long)li->exec.vdso, li->exec.vdso_patched,
			(unsigned long long)li->sig_ignored, (unsigned long long)li->sig_blocked);
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

int launch_load(const char *dir, struct launch_info *li)
{
	char buf[LAUNCH_MAX_FDS * 8], *p;
	uint64_t v;
	int err;

	memset(li, 0, sizeof(*li));
	if (meta_u64(dir, "launch", &v) || v != LAUNCH_VERSION) {
		pr_err("%s has no launch record: only recordings made by `ttrec record` (this version) can be replayed\n",
		       dir);
		return -ENOENT;
	}
	li->version = v;
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

/* ------------------------------------------------------------ the recorder's tracer */

/*
 * `ttrec record` keeps the recorded program under ptrace (PTRACE_SEIZE, in
 * a thread of its own, since ptrace requests must come from the tracer
 * thread) so that it sees every exec: each new program image gets the
 * same treatment as the first (AT_RANDOM recorded, vDSO patched). The
 * program only stops at execs, new threads (or, with --follow-fork,
 * processes), and signals, which the tracer passes on unchanged.
 */
struct launch_tracer {
	pthread_t th;
	pid_t pid;
	const char *dir;
	bool follow_fork;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int first;		/* 0 waiting, 1 first exec seen, -errno: failed/died */
	struct launch_info *li;
	bool exited, done;
	int status;
	int seized;		/* 0 not yet, 1 seized, -errno */
	long opts;
	struct { pid_t pid; unsigned int n; } execs[256];
	int nexecs;
};

static unsigned int exec_index(struct launch_tracer *lt, pid_t pid)
{
	int i;

	for (i = 0; i < lt->nexecs; i++)
		if (lt->execs[i].pid == pid)
			return lt->execs[i].n++;
	if (lt->nexecs < (int)(sizeof(lt->execs) / sizeof(lt->execs[0]))) {
		lt->execs[lt->nexecs].pid = pid;
		lt->execs[lt->nexecs++].n = 1;
	}
	return 0;
}

static void tracer_first(struct launch_tracer *lt, int v)
{
	pthread_mutex_lock(&lt->mu);
	if (!lt->first)
		lt->first = v;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
}

/* The number of seccomp filters of @pid (Seccomp_filters in its status). */
static int seccomp_filters(pid_t pid)
{
	char path[64], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void tracer_exec(struct launch_tracer *lt, pid_t pid)
{
	unsigned int idx = exec_index(lt, pid);
	struct launch_exec ex;
	int err = launch_exec_stop(pid, true, &ex);

	if (pid == lt->pid && idx == 0) {
		struct launch_info *li = lt->li;

		if (!err) {
			li->exec = ex;
			err = launch_list_fds(pid, li->fds, LAUNCH_MAX_FDS);
			if (err >= 0) {
				li->nfds = err;
				err = 0;
			}
		}
		if (!err)
			err = launch_read_sigs(pid, &li->sig_ignored, &li->sig_blocked);
		li->rseq_disabled = seccomp_filters(pid) > seccomp_filters(getpid());
		if (!err) {
			char path[64];
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/personality", pid);
			f = fopen(path, "r");
			if (!f || fscanf(f, "%lx", &li->personality) != 1)
				err = -EIO;
			if (f)
				fclose(f);
		}
		if (err)
			pr_warn("cannot read the launch state of %d (%s): the recording will not be replayable\n",
				pid, strerror(-err));
		else
			li->version = LAUNCH_VERSION;
		tracer_first(lt, 1);
		return;
	}
	if (err)
		pr_warn("exec in process %d: cannot record its launch state (%s); replay will not reproduce its AT_RANDOM bytes or vDSO calls\n",
			pid, strerror(-err));
	else
		launch_save_exec(lt->dir, pid, idx, &ex);
}

static void *tracer_main(void *arg)
{
	struct launch_tracer *lt = arg;

	/* the tracer is the thread that seizes: every request comes from here */
	pthread_mutex_lock(&lt->mu);
	lt->seized = ptrace(PTRACE_SEIZE, lt->pid, 0, lt->opts) ? -errno : 1;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	if (lt->seized < 0)
		return NULL;
	for (;;) {
		int st, ev, sig;
		pid_t pid = waitpid(-1, &st, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == lt->pid) {
				pthread_mutex_lock(&lt->mu);
				lt->exited = true;
				lt->status = st;
				pthread_mutex_unlock(&lt->mu);
				tracer_first(lt, -ECHILD);
			}
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		ev = (unsigned int)st >> 16;
		sig = WSTOPSIG(st);
		pr_debug("tracer: %d stopped: event %d signal %d\n", pid, ev, sig);
		switch (ev) {
		case PTRACE_EVENT_EXEC:
			tracer_exec(lt, pid);
			sig = 0;
			break;
		case PTRACE_EVENT_STOP:
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
				ptrace(PTRACE_LISTEN, pid, 0, 0);	/* a group-stop */
				continue;
			}
			sig = 0;
			break;
		case 0:
			break;			/* a signal: passed on */
		default:
			sig = 0;		/* clone, fork, vfork */
			break;
		}
		ptrace(PTRACE_CONT, pid, 0, sig);
	}
	pthread_mutex_lock(&lt->mu);
	lt->done = true;
	pthread_cond_broadcast(&lt->cv);
	pthread_mutex_unlock(&lt->mu);
	tracer_first(lt, -ECHILD);
	return NULL;
}

int launch_tracer_start(struct launch_tracer **out, pid_t pid, const char *dir,
			bool follow_fork, struct launch_info *li)
{
	struct launch_tracer *lt = calloc(1, sizeof(*lt));
	long opts = PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	int err;

	if (!lt)
		return -ENOMEM;
	if (follow_fork)
		opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	lt->pid = pid;
	lt->dir = dir;
	lt->follow_fork = follow_fork;
	lt->li = li;
	pthread_mutex_init(&lt->mu, NULL);
	pthread_cond_init(&lt->cv, NULL);
	lt->opts = opts;
	err = -pthread_create(&lt->th, NULL, tracer_main, lt);
	if (err) {
		free(lt);
		return err;
	}
	pthread_mutex_lock(&lt->mu);
	while (!lt->seized)
		pthread_cond_wait(&lt->cv, &lt->mu);
	err = lt->seized < 0 ? lt->seized : 0;
	pthread_mutex_unlock(&lt->mu);
	if (err) {
		pthread_join(lt->th, NULL);
		free(lt);
		return err;
	}
	*out = lt;
	return 0;
}

int launch_tracer_first_exec(struct launch_tracer *lt)
{
	int v;

	pthread_mutex_lock(&lt->mu);
	while (!lt->first)
		pthread_cond_wait(&lt->cv, &lt->mu);
	v = lt->first;
	pthread_mutex_unlock(&lt->mu);
	return v > 0 ? 0 : v;
}

int launch_tracer_finish(struct launch_tracer *lt, bool wait, int *status)
{
	int ret = -EAGAIN;

	if (!lt)
		return -EINVAL;
	pthread_mutex_lock(&lt->mu);
	while (wait && !lt->done)
		pthread_cond_wait(&lt->cv, &lt->mu);
	if (lt->exited) {
		*status = lt->status;
		ret = 0;
	}
	wait = lt->done;
	pthread_mutex_unlock(&lt->mu);
	if (wait) {
		pthread_join(lt->th, NULL);
		free(lt);
	}
	/* else: left running; PTRACE_O_EXITKILL ends the tracees with ttrec */
	return ret;
}
