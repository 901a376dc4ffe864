/*
 * homeclerk's stable launcher: the one binary that holds macOS Full Disk Access.
 *
 * macOS keys Full Disk Access to a binary's code signature (for an ad-hoc signed build, its
 * hash). Python and the virtualenv change whenever homeclerk is upgraded; this binary does not,
 * so the grant survives. It only runs the homeclerk script whose path is compiled in:
 *
 *   cc -O2 -DTARGET='"/abs/path/.venv/bin/homeclerk"' -o homeclerk-launcher launcher.c
 *
 * (`homeclerk launchd build-launcher` does this.)
 *
 * The target runs as a CHILD and the launcher stays its parent, instead of execv-ing into it:
 * macOS attributes a process's file access to its responsible process, which for the service
 * tree is this launcher as long as it is the one launchd started. Had it exec'd, the process
 * would become Python, whose identity holds no grant. So the launcher forwards the signals
 * launchd sends (SIGTERM at stop, SIGINT, SIGHUP, SIGQUIT) and exits as the child did.
 *
 * Arguments pass through unchanged; the child's argv[0] is the target's path, as if it had been
 * started directly. The script's shebang line is honoured by the kernel. Exit 127 (with a message
 * naming the target and the fix) when the target is missing, 126 when it cannot be run.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TARGET
#error "build with -DTARGET='\"/absolute/path/to/homeclerk\"'"
#endif

extern char **environ;

static volatile pid_t child = 0;

static void forward(int sig) {
    if (child > 0) {
        kill(child, sig);
    }
}

int main(int argc, char *argv[]) {
    (void)argc;
    static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        sigaction(forwarded[i], &action, NULL);
    }

    /* Hold the forwarded signals until the child's pid is known (a SIGTERM that came in
     * between would otherwise be dropped); the child starts with them unblocked and default. */
    sigset_t held, previous;
    sigemptyset(&held);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        sigaddset(&held, forwarded[i]);
    }
    sigprocmask(SIG_BLOCK, &held, &previous);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &previous);
    posix_spawnattr_setsigdefault(&attr, &held);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    argv[0] = (char *)TARGET;
    pid_t pid;
    int err = posix_spawn(&pid, TARGET, NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    if (err == 0) {
        child = pid;
    }
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (err != 0) {
        /* Say which file, why, and the fix. */
        fprintf(stderr,
                "homeclerk-launcher: cannot run %s: %s; rebuild the launcher with "
                "`homeclerk launchd build-launcher` (the virtualenv moved or was removed?)\n",
                TARGET, strerror(err));
        return err == ENOENT ? 127 : 126;
    }

    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("homeclerk-launcher: waitpid");
            return 1;
        }
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    /* Killed by a signal: the shell convention, so launchd's "last exit code" tells which. */
    return 128 + WTERMSIG(status);
}
