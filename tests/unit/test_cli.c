/*
 * The command line as a user meets it: exit codes, help, annotate.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `inkstream ARGS` with \p input on stdin; returns the exit status
 * and the stdout in *outp (malloc'ed). */
static int run(const char *args, const char *input, char **outp) {
        const char *bin = getenv("INK_BIN");
        char cmd[4096], in[] = "/tmp/ink-cli-XXXXXX";
        int fd = mkstemp(in), st;
        FILE *p;
        char buf[65536];
        size_t n, len = 0;
        char *out = malloc(1);

        cr_assert(not(eq(ptr, (void *)bin, NULL)), "INK_BIN not set");
        if (input)
                cr_assert(eq(long, (long)write(fd, input, strlen(input)),
                             (long)strlen(input)));
        close(fd);
        snprintf(cmd, sizeof(cmd), "%s %s < %s 2>/dev/null", bin, args, in);
        p = popen(cmd, "r");
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
                out = realloc(out, len + n + 1);
                memcpy(out + len, buf, n);
                len += n;
        }
        out[len] = '\0';
        st = pclose(p);
        unlink(in);
        if (outp)
                *outp = out;
        else
                free(out);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, usage_and_help) {
        cr_expect(eq(int, run("", NULL, NULL), 2));
        cr_expect(eq(int, run("frobnicate", NULL, NULL), 2));
        cr_expect(eq(int, run("--help", NULL, NULL), 0));
        cr_expect(eq(int, run("enrich --help", NULL, NULL), 0));
        cr_expect(eq(int, run("ingest --help", NULL, NULL), 0));
        cr_expect(eq(int, run("alerts --help", NULL, NULL), 0));
        cr_expect(eq(int, run("annotate --help", NULL, NULL), 0));
        cr_expect(eq(int, run("enrich --no-such-flag", NULL, NULL), 2));
        cr_expect(eq(int, run("enrich -X nonsense", NULL, NULL), 2));
        cr_expect(eq(int, run("enrich -X unknown.prop=1", NULL, NULL), 2));
        cr_expect(eq(int, run("enrich --config /nonexistent", NULL, NULL), 2));
}

Test(cli, annotate_jsonl_bad_lines_flow_on) {
        char *out;
        const char *in =
                "{\"id\":\"g1\",\"title\":\"\",\"body\":\"Prime Minister Ana "
                "Diaz of Spain met reporters in Madrid.\"}\n"
                "{\"id\":\"b1\",\"title\":\"x\"}\n"
                "not json at all\n"
                "\n"
                "{\"id\":\"g2\",\"body\":\"A calm day.\"}\n";
        json_t *o;
        char *line, *save = NULL;
        int n = 0, errors = 0, good = 0;

        cr_assert(eq(int, run("annotate --jsonl", in, &out), 0));
        for (line = strtok_r(out, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                o = json_loads(line, 0, NULL);
                cr_assert(not(eq(ptr, o, NULL)), "not JSON: %s", line);
                n++;
                if (json_object_get(o, "error"))
                        errors++;
                else if (json_object_get(o, "entities") &&
                         json_object_get(o, "sentiment"))
                        good++;
                json_decref(o);
        }
        cr_expect(eq(int, n, 4));
        cr_expect(eq(int, errors, 2));
        cr_expect(eq(int, good, 2));
        free(out);
}

Test(cli, annotate_sample_article) {
        char *out, path[512];
        json_t *o;
        snprintf(path, sizeof(path), "annotate %s/trump-putin-call.txt",
                 INK_TEST_DATA);
        cr_assert(eq(int, run(path, NULL, &out), 0));
        o = json_loads(out, 0, NULL);
        cr_assert(not(eq(ptr, o, NULL)));
        cr_expect(eq(sz, json_array_size(json_object_get(o, "alerts")), 1));
        cr_expect(gt(sz, json_array_size(json_object_get(o, "entities")), 10));
        json_decref(o);
        free(out);
        /* a missing file is an error */
        cr_expect(eq(int, run("annotate /nonexistent/file", NULL, NULL), 1));
}

Test(cli, config_dump) {
        char *out;
        cr_assert(eq(int, run("config -X group=g9 -X kafka.acks=all", NULL,
                              &out),
                     0));
        cr_expect(not(eq(ptr, strstr(out, "group=g9"), NULL)), "%s", out);
        cr_expect(not(eq(ptr, strstr(out, "kafka.acks=all"), NULL)));
        free(out);
}
