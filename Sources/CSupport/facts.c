#include "ArtistFacts.h"
#include "RobustMutex.h"
#include <errno.h>
#include <string.h>

int airwave_facts_init(airwave_facts *facts, uint32_t capacity) {
    memset(facts, 0, sizeof *facts);
    facts->capacity = capacity;
    facts->epoch = 1;
    int rc = airwave_robust_mutex_init(&facts->builder);
    if (rc != 0) return rc;
    facts->version = AIRWAVE_FACTS_VERSION;
    __atomic_store_n(&facts->magic, AIRWAVE_FACTS_MAGIC, __ATOMIC_RELEASE);
    return 0;
}

int airwave_facts_claim(airwave_facts *facts) {
    int rc = pthread_mutex_trylock(&facts->builder);
    if (rc == EOWNERDEAD) {
        /* The builder was killed: what it wrote is in a buffer nobody reads. */
        pthread_mutex_consistent(&facts->builder);
        return 1;
    }
    return rc == 0;
}

/* One builder at a time (the claim), so a load and a store are enough. */
void airwave_facts_begin_write(airwave_facts *facts, uint32_t which) {
    uint64_t s = __atomic_load_n(&facts->sequence[which], __ATOMIC_RELAXED);
    __atomic_store_n(&facts->sequence[which], (s + 1) | 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void airwave_facts_publish(airwave_facts *facts, uint32_t which, uint32_t count, uint64_t epoch, uint64_t build_us) {
    __atomic_store_n(&facts->count[which], count, __ATOMIC_RELAXED);
    __atomic_store_n(&facts->published[which], epoch, __ATOMIC_RELAXED);
    uint64_t s = __atomic_load_n(&facts->sequence[which], __ATOMIC_RELAXED);
    __atomic_store_n(&facts->sequence[which], (s + 1) & ~(uint64_t)1, __ATOMIC_RELEASE);
    __atomic_store_n(&facts->current, which, __ATOMIC_RELEASE);
    __atomic_store_n(&facts->build_us, build_us, __ATOMIC_RELAXED);
    __atomic_add_fetch(&facts->builds, 1, __ATOMIC_ACQ_REL);
}

int airwave_facts_reader_begin(airwave_facts *facts, uint64_t epoch, uint64_t *sequence, uint32_t *count) {
    uint32_t which = __atomic_load_n(&facts->current, __ATOMIC_ACQUIRE) & 1;
    uint64_t s = __atomic_load_n(&facts->sequence[which], __ATOMIC_ACQUIRE);
    if (s & 1) return -1;
    if (__atomic_load_n(&facts->published[which], __ATOMIC_ACQUIRE) != epoch) return -1;
    *count = __atomic_load_n(&facts->count[which], __ATOMIC_ACQUIRE);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    *sequence = s;
    return (int)which;
}

int airwave_facts_reader_valid(airwave_facts *facts, uint32_t which, uint64_t sequence) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(&facts->sequence[which & 1], __ATOMIC_ACQUIRE) == sequence;
}
