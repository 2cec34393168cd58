/* peer: one end of a lab TCP connection, driven by a list of actions.
 *
 * The lab needs a dozen ways of ending a connection, and each differs from
 * the next by one system call or one socket option.  Rather than a dozen
 * near-identical programs, this one runs the steps given on its command line
 * in order, exactly as a real application would issue them, e.g.
 *
 *   peer listen 10.0.1.2 8000 accept drain close
 *   peer connect 10.0.1.2 8000 send 100 linger 1 0 close
 *
 * Actions (arguments in capitals):
 *   listen ADDR PORT    socket+SO_REUSEADDR+bind+listen (backlog 512)
 *   accept              take one connection from the listener
 *   serve N             accept N connections, fork one child per connection
 *                       to run the remaining actions; the parent waits
 *   bind ADDR PORT      bind the next client socket (SO_REUSEADDR set)
 *   connect ADDR PORT   connect; failure ends the program with status 1
 *   try-connect ADDR PORT  connect; failure is reported, not fatal
 *   rcvbuf N | sndbuf N set the buffer on the sockets created afterwards
 *   nodelay | cork | uncork   TCP_NODELAY / TCP_CORK on the connection
 *   linger ON SECS      SO_LINGER on the connection
 *   keepalive SECS      SO_KEEPALIVE, first probe and interval SECS
 *   send N              write N bytes (a fixed pattern), blocking
 *   record TYPE N       write one TLS-shaped record of N bytes in all (one
 *                       send): content type TYPE, version 3.3, 16-bit
 *                       length N - 5, then N - 5 filler bytes; e.g.
 *                       "record 21 31" is shaped like a TLS 1.2 alert
 *                       (close_notify), "record 23 24" like a TLS 1.3 one
 *   recv N              read exactly N bytes (stops early on EOF/error)
 *   drain               read until EOF or error
 *   shutdown            shutdown(SHUT_WR)
 *   close               close() the connection, report result and duration
 *   sleep SECS          sleep (fractions allowed)
 *   wait FILE           poll (10 ms) until FILE exists
 *   spin FILE           busy-wait until FILE exists: a tight barrier, used
 *                       when two processes must act within microseconds
 *   at TIME             sleep, then busy-wait, until the clock reads TIME
 *                       (seconds since the epoch): two peers given the same
 *                       TIME act within a microsecond of each other
 *   touch FILE          create FILE (tells the lab script a step is done)
 *   hold                sleep until killed (a process that never closes)
 *   cpu N               run on CPU N only (with spin: two peers spinning on
 *                       one CPU would take turns, milliseconds apart)
 *
 * Every step is logged on stderr with a timestamp so that the lab script's
 * logs can be set beside the capture.  Errors of the connection itself (reset,
 * EPIPE, ...) are the point of the lab, so they are logged, not fatal.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *role = "peer";
static int lfd = -1;		/* listening socket */
static int cfd = -1;		/* the connection */
static int rcvbuf, sndbuf;	/* 0: kernel default */
static struct sockaddr_storage bind_to;
static socklen_t bind_len;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One write per line: the two peers share a log file. */
static void
vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof line, "%.6f [%s %d] %s", now(), role,
	    (int)getpid(), prefix);
	if (n < 0 || n >= (int)sizeof line - 2)
		n = 0;
	n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) == -1)
		return;
}

static void
logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

static void
need(int argc, int i, int n, const char *what)
{
	if (i + n >= argc)
		die("%s needs %d argument(s)", what, n);
}

static socklen_t
parse_addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct addrinfo hints, *res;
	socklen_t len;
	int e;

	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		die("address %s port %s: %s", host, port, gai_strerror(e));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	len = res->ai_addrlen;
	freeaddrinfo(res);
	return len;
}

static int
new_socket(int family)
{
	int fd, one = 1;

	if ((fd = socket(family, SOCK_STREAM, 0)) == -1)
		die("socket: %s", strerror(errno));
	/* Buffers must be sized before connect/listen: the window scale is
	 * fixed in the handshake. */
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof rcvbuf) == -1)
		die("SO_RCVBUF: %s", strerror(errno));
	if (sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof sndbuf) == -1)
		die("SO_SNDBUF: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		die("SO_REUSEADDR: %s", strerror(errno));
	return fd;
}

static const char *
endpoints(int fd)
{
	static char buf[160];
	struct sockaddr_storage a, b;
	socklen_t al = sizeof a, bl = sizeof b;
	char ha[INET6_ADDRSTRLEN], hb[INET6_ADDRSTRLEN], pa[8], pb[8];

	if (getsockname(fd, (struct sockaddr *)&a, &al) == -1 ||
	    getpeername(fd, (struct sockaddr *)&b, &bl) == -1 ||
	    getnameinfo((struct sockaddr *)&a, al, ha, sizeof ha, pa, sizeof pa,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0 ||
	    getnameinfo((struct sockaddr *)&b, bl, hb, sizeof hb, pb, sizeof pb,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return "?";
	snprintf(buf, sizeof buf, "%s.%s > %s.%s", ha, pa, hb, pb);
	return buf;
}

static void
do_listen(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(host, port, &ss);

	lfd = new_socket(ss.ss_family);
	if (bind(lfd, (struct sockaddr *)&ss, len) == -1)
		die("bind %s %s: %s", host, port, strerror(errno));
	if (listen(lfd, 512) == -1)
		die("listen: %s", strerror(errno));
	logmsg("listening on %s port %s", host, port);
}

static void
do_accept(void)
{
	if (lfd == -1)
		die("accept without listen");
	if ((cfd = accept(lfd, NULL, NULL)) == -1)
		die("accept: %s", strerror(errno));
	logmsg("accepted %s", endpoints(cfd));
}

/* Return 0 in each child (which goes on with the actions), or exit in the
 * parent once all children are done. */
static void
do_serve(long n)
{
	long i;
	int status, failed = 0;
	pid_t pid;

	for (i = 0; i < n; i++) {
		do_accept();
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(lfd);
			lfd = -1;
			return;
		}
		close(cfd);
		cfd = -1;
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	logmsg("served %ld connections, %d failed", n, failed);
	exit(failed ? 1 : 0);
}

static int
do_connect(const char *host, const char *port, int fatal)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(host, port, &ss);
	double t0;

	cfd = new_socket(ss.ss_family);
	if (bind_len && bind(cfd, (struct sockaddr *)&bind_to, bind_len) == -1)
		die("bind: %s", strerror(errno));
	t0 = now();
	if (connect(cfd, (struct sockaddr *)&ss, len) == -1) {
		int e = errno;

		if (fatal)
			die("connect %s %s: %s", host, port, strerror(e));
		logmsg("connect %s %s failed after %.3f s: %s", host, port,
		    now() - t0, strerror(e));
		close(cfd);
		cfd = -1;
		return -1;
	}
	logmsg("connected %s", endpoints(cfd));
	return 0;
}

static void
setopt(int level, int name, int val, const char *what)
{
	if (cfd == -1)
		die("%s without a connection", what);
	if (setsockopt(cfd, level, name, &val, sizeof val) == -1)
		die("%s: %s", what, strerror(errno));
	logmsg("%s %d", what, val);
}

static void
do_send(long n)
{
	char buf[4096];
	long done = 0;
	ssize_t r;
	size_t i;

	for (i = 0; i < sizeof buf; i++)
		buf[i] = 'a' + i % 26;
	while (done < n) {
		size_t chunk = n - done < (long)sizeof buf ?
		    (size_t)(n - done) : sizeof buf;

		if ((r = send(cfd, buf, chunk, MSG_NOSIGNAL)) == -1) {
			logmsg("send: %s after %ld bytes", strerror(errno), done);
			return;
		}
		done += r;
	}
	logmsg("sent %ld bytes", done);
}

/* A protocol goodbye rather than application data: the bytes a TLS stack
 * sends after close_notify, so that the lab can show a RST that loses only
 * them.  The body is not encrypted; only the record's shape matters. */
static void
do_record(long type, long n)
{
	unsigned char buf[5 + 256];
	ssize_t r;
	long i;

	if (type > 255 || n < 5 || n > (long)sizeof buf)
		die("record %ld %ld: type 0..255, size 5..%zu", type, n,
		    sizeof buf);
	buf[0] = (unsigned char)type;
	buf[1] = 3;
	buf[2] = 3;
	buf[3] = (unsigned char)((n - 5) >> 8);
	buf[4] = (unsigned char)((n - 5) & 0xff);
	for (i = 5; i < n; i++)
		buf[i] = (unsigned char)(0x40 + i % 32);
	if ((r = send(cfd, buf, (size_t)n, MSG_NOSIGNAL)) == -1)
		logmsg("record: send: %s", strerror(errno));
	else
		logmsg("sent a %ld-byte record of type %ld (%zd bytes)", n, type,
		    r);
}

static void
do_recv(long n, int to_eof)
{
	char buf[4096];
	long done = 0;
	ssize_t r;

	while (to_eof || done < n) {
		size_t want = sizeof buf;

		if (!to_eof && n - done < (long)want)
			want = n - done;
		r = recv(cfd, buf, want, 0);
		if (r == -1) {
			logmsg("recv: %s after %ld bytes", strerror(errno), done);
			return;
		}
		if (r == 0) {
			logmsg("EOF after %ld bytes", done);
			return;
		}
		done += r;
	}
	logmsg("received %ld bytes", done);
}

static void
do_close(void)
{
	double t0 = now();
	int r = close(cfd), e = errno;

	/* With SO_LINGER the result and the time close() took are the
	 * observable outcome, so both are reported. */
	if (r == -1)
		logmsg("close: %s after %.3f s", strerror(e), now() - t0);
	else
		logmsg("close returned 0 after %.3f s", now() - t0);
	cfd = -1;
}

static void
sleep_for(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
wait_file(const char *path, int spin)
{
	struct stat st;
	double deadline = now() + 60;

	while (stat(path, &st) == -1) {
		if (now() > deadline)
			die("timed out waiting for %s", path);
		if (!spin)
			sleep_for(0.01);
	}
	logmsg("saw %s", path);
}

static long
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0)
		die("bad number %s", s);
	return v;
}

int
main(int argc, char **argv)
{
	int i, fd;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		role = argv[2];
		argv += 2;
		argc -= 2;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "listen") == 0) {
			need(argc, i, 2, a);
			do_listen(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(a, "accept") == 0) {
			do_accept();
		} else if (strcmp(a, "serve") == 0) {
			need(argc, i, 1, a);
			do_serve(num(argv[++i]));
		} else if (strcmp(a, "bind") == 0) {
			need(argc, i, 2, a);
			bind_len = parse_addr(argv[i + 1], argv[i + 2], &bind_to);
			i += 2;
		} else if (strcmp(a, "connect") == 0 ||
		    strcmp(a, "try-connect") == 0) {
			need(argc, i, 2, a);
			do_connect(argv[i + 1], argv[i + 2], a[0] == 'c');
			i += 2;
		} else if (strcmp(a, "rcvbuf") == 0) {
			need(argc, i, 1, a);
			rcvbuf = (int)num(argv[++i]);
		} else if (strcmp(a, "sndbuf") == 0) {
			need(argc, i, 1, a);
			sndbuf = (int)num(argv[++i]);
		} else if (strcmp(a, "nodelay") == 0) {
			setopt(IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
		} else if (strcmp(a, "cork") == 0) {
			setopt(IPPROTO_TCP, TCP_CORK, 1, "TCP_CORK");
		} else if (strcmp(a, "uncork") == 0) {
			setopt(IPPROTO_TCP, TCP_CORK, 0, "TCP_CORK");
		} else if (strcmp(a, "linger") == 0) {
			struct linger l;

			need(argc, i, 2, a);
			l.l_onoff = (int)num(argv[i + 1]);
			l.l_linger = (int)num(argv[i + 2]);
			i += 2;
			if (cfd == -1 || setsockopt(cfd, SOL_SOCKET, SO_LINGER,
			    &l, sizeof l) == -1)
				die("SO_LINGER: %s", strerror(errno));
			logmsg("SO_LINGER {%d, %d}", l.l_onoff, l.l_linger);
		} else if (strcmp(a, "keepalive") == 0) {
			int secs;

			need(argc, i, 1, a);
			secs = (int)num(argv[++i]);
			setopt(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
			setopt(IPPROTO_TCP, TCP_KEEPIDLE, secs, "TCP_KEEPIDLE");
			setopt(IPPROTO_TCP, TCP_KEEPINTVL, secs, "TCP_KEEPINTVL");
		} else if (strcmp(a, "send") == 0) {
			need(argc, i, 1, a);
			do_send(num(argv[++i]));
		} else if (strcmp(a, "record") == 0) {
			need(argc, i, 2, a);
			do_record(num(argv[i + 1]), num(argv[i + 2]));
			i += 2;
		} else if (strcmp(a, "recv") == 0) {
			need(argc, i, 1, a);
			do_recv(num(argv[++i]), 0);
		} else if (strcmp(a, "drain") == 0) {
			do_recv(0, 1);
		} else if (strcmp(a, "shutdown") == 0) {
			if (shutdown(cfd, SHUT_WR) == -1)
				logmsg("shutdown: %s", strerror(errno));
			else
				logmsg("shutdown(SHUT_WR)");
		} else if (strcmp(a, "close") == 0) {
			do_close();
		} else if (strcmp(a, "sleep") == 0) {
			need(argc, i, 1, a);
			sleep_for(atof(argv[++i]));
		} else if (strcmp(a, "wait") == 0 || strcmp(a, "spin") == 0) {
			need(argc, i, 1, a);
			wait_file(argv[i + 1], a[0] == 's');
			i++;
		} else if (strcmp(a, "at") == 0) {
			double t;

			need(argc, i, 1, a);
			t = atof(argv[++i]);
			if (t - now() > 0.05)
				sleep_for(t - now() - 0.05);
			while (now() < t)
				;
		} else if (strcmp(a, "touch") == 0) {
			need(argc, i, 1, a);
			if ((fd = open(argv[++i], O_WRONLY | O_CREAT, 0644)) == -1)
				die("%s: %s", argv[i], strerror(errno));
			close(fd);
		} else if (strcmp(a, "cpu") == 0) {
			cpu_set_t set;

			need(argc, i, 1, a);
			CPU_ZERO(&set);
			CPU_SET((int)num(argv[++i]), &set);
			if (sched_setaffinity(0, sizeof set, &set) == -1)
				die("sched_setaffinity: %s", strerror(errno));
		} else if (strcmp(a, "hold") == 0) {
			logmsg("holding");
			for (;;)
				pause();
		} else {
			die("unknown action %s", a);
		}
	}
	logmsg("done");
	return 0;
}
