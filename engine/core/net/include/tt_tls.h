/*
 * tt_tls.h — TLS client over memory BIOs (DESIGN §4): OpenSSL never touches a socket. The
 * connection feeds ciphertext it received (tt_tls_feed), takes ciphertext to send
 * (tt_tls_out_take), and reads/writes plaintext; io_uring owns all socket I/O.
 *
 * Policy: TLS 1.2+ only; SSL_VERIFY_PEER always, against the system store or the CA file
 * from config; the peer must match the host: SSL_set1_host for names, the IP address check
 * (X509_VERIFY_PARAM_set1_ip_asc) for IP literals; SNI is sent for names only (RFC 6066).
 * Session resumption: the last resumable session the server issued (TLS 1.2 or 1.3 ticket)
 * is kept in the tt_tls and offered on the next tt_tls_begin().
 *
 * Allocation: tt_tls_begin() allocates the SSL and the BIO pair (connect time, cold);
 * nothing per record beyond what OpenSSL does internally.
 *
 * Returns: 0/-errno. Handshake/read/write report -EAGAIN when more ciphertext is needed,
 * -EKEYREJECTED when the certificate chain or host check fails, -TT_EPROTO for any other
 * TLS failure (the OpenSSL reason is in the error trail), -ESHUTDOWN for a close_notify.
 */
#ifndef TT_TLS_H
#define TT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct bio_st BIO;
typedef struct ssl_session_st SSL_SESSION;

#define TT_TLS_BIO_SIZE (64 * 1024) /* each direction of the BIO pair */

struct tt_tls_cfg {
	const char *ca_file; /* PEM CA bundle to trust; NULL: the system store */
};

struct tt_tls_ctx {
	SSL_CTX *ctx; /* shared by every connection of the thread */
};

struct tt_tls {
	struct tt_tls_ctx *ctx; /* not owned */
	SSL *ssl;		/* per connection (tt_tls_begin .. tt_tls_end) */
	BIO *net;		/* our end of the BIO pair: ciphertext in and out */
	SSL_SESSION *sess;	/* last resumable session, kept across connections */
	bool done;		/* handshake complete */
	bool reused;		/* the last handshake resumed sess */
	bool peer_closed;	/* close_notify received */
	uint64_t n_handshakes;	/* completed handshakes (counter) */
	uint64_t n_resumed;	/* of which resumed (counter) */
};

/* Builds the client SSL_CTX. 0 or -errno/-TT_ECONFIG (unreadable CA file). */
int tt_tls_ctx_init(struct tt_tls_ctx *x, const struct tt_tls_cfg *cfg) TT_WUR;
void tt_tls_ctx_fini(struct tt_tls_ctx *x);

/* Zeroes t and binds it to ctx (which must outlive it). Never fails. */
void tt_tls_init(struct tt_tls *t, struct tt_tls_ctx *ctx);
/* Ends any connection and drops the kept session. */
void tt_tls_fini(struct tt_tls *t);

/* Starts a client connection to host (name or IP literal; used for SNI and the identity
 * check). Offers the kept session if any. 0 or -ENOMEM/-TT_EPROTO. */
int tt_tls_begin(struct tt_tls *t, const char *host) TT_WUR;
/* Frees the connection's SSL and BIOs; keeps the session for the next begin. */
void tt_tls_end(struct tt_tls *t);

/* Drives the handshake: 0 done, -EAGAIN needs more input (send what tt_tls_out_pending
 * says first), or an error. */
int tt_tls_handshake(struct tt_tls *t) TT_WUR;
/* Feeds up to n received ciphertext bytes; returns how many were taken (may be < n when
 * the BIO is full: read plaintext, then feed the rest). */
size_t tt_tls_feed(struct tt_tls *t, const void *p, size_t n);
/* Ciphertext waiting to be sent. */
size_t tt_tls_out_pending(const struct tt_tls *t);
/* Moves up to cap bytes of ciphertext to buf; returns the count. */
size_t tt_tls_out_take(struct tt_tls *t, void *buf, size_t cap);
/* Reads plaintext: >0 bytes, -EAGAIN (needs input), -ESHUTDOWN (close_notify), error. */
int tt_tls_read(struct tt_tls *t, void *buf, size_t cap) TT_WUR;
/* Writes plaintext (all of it, or an error: -ENOBUFS when the outbound BIO is full, which
 * means the caller did not drain tt_tls_out_take). Returns n. */
int tt_tls_write(struct tt_tls *t, const void *buf, size_t n) TT_WUR;
/* Queues close_notify. 0 or error. */
int tt_tls_shutdown(struct tt_tls *t) TT_WUR;

#endif /* TT_TLS_H */
