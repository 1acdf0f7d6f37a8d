/*
 * test_cred.c — the credential tag and location rules and the host whitelist
 * (tt_cred.h). Each refusal must also produce exactly one denied event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tt_config.h"
#include "tt_cred.h"
#include "tt_denied.h"
#include "tt_err.h"

static char dir[64];
static int ev_fd = -1;
static char ev_path[128];

static void write_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *path_of(const char *rel)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return p;
}

/* The denied events written since the last call. */
static const char *events(void)
{
	static char buf[8192];
	ssize_t n;

	lseek(ev_fd, 0, SEEK_SET);
	n = read(ev_fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	assert_int_equal(ftruncate(ev_fd, 0), 0);
	lseek(ev_fd, 0, SEEK_SET);
	return buf;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tt-cred-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ev_path, sizeof(ev_path), "%s/events", dir);
	ev_fd = open(ev_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(ev_fd >= 0);
	tt_denied_set_fd(ev_fd);
	write_file("key.pem", "synthetic-test-secret-not-a-real-key\n");
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	tt_denied_set_fd(-1);
	close(ev_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	(void)state;
	return 0;
}

static void test_testnet_tagged_credential_loads(void **state)
{
	struct tt_cred c;

	write_file("ok.cred", "[credential]\nenv = testnet\nvenue = binance\nkey_type = ed25519\n"
			      "key_id = SYNTHETICTESTKEY0001\nsecret_file = key.pem\n");
	assert_int_equal(tt_cred_load(&c, path_of("ok.cred")), 0);
	assert_string_equal(c.env, "testnet");
	assert_string_equal(c.key_id, "SYNTHETICTESTKEY0001");
	assert_non_null(strstr(c.secret_file, "/key.pem"));
	assert_string_equal(events(), "");
	(void)state;
}

static void test_prod_tagged_credential_is_refused(void **state)
{
	struct tt_cred c;
	const char *ev;

	write_file("p.cred", "[credential]\nenv = prod\nvenue = binance\nkey_type = ed25519\n"
			     "key_id = SYNTHETICTESTKEY0002\nsecret_file = key.pem\n");
	assert_int_equal(tt_cred_load(&c, path_of("p.cred")), -TT_EDENIED);
	assert_string_equal(c.key_id, ""); /* nothing of it kept */
	ev = events();
	assert_non_null(strstr(ev, "\"event\":\"denied\",\"what\":\"credential\""));
	assert_non_null(strstr(ev, "\"rule\":\"prod_tagged\""));
	assert_non_null(strstr(ev, "\"flavor\":\"testnet\""));
	(void)state;
}

static void test_untagged_credential_is_refused(void **state)
{
	struct tt_cred c;

	write_file("u.cred", "[credential]\nvenue = binance\nkey_type = hmac\n"
			     "key_id = SYNTHETICTESTKEY0003\nsecret_file = key.pem\n");
	assert_int_equal(tt_cred_load(&c, path_of("u.cred")), -TT_EDENIED);
	assert_non_null(strstr(events(), "\"rule\":\"untagged\""));
	(void)state;
}

static void test_prod_location_is_refused_even_if_tagged_testnet(void **state)
{
	struct tt_cred c;
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/prod", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	write_file("prod/t.cred", "[credential]\nenv = testnet\nvenue = binance\nkey_type = hmac\n"
				  "key_id = SYNTHETICTESTKEY0004\nsecret_file = ../key.pem\n");
	assert_int_equal(tt_cred_load(&c, path_of("prod/t.cred")), -TT_EDENIED);
	assert_non_null(strstr(events(), "\"rule\":\"prod_location\""));
	(void)state;
}

static void test_symlink_into_prod_location_is_refused(void **state)
{
	struct tt_cred c;
	char target[256], link[256];

	snprintf(target, sizeof(target), "%s/production", dir);
	mkdir(target, 0700);
	write_file("production/real.cred", "[credential]\nenv = testnet\nvenue = binance\n"
					   "key_type = hmac\nkey_id = SYNTHETICTESTKEY0005\n"
					   "secret_file = ../key.pem\n");
	snprintf(target, sizeof(target), "%s/production/real.cred", dir);
	snprintf(link, sizeof(link), "%s/innocent.cred", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(tt_cred_load(&c, link), -TT_EDENIED);
	assert_non_null(strstr(events(), "prod_location"));
	(void)state;
}

static void test_secret_file_symlinked_into_prod_is_refused(void **state)
{
	struct tt_cred c;
	char p[256], l[256];

	snprintf(p, sizeof(p), "%s/prod2/prod", dir);
	snprintf(l, sizeof(l), "%s/prod2", dir);
	mkdir(l, 0700);
	mkdir(p, 0700);
	write_file("prod2/prod/secret.pem", "synthetic\n");
	snprintf(p, sizeof(p), "%s/prod2/prod/secret.pem", dir);
	snprintf(l, sizeof(l), "%s/s.pem", dir);
	assert_int_equal(symlink(p, l), 0);
	write_file("s.cred", "[credential]\nenv = testnet\nvenue = binance\nkey_type = hmac\n"
			     "key_id = SYNTHETICTESTKEY0006\nsecret_file = s.pem\n");
	assert_int_equal(tt_cred_load(&c, path_of("s.cred")), -TT_EDENIED);
	assert_non_null(strstr(events(), "prod_location"));
	(void)state;
}

static void test_malformed_credential_names_file_and_line(void **state)
{
	struct tt_cred c;
	char want[PATH_MAX + 256];

	write_file("m.cred", "[credential]\nenv = testnet\nkey_type = dsa\n");
	assert_int_equal(tt_cred_load(&c, path_of("m.cred")), -TT_ECONFIG);
	snprintf(want, sizeof(want),
		 "%s:3: credential.key_type: expected ed25519, hmac or rsa, found \"dsa\"",
		 path_of("m.cred"));
	assert_string_equal(tt_err_msg(), want);
	write_file("k.cred", "[credential]\nenv = testnet\npassword = x\n");
	assert_int_equal(tt_cred_load(&c, path_of("k.cred")), -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), "k.cred:3: credential.password: unknown key"));
	assert_string_equal(events(), "");
	(void)state;
}

static void test_location_rule_matches_components_not_substrings(void **state)
{
	assert_int_equal(tt_cred_check_location("/home/a/productive/x.cred"), 0);
	assert_int_equal(tt_cred_check_location("/home/a/reproduce/x.cred"), 0);
	assert_int_equal(tt_cred_check_location("/home/a/prod/x.cred"), -TT_EDENIED);
	assert_int_equal(tt_cred_check_location("/etc/ticktrade/production/x.cred"), -TT_EDENIED);
	assert_int_equal(tt_cred_check_location("/home/a/binance.prod.cred"), -TT_EDENIED);
	(void)state;
}

static void test_host_whitelist(void **state)
{
	const char *wl[] = { "0123456789abcdef0123456789abcdef", "feedfacefeedfacefeedfacefeedface" };

	write_file("mid-ok", "feedfacefeedfacefeedfacefeedface\n");
	write_file("mid-bad", "00000000000000000000000000000000\n");
	write_file("mid-empty", "");
	assert_int_equal(tt_host_check(wl, 2, path_of("mid-ok")), 0);
	assert_string_equal(events(), "");
	assert_int_equal(tt_host_check(wl, 2, path_of("mid-bad")), -TT_EDENIED);
	assert_non_null(strstr(events(), "\"what\":\"host\""));
	assert_int_equal(tt_host_check(wl, 2, path_of("mid-empty")), -TT_EDENIED);
	assert_non_null(strstr(events(), "host_not_whitelisted"));
	assert_true(tt_host_check(wl, 2, path_of("missing")) < 0);
	(void)state;
}

static void test_testnet_flavor_start_needs_no_whitelist(void **state)
{
	static struct tt_config cfg; /* empty host_whitelist */

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(tt_flavor_start(&cfg), 0);
	assert_string_equal(events(), "");
	(void)state;
}

static void test_testnet_binary_refuses_the_prod_config(void **state)
{
	static struct tt_config cfg;
	char path[512];
	const char *src = getenv("TT_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/config/prod.ini", src ? src : ".");
	assert_int_equal(tt_config_load(&cfg, path), -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), "engine.flavor: expected"));
	assert_non_null(strstr(events(), "\"rule\":\"config_of_other_flavor\""));
	(void)state;
}

static void test_denied_event_escapes_hostile_target(void **state)
{
	const char *ev;

	tt_denied_emit("connect", "evil\"host\n\x01\xff", "rule\\x");
	ev = events();
	assert_non_null(strstr(ev, "\"target\":\"evil\\\"host\\n\\u0001\\u00ff\""));
	assert_non_null(strstr(ev, "\"rule\":\"rule\\\\x\""));
	assert_int_equal(strchr(ev, '\n') - ev, (long)strlen(ev) - 1); /* one line */
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_testnet_tagged_credential_loads),
		cmocka_unit_test(test_prod_tagged_credential_is_refused),
		cmocka_unit_test(test_untagged_credential_is_refused),
		cmocka_unit_test(test_prod_location_is_refused_even_if_tagged_testnet),
		cmocka_unit_test(test_symlink_into_prod_location_is_refused),
		cmocka_unit_test(test_secret_file_symlinked_into_prod_is_refused),
		cmocka_unit_test(test_malformed_credential_names_file_and_line),
		cmocka_unit_test(test_location_rule_matches_components_not_substrings),
		cmocka_unit_test(test_host_whitelist),
		cmocka_unit_test(test_testnet_flavor_start_needs_no_whitelist),
		cmocka_unit_test(test_testnet_binary_refuses_the_prod_config),
		cmocka_unit_test(test_denied_event_escapes_hostile_target),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
