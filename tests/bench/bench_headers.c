/*
 * Header chain benchmark: validate and store 1,000,000 synthetic regtest
 * headers, and the real mainnet/testnet3 header files. Prints headers per
 * second and peak resident memory (getrusage) of each phase; never fails
 * on a time. Each phase runs in its own child process so its peak memory
 * is its own.
 *
 *   meson test -C build --benchmark headers -v
 *   or: build/tests/bench/bench_headers [COUNT]   (KOBAN_TESTDATA for the real files)
 *
 * Phases:
 *   mine     mines COUNT regtest headers into a file (not timed as validation)
 *   import   spv_chain_import_file of that file into a new on-disk store
 *            (every header fully validated, flushed every 2^18 and at the end)
 *   reopen   opens the store again: no re-validation, the index is rebuilt
 *   peer     the same headers as a peer sends them: 2000 per
 *            spv_chain_process_headers call, each call flushed (fdatasync)
 *   real     the real mainnet and testnet3 files
 */
#include "spv/chain.h"
#include "spv/header.h"
#include "wallet/mem.h"
#include "wallet/pow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds this process has used (user + system): the one-core figure on a busy machine. */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static const char *path_in(const char *name)
{
	static char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int phase_mine(uint32_t count)
{
	const struct spv_chainparams *p = spv_chainparams_get(KB_NET_REGTEST);
	FILE *fp = fopen(path_in("regtest.bin"), "wb");
	if (!fp)
		return 1;
	uint8_t prev[SPV_HEADER_LEN], h[SPV_HEADER_LEN];
	memcpy(prev, p->genesis, SPV_HEADER_LEN);
	uint32_t t = spv_header_raw_u32(p->genesis, SPV_HEADER_OFF_TIME);
	uint64_t tries = 0;
	double t0 = now_s();
	for (uint32_t i = 0; i < count; i++) {
		struct hash256 ph, hh;
		spv_header_hash_raw(&ph, prev);
		memset(h, 0, sizeof h);
		put32(h, 0x20000000);
		memcpy(h + SPV_HEADER_OFF_PREV, ph.b, 32);
		put32(h + SPV_HEADER_OFF_MERKLE, i);
		put32(h + SPV_HEADER_OFF_TIME, t += 60);
		put32(h + SPV_HEADER_OFF_BITS, p->pow_limit_bits);
		for (uint32_t nonce = 0;; nonce++) {
			put32(h + SPV_HEADER_OFF_NONCE, nonce);
			spv_header_hash_raw(&hh, h);
			tries++;
			if (wallet_pow_check(hh.b, p->pow_limit_bits, &p->pow_limit))
				break;
		}
		if (fwrite(h, SPV_HEADER_LEN, 1, fp) != 1) {
			fclose(fp);
			return 1;
		}
		memcpy(prev, h, SPV_HEADER_LEN);
	}
	fclose(fp);
	double dt = now_s() - t0;
	printf("mine:   %u regtest headers mined in %.2f s (%.2f tries each)\n", count, dt,
	       (double)tries / count);
	return 0;
}

static int64_t clock_far(void *arg)
{
	(void)arg;
	return 4000000000;
}

static struct spv_chain *open_store(const char *name, enum kb_net net)
{
	struct spv_chain *c = NULL;
	struct spv_chain_opts o = {0};
	o.clock = clock_far;
	char err[200];
	if (spv_chain_open(&c, net, path_in(name), &o, err, sizeof err) != KB_OK) {
		fprintf(stderr, "open: %s\n", err);
		return NULL;
	}
	return c;
}

static int phase_import(const char *what, enum kb_net net, const char *file, const char *store)
{
	unlink(path_in(store));
	struct spv_chain *c = open_store(store, net);
	if (!c)
		return 1;
	double t0 = now_s(), c0 = cpu_s();
	struct spv_chain_result r;
	enum kb_rc rc = spv_chain_import_file(c, &r, file);
	spv_chain_free(c); /* includes the final flush */
	double dt = now_s() - t0, dc = cpu_s() - c0;
	if (rc != KB_OK) {
		fprintf(stderr, "%s: stopped at %zu: %s\n", what, r.fail_index, spv_hdr_reason_str(r.reason));
		return 1;
	}
	struct stat st;
	stat(path_in(store), &st);
	printf("%-7s %zu headers validated and stored in %.3f s: %.0f headers/s wall, %.0f per CPU "
	       "second, peak RSS %.1f MB, store %.1f MB\n", what, r.accepted, dt,
	       (double)r.accepted / dt, (double)r.accepted / dc, (double)peak_kb() / 1024,
	       (double)st.st_size / 1048576);
	return 0;
}

static int phase_reopen(const char *store)
{
	double t0 = now_s();
	struct spv_chain *c = open_store(store, KB_NET_REGTEST);
	if (!c)
		return 1;
	double dt = now_s() - t0;
	printf("reopen: tip %u loaded in %.3f s without re-validation, peak RSS %.1f MB\n",
	       spv_chain_height(c), dt, (double)peak_kb() / 1024);
	spv_chain_free(c);
	return 0;
}

static int phase_peer(uint32_t count)
{
	unlink(path_in("peer.dat"));
	FILE *fp = fopen(path_in("regtest.bin"), "rb");
	if (!fp)
		return 1;
	struct spv_chain *c = open_store("peer.dat", KB_NET_REGTEST);
	if (!c) {
		fclose(fp);
		return 1;
	}
	uint8_t *buf = kb_malloc(2000 * SPV_HEADER_LEN);
	double busy = 0, t0 = now_s();
	size_t total = 0, n;
	while ((n = fread(buf, SPV_HEADER_LEN, 2000, fp)) > 0) {
		struct spv_chain_result r;
		double a = now_s();
		if (spv_chain_process_headers(c, &r, buf, n) != KB_OK) {
			fprintf(stderr, "peer: %s\n", spv_hdr_reason_str(r.reason));
			break;
		}
		busy += now_s() - a;
		total += r.accepted;
	}
	double dt = now_s() - t0;
	fclose(fp);
	kb_free(buf);
	spv_chain_free(c);
	printf("peer:   %zu headers in batches of 2000, each flushed with fdatasync: %.0f headers/s "
	       "(%.2f s in the chain), peak RSS %.1f MB\n", total, (double)total / busy, dt,
	       (double)peak_kb() / 1024);
	(void)count;
	return 0;
}

static int run_child(int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int rc = fn(arg);
		fflush(stdout);
		_exit(rc);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static uint32_t g_count;

static int do_mine(void *a) { (void)a; return phase_mine(g_count); }
static int do_import(void *a)
{
	(void)a;
	char file[512];
	snprintf(file, sizeof file, "%s", path_in("regtest.bin"));
	return phase_import("import:", KB_NET_REGTEST, file, "regtest.dat");
}
static int do_reopen(void *a) { (void)a; return phase_reopen("regtest.dat"); }
static int do_peer(void *a) { (void)a; return phase_peer(g_count); }

struct real { const char *label, *file; enum kb_net net; };
static int do_real(void *a)
{
	const struct real *r = a;
	const char *td = getenv("KOBAN_TESTDATA");
	char file[512];
	snprintf(file, sizeof file, "%s/chain/%s", td ? td : "tests/data", r->file);
	if (access(file, R_OK) != 0) {
		printf("%-7s skipped: %s not found (set KOBAN_TESTDATA)\n", r->label, file);
		return 0;
	}
	return phase_import(r->label, r->net, file, "real.dat");
}

int main(int argc, char **argv)
{
	g_count = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	if (g_count == 0)
		g_count = 1000000;
	double load[3] = {0, 0, 0};
	FILE *lf = fopen("/proc/loadavg", "r");
	if (lf) {
		if (fscanf(lf, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
			load[0] = 0;
		fclose(lf);
	}
	printf("bench_headers: %u headers, libsodium SHA-256, load average %.1f on %ld CPUs "
	       "(wall figures shrink on a busy machine; CPU-second figures less so)\n", g_count,
	       load[0], sysconf(_SC_NPROCESSORS_ONLN));
	snprintf(dir, sizeof dir, "/tmp/koban-bench-headers-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	int rc = run_child(do_mine, NULL);
	if (rc == 0)
		rc = run_child(do_import, NULL);
	if (rc == 0)
		rc = run_child(do_reopen, NULL);
	if (rc == 0)
		rc = run_child(do_peer, NULL);
	static const struct real reals[] = {
		{"main0:", "mainnet_headers_0_10236.bin", KB_NET_MAIN},
		{"main1:", "mainnet_headers_586657_589289.bin", KB_NET_MAIN},
		{"test3:", "testnet3_headers_0_35141.bin", KB_NET_TEST3},
	};
	for (size_t i = 0; rc == 0 && i < sizeof reals / sizeof reals[0]; i++)
		rc = run_child(do_real, (void *)&reals[i]);
	static const char *const names[] = {"regtest.bin", "regtest.dat", "peer.dat", "real.dat",
	                                    "regtest.dat.tmp", "peer.dat.tmp", "real.dat.tmp"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(path_in(names[i]));
	rmdir(dir);
	if (rc != 0)
		fprintf(stderr, "bench_headers: a phase failed\n");
	return rc;
}
