/*
 * bench_md.h — what the parts of tt-bench-md share: the generated message store, the
 * cJSON baseline decoder (bench_md.c) and the two whole-path benches (bench_md_path.c:
 * our stages over a memory BIO; bench_md_lws.c: libwebsockets + cJSON against our
 * client, both over real loopback TLS sockets from one server).
 */
#ifndef TT_BENCH_MD_H
#define TT_BENCH_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tt_md.h"

#define MD_MSGMAX 1024

/* cJSON baseline: one combined-stream frame ({"stream":..,"data":{..}}) of bookTicker,
 * depthUpdate or trade into m, as tt_md_bn_scan fills it (kind, instr, bt/depth/trade;
 * m->depth.bids/asks/caps set by the caller). 0 or -1. */
/* Self-signed P-256 certificate for localhost / 127.0.0.1 (its own CA, written to ca_path as
 * PEM): the loopback servers of both whole-path benches. 0 or -1. */
int md_bench_cert(EVP_PKEY **key, X509 **crt, const char *ca_path);
/* A server's (unmasked) text frame of len < 65536 bytes into out: the client side's
 * tt_ws_encode always masks. Returns the frame's length. */
size_t md_bench_server_frame(uint8_t *out, const void *payload, size_t len);

int md_cj_frame(const struct tt_md_instr_table *tab, const char *p, size_t len,
		struct tt_md_bn_msg *m);

void md_path_bench(const struct tt_md_instr_table *tab, char (*msgs)[MD_MSGMAX],
		   const size_t *lens, int nmsg, int rounds);

struct md_lws_opts {
	uint64_t n;	     /* messages sent to each client */
	size_t batch_bytes;  /* server: frames per SSL_write up to this many bytes (1 record) */
	unsigned pace_us;    /* server: > 0: one record per message, then sleep this long */
	bool quiet;	     /* no table, only errors and the check line */
};

/* Runs the loopback TLS server and both clients (ours, then libwebsockets + cJSON) over
 * msgs[i % nmsg], prints the table. Returns 0 when both clients got every message and
 * decoded each one to the same values, 1 otherwise. */
int md_lws_bench(const struct tt_md_instr_table *tab, char (*msgs)[MD_MSGMAX],
		 const size_t *lens, int nmsg, const struct md_lws_opts *o);

#endif /* TT_BENCH_MD_H */
