#define _GNU_SOURCE
#include "CSupport.h"
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int airwave_memfd(const char *name, uint64_t size) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
