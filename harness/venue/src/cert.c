/*
 * cert.c — test certificates generated at start (no key ever checked in): a self-signed CA
 * (P-256, CA:TRUE, keyCertSign) and a server certificate it signs for localhost, 127.0.0.1
 * and ::1 (serverAuth). Files: <dir>/ca.pem, <dir>/server.pem, <dir>/server.key (0600).
 * Clients trust ca.pem only. Valid from one hour ago for 30 days.
 */
#include "tt_venue.h"
#include "tt_err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return -1;
	X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return 0;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
		       EVP_PKEY *issuer_key, bool ca)
{
	X509 *c = X509_new();
	X509_NAME *name;

	if (!c)
		return NULL;
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 30L * 24 * 3600);
	X509_set_pubkey(c, key);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"ticktrade test",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	if (ca) {
		if (add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
		    add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") ||
		    add_ext(c, c, NID_subject_key_identifier, "hash"))
			goto fail;
	} else {
		if (add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
		    add_ext(c, issuer, NID_key_usage, "critical,digitalSignature") ||
		    add_ext(c, issuer, NID_ext_key_usage, "serverAuth") ||
		    add_ext(c, issuer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"))
			goto fail;
	}
	if (!X509_sign(c, issuer_key, EVP_sha256()))
		goto fail;
	return c;
fail:
	X509_free(c);
	return NULL;
}

static int write_pem(const char *dir, const char *file, X509 *cert, EVP_PKEY *key)
{
	char path[4096];
	FILE *f;
	int fd;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, key ? 0600 : 0644);
	if (fd < 0)
		return tt_err_set(-errno, "open(%s): %m", path);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return tt_err_set(-EIO, "fdopen(%s)", path);
	}
	ok =
	    key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
	if (fclose(f) != 0 || !ok)
		return tt_err_set(-EIO, "writing %s", path);
	return 0;
}

int tt_venue_gen_cert(const char *dir)
{
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *srv_key = EVP_EC_gen("P-256");
	X509 *ca = NULL;
	X509 *srv = NULL;
	int rc = -EIO;

	if (!ca_key || !srv_key) {
		tt_err_set(-EIO, "EVP_EC_gen(P-256) failed");
		goto out;
	}
	ca = make_cert(ca_key, "ticktrade test CA", 1, NULL, ca_key, true);
	if (ca)
		srv = make_cert(srv_key, "localhost", 2, ca, ca_key, false);
	if (!ca || !srv) {
		tt_err_set(-EIO, "building test certificates failed");
		goto out;
	}
	rc = write_pem(dir, "ca.pem", ca, NULL);
	if (!rc)
		rc = write_pem(dir, "server.pem", srv, NULL);
	if (!rc)
		rc = write_pem(dir, "server.key", NULL, srv_key);
out:
	X509_free(srv);
	X509_free(ca);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(ca_key);
	return rc;
}
