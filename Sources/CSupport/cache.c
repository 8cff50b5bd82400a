#define _GNU_SOURCE
#include "SharedCache.h"
#include "RobustMutex.h"
#include <errno.h>
#include <string.h>
#include <time.h>

#define NONE AIRWAVE_CACHE_NONE
#define CHUNK AIRWAVE_CACHE_CHUNK
/* The longest anyone waits for the lock: a holder that is stopped (not
   dead) must not stop the pool. */
#define LOCK_WAIT_NS 200000000L

/* Layout: the header, the hash buckets, the entry slots, the chunk links,
   the chunks; each section 64-byte aligned. */

static uint64_t align64(uint64_t n) { return (n + 63) & ~(uint64_t)63; }

static uint32_t buckets_for(uint32_t max_entries) {
    uint32_t n = 16;
    while (n < 2 * (uint64_t)max_entries && n < (1u << 30)) n <<= 1;
    return n;
}

/* Room for the byte bound plus the unused end of each entry's last chunk:
   the two bounds alone then guarantee free chunks. */
static uint64_t chunks_for(uint32_t max_entries, uint64_t max_bytes) {
    return (max_bytes + CHUNK - 1) / CHUNK + (uint64_t)max_entries + 1;
}

static uint64_t buckets_offset(void) { return align64(sizeof(airwave_cache)); }
static uint64_t entries_offset(uint32_t buckets) { return buckets_offset() + align64((uint64_t)buckets * 4); }
static uint64_t links_offset(uint32_t buckets, uint32_t entries) {
    return entries_offset(buckets) + align64((uint64_t)entries * sizeof(airwave_cache_entry));
}
static uint64_t chunks_offset(uint32_t buckets, uint32_t entries, uint64_t chunks) {
    return links_offset(buckets, entries) + align64(chunks * 4);
}

uint64_t airwave_cache_size(uint32_t max_entries, uint64_t max_bytes) {
    uint64_t chunks = chunks_for(max_entries, max_bytes);
    if (chunks >= NONE) return 0;
    return chunks_offset(buckets_for(max_entries), max_entries, chunks) + chunks * CHUNK;
}

static uint32_t *buckets(airwave_cache *c) { return (uint32_t *)((char *)c + buckets_offset()); }
static airwave_cache_entry *entries(airwave_cache *c) { return (airwave_cache_entry *)((char *)c + c->entries_at); }
static uint32_t *links(airwave_cache *c) { return (uint32_t *)((char *)c + c->links_at); }
static uint8_t *chunk(airwave_cache *c, uint32_t index) { return (uint8_t *)c + c->chunks_at + (uint64_t)index * CHUNK; }

/* Every entry and chunk free, no epoch change. */
static void reset(airwave_cache *c) {
    uint32_t *b = buckets(c), *l = links(c);
    airwave_cache_entry *e = entries(c);
    for (uint32_t i = 0; i < c->bucket_count; i++) b[i] = NONE;
    for (uint32_t i = 0; i < c->max_entries; i++) {
        memset(&e[i], 0, sizeof e[i]);
        e[i].bucket_next = i + 1 < c->max_entries ? i + 1 : NONE;
    }
    for (uint32_t i = 0; i < c->chunk_count; i++) l[i] = i + 1 < c->chunk_count ? i + 1 : NONE;
    c->free_entry = c->max_entries > 0 ? 0 : NONE;
    c->free_chunk = c->chunk_count > 0 ? 0 : NONE;
    c->free_chunks = c->chunk_count;
    c->newest = c->oldest = NONE;
    c->entries = 0;
    c->bytes = 0;
    for (int i = 0; i < AIRWAVE_CACHE_ENDPOINTS; i++) c->counters[i].entries = c->counters[i].bytes = 0;
}

int airwave_cache_init(airwave_cache *c, uint64_t size, uint32_t max_entries, uint64_t max_bytes, const uint64_t *ttl_ns) {
    memset(c, 0, sizeof *c);
    c->size = size;
    c->max_entries = max_entries;
    c->bucket_count = buckets_for(max_entries);
    c->chunk_count = (uint32_t)chunks_for(max_entries, max_bytes);
    c->chunk_size = CHUNK;
    c->max_bytes = max_bytes;
    c->entries_at = entries_offset(c->bucket_count);
    c->links_at = links_offset(c->bucket_count, max_entries);
    c->chunks_at = chunks_offset(c->bucket_count, max_entries, c->chunk_count);
    for (int i = 0; i < AIRWAVE_CACHE_ENDPOINTS; i++) c->ttl_ns[i] = ttl_ns[i];
    int rc = airwave_robust_mutex_init(&c->lock);
    if (rc != 0) return rc;
    reset(c);
    c->epoch = 1;
    c->version = AIRWAVE_CACHE_VERSION;
    __atomic_store_n(&c->magic, AIRWAVE_CACHE_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

/* Takes the lock, waiting at most LOCK_WAIT_NS. A holder that died left the
   cache in any state: empty it, start a new epoch, and go on. 0 when the
   lock could not be had. */
static int lock(airwave_cache *c) {
    int rc = pthread_mutex_trylock(&c->lock);
    if (rc == EBUSY) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += LOCK_WAIT_NS;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec += deadline.tv_nsec / 1000000000L;
            deadline.tv_nsec %= 1000000000L;
        }
        rc = pthread_mutex_clocklock(&c->lock, CLOCK_MONOTONIC, &deadline);
        if (rc == ETIMEDOUT) __atomic_add_fetch(&c->lock_timeouts, 1, __ATOMIC_RELAXED);
    }
    if (rc == EOWNERDEAD) {
        reset(c);
        __atomic_add_fetch(&c->epoch, 1, __ATOMIC_ACQ_REL);
        c->recoveries++;
        pthread_mutex_consistent(&c->lock);
        return 1;
    }
    return rc == 0;
}

static void unlock(airwave_cache *c) { pthread_mutex_unlock(&c->lock); }

static uint64_t hash_of(const uint8_t *key, uint32_t length) {
    uint64_t h = 0xcbf29ce484222325ull;  /* FNV-1a */
    for (uint32_t i = 0; i < length; i++) h = (h ^ key[i]) * 0x100000001b3ull;
    return h;
}

/* Copies `length` bytes starting `offset` bytes into the entry's chain, to
   `out`: one memcpy per run of consecutive chunks (most chains are one run). */
static void read_chain(airwave_cache *c, const airwave_cache_entry *e, uint64_t offset, uint8_t *out, uint64_t length) {
    uint32_t index = e->first_chunk;
    uint32_t *l = links(c);
    while (offset >= CHUNK) { index = l[index]; offset -= CHUNK; }
    while (length > 0) {
        uint32_t last = index;
        uint64_t run = CHUNK - offset;
        while (run < length && l[last] == last + 1) { last++; run += CHUNK; }
        uint64_t n = run < length ? run : length;
        memcpy(out, chunk(c, index) + offset, n);
        out += n;
        length -= n;
        offset = 0;
        index = l[last];
    }
}

static int key_equals(airwave_cache *c, const airwave_cache_entry *e, const uint8_t *key, uint32_t length) {
    uint32_t index = e->first_chunk, *l = links(c);
    while (length > 0) {
        uint32_t n = length < CHUNK ? length : CHUNK;
        if (memcmp(chunk(c, index), key, n) != 0) return 0;
        key += n;
        length -= n;
        index = l[index];
    }
    return 1;
}

static uint32_t find(airwave_cache *c, uint64_t hash, const uint8_t *key, uint32_t length) {
    airwave_cache_entry *e = entries(c);
    for (uint32_t i = buckets(c)[hash & (c->bucket_count - 1)]; i != NONE; i = e[i].bucket_next) {
        if (e[i].hash == hash && e[i].key_length == length && key_equals(c, &e[i], key, length)) return i;
    }
    return NONE;
}

static void lru_unlink(airwave_cache *c, uint32_t i) {
    airwave_cache_entry *e = entries(c);
    if (e[i].older != NONE) e[e[i].older].newer = e[i].newer; else c->oldest = e[i].newer;
    if (e[i].newer != NONE) e[e[i].newer].older = e[i].older; else c->newest = e[i].older;
    e[i].older = e[i].newer = NONE;
}

static void lru_push_newest(airwave_cache *c, uint32_t i) {
    airwave_cache_entry *e = entries(c);
    e[i].older = c->newest;
    e[i].newer = NONE;
    if (c->newest != NONE) e[c->newest].newer = i;
    c->newest = i;
    if (c->oldest == NONE) c->oldest = i;
}

static void remove_entry(airwave_cache *c, uint32_t i) {
    airwave_cache_entry *e = entries(c);
    uint32_t *slot = &buckets(c)[e[i].hash & (c->bucket_count - 1)];
    while (*slot != i) slot = &e[*slot].bucket_next;
    *slot = e[i].bucket_next;
    lru_unlink(c, i);
    uint64_t size = (uint64_t)e[i].key_length + e[i].body_length;
    uint32_t *l = links(c), index = e[i].first_chunk, last = index;
    for (uint64_t n = (size + CHUNK - 1) / CHUNK; n > 1; n--) last = l[last];
    l[last] = c->free_chunk;
    c->free_chunk = index;
    c->free_chunks += (uint32_t)((size + CHUNK - 1) / CHUNK);
    c->entries--;
    c->bytes -= size;
    c->counters[e[i].endpoint].entries--;
    c->counters[e[i].endpoint].bytes -= size;
    memset(&e[i], 0, sizeof e[i]);
    e[i].bucket_next = c->free_entry;
    c->free_entry = i;
}

int64_t airwave_cache_lookup(airwave_cache *c, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                             uint64_t now_ns, uint8_t *out, uint64_t capacity) {
    if (endpoint >= AIRWAVE_CACHE_ENDPOINTS || !lock(c)) return -1;
    airwave_cache_counters *counters = &c->counters[endpoint];
    uint32_t i = find(c, hash_of(key, key_length), key, key_length);
    airwave_cache_entry *e = i == NONE ? NULL : &entries(c)[i];
    uint64_t epoch = airwave_cache_epoch(c);
    if (e == NULL || e->epoch != epoch || now_ns >= e->expires_ns) {
        if (e != NULL) {
            if (e->epoch == epoch) counters->expirations++;
            remove_entry(c, i);
        }
        counters->misses++;
        unlock(c);
        return -1;
    }
    int64_t length = e->body_length;
    if ((uint64_t)length <= capacity) {
        read_chain(c, e, e->key_length, out, (uint64_t)length);
        lru_unlink(c, i);
        lru_push_newest(c, i);
        counters->hits++;
    }
    unlock(c);
    return length;
}

/* Takes a free slot and the chunks for `size` bytes, copies key and body in
   (the first `body_copied` bytes of the body). The caller links it. */
static uint32_t fill_entry(airwave_cache *c, uint16_t endpoint, uint64_t hash, const uint8_t *key, uint32_t key_length,
                           const uint8_t *body, uint32_t body_length, uint32_t body_copied) {
    uint64_t size = (uint64_t)key_length + body_length, needed = (size + CHUNK - 1) / CHUNK;
    if (c->free_entry == NONE || c->free_chunks < needed) return NONE;
    airwave_cache_entry *e = entries(c);
    uint32_t i = c->free_entry, *l = links(c);
    c->free_entry = e[i].bucket_next;
    uint32_t first = c->free_chunk, last = first;
    for (uint64_t n = needed; n > 1; n--) last = l[last];
    c->free_chunk = l[last];
    c->free_chunks -= (uint32_t)needed;
    l[last] = NONE;
    memset(&e[i], 0, sizeof e[i]);
    e[i].hash = hash;
    e[i].key_length = key_length;
    e[i].body_length = body_length;
    e[i].first_chunk = first;
    e[i].endpoint = endpoint;
    e[i].in_use = 1;
    e[i].older = e[i].newer = NONE;
    /* Key, then body, across the chain. */
    const uint8_t *parts[2] = {key, body};
    uint64_t lengths[2] = {key_length, body_copied};
    uint32_t index = first;
    uint64_t offset = 0;
    for (int p = 0; p < 2; p++) {
        const uint8_t *from = parts[p];
        uint64_t left = lengths[p];
        while (left > 0) {
            if (offset == CHUNK) { index = l[index]; offset = 0; }
            uint64_t n = CHUNK - offset < left ? CHUNK - offset : left;
            memcpy(chunk(c, index) + offset, from, n);
            from += n;
            left -= n;
            offset += n;
        }
    }
    return i;
}

static void link_entry(airwave_cache *c, uint32_t i) {
    airwave_cache_entry *e = entries(c);
    uint32_t *bucket = &buckets(c)[e[i].hash & (c->bucket_count - 1)];
    e[i].bucket_next = *bucket;
    *bucket = i;
    lru_push_newest(c, i);
    uint64_t size = (uint64_t)e[i].key_length + e[i].body_length;
    c->entries++;
    c->bytes += size;
    c->counters[e[i].endpoint].entries++;
    c->counters[e[i].endpoint].bytes += size;
}

int airwave_cache_store(airwave_cache *c, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                        const uint8_t *body, uint32_t body_length, uint64_t epoch, uint64_t now_ns) {
    if (endpoint >= AIRWAVE_CACHE_ENDPOINTS || key_length == 0 || !lock(c)) return 0;
    int stored = 0;
    uint64_t ttl = __atomic_load_n(&c->ttl_ns[endpoint], __ATOMIC_ACQUIRE);
    uint64_t size = (uint64_t)key_length + body_length;
    if (epoch != airwave_cache_epoch(c) || ttl == 0 || c->max_entries == 0 || size > c->max_bytes) goto done;
    uint64_t hash = hash_of(key, key_length);
    uint32_t existing = find(c, hash, key, key_length);
    if (existing != NONE) remove_entry(c, existing);
    uint64_t needed = (size + CHUNK - 1) / CHUNK;
    while ((c->entries >= c->max_entries || c->bytes + size > c->max_bytes || c->free_chunks < needed) && c->oldest != NONE) {
        c->counters[entries(c)[c->oldest].endpoint].evictions++;
        remove_entry(c, c->oldest);
    }
    uint32_t i = fill_entry(c, endpoint, hash, key, key_length, body, body_length, body_length);
    if (i == NONE) goto done;
    entries(c)[i].epoch = epoch;
    entries(c)[i].expires_ns = now_ns + ttl;
    link_entry(c, i);
    stored = 1;
done:
    unlock(c);
    return stored;
}

uint64_t airwave_cache_clear(airwave_cache *c) {
    /* The epoch first, without the lock: from here on nothing older is
       served or stored, whether or not the lock can be had to free it. */
    uint64_t epoch = __atomic_add_fetch(&c->epoch, 1, __ATOMIC_ACQ_REL);
    if (lock(c)) {
        reset(c);
        unlock(c);
    }
    return epoch;
}

void airwave_cache_read_counters(airwave_cache *c, airwave_cache_counters *out, uint64_t *recoveries) {
    int locked = lock(c);
    /* Without the lock (its holder stopped): each number as it is now. */
    memcpy(out, c->counters, sizeof c->counters);
    *recoveries = c->recoveries;
    if (locked) unlock(c);
}

void airwave_cache_test_hold_lock(airwave_cache *c, uint32_t milliseconds) {
    if (!lock(c)) return;
    struct timespec pause = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
    unlock(c);
}

void airwave_cache_test_abandon_store(airwave_cache *c, uint16_t endpoint, const uint8_t *key, uint32_t key_length,
                                      const uint8_t *body, uint32_t body_length) {
    if (endpoint >= AIRWAVE_CACHE_ENDPOINTS || !lock(c)) return;
    /* The worst order: reachable first, half the body written, never unlocked. */
    uint32_t i = fill_entry(c, endpoint, hash_of(key, key_length), key, key_length, body, body_length, body_length / 2);
    if (i == NONE) return;
    entries(c)[i].epoch = airwave_cache_epoch(c);
    entries(c)[i].expires_ns = UINT64_MAX;
    link_entry(c, i);
}
