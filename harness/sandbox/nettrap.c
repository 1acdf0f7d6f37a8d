/*
 * nettrap.c — network attempts the seccomp listener can't see (io_uring's
 * IORING_OP_CONNECT/SENDMSG, anything else that skips the syscalls) made visible in the
 * trace, at the packet level, inside the sandbox's network namespace.
 *
 * seccomp sees syscalls, io_uring submits its socket operations through shared memory, so
 * a connect issued as an SQE never reaches the filter. The netns still confines it (only
 * loopback), and this file adds two taps the supervisor owns, set up from a thread that
 * setns()-es into the sandbox's netns before the session is reported ready:
 *
 *   trap device  a TUN interface "tt-trap" (10.255.255.254/32, fd00:7474::1/128) holding
 *                the default routes: what used to fail with "no route" inside connect()
 *                now leaves as a packet into our fd. Each first packet (TCP SYN, UDP
 *                datagram) is one `denied` event (what=connect, dns for UDP port 53, or
 *                send; rule=no-route-out; via=packet), then answered with an ICMP
 *                net/no-route unreachable, so the caller gets ENETUNREACH at once, as
 *                before. Nothing is forwarded anywhere: the fd is the only way out.
 *   lo tap       an AF_PACKET socket on lo with a classic BPF filter (TCP SYN without ACK,
 *                UDP): each loopback attempt is one `net` event (what=packet, proto,
 *                target, src). Loopback stays allowed (as with the syscall path).
 *
 * Both see every packet (no sampling) but not who sent it: the owning pid is looked up
 * by the packet's source port in the netns' TCP/UDP socket table (/proc/PID/net/tcp and friends, via
 * the sandbox's pid) and /proc/<pid>/fd of the sandbox's processes; a socket already gone
 * (a refused loopback connect lives microseconds) leaves "pid":0. Syscall connects are
 * refused by seccomp before any packet exists, so the trap device only ever sees what
 * bypassed the filter; loopback connects by syscall show twice (a seccomp `net connect`
 * event and a `net packet` event).
 *
 *   supervisor ──agent-ready──► trap thread: setns(netns) ─► tun + ip addr/route ─► lo tap
 *                                  │ any step fails: `warning` event (isolation unchanged)
 *                                  ▼
 *                               poll(tun, lo tap) ─► event per attempt (+ ICMP reply)
 */
#include "tt_sandbox.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_flavor.h"

#define TRAP_DEV "tt-trap"
#define UDP_SEEN 256 /* UDP flows already logged (a flow's first datagram is the event) */

static struct {
	char dir[TT_SB_PATH + 1];
	pid_t inner;	 /* a process in the sandbox's netns and pid ns (bwrap's init) */
	int tun;
	int tap;
	int ready_pipe[2];
	char err[256];
	uint64_t udp_seen[UDP_SEEN];
	pthread_mutex_t mu; /* the trap thread vs tt__sb_nettrap_drain at stop */
} nt = {.tun = -1, .tap = -1, .ready_pipe = {-1, -1}, .mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- setup --------------------------------------------------------------------------- */

/* Runs one `ip -batch -` with cmds on its stdin, in this thread's netns (fork copies
 * it): one exec for the whole configuration. 0 when it exits 0. */
static int ip_batch(const char *cmds)
{
	static const char *const argv[] = {"ip", "-batch", "-", NULL};
	int pfd[2];
	int st;
	pid_t p;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0) {
		int nf = open("/dev/null", O_RDWR);
		dup2(pfd[0], 0);
		dup2(nf, 1);
		dup2(nf, 2);
		execv("/usr/sbin/ip", (char **)argv);
		execv("/sbin/ip", (char **)argv);
		execvp("ip", (char **)argv);
		_exit(127);
	}
	close(pfd[0]);
	ssize_t w = write(pfd[1], cmds, strlen(cmds)); /* < PIPE_BUF: no partial write */
	close(pfd[1]);
	while (waitpid(p, &st, 0) < 0 && errno == EINTR)
		;
	return w > 0 && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

/* The lo tap's filter (packets start at the IP header: SOCK_DGRAM): IPv4/IPv6 TCP with
 * SYN and not ACK, or UDP; everything else is dropped in the kernel. */
static int tap_filter(int fd)
{
	static struct sock_filter f[] = {
	    /* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
	    /* 1 */ BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),
	    /* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 8),	/* v4? else 11 */
	    /* 3 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),		/* protocol */
	    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 15, 0), /* → 20 */
	    /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 15), /* → 21 */
	    /* 6 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),		/* x = ihl * 4 */
	    /* 7 */ BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),		/* tcp flags */
	    /* 8 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),
	    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 10, 11),	/* SYN only → 20 */
	    /* 10 */ BPF_STMT(BPF_RET | BPF_K, 0),
	    /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 9),	/* v6? else 21 */
	    /* 12 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),		/* next header */
	    /* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 6, 0), /* → 20 */
	    /* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 6), /* → 21 */
	    /* 15 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 53),		/* 40 + 13 */
	    /* 16 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),
	    /* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 2, 3),	/* → 20 / 21 */
	    /* 18 */ BPF_STMT(BPF_RET | BPF_K, 0),
	    /* 19 */ BPF_STMT(BPF_RET | BPF_K, 0),
	    /* 20 */ BPF_STMT(BPF_RET | BPF_K, 0xffff),
	    /* 21 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = TT_ARRAY_LEN(f), .filter = f};

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ? -errno : 0;
}

/* In the trap thread, already in the sandbox's netns. 0, or -errno with nt.err set. */
static int trap_setup(void)
{
	struct ifreq ifr = {0};
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};

	nt.tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (nt.tun < 0)
		return snprintf(nt.err, sizeof(nt.err), "/dev/net/tun: %s", strerror(errno)), -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TRAP_DEV);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (ioctl(nt.tun, TUNSETIFF, &ifr))
		return snprintf(nt.err, sizeof(nt.err), "TUNSETIFF: %s", strerror(errno)), -1;
	if (ip_batch("link set " TRAP_DEV " up\n"
		     "addr add 10.255.255.254/32 dev " TRAP_DEV "\n"
		     "addr add fd00:7474::1/128 dev " TRAP_DEV " nodad\n"
		     "route add default dev " TRAP_DEV "\n"
		     "route add ::/0 dev " TRAP_DEV "\n"))
		return snprintf(nt.err, sizeof(nt.err), "ip: configuring %s failed", TRAP_DEV), -1;
	nt.tap = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (nt.tap < 0)
		return snprintf(nt.err, sizeof(nt.err), "AF_PACKET: %s", strerror(errno)), -1;
	ll.sll_ifindex = (int)if_nametoindex("lo");
	if (tap_filter(nt.tap) || bind(nt.tap, (struct sockaddr *)&ll, sizeof(ll)))
		return snprintf(nt.err, sizeof(nt.err), "lo tap: %s", strerror(errno)), -1;
	return 0;
}

/* ---- events -------------------------------------------------------------------------- */

struct pkt {
	int v6;
	int proto; /* IPPROTO_TCP / IPPROTO_UDP */
	char src[64];
	char dst[64];
	uint16_t sport;
	uint16_t dport;
	size_t l4; /* offset of the TCP/UDP header */
};

static int parse(const uint8_t *b, size_t n, struct pkt *p)
{
	char a[INET6_ADDRSTRLEN];

	memset(p, 0, sizeof(*p));
	if (n < 20)
		return -1;
	if ((b[0] >> 4) == 4) {
		p->l4 = (size_t)(b[0] & 15) * 4;
		p->proto = b[9];
		inet_ntop(AF_INET, b + 12, a, sizeof(a));
		snprintf(p->src, sizeof(p->src), "%s", a);
		inet_ntop(AF_INET, b + 16, a, sizeof(a));
		snprintf(p->dst, sizeof(p->dst), "%s", a);
	} else if ((b[0] >> 4) == 6 && n >= 40) {
		p->v6 = 1;
		p->l4 = 40;
		p->proto = b[6];
		inet_ntop(AF_INET6, b + 8, a, sizeof(a));
		snprintf(p->src, sizeof(p->src), "[%s]", a);
		inet_ntop(AF_INET6, b + 24, a, sizeof(a));
		snprintf(p->dst, sizeof(p->dst), "[%s]", a);
	} else {
		return -1;
	}
	if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || n < p->l4 + 8)
		return -1;
	p->sport = (uint16_t)(b[p->l4] << 8 | b[p->l4 + 1]);
	p->dport = (uint16_t)(b[p->l4 + 2] << 8 | b[p->l4 + 3]);
	return 0;
}

/* The inode of the netns socket bound to local port `port` (proto tcp/udp, v4/v6), from
 * /proc/<inner>/net/<proto>[6], or 0. */
static unsigned long sock_inode(const struct pkt *p)
{
	char path[64];
	char line[512];
	unsigned long ino = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s%s", (int)nt.inner,
		 p->proto == IPPROTO_TCP ? "tcp" : "udp", p->v6 ? "6" : "");
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!ino && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'); /* "  sl: local_addr:port rem:port st ... inode" */
		char *lp;
		unsigned long i;
		unsigned lport;
		if (!c || !(lp = strchr(c + 2, ':')) || sscanf(lp + 1, "%x", &lport) != 1 ||
		    lport != p->sport)
			continue;
		/* fields after "sl:": local rem st tx:rx tr:when retr uid timeout inode */
		if (sscanf(c + 1, "%*s %*s %*s %*s %*s %*s %*s %*s %lu", &i) == 1)
			ino = i;
	}
	fclose(f);
	return ino;
}

/* The host pid of the sandbox process holding socket inode ino, and its name; 0 if none. */
static int sock_owner(unsigned long ino, char *comm, size_t n)
{
	char want[64];
	char path[300];
	char link[64];
	struct stat self;
	struct stat st;
	DIR *d;
	struct dirent *e;
	int found = 0;

	snprintf(comm, n, "?");
	if (!ino)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)nt.inner);
	if (stat(path, &self) || !(d = opendir("/proc")))
		return 0;
	while (!found && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		/* only the sandbox's processes: the same pid namespace as its init */
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
		if (stat(path, &st) || st.st_ino != self.st_ino || st.st_dev != self.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		DIR *fd = opendir(path);
		struct dirent *f;
		while (fd && !found && (f = readdir(fd))) {
			ssize_t l;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l > 0) {
				link[l] = 0;
				found = strcmp(link, want) ? 0 : pid;
			}
		}
		if (fd)
			closedir(fd);
	}
	closedir(d);
	if (found) {
		snprintf(path, sizeof(path), "/proc/%d/comm", found);
		FILE *c = fopen(path, "r");
		if (c) {
			if (fgets(comm, (int)n, c))
				comm[strcspn(comm, "\n")] = 0;
			fclose(c);
		}
	}
	return found;
}

/* One event: {"event":EV,"what":WHAT,"target":dst,["rule":RULE,]"src",...}. */
static void emit(const char *ev, const char *what, const char *rule, const struct pkt *p)
{
	char comm[32];
	char line[768];
	char r[64] = "";
	char fl[48] = "";
	int pid = sock_owner(sock_inode(p), comm, sizeof(comm));

	if (rule) {
		snprintf(r, sizeof(r), ",\"rule\":\"%s\"", rule);
		snprintf(fl, sizeof(fl), ",\"flavor\":\"%s\"", tt_flavor_name());
	}
	snprintf(line, sizeof(line),
		 "{\"event\":\"%s\",\"what\":\"%s\",\"target\":\"%s:%u\"%s,\"src\":\"%s:%u\","
		 "\"proto\":\"%s\",\"via\":\"packet\",\"process\":\"%s\",\"pid\":%d%s}",
		 ev, what, p->dst, p->dport, r, p->src, p->sport,
		 p->proto == IPPROTO_TCP ? "tcp" : "udp", pid ? comm : "?", pid, fl);
	tt__sb_trace_line(nt.dir, line);
	fprintf(stderr, "%s\n", line);
	if (rule) /* denials also on the sender's stderr, like seccomp's */
		tt__sb_tell_stderr(pid, line);
}

/* A UDP flow logged already? (records it). */
static int udp_seen(const struct pkt *p, int lo)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[2] = {p->src, p->dst};

	for (int k = 0; k < 2; k++)
		for (const char *c = parts[k]; *c; c++)
			h = (h ^ (uint8_t)*c) * 1099511628211ull;
	h = (h ^ ((uint64_t)p->sport << 17 | p->dport << 1 | (uint64_t)lo)) * 1099511628211ull;
	h |= 1;
	for (int i = 0; i < UDP_SEEN; i++) {
		if (nt.udp_seen[i] == h)
			return 1;
		if (!nt.udp_seen[i]) {
			nt.udp_seen[i] = h;
			return 0;
		}
	}
	return 0; /* table full: log every one */
}

static uint16_t csum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Answers packet b with ICMP net unreachable (v4) / no route (v6), from its destination,
 * written back into the trap device: the sender's connect fails with ENETUNREACH. */
static void unreachable(const uint8_t *b, size_t n, const struct pkt *p)
{
	uint8_t r[1280];
	size_t len;
	uint16_t c;

	memset(r, 0, sizeof(r));
	if (!p->v6) {
		size_t q = p->l4 + 8 < n ? p->l4 + 8 : n;
		len = 20 + 8 + q;
		r[0] = 0x45;
		r[2] = (uint8_t)(len >> 8);
		r[3] = (uint8_t)len;
		r[8] = 64;
		r[9] = IPPROTO_ICMP;
		memcpy(r + 12, b + 16, 4); /* from the destination */
		memcpy(r + 16, b + 12, 4); /* to the sender */
		c = csum(r, 20, 0);
		r[10] = (uint8_t)(c >> 8);
		r[11] = (uint8_t)c;
		r[20] = ICMP_DEST_UNREACH;
		r[21] = ICMP_NET_UNREACH;
		memcpy(r + 28, b, q);
		c = csum(r + 20, 8 + q, 0);
		r[22] = (uint8_t)(c >> 8);
		r[23] = (uint8_t)c;
	} else {
		size_t q = n < sizeof(r) - 48 ? n : sizeof(r) - 48;
		size_t pl = 8 + q;
		uint32_t s = 0;
		len = 40 + pl;
		r[0] = 0x60;
		r[4] = (uint8_t)(pl >> 8);
		r[5] = (uint8_t)pl;
		r[6] = IPPROTO_ICMPV6;
		r[7] = 64;
		memcpy(r + 8, b + 24, 16);
		memcpy(r + 24, b + 8, 16);
		r[40] = ICMP6_DST_UNREACH;
		r[41] = ICMP6_DST_UNREACH_NOROUTE;
		memcpy(r + 48, b, q);
		/* pseudo-header: addresses, length, next header */
		for (int i = 8; i < 40; i += 2)
			s += (uint32_t)(r[i] << 8 | r[i + 1]);
		s += (uint32_t)pl + IPPROTO_ICMPV6;
		c = csum(r + 40, pl, s);
		r[42] = (uint8_t)(c >> 8);
		r[43] = (uint8_t)c;
	}
	if (write(nt.tun, r, len) < 0)
		fprintf(stderr, "tt-sandbox: trap reply: %s\n", strerror(errno));
}

static void on_trap(const uint8_t *b, size_t n)
{
	struct pkt p;

	if (parse(b, n, &p))
		return; /* ICMP, fragments, router solicitations...: no socket attempt */
	if (p.proto == IPPROTO_TCP && (b[p.l4 + 13] & 0x12) != 0x02)
		return; /* not a connect (SYN) */
	if (p.proto == IPPROTO_UDP && udp_seen(&p, 0)) {
		unreachable(b, n, &p);
		return;
	}
	emit("denied", p.proto == IPPROTO_TCP ? "connect" : p.dport == 53 ? "dns" : "send",
	     "no-route-out", &p);
	unreachable(b, n, &p);
}

static void on_tap(const uint8_t *b, size_t n, int pkttype)
{
	struct pkt p;

	if (pkttype != PACKET_OUTGOING || parse(b, n, &p))
		return; /* lo shows each packet twice: keep the sending side */
	if (p.proto == IPPROTO_UDP && udp_seen(&p, 1))
		return;
	emit("net", "packet", NULL, &p);
}

/* Reads what the lo tap holds without waiting; 1 when something was read. */
static int tap_read(int flags)
{
	uint8_t buf[2048];
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	pthread_mutex_lock(&nt.mu);
	n = recvfrom(nt.tap, buf, sizeof(buf), flags, (struct sockaddr *)&from, &fl);
	if (n > 0)
		on_tap(buf, (size_t)n, from.sll_pkttype);
	pthread_mutex_unlock(&nt.mu);
	return n > 0;
}

/* At session end: a loopback packet sent just before the stop is still logged (the lo
 * tap's events are asynchronous; the trap device's are not: the sender waits for the
 * ICMP answer, which comes after the event). */
void tt__sb_nettrap_drain(void)
{
	if (nt.tap >= 0)
		while (tap_read(MSG_DONTWAIT))
			;
}

static void *trap_main(void *arg)
{
	char path[64];
	uint8_t buf[2048];
	int fd;
	int rc = -1;

	(void)arg;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)nt.inner);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		snprintf(nt.err, sizeof(nt.err), "setns(%s): %s", path, strerror(errno));
	else
		rc = trap_setup();
	if (fd >= 0)
		close(fd);
	if (write(nt.ready_pipe[1], rc ? "E" : "K", 1) != 1 || rc)
		return NULL;
	struct pollfd pf[2] = {{.fd = nt.tun, .events = POLLIN}, {.fd = nt.tap, .events = POLLIN}};
	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (pf[0].revents & POLLIN) {
			ssize_t n = read(nt.tun, buf, sizeof(buf));
			pthread_mutex_lock(&nt.mu);
			if (n > 0)
				on_trap(buf, (size_t)n);
			pthread_mutex_unlock(&nt.mu);
		}
		if (pf[1].revents & POLLIN)
			tap_read(MSG_DONTWAIT);
		if ((pf[0].revents | pf[1].revents) & (POLLERR | POLLNVAL))
			return NULL;
	}
}

/* The first child of bwrap (its pid-1 "init"), which lives in the sandbox's namespaces. */
static pid_t inner_of(pid_t bw)
{
	char path[64];
	int child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)bw, (int)bw);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	return child;
}

int tt__sb_nettrap_start(const char *dir, int bw)
{
	pthread_t t;
	pthread_attr_t at;
	struct stat a;
	struct stat b;
	char path[64];
	char c = 0;
	struct pollfd pf;

	snprintf(nt.dir, sizeof(nt.dir), "%s", dir);
	nt.inner = inner_of(bw);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)nt.inner);
	if (nt.inner <= 0 || stat(path, &a) || stat("/proc/self/ns/net", &b))
		return tt_err_set(-ESRCH, "the sandbox's network namespace was not found");
	if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return tt_err_set(-EINVAL, "the sandbox shares the host's network namespace");
	if (pipe2(nt.ready_pipe, O_CLOEXEC))
		return tt_err_set(-errno, "pipe2");
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &at, trap_main, NULL);
	pthread_attr_destroy(&at);
	if (rc)
		return tt_err_set(-rc, "pthread_create");
	pf = (struct pollfd){.fd = nt.ready_pipe[0], .events = POLLIN};
	if (poll(&pf, 1, 5000) != 1 || read(nt.ready_pipe[0], &c, 1) != 1 || c != 'K')
		return tt_err_set(-EIO, "network trap: %s", nt.err[0] ? nt.err : "no answer");
	return 0;
}
