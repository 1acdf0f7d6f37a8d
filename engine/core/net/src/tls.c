/*
 * tls.c — TLS client over a BIO pair (tt_tls.h). The SSL object reads and writes its end
 * of the pair; we hold the other end (`net`): bytes received from the socket are written
 * into it, bytes to send are read out of it. The pair's buffers are allocated once per
 * connection by BIO_new_bio_pair, so records cost no allocation of ours.
 *
 * Sessions: the context caches client sessions without an internal store; the new-session
 * callback hands each resumable session to the tt_tls that owns the SSL (app data), which
 * keeps the latest one across connections (TLS 1.3 tickets arrive after the handshake).
 */
#include "tt_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tt_err.h"

/* Puts the first queued OpenSSL error into the trail and clears the queue. */
static int tt_tls_err(int code, const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "no OpenSSL error queued");
	ERR_clear_error();
	return tt_err_set(code, "%s: %s", what, buf);
}

static int tt_tls_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tt_tls *t = SSL_get_app_data(ssl);

	if (!t || !SSL_SESSION_is_resumable(sess))
		return 0; /* not kept: OpenSSL frees it */
	if (t->sess)
		SSL_SESSION_free(t->sess);
	t->sess = sess;
	return 1; /* we own the reference now */
}

__tt_cold int tt_tls_ctx_init(struct tt_tls_ctx *x, const struct tt_tls_cfg *cfg)
{
	const char *ca = cfg ? cfg->ca_file : NULL;

	memset(x, 0, sizeof(*x));
	x->ctx = SSL_CTX_new(TLS_client_method());
	if (!x->ctx)
		return tt_tls_err(-ENOMEM, "SSL_CTX_new");
	if (!SSL_CTX_set_min_proto_version(x->ctx, TLS1_2_VERSION)) {
		tt_tls_err(-TT_EPROTO, "SSL_CTX_set_min_proto_version(TLS1.2)");
		goto out_free;
	}
	SSL_CTX_set_verify(x->ctx, SSL_VERIFY_PEER, NULL);
	if (ca) {
		if (SSL_CTX_load_verify_locations(x->ctx, ca, NULL) != 1) {
			tt_tls_err(-TT_ECONFIG, "SSL_CTX_load_verify_locations");
			tt_err_add("CA file '%s'", ca);
			goto out_free;
		}
	} else if (SSL_CTX_set_default_verify_paths(x->ctx) != 1) {
		tt_tls_err(-TT_ECONFIG, "SSL_CTX_set_default_verify_paths");
		goto out_free;
	}
	SSL_CTX_set_session_cache_mode(x->ctx,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(x->ctx, tt_tls_new_session);
	/* Our BIO end is drained in pieces; let SSL_write return after a partial record. */
	SSL_CTX_set_mode(x->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	return 0;

out_free:
	SSL_CTX_free(x->ctx);
	x->ctx = NULL;
	return tt_err_code();
}

__tt_cold void tt_tls_ctx_fini(struct tt_tls_ctx *x)
{
	SSL_CTX_free(x->ctx);
	x->ctx = NULL;
}

void tt_tls_init(struct tt_tls *t, struct tt_tls_ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
}

void tt_tls_end(struct tt_tls *t)
{
	if (t->ssl)
		SSL_free(t->ssl); /* frees the internal BIO end too */
	if (t->net)
		BIO_free(t->net);
	t->ssl = NULL;
	t->net = NULL;
	t->done = false;
	t->peer_closed = false;
}

void tt_tls_fini(struct tt_tls *t)
{
	tt_tls_end(t);
	if (t->sess)
		SSL_SESSION_free(t->sess);
	t->sess = NULL;
}

static bool tt_tls_is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

__tt_cold int tt_tls_begin(struct tt_tls *t, const char *host)
{
	BIO *inner = NULL;
	X509_VERIFY_PARAM *vp;

	tt_tls_end(t);
	ERR_clear_error();
	t->reused = false;
	t->ssl = SSL_new(t->ctx->ctx);
	if (!t->ssl)
		return tt_tls_err(-ENOMEM, "SSL_new");
	if (!BIO_new_bio_pair(&inner, TT_TLS_BIO_SIZE, &t->net, TT_TLS_BIO_SIZE)) {
		tt_tls_err(-ENOMEM, "BIO_new_bio_pair");
		goto out_end;
	}
	SSL_set_bio(t->ssl, inner, inner);
	SSL_set_app_data(t->ssl, t);
	vp = SSL_get0_param(t->ssl);
	if (tt_tls_is_ip(host)) {
		/* IP literal: check the certificate's iPAddress SAN; no SNI (RFC 6066 §3). */
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1) {
			tt_tls_err(-EINVAL, "X509_VERIFY_PARAM_set1_ip_asc");
			goto out_end;
		}
	} else {
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(t->ssl, host) != 1 ||
		    SSL_set_tlsext_host_name(t->ssl, host) != 1) {
			tt_tls_err(-EINVAL, "SSL_set1_host/SNI");
			goto out_end;
		}
	}
	if (t->sess && SSL_set_session(t->ssl, t->sess) != 1)
		ERR_clear_error(); /* not fatal: full handshake */
	SSL_set_connect_state(t->ssl);
	return 0;

out_end:
	tt_err_add("TLS to '%s'", host);
	tt_tls_end(t);
	return tt_err_code();
}

/* Maps an SSL_* result to our returns; ret is the SSL call's return value. */
static int tt_tls_result(struct tt_tls *t, int ret, const char *what)
{
	int e = SSL_get_error(t->ssl, ret);
	long vr;

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		t->peer_closed = true;
		return tt_err_set(-ESHUTDOWN, "%s: peer sent close_notify", what);
	default:
		break;
	}
	vr = SSL_get_verify_result(t->ssl);
	if (!t->done && vr != X509_V_OK) {
		ERR_clear_error();
		return tt_err_set(-EKEYREJECTED, "%s: certificate verification failed: %s", what,
				  X509_verify_cert_error_string(vr));
	}
	return tt_tls_err(-TT_EPROTO, what);
}

int tt_tls_handshake(struct tt_tls *t)
{
	int ret;

	if (t->done)
		return 0;
	if (TT_NEVER(!t->ssl))
		return tt_err_set(-EINVAL, "handshake without tt_tls_begin");
	ret = SSL_do_handshake(t->ssl);
	if (ret != 1)
		return tt_tls_result(t, ret, "SSL_do_handshake");
	t->done = true;
	t->reused = SSL_session_reused(t->ssl) == 1;
	t->n_handshakes++;
	t->n_resumed += t->reused;
	return 0;
}

size_t tt_tls_feed(struct tt_tls *t, const void *p, size_t n)
{
	int w;

	if (n == 0 || !t->net)
		return 0;
	w = BIO_write(t->net, p, n > INT32_MAX ? INT32_MAX : (int)n);
	return w > 0 ? (size_t)w : 0;
}

size_t tt_tls_out_pending(const struct tt_tls *t)
{
	return t->net ? BIO_ctrl_pending(t->net) : 0;
}

size_t tt_tls_out_take(struct tt_tls *t, void *buf, size_t cap)
{
	int r;

	if (cap == 0 || !t->net)
		return 0;
	r = BIO_read(t->net, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	return r > 0 ? (size_t)r : 0;
}

int tt_tls_read(struct tt_tls *t, void *buf, size_t cap)
{
	int ret;

	if (tt_unlikely(!t->ssl))
		return tt_err_set(-ENOTCONN, "tt_tls_read without a connection");
	ret = SSL_read(t->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
	if (tt_likely(ret > 0))
		return ret;
	return tt_tls_result(t, ret, "SSL_read");
}

int tt_tls_write(struct tt_tls *t, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t off = 0;

	if (tt_unlikely(!t->ssl || !t->done))
		return tt_err_set(-ENOTCONN, "tt_tls_write before the handshake completed");
	if (tt_unlikely(n > INT32_MAX))
		return tt_err_set(-EMSGSIZE, "tt_tls_write: %zu bytes", n);
	while (off < n) {
		int ret = SSL_write(t->ssl, p + off, (int)(n - off));

		if (ret <= 0) {
			ret = tt_tls_result(t, ret, "SSL_write");
			if (ret == -EAGAIN)
				return tt_err_set(-ENOBUFS,
						  "SSL_write: outbound BIO full (%zu of %zu "
						  "bytes written)",
						  off, n);
			return ret;
		}
		off += (size_t)ret;
	}
	return (int)n;
}

int tt_tls_shutdown(struct tt_tls *t)
{
	int ret;

	if (!t->ssl || !t->done)
		return 0;
	ret = SSL_shutdown(t->ssl);
	if (ret >= 0)
		return 0; /* 0: close_notify queued, the peer's is not needed */
	ret = tt_tls_result(t, ret, "SSL_shutdown");
	return ret == -EAGAIN ? 0 : ret;
}
