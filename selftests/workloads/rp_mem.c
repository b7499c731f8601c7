// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload for time-travel queries: prints the address of a global
 * variable, sets it to 0x1122334455667788 and calls getppid(), then sets
 * it to 0x0123456789abcdef and calls getppid() again. `ttrec replay --to`
 * the first getppid() must show the first value at that address, the
 * second getppid() the second one.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

volatile uint64_t rp_marker;

int main(void)
{
	printf("marker %p\n", (void *)&rp_marker);
	fflush(stdout);
	rp_marker = 0x1122334455667788ULL;
	getppid();
	rp_marker = 0x0123456789abcdefULL;
	getppid();
	printf("rp_mem done\n");
	return 0;
}
