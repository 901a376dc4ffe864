/*
 * homeclerk's stable launcher: the one binary that holds macOS Full Disk Access.
 *
 * macOS keys Full Disk Access to a binary's code signature (for an ad-hoc signed build, its
 * hash). Python and the virtualenv change whenever homeclerk is upgraded; this binary does not,
 * so the grant survives. It only runs the homeclerk script whose path is compiled in:
 *
 *   cc -O2 -DTARGET='"/abs/path/.venv/bin/homeclerk"' -o homeclerk-launcher launcher.c
 *
 * (`homeclerk launchd build-launcher` does this.) Arguments pass through unchanged; argv[0]
 * becomes the target's path, as if it had been started directly. The script's shebang line is
 * honoured by the kernel, so execv of a script works. Exit 127 when the target is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef TARGET
#error "build with -DTARGET='\"/absolute/path/to/homeclerk\"'"
#endif

int main(int argc, char *argv[]) {
    (void)argc;
    argv[0] = (char *)TARGET;
    execv(TARGET, argv);
    /* Only reached when execv failed: say which file, why, and the fix. */
    int err = errno;
    fprintf(stderr,
            "homeclerk-launcher: cannot run %s: %s; rebuild the launcher with "
            "`homeclerk launchd build-launcher` (the virtualenv moved or was removed?)\n",
            TARGET, strerror(err));
    return err == ENOENT ? 127 : 126;
}
