/*
 * `inkstream alerts` delivery flags: usage errors exit 2 with a reason,
 * start-up errors exit 1, and the secret never reaches the output.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `inkstream alerts ARGS 2>&1`; @returns the exit status, output in
 * *\p outp (malloc'ed). */
static int run(const char *args, char **outp) {
        char cmd[2048], buf[4096];
        size_t len = 0, n;
        FILE *p;
        int st;

        cr_assert(getenv("INK_BIN"), "INK_BIN not set");
        snprintf(cmd, sizeof(cmd),
                 "%s alerts --brokers 127.0.0.1:1 %s 2>&1 </dev/null",
                 getenv("INK_BIN"), args);
        p = popen(cmd, "r");
        cr_assert(p);
        *outp = calloc(1, 1);
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
                *outp = realloc(*outp, len + n + 1);
                memcpy(*outp + len, buf, n);
                len += n;
                (*outp)[len] = '\0';
        }
        st = pclose(p);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(alerts_cli, help_lists_the_delivery_flags) {
        char *out;
        cr_assert_eq(run("--help", &out), 0);
        cr_assert(strstr(out, "--webhook-format"), "%s", out);
        cr_assert(strstr(out, "--serve ADDR"), "%s", out);
        free(out);
}

Test(alerts_cli, usage_errors) {
        static const struct {
                const char *args, *says;
        } cases[] = {
                {"--webhook http://127.0.0.1:9/ --webhook-format xml",
                 "expected json or slack"},
                {"--webhook", "needs a value"},
                {"--webhook-format slack", "need --webhook URL"},
                {"--group g", "need --webhook or --serve"},
                {"--webhook http://127.0.0.1:9/ --rate fast",
                 "non-negative number"},
                {"--serve 127.0.0.1:0 --history 0", "at least 1"},
                {"--webhook http://127.0.0.1:9/ --webhook-secret-file "
                 "/nonexistent/secret", "No such file"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out;
                cr_assert_eq(run(cases[i].args, &out), 2, "%s: %s",
                             cases[i].args, out);
                cr_assert(strstr(out, cases[i].says), "%s: %s",
                          cases[i].args, out);
                free(out);
        }
}

Test(alerts_cli, startup_errors_exit_1) {
        char *out;
        cr_assert_eq(run("--webhook ftp://example.org/x", &out), 1, "%s",
                     out);
        cr_assert(strstr(out, "http://"), "%s", out);
        free(out);
        cr_assert_eq(run("--serve 999.1.1.1:80", &out), 1, "%s", out);
        cr_assert(strstr(out, "--serve"), "%s", out);
        free(out);
}

Test(alerts_cli, secret_file_content_is_not_echoed) {
        char path[] = "/tmp/ink-cli-secret-XXXXXX", args[256], *out;
        int fd = mkstemp(path);
        cr_assert(write(fd, "topsecret-4242\n", 15) == 15);
        close(fd);
        snprintf(args, sizeof(args),
                 "--webhook ftp://x/ --webhook-secret-file %s -v -v", path);
        cr_assert_eq(run(args, &out), 1);
        cr_assert_null(strstr(out, "topsecret-4242"), "%s", out);
        free(out);
        unlink(path);
}
