/* Allocates and touches MIB mebibytes, one at a time, then says so: under a memory limit
 * smaller than that, the host's OOM killer ends it with SIGKILL (natively and under the
 * kernel alike). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: alloc MIB\n");
		return 2;
	}
	long mib = atol(argv[1]);
	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);
		if (p == NULL) {
			printf("malloc failed after %ld MiB\n", i);
			return 1;
		}
		memset(p, 1, 1 << 20);
	}
	printf("touched %ld MiB\n", mib);
	return 0;
}
