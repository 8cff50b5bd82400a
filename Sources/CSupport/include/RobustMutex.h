#ifndef AIRWAVE_ROBUST_MUTEX_H
#define AIRWAVE_ROBUST_MUTEX_H

#include <pthread.h>

/// Initialises a mutex in memory the pool's processes share, robust: when
/// its holder dies, the next locker gets EOWNERDEAD instead of waiting
/// forever (the inner cache, the artist facts' builder). 0 or an errno.
int airwave_robust_mutex_init(pthread_mutex_t *mutex);

#endif
