#ifndef AIRWAVE_SHARED_CACHE_H
#define AIRWAVE_SHARED_CACHE_H

#include <pthread.h>
#include <stdint.h>

/// The pool's inner cache: one table of finished response bodies in memory
/// every worker maps (a memfd the master creates before the fork), as APCu
/// keeps one under PHP-FPM and nginx keeps its zones.
///
/// - Keys and bodies are bytes, compared byte for byte (hash, length, memcmp).
/// - One process-shared, robust mutex guards everything: a worker killed
///   while holding it leaves it "owner dead"; the next locker empties the
///   cache (whatever was half written goes with it) and carries on. Nobody
///   waits for it more than 200 ms (a holder stopped, not dead): a lookup
///   then misses and a store stores nothing.
/// - Least-recently-used eviction under two bounds for the whole pool:
///   entries, and bytes of keys and bodies. TTLs per endpoint.
/// - Bodies live in chains of fixed-size chunks: no fragmentation, so the
///   bounds alone guarantee room.
/// - Every entry carries the `epoch` it was computed under; only entries of
///   the current epoch are served. cache/clear and a change of the database
///   file bump it (SharedCache.swift: the protocol that keeps answers fresh
///   across workers).
/// - The counters (per endpoint) live here, exact for the pool.

#define AIRWAVE_CACHE_MAGIC 0x41574343u /* "AWCC" */
#define AIRWAVE_CACHE_VERSION 2u
#define AIRWAVE_CACHE_ENDPOINTS 5
#define AIRWAVE_CACHE_CHUNK 256
#define AIRWAVE_CACHE_NONE UINT32_MAX

/// One endpoint's counters, exact for the pool.
typedef struct {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;    /* dropped to make room (LRU) */
    uint64_t expirations;  /* found past their TTL */
    uint64_t entries;
    uint64_t bytes;        /* of keys and bodies */
} airwave_cache_counters;

typedef struct {
    uint64_t hash;
    uint64_t expires_ns;   /* CLOCK_MONOTONIC, shared by every process */
    uint64_t epoch;
    uint32_t key_length;
    uint32_t body_length;
    uint32_t first_chunk;
    uint32_t bucket_next;
    uint32_t newer;        /* towards the most recently used */
    uint32_t older;        /* towards the least recently used */
    uint16_t endpoint;
    uint16_t in_use;
} airwave_cache_entry;

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint64_t size;               /* of the whole mapping */
    uint32_t max_entries;
    uint32_t bucket_count;       /* a power of two */
    uint32_t chunk_count;
    uint32_t chunk_size;
    uint64_t max_bytes;
    uint64_t entries_at, links_at, chunks_at; /* offsets of the sections (the buckets follow the header) */
    uint64_t ttl_ns[AIRWAVE_CACHE_ENDPOINTS];
    pthread_mutex_t lock;
    uint64_t epoch;              /* entries of another epoch are never served */
    uint64_t recoveries;         /* a lock holder died: the cache was emptied */
    uint64_t lock_timeouts;      /* the lock was not had within 200 ms (atomic, outside the lock) */
    uint64_t entries;
    uint64_t bytes;
    uint32_t newest, oldest;     /* the LRU list */
    uint32_t free_entry;         /* free entry slots, linked by bucket_next */
    uint32_t free_chunk;         /* free chunks, linked by chunk_next */
    uint32_t free_chunks;
    uint32_t reserved;
    airwave_cache_counters counters[AIRWAVE_CACHE_ENDPOINTS];
} airwave_cache;

/// Bytes a cache with these bounds needs.
uint64_t airwave_cache_size(uint32_t max_entries, uint64_t max_bytes);

/// Lays out a new, empty cache in `memory` (`size` from airwave_cache_size).
/// Returns 0, or an errno from initialising the mutex.
int airwave_cache_init(airwave_cache *cache, uint64_t size, uint32_t max_entries, uint64_t max_bytes, const uint64_t *ttl_ns);

/// Looks `key` up for `endpoint` at `now_ns`. Found, fresh and of the
/// current epoch: copies the body into `out` when it fits in `capacity` and
/// returns its length (a hit); when it does not fit, returns its length and
/// copies nothing, counts nothing (call again with room). Not there,
/// expired or of an older epoch: returns -1 (a miss).
int64_t airwave_cache_lookup(airwave_cache *cache, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                             uint64_t now_ns, uint8_t *out, uint64_t capacity);

/// Stores `body` under `key`, computed under `epoch`: nothing is stored when
/// that is no longer the cache's epoch, when the endpoint's TTL is 0, or
/// when the entry alone is over the byte bound. Evicts the least recently
/// used entries until both bounds hold. Returns 1 if stored.
int airwave_cache_store(airwave_cache *cache, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                        const uint8_t *body, uint32_t body_length, uint64_t epoch, uint64_t now_ns);

/// Starts a new epoch (cache/clear, a worker started, or the database file
/// changed) and empties the cache. The epoch moves even when the lock
/// cannot be had, so nothing older is served either way. Returns it.
uint64_t airwave_cache_clear(airwave_cache *cache);

static inline uint64_t airwave_cache_epoch(const airwave_cache *cache) {
    return __atomic_load_n(&cache->epoch, __ATOMIC_ACQUIRE);
}

static inline uint64_t airwave_cache_lock_timeouts(const airwave_cache *cache) {
    return __atomic_load_n(&cache->lock_timeouts, __ATOMIC_RELAXED);
}

/// A consistent copy of the counters (per endpoint) and the totals; when
/// the lock cannot be had within its wait, each number as it is.
void airwave_cache_read_counters(airwave_cache *cache, airwave_cache_counters *out, uint64_t *recoveries);

/// For the fault tests only: takes the lock, starts writing an entry (its
/// slot and chunks taken, half the body copied) and returns without
/// unlocking or finishing, as a worker killed at that moment would leave it.
/// For tests: holds the lock for `milliseconds`, as a stopped holder would.
void airwave_cache_test_hold_lock(airwave_cache *cache, uint32_t milliseconds);

void airwave_cache_test_abandon_store(airwave_cache *cache, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                                      const uint8_t *body, uint32_t body_length);

#endif
