/* output: see include/output.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "finlint.h"
#include "output.h"

/* The temporary file a signal or exit() must remove; set and cleared with
 * the signals blocked, read by the handler. */
static char *volatile pending;

static void remove_pending(void)
{
	char *p = pending;

	if (p != NULL)
		unlink(p);
}

/* Only async-signal-safe calls: unlink, sigaction, raise. */
static void on_signal(int sig)
{
	struct sigaction dfl;

	remove_pending();
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* die of it, as without the handler */
}

static const int caught[] = { SIGHUP, SIGINT, SIGTERM };

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&set, caught[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void set_pending(char *path)
{
	sigset_t old;

	block_signals(&old);
	pending = path;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void install_handlers(void)
{
	static bool done;
	struct sigaction sa;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
		struct sigaction prev;

		/* a signal ignored by whoever started us stays ignored */
		if (sigaction(caught[i], NULL, &prev) == 0 && prev.sa_handler != SIG_IGN)
			sigaction(caught[i], &sa, NULL);
	}
	atexit(remove_pending); /* fatal() and the like */
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

const char *output_same_input(const char *path, const struct input_list *in)
{
	struct stat out, st;

	if (path != NULL ? stat(path, &out) != 0 : fstat(STDOUT_FILENO, &out) != 0)
		return NULL;
	if (!S_ISREG(out.st_mode))
		return NULL;
	for (size_t i = 0; i < in->count; i++) {
		const char *p = in->path[i];
		int r = strcmp(p, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(p, &st);

		if (r == 0 && same_file(&out, &st))
			return p;
	}
	return NULL;
}

/* Files the kernel makes up: written to as they are. */
static bool is_special_path(const char *path)
{
	return strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0;
}

static bool open_direct(struct output *o, const char *path)
{
	o->fp = fopen(path, "w");
	return o->fp != NULL;
}

/* The mode fopen() gives a new file: 0666 less the umask. */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

bool output_open(struct output *o, const char *path)
{
	struct stat st;
	char *slash, *dir;
	size_t n;
	int fd, saved;
	bool exists;

	memset(o, 0, sizeof *o);
	o->path = path;
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return false;
	if (exists ? !S_ISREG(st.st_mode) || is_special_path(path) :
		     lstat(path, &st) == 0) /* not there, or a link to nowhere */
		return open_direct(o, path);
	/* a file fopen() could not open for writing is not replaced either */
	if (exists && access(path, W_OK) != 0)
		return false;
	/* the name may be a link: the file it ends at is the one replaced */
	o->target = exists ? realpath(path, NULL) : xstrdup(path);
	if (o->target == NULL)
		return open_direct(o, path);
	slash = strrchr(o->target, '/');
	dir = slash == NULL ? xstrdup(".") : slash == o->target ? xstrdup("/") :
		strndup(o->target, (size_t)(slash - o->target));
	if (dir == NULL)
		fatal("out of memory");
	n = strlen(dir) + sizeof "/.finlint-XXXXXX";
	o->temp = xmalloc(n);
	snprintf(o->temp, n, "%s/.finlint-XXXXXX", dir);
	free(dir);
	install_handlers();
	{
		sigset_t old;

		/* no signal between creating the file and knowing its name */
		block_signals(&old);
		fd = mkstemp(o->temp);
		saved = errno;
		if (fd >= 0)
			pending = o->temp;
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (fd < 0) {
		free(o->temp);
		free(o->target);
		o->temp = o->target = NULL;
		errno = saved;
		return false;
	}
	/* as fopen() would leave it: an existing file keeps its mode and, when
	 * we may give it, its owner; a new one gets 0666 less the umask */
	if (exists) {
		if (fchmod(fd, st.st_mode & 07777) != 0) {
			/* mkstemp's 0600 is the safe side */
		}
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
		    fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* not ours to give: the file is ours now */
		}
	} else if (fchmod(fd, new_file_mode()) != 0) {
		/* as above */
	}
	o->fp = fdopen(fd, "w");
	if (o->fp == NULL) {
		saved = errno;
		close(fd);
		output_close(o, false);
		errno = saved;
		return false;
	}
	return true;
}

bool output_close(struct output *o, bool keep)
{
	bool ok = true;
	int err = 0;

	if (o->fp != NULL) {
		if (fflush(o->fp) != 0 || ferror(o->fp)) {
			ok = false;
			err = errno != 0 ? errno : EIO;
		}
		if (fclose(o->fp) != 0 && ok) {
			ok = false;
			err = errno;
		}
		o->fp = NULL;
	}
	if (o->temp != NULL) {
		if (ok && keep && rename(o->temp, o->target) != 0) {
			ok = false;
			err = errno;
		}
		if (!ok || !keep)
			unlink(o->temp);
		set_pending(NULL);
		free(o->temp);
		free(o->target);
		o->temp = o->target = NULL;
	}
	if (!ok)
		errno = err;
	return ok;
}
