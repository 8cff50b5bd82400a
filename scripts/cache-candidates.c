/* The inner cache's candidates, measured in one process on the same
 * requests: the pool's shared cache (Sources/CSupport/cache.c) and LMDB
 * (Debian's liblmdb, 0.9.24). µs per hit and per store, for the body sizes
 * the API answers (an artist ~120 B, a works page ~3.6 KB, a recordings
 * page ~21 KB). Built and run by scripts/bench-cache (make bench-cache).
 *
 * LMDB runs as fast as it can be asked to (MDB_WRITEMAP | MDB_NOSYNC |
 * MDB_NOMETASYNC | MDB_NORDAHEAD | MDB_NOTLS, one write transaction per
 * store, read transactions reset and renewed). It keeps no LRU order and no
 * TTL: a cache on it would add a write per hit to keep one, which these
 * figures leave out, in its favour. */
#define _GNU_SOURCE
#include "../Sources/CSupport/include/SharedCache.h"
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define KEYS 5000
#define ROUNDS 200000

static char keys[KEYS][48];
static uint32_t key_lengths[KEYS];
static uint8_t *body;
static uint8_t out[1 << 20];

static void check(int rc, const char *what) {
    if (rc != 0) { fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc)); exit(1); }
}

static void shared_cache(uint32_t size, double *hit_us, double *store_us) {
    uint64_t ttl[AIRWAVE_CACHE_ENDPOINTS] = {60e9, 60e9, 60e9, 60e9, 60e9};
    uint64_t bytes = (uint64_t)KEYS * (size + 64) + (1 << 20);
    uint64_t length = airwave_cache_size(KEYS, bytes);
    airwave_cache *c = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    airwave_cache_init(c, length, KEYS, bytes, ttl);
    uint64_t start = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        int k = i % KEYS;
        airwave_cache_store(c, 1, (uint8_t *)keys[k], key_lengths[k], body, size, airwave_cache_epoch(c), now_ns());
    }
    *store_us = (now_ns() - start) / 1e3 / ROUNDS;
    start = now_ns();
    unsigned seed = 7;
    for (int i = 0; i < ROUNDS; i++) {
        int k = rand_r(&seed) % KEYS;
        if (airwave_cache_lookup(c, 1, (uint8_t *)keys[k], key_lengths[k], now_ns(), out, sizeof out) != size) exit(2);
    }
    *hit_us = (now_ns() - start) / 1e3 / ROUNDS;
    munmap(c, length);
}

static void lmdb(const char *dir, uint32_t size, double *hit_us, double *store_us) {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    check(mdb_env_create(&env), "create");
    check(mdb_env_set_mapsize(env, (size_t)KEYS * (size + 4096) * 2 + (64 << 20)), "mapsize");
    check(mdb_env_open(env, dir, MDB_WRITEMAP | MDB_NOSYNC | MDB_NOMETASYNC | MDB_NORDAHEAD | MDB_NOTLS, 0600), "open");
    check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
    check(mdb_dbi_open(txn, NULL, 0, &dbi), "dbi");
    check(mdb_txn_commit(txn), "commit");
    uint64_t start = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
        int k = i % KEYS;
        MDB_val key = {key_lengths[k], keys[k]}, value = {size, body};
        check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
        check(mdb_put(txn, dbi, &key, &value, 0), "put");
        check(mdb_txn_commit(txn), "commit");
    }
    *store_us = (now_ns() - start) / 1e3 / ROUNDS;
    MDB_txn *reader;
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &reader), "read");
    mdb_txn_reset(reader);
    start = now_ns();
    unsigned seed = 7;
    for (int i = 0; i < ROUNDS; i++) {
        int k = rand_r(&seed) % KEYS;
        MDB_val key = {key_lengths[k], keys[k]}, value;
        check(mdb_txn_renew(reader), "renew");
        check(mdb_get(reader, dbi, &key, &value), "get");
        memcpy(out, value.mv_data, value.mv_size);  /* the body leaves the map, as a hit must */
        mdb_txn_reset(reader);
    }
    *hit_us = (now_ns() - start) / 1e3 / ROUNDS;
    mdb_txn_abort(reader);
    mdb_env_close(env);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s DIRECTORY (for LMDB's files)\n", argv[0]); return 64; }
    for (int k = 0; k < KEYS; k++) key_lengths[k] = (uint32_t)snprintf(keys[k], sizeof keys[k], "work_recordings %d 0 100 all all", k);
    body = malloc(1 << 20);
    for (int i = 0; i < 1 << 20; i++) body[i] = (uint8_t)(i * 31);
    uint32_t sizes[] = {120, 3600, 21000};
    printf("%-26s %10s %12s %12s\n", "candidate", "body", "hit µs", "store µs");
    for (int s = 0; s < 3; s++) {
        double hit, store;
        shared_cache(sizes[s], &hit, &store);
        printf("%-26s %8u B %12.2f %12.2f\n", "shared cache (ours)", sizes[s], hit, store);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/lmdb-%u", argv[1], sizes[s]);
        char command[4200];
        snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
        if (system(command) != 0) return 1;
        lmdb(dir, sizes[s], &hit, &store);
        printf("%-26s %8u B %12.2f %12.2f\n", "LMDB 0.9.24", sizes[s], hit, store);
        snprintf(command, sizeof command, "rm -rf '%s'", dir);
        if (system(command) != 0) return 1;
    }
    return 0;
}
