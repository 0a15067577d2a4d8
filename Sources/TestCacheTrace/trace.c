// swift-testcache's read tracer, preloaded (LD_PRELOAD) into a test process and inherited by its
// children. It appends one line for each file, directory, program or environment variable the process
// consults to the log that SWIFT_TESTCACHE_TRACE_LOG names, then forwards the call unchanged.
//
// A line is "<kind> <payload>\n", written with one write(2) to an O_APPEND descriptor, so the lines of
// concurrent threads and processes never interleave. Kinds:
//   r PATH  opened for reading             w PATH  opened for writing, or created
//   s PATH  stat, lstat, access            d PATH  directory opened for listing
//   x PATH  program executed               e NAME  environment variable read with getenv
//   E *     the whole environment read, through Foundation's ProcessInfo.environment (which reads
//           `environ` directly, so no getenv says which variables matter)
// Relative paths are made absolute against the working directory (or the directory descriptor) at the
// time of the call. Calls made inside the C library (realpath's lstat, say) are not seen: only calls
// through the dynamic linker's symbol lookup are.
//
// Linux only: macOS's dynamic linker interposes through a `__DATA,__interpose` table instead, and
// strips DYLD_INSERT_LIBRARIES from protected binaries; elsewhere this file compiles to nothing.
#if defined(__linux__)
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>

/// The log's descriptor: -2 before the first record, -1 when tracing is off (no variable, or the log
/// cannot be opened), else the descriptor.
static int logDescriptor = -2;

/// Set while this thread is recording, so that calls the recorder makes itself are not recorded.
static __thread int recording;

static void openLog(void) {
    // The real getenv: ours would record the lookup of our own variable.
    static char *(*realGetenv)(const char *);
    if (!realGetenv) realGetenv = (char *(*)(const char *))dlsym(RTLD_NEXT, "getenv");
    const char *path = realGetenv ? realGetenv("SWIFT_TESTCACHE_TRACE_LOG") : NULL;
    int fd = -1;
    if (path && *path) {
        fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    }
    // Two threads may race here; both open the same file, and one descriptor is leaked. Harmless.
    logDescriptor = fd < 0 ? -1 : fd;
}

/// Appends "<kind> <text>\n" to the log.
static void writeRecord(char kind, const char *text, size_t length) {
    char line[PATH_MAX + 16];
    if (length > PATH_MAX) return;  // no such path exists; nothing to record
    line[0] = kind;
    line[1] = ' ';
    memcpy(line + 2, text, length);
    line[2 + length] = '\n';
    ssize_t written;
    do {
        written = write(logDescriptor, line, length + 3);
    } while (written < 0 && errno == EINTR);
}

/// Records `path` (relative to `directory`, a descriptor or AT_FDCWD) under `kind`.
static void record(char kind, int directory, const char *path) {
    if (!path || recording) return;
    int savedErrno = errno;
    recording = 1;
    if (logDescriptor == -2) openLog();
    if (logDescriptor >= 0) {
        if (path[0] == '/' || kind == 'e' || kind == 'E') {
            writeRecord(kind, path, strlen(path));
        } else {
            char base[PATH_MAX];
            ssize_t baseLength = -1;
            if (directory == AT_FDCWD) {
                if (getcwd(base, sizeof base)) baseLength = (ssize_t)strlen(base);
            } else {
                char link[64];
                snprintf(link, sizeof link, "/proc/self/fd/%d", directory);
                baseLength = readlink(link, base, sizeof base - 1);
            }
            size_t pathLength = strlen(path);
            if (baseLength > 0 && (size_t)baseLength + 1 + pathLength <= PATH_MAX) {
                char full[PATH_MAX + 1];
                memcpy(full, base, (size_t)baseLength);
                full[baseLength] = '/';
                memcpy(full + baseLength + 1, path, pathLength);
                writeRecord(kind, full, (size_t)baseLength + 1 + pathLength);
            }
        }
    }
    recording = 0;
    errno = savedErrno;
}

/// Whether a path argument names something: the *at calls take "" with AT_EMPTY_PATH to mean the
/// descriptor itself. Not inlined, so that the C library's nonnull declarations cannot fold the NULL
/// check away: a caller that passes NULL gets EFAULT from the real call, not a crash in ours.
__attribute__((noinline)) static int namesSomething(const char *path) {
    return path != NULL && path[0] != '\0';
}

/// The next definition of `name` after this library: the one the process would have called.
#define REAL(name) \
    static __typeof__(name) *real; \
    if (!real) real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/// Whether open flags write or create: such a file is the test's output, not its input.
static char openKind(int flags) {
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) ? 'w' : 'r';
}

static char fopenKind(const char *mode) {
    return (mode && (strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+'))) ? 'w' : 'r';
}

/// The mode argument open(2) takes only with O_CREAT or O_TMPFILE.
#define MODE_ARGUMENT(flags, mode) \
    mode_t mode = 0; \
    if ((flags) & (O_CREAT | O_TMPFILE)) { \
        va_list arguments; \
        va_start(arguments, flags); \
        mode = (mode_t)va_arg(arguments, int); \
        va_end(arguments); \
    }

int open(const char *path, int flags, ...) {
    MODE_ARGUMENT(flags, mode)
    REAL(open);
    record(openKind(flags), AT_FDCWD, path);
    return real(path, flags, mode);
}

int open64(const char *path, int flags, ...) {
    MODE_ARGUMENT(flags, mode)
    REAL(open64);
    record(openKind(flags), AT_FDCWD, path);
    return real(path, flags, mode);
}

int openat(int directory, const char *path, int flags, ...) {
    MODE_ARGUMENT(flags, mode)
    REAL(openat);
    record(openKind(flags), directory, path);
    return real(directory, path, flags, mode);
}

int openat64(int directory, const char *path, int flags, ...) {
    MODE_ARGUMENT(flags, mode)
    REAL(openat64);
    record(openKind(flags), directory, path);
    return real(directory, path, flags, mode);
}

// The fortified entry points `-D_FORTIFY_SOURCE` builds call instead of open and openat.
int __open_2(const char *path, int flags) {
    REAL(__open_2);
    record(openKind(flags), AT_FDCWD, path);
    return real(path, flags);
}

int __open64_2(const char *path, int flags) {
    REAL(__open64_2);
    record(openKind(flags), AT_FDCWD, path);
    return real(path, flags);
}

int __openat_2(int directory, const char *path, int flags) {
    REAL(__openat_2);
    record(openKind(flags), directory, path);
    return real(directory, path, flags);
}

FILE *fopen(const char *path, const char *mode) {
    REAL(fopen);
    record(fopenKind(mode), AT_FDCWD, path);
    return real(path, mode);
}

FILE *fopen64(const char *path, const char *mode) {
    REAL(fopen64);
    record(fopenKind(mode), AT_FDCWD, path);
    return real(path, mode);
}

int stat(const char *path, struct stat *status) {
    REAL(stat);
    record('s', AT_FDCWD, path);
    return real(path, status);
}

int lstat(const char *path, struct stat *status) {
    REAL(lstat);
    record('s', AT_FDCWD, path);
    return real(path, status);
}

int stat64(const char *path, struct stat64 *status) {
    REAL(stat64);
    record('s', AT_FDCWD, path);
    return real(path, status);
}

int lstat64(const char *path, struct stat64 *status) {
    REAL(lstat64);
    record('s', AT_FDCWD, path);
    return real(path, status);
}

int fstatat(int directory, const char *path, struct stat *status, int flags) {
    REAL(fstatat);
    if (namesSomething(path)) record('s', directory, path);  // an empty path with AT_EMPTY_PATH is fstat
    return real(directory, path, status, flags);
}

int fstatat64(int directory, const char *path, struct stat64 *status, int flags) {
    REAL(fstatat64);
    if (namesSomething(path)) record('s', directory, path);
    return real(directory, path, status, flags);
}

int statx(int directory, const char *path, int flags, unsigned int mask, struct statx *status) {
    REAL(statx);
    if (namesSomething(path)) record('s', directory, path);
    return real(directory, path, flags, mask, status);
}

int access(const char *path, int mode) {
    REAL(access);
    record('s', AT_FDCWD, path);
    return real(path, mode);
}

int faccessat(int directory, const char *path, int mode, int flags) {
    REAL(faccessat);
    record('s', directory, path);
    return real(directory, path, mode, flags);
}

DIR *opendir(const char *path) {
    REAL(opendir);
    record('d', AT_FDCWD, path);
    return real(path);
}

int execve(const char *path, char *const arguments[], char *const environment[]) {
    REAL(execve);
    record('x', AT_FDCWD, path);
    return real(path, arguments, environment);
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attributes, char *const arguments[], char *const environment[]) {
    REAL(posix_spawn);
    record('x', AT_FDCWD, path);
    return real(pid, path, actions, attributes, arguments, environment);
}

char *getenv(const char *name) {
    REAL(getenv);
    record('e', AT_FDCWD, name);
    return real(name);
}

char *secure_getenv(const char *name) {
    REAL(secure_getenv);
    record('e', AT_FDCWD, name);
    return real(name);
}

#if defined(__x86_64__) && defined(__linux__)
// Foundation's `ProcessInfo.environment` getter, interposed. Swift calls it through the dynamic linker
// like any exported function, but with Swift's calling convention (self in r13), so the interposer is a
// few instructions of assembly: record, then jump to the real getter with every register as it came.

/// The real getter, found on the first call.
__attribute__((visibility("hidden"))) void *stcRealEnvironmentGetter;

#define STC_ENVIRONMENT_GETTER "$s20FoundationEssentials11ProcessInfoC11environmentSDyS2SGvg"

/// Records "E *" once per process and finds the real getter. Called from the trampoline below: the
/// C calling convention keeps r13 (the getter's self) and rbx, rbp, r12, r14, r15 intact.
__attribute__((visibility("hidden"), used)) void stcRecordWholeEnvironment(void) {
    static int recorded;
    if (!stcRealEnvironmentGetter) stcRealEnvironmentGetter = dlsym(RTLD_NEXT, STC_ENVIRONMENT_GETTER);
    if (!recorded) {
        recorded = 1;
        record('E', AT_FDCWD, "*");
    }
}

__asm__(
    ".text\n"
    ".globl \"" STC_ENVIRONMENT_GETTER "\"\n"
    ".type \"" STC_ENVIRONMENT_GETTER "\", @function\n"
    "\"" STC_ENVIRONMENT_GETTER "\":\n"
    "    subq $8, %rsp\n"  // keep the stack 16-byte aligned across the call
    "    call stcRecordWholeEnvironment\n"
    "    addq $8, %rsp\n"
    "    jmpq *stcRealEnvironmentGetter(%rip)\n"
    ".size \"" STC_ENVIRONMENT_GETTER "\", . - \"" STC_ENVIRONMENT_GETTER "\"\n");
#else
// Elsewhere on Linux (aarch64…), the getter is not interposed: its calling convention needs assembly of
// its own, not written yet. What a test reads through ProcessInfo cannot be seen, so every traced
// process is taken to read the whole environment, as the issue asks where reads cannot be known.
__attribute__((constructor)) static void stcAssumeWholeEnvironment(void) {
    record('E', AT_FDCWD, "*");
}
#endif
#endif  // __linux__
