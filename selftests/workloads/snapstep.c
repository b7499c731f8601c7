// SPDX-License-Identifier: GPL-2.0
/*
 * snapstep ROUNDS [SLEEP_MS]: one thread whose memory changes with every
 * event. `value` takes a new value each round, which the round then
 * writes to stdout ("step I VALUE", VALUE in hex) and sleeps SLEEP_MS
 * (default 20) in nanosleep, where a snapshot's park usually finds it.
 * Prints "snapstep addr ADDR" (of `value`) first and "snapstep ok" last.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile uint64_t value;

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(1, s, n);

		if (w <= 0)
			exit(1);
		s += w;
		n -= w;
	}
}

int main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 100;
	unsigned int ms = argc > 2 ? strtoul(argv[2], NULL, 0) : 20;
	char line[128];
	unsigned int i;

	snprintf(line, sizeof(line), "snapstep addr %p\n", (void *)&value);
	say(line);
	for (i = 1; i <= rounds; i++) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		value = value * 6364136223846793005ULL + 1442695040888963407ULL + i;
		snprintf(line, sizeof(line), "step %u %016llx\n", i, (unsigned long long)value);
		say(line);
		while (nanosleep(&ts, &ts))
			;
	}
	say("snapstep ok\n");
	return 0;
}
