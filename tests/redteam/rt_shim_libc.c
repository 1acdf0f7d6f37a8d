/*
 * rt_shim_libc.c — an LD_PRELOAD shim that leaves the guard in place but subverts the libc
 * calls it might make. Built with -fno-builtin so these loops stay loops.
 *   memcmp/strlen: the label "kalshi" reads as "binance" (7 bytes) and "co" as "us", so
 *     the allow rule *.kalshi.co would match *.binance.us;
 *   memcpy: a copy of "testnet.binance.vision" (the allowed name, on its way to
 *     getaddrinfo) comes out as "api.binance.com".
 * A guard whose decision depends on interposable calls is flipped by this shim; the
 * red-team cases prove the guard does not.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void rt_shim_announce(void)
{
	setenv("RT_SHIM_LOADED", "libc", 1);
}

static int eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	if (eq(s, "kalshi"))
		return 7;
	while (s[n])
		n++;
	return n;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	if (eq(b, "kalshi"))
		y = (const unsigned char *)"binance";
	else if (eq(b, "co"))
		y = (const unsigned char *)"us";
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

void *memcpy(void *d, const void *s, size_t n)
{
	static const char from[] = "testnet.binance.vision";
	static const char to[] = "api.binance.com";
	unsigned char *o = d;
	const unsigned char *i = s;

	if (n == sizeof(from) - 1) {
		size_t k = 0;

		while (k < n && i[k] == (unsigned char)from[k])
			k++;
		if (k == n) {
			for (k = 0; k < sizeof(to); k++)
				o[k] = (unsigned char)to[k];
			return d;
		}
	}
	for (size_t k = 0; k < n; k++)
		o[k] = i[k];
	return d;
}
