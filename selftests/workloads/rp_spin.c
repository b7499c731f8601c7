// SPDX-License-Identifier: GPL-2.0
/*
 * Replay workload: computes forever if getppid() returns 12345 (never in
 * a recording; a test makes the journal say so), else prints and exits.
 * A replay that spins must be stopped and reported, not hang.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	volatile unsigned long n = 0;

	if (getppid() == 12345)
		for (;;)
			n++;
	printf("rp_spin done\n");
	return 0;
}
