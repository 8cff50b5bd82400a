#include "CSupport.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/stat.h>

static char log_path[PATH_MAX];
static int log_group = -1;

static int fail(int fd, int error) {
    close(fd);
    errno = error;
    return -1;
}

int airwave_reopen_log(void) {
    if (log_path[0] == 0) return 0;
    /* Root's master shares the file with its workers' group, which must be
       able to open it again after logrotate (the master reopens it first).
       Root hands a file to that group only when it is root's own plain
       file: never through a symbolic link, never a second name (a hard
       link) of another file, so whoever swaps the path gets nothing. */
    int sharing = log_group >= 0 && geteuid() == 0;
    /* Non-blocking: a FIFO planted at the path must not hang the master. */
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | (sharing ? O_NOFOLLOW : 0), 0640);
    if (fd < 0) return -1;
    if (fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) != 0) return fail(fd, errno);
    if (sharing) {
        struct stat info;
        if (fstat(fd, &info) != 0) return fail(fd, errno);
        if (!S_ISREG(info.st_mode) || info.st_nlink != 1 || info.st_uid != 0) return fail(fd, EPERM);
        if (fchown(fd, (uid_t)-1, (gid_t)log_group) != 0 || fchmod(fd, 0660) != 0) return fail(fd, errno);
    }
    int rc = dup2(fd, 2);
    close(fd);
    return rc < 0 ? -1 : 0;
}

int airwave_log_to(const char *path, int group) {
    size_t n = strlen(path);
    if (n >= sizeof log_path) { errno = ENAMETOOLONG; return -1; }
    memcpy(log_path, path, n + 1);
    log_group = group;
    return airwave_reopen_log();
}

static void reopen_on_signal(int sig) {
    (void)sig;
    int saved = errno;
    airwave_reopen_log();
    errno = saved;
}

int airwave_install_log_reopen_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = reopen_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGUSR1, &sa, NULL);
}
