#ifndef AIRWAVE_CSUPPORT_H
#define AIRWAVE_CSUPPORT_H

#include <signal.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <time.h>

/// Asks the kernel to send `sig` to this process when its parent dies
/// (prctl is variadic in C, so Swift cannot call it directly).
static inline int airwave_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0);
}

/// Installs a handler for each of `signals` (count `n`) that only records the
/// last signal received. No SA_RESTART: a blocking accept() returns EINTR.
int airwave_install_flag_handlers(const int *signals, int n);

/// The last signal recorded by the flag handler, or 0.
int airwave_pending_signal(void);

/// Forgets the recorded signal.
void airwave_clear_pending_signal(void);

/// Points standard error (where the logs go) at `path`, appending. When
/// `group` is not -1 and this process is root, the file is given to that
/// group, writable (the workers', which reopen it too), but only when it is
/// root's own regular file with one name, opened without following a
/// symbolic link (else EPERM or ELOOP). Returns 0 or -1 (errno set).
/// Async-signal-safe once the path is set.
int airwave_log_to(const char *path, int group);

/// Reopens the file given to airwave_log_to (after logrotate moved it).
int airwave_reopen_log(void);

/// Installs a SIGUSR1 handler that calls airwave_reopen_log (in workers).
int airwave_install_log_reopen_handler(void);

/// accept4(2) with SOCK_CLOEXEC | SOCK_NONBLOCK (a GNU extension Swift's
/// Glibc module does not show): the new descriptor, or -1 with errno set.
/// `peer` (a sockaddr_storage) and `peer_length` may be NULL; else they get
/// the peer's address, as accept(2) gives it.
int airwave_accept(int listener, void *peer, unsigned int *peer_length);

/// An anonymous, shareable memory file (memfd_create, close-on-exec) of
/// `size` zeroed bytes: its descriptor, or -1 with errno set.
int airwave_memfd(const char *name, uint64_t size);

#endif
