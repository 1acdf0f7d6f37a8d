/*
 * test_oe_proc.c — the tt-oe binary as a process: it refuses a config without risk limits;
 * with a full config, a tagged testnet credential (Ed25519 key generated here) and real
 * rings, it starts, answers "status" on its control socket, engages the kill switch by
 * socket, by kill file and by SIGUSR1, and exits cleanly on SIGTERM printing its stage
 * latency table. The venue port is one where nothing listens: tt-oe stays DOWN and keeps
 * retrying (no venue is faked).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tt_msg.h"
#include "tt_ring.h"
#include "tt_stats.h"

static char dir[64], bin[512], cfg[128], sock[128], killf[128], out[128];
static char rings[4][64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void gen_key(const char *path)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pk = NULL;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(EVP_PKEY_keygen_init(pc), 1);
	assert_int_equal(EVP_PKEY_keygen(pc, &pk), 1);
	assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
}

static void write_config(bool with_risk)
{
	char text[8192];
	int n;
	static const char *const edges[4] = { "strat.oe", "oe.strat", "oe.gui", "md.ref" };

	n = snprintf(text, sizeof(text),
		     "[engine]\ninstance = t%d\nflavor = testnet\n"
		     "[venue.binance]\nws_url = wss://127.0.0.1:1/ws\n"
		     "rest_url = https://127.0.0.1:1/api\noe_url = wss://127.0.0.1:1/ws-api/v3\n"
		     "connect_timeout = 200ms\n"
		     "[instrument.BTCUSDT]\nid = 1\nvenue = binance\nprice_scale = 2\n"
		     "qty_scale = 5\ntick_size = 0.01\nstep_size = 0.00001\nmin_qty = 0.00001\n"
		     "max_qty = 9000\nrisk_max_qty = 1\nrisk_max_notional = 100000\n"
		     "risk_max_position = 5\nrisk_collar_bps = 500\n"
		     "[oe]\ncredential = %s/oe.cred\njournal = %s/oe.journal\n"
		     "journal_capacity = 4096\nkill_file = %s\ncontrol_socket = %s\n",
		     (int)getpid(), dir, dir, killf, sock);
	for (int i = 0; i < 4; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "[ring.%s]\nslot_size = 64\ncapacity = 256\nmode = %s\nshm = %s\n",
			      edges[i], i < 2 ? "lossless" : "lossy", rings[i]);
	if (with_risk)
		snprintf(text + n, sizeof(text) - (size_t)n,
			 "[risk]\nmax_open_orders = 10\norders_per_sec = 5\norder_burst = 5\n"
			 "msgs_per_sec = 10\nmsg_burst = 10\ndup_window = 100ms\n"
			 "max_gross_notional = 0\ndaily_loss = 100000\n");
	write_file(cfg, text);
}

static pid_t start(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(bin, bin, "-c", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Sends one command; the answer line, or "" when the socket is not up yet. */
static const char *ctl(const char *cmd)
{
	static char buf[512];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n;

	buf[0] = 0;
	strcpy(sa.sun_path, sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return buf;
	}
	assert_true(write(fd, cmd, strlen(cmd)) > 0);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	return buf;
}

static const char *ctl_wait(const char *cmd, const char *want)
{
	const char *r = "";

	for (int i = 0; i < 100; i++) {	/* bounded: 10 s */
		r = ctl(cmd);
		if (strstr(r, want))
			return r;
		usleep(100000);
	}
	return r;
}

static int setup(void **state)
{
	const char *b = getenv("TT_BUILD_DIR");
	struct tt_ring_params p = { 64, 256, TT_RING_LOSSLESS, TT_MSG_LAYOUT_VERSION };
	char cred[512];

	snprintf(bin, sizeof(bin), "%s/orderentry/tt-oe", b ? b : "build/testnet");
	snprintf(dir, sizeof(dir), "/tmp/tt-oe-proc-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cfg, sizeof(cfg), "%s/oe.ini", dir);
	snprintf(sock, sizeof(sock), "%s/oe.sock", dir);
	snprintf(killf, sizeof(killf), "%s/KILL", dir);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	for (int i = 0; i < 4; i++) {
		snprintf(rings[i], sizeof(rings[i]), "tt-oe-proc-%d-%d", (int)getpid(), i);
		p.mode = i < 2 ? TT_RING_LOSSLESS : TT_RING_LOSSY;
		assert_int_equal(tt_ring_create(rings[i], &p), 0);
	}
	snprintf(cred, sizeof(cred), "%s/key.pem", dir);
	gen_key(cred);
	snprintf(cred, sizeof(cred),
		 "[credential]\nenv = testnet\nvenue = binance\nkey_type = ed25519\n"
		 "key_id = testkey-generated\nsecret_file = key.pem\n");
	{
		char p2[128];

		snprintf(p2, sizeof(p2), "%s/oe.cred", dir);
		write_file(p2, cred);
	}
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	for (int i = 0; i < 4; i++)
		(void)tt_ring_unlink(rings[i]);
	/* tt-oe's log ring and stats block (instance t<pid>) */
	snprintf(cmd, sizeof(cmd), "t%d.log.tt-oe", (int)getpid());
	(void)tt_ring_unlink(cmd);
	snprintf(cmd, sizeof(cmd), "t%d", (int)getpid());
	(void)tt_stats_unlink(cmd, "tt-oe");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	(void)state;
	return 0;
}

static void test_missing_risk_section_refuses_to_start(void **state)
{
	pid_t pid;
	int st;

	write_config(false);
	pid = start();
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	(void)state;
}

static void test_kill_switch_by_socket_file_and_signal_then_clean_exit(void **state)
{
	pid_t pid;
	int st;
	FILE *f;
	char log[16384];
	size_t n;

	write_config(true);
	pid = start();
	assert_non_null(strstr(ctl_wait("status", "\"ok\":true"), "\"killed\":false"));
	assert_non_null(strstr(ctl("status"), "\"state\":\"down\""));	/* no venue there */
	assert_non_null(strstr(ctl("kill"), "\"killed\":true"));
	assert_non_null(strstr(ctl("status"), "\"killed\":true"));
	assert_non_null(strstr(ctl("resume"), "\"killed\":false"));
	write_file(killf, "");
	assert_non_null(strstr(ctl_wait("status", "\"killed\":true"), "\"killed\":true"));
	unlink(killf);
	assert_non_null(strstr(ctl_wait("status", "\"killed\":false"), "\"killed\":false"));
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_non_null(strstr(ctl_wait("status", "\"killed\":true"), "\"killed\":true"));
	assert_non_null(strstr(ctl("bogus"), "unknown command"));
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	f = fopen(out, "r");
	assert_non_null(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = 0;
	fclose(f);
	assert_non_null(strstr(log, "\"event\":\"oe_stage_latency\",\"stage\":\"t2t_internal\""));
	assert_non_null(strstr(log, "\"event\":\"oe_summary\""));
	assert_non_null(strstr(log, "\"event\":\"oe_kill_switch\""));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_risk_section_refuses_to_start),
		cmocka_unit_test(test_kill_switch_by_socket_file_and_signal_then_clean_exit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
