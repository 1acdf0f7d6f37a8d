/*
 * main.c — tt-venue: flags → struct tt_venue_opts → tt_venue_run(). See tt_venue.h and
 * harness/venue/README.md for the protocol, the control socket and the capture format.
 */
#include "tt_venue.h"
#include "tt_err.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: tt-venue [options]\n"
	    "  --bind ADDR          127.0.0.0/8 or ::1 only (default 127.0.0.1)\n"
	    "  --port N             0 = ephemeral (default 0); the port is printed on stdout\n"
	    "  --cert F --key F     TLS certificate and key (PEM); else generated\n"
	    "  --cert-dir D         where generated ca.pem/server.pem/server.key go\n"
	    "  --symbols A,B        built-in: BTCUSDT ETHUSDT SOLUSDT BNBUSDT (default BTCUSDT)\n"
	    "  --seed N             random walk seed (default 1)\n"
	    "  --rate N             book updates per second (default 1000)\n"
	    "  --depth-fast-ms N    @depth@100ms window (default 100)\n"
	    "  --depth-slow-ms N    @depth window (default 1000)\n"
	    "  --ping-s N           server ping interval (default 20)\n"
	    "  --pong-timeout-s N   close without pong (default 60)\n"
	    "  --max-in-per-s N     incoming message limit (default 5)\n"
	    "  --tick-us N          service tick (default 1000)\n"
	    "  --ctl PATH           control unix socket\n"
	    "  --capture PATH       record every frame sent (bytes and times)\n"
	    "  --replay FILE        JSON-lines replay instead of the random walk\n"
	    "  --replay-loop        start the replay file again at its end\n"
	    "  --fault 'MS:CMD;..'  control commands run MS ms after start\n"
	    "  --log-mb N           frame ring size in MiB, power of two (default 64)\n"
	    "  --api-keys FILE      order-entry keys: 'APIKEY ed25519 PEM_FILE' or\n"
	    "                       'APIKEY hmac SECRET' per line (WS API at /ws-api/v3)\n"
	    "  --oe-weight N        REQUEST_WEIGHT per minute (default 6000)\n"
	    "  --oe-orders N        ORDERS per 10 s per account (default 100)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bind", required_argument, 0, 'b'},
	    {"port", required_argument, 0, 'p'},
	    {"cert", required_argument, 0, 'c'},
	    {"key", required_argument, 0, 'k'},
	    {"cert-dir", required_argument, 0, 'd'},
	    {"symbols", required_argument, 0, 's'},
	    {"seed", required_argument, 0, 'S'},
	    {"rate", required_argument, 0, 'r'},
	    {"depth-fast-ms", required_argument, 0, 'F'},
	    {"depth-slow-ms", required_argument, 0, 'W'},
	    {"ping-s", required_argument, 0, 'P'},
	    {"pong-timeout-s", required_argument, 0, 'T'},
	    {"max-in-per-s", required_argument, 0, 'm'},
	    {"tick-us", required_argument, 0, 't'},
	    {"ctl", required_argument, 0, 'C'},
	    {"capture", required_argument, 0, 'R'},
	    {"replay", required_argument, 0, 'y'},
	    {"replay-loop", no_argument, 0, 'L'},
	    {"fault", required_argument, 0, 'f'},
	    {"log-mb", required_argument, 0, 'l'},
	    {"api-keys", required_argument, 0, 'K'},
	    {"oe-weight", required_argument, 0, 'w'},
	    {"oe-orders", required_argument, 0, 'o'},
	    {"help", no_argument, 0, 'h'},
	    {0, 0, 0, 0},
	};
	struct tt_venue_opts o;
	const char *syms = "BTCUSDT";
	int c;
	int rc;

	tt_venue_opts_default(&o);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.bind = optarg;
			break;
		case 'p':
			o.port = atoi(optarg);
			break;
		case 'c':
			o.cert_file = optarg;
			break;
		case 'k':
			o.key_file = optarg;
			break;
		case 'd':
			o.cert_dir = optarg;
			break;
		case 's':
			syms = optarg;
			break;
		case 'S':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o.rate = strtoull(optarg, NULL, 0);
			break;
		case 'F':
			o.depth_ms_fast = atoi(optarg);
			break;
		case 'W':
			o.depth_ms_slow = atoi(optarg);
			break;
		case 'P':
			o.ping_s = atoi(optarg);
			break;
		case 'T':
			o.pong_timeout_s = atoi(optarg);
			break;
		case 'm':
			o.max_in_per_s = atoi(optarg);
			break;
		case 't':
			o.tick_us = atoi(optarg);
			break;
		case 'C':
			o.ctl_path = optarg;
			break;
		case 'R':
			o.capture_path = optarg;
			break;
		case 'y':
			o.replay_path = optarg;
			break;
		case 'L':
			o.replay_loop = true;
			break;
		case 'f':
			o.faults = optarg;
			break;
		case 'l':
			o.log_bytes = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'K':
			o.api_keys = optarg;
			break;
		case 'w':
			o.oe_weight_per_min = atoi(optarg);
			break;
		case 'o':
			o.oe_orders_per_10s = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if ((o.cert_file != NULL) != (o.key_file != NULL)) {
		fprintf(stderr, "{\"event\":\"error\",\"msg\":\"--cert and --key go together\"}\n");
		return 2;
	}
	for (const char *p = syms; *p && o.nsyms < TT_VENUE_MAX_SYMS;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(o.symbols[0])) {
			fprintf(stderr, "{\"event\":\"error\",\"msg\":\"bad --symbols\"}\n");
			return 2;
		}
		memcpy(o.symbols[o.nsyms], p, n);
		o.symbols[o.nsyms++][n] = 0;
		p += n + (p[n] == ',');
	}
	rc = tt_venue_run(&o);
	if (rc < 0) {
		fprintf(stderr,
			"{\"event\":\"error\",\"code\":%d,\"msg\":\"%s\",\"trail\":\"%s\"}\n", rc,
			tt_strerror(rc), tt_err_msg());
		return rc == -TT_EDENIED || rc == -TT_ECONFIG ? 2 : 1;
	}
	return 0;
}
