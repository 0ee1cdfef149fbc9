/* Fixed CPU-bound work with (almost) no syscalls: FNV-1a over a 1 MiB buffer, PASSES times.
 * The byte-serial multiply chain cannot be vectorised, and the buffer stays in cache, so the
 * run time is the CPU's alone: under junction-kernel it should match native.
 *
 *   work [PASSES]    default 640 (about 0.7 s on a recent x86-64)
 *
 * It prints the hash, so the loop cannot be optimised away.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BUF_SIZE (1u << 20)

int main(int argc, char **argv)
{
	long passes = argc > 1 ? atol(argv[1]) : 640;
	unsigned char *buf = malloc(BUF_SIZE);
	uint64_t x = 0x9e3779b97f4a7c15u, h = 0xcbf29ce484222325u;
	if (!buf || passes < 1)
		return 2;
	/* xorshift64 fill: deterministic, not compressible into a closed form. */
	for (uint32_t i = 0; i < BUF_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
	for (long p = 0; p < passes; p++) {
		for (uint32_t i = 0; i < BUF_SIZE; i++)
			h = (h ^ buf[i]) * 0x100000001b3u;
		buf[p % BUF_SIZE] ^= (unsigned char)h; /* each pass hashes different data */
	}
	printf("%016llx\n", (unsigned long long)h);
	free(buf);
	return 0;
}
