/*
 * consumers/metrics.c: counters from many threads, labelled families,
 * histograms, consumer lag from librdkafka statistics, the Prometheus
 * text, and the HTTP listener's failure paths.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/metrics.h"

static void *hammer(void *arg) {
        ink_metrics_t *m = arg;
        for (int i = 0; i < 100000; i++) {
                ink_metrics_add(m, INK_M_CONSUMED, 1);
                ink_metrics_step(m, INK_STEP_ENRICH, 1000);
        }
        return NULL;
}

Test(metrics, counters_are_thread_safe) {
        ink_metrics_t *m = ink_metrics_new();
        pthread_t t[4];
        char *text;

        for (int i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, hammer, m);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        cr_assert(eq(u64, ink_metrics_get(m, INK_M_CONSUMED), 400000));
        text = ink_metrics_render(m);
        cr_expect(not(eq(ptr, strstr(text, "inkstream_step_seconds_count{"
                                           "step=\"enrich\"} 400000\n"),
                         NULL)),
                  "%s", text);
        /* 1 ms falls in the le="0.001" bucket, cumulative afterwards */
        cr_expect(not(eq(ptr, strstr(text, "step=\"enrich\",le=\"0.001\"} "
                                           "400000\n"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "step=\"enrich\",le=\"0.0005\"} "
                                           "0\n"),
                         NULL)));
        /* no article went through the lang stage in this process */
        cr_expect(not(eq(ptr, strstr(text, "\ninkstream_language_skipped_"
                                           "total 0\n"),
                         NULL)), "%s", text);
        free(text);
        ink_metrics_destroy(m);
}

Test(metrics, labelled_families_and_gauges) {
        ink_metrics_t *m = ink_metrics_new();
        char *text;

        ink_metrics_dead_letter(m, "INVALID");
        ink_metrics_dead_letter(m, "INVALID");
        ink_metrics_dead_letter(m, "TOO_LARGE");
        ink_metrics_alert(m, "summit");
        ink_metrics_set(m, INK_M_INFLIGHT, 17);
        ink_metrics_end_to_end(m, 1500);
        text = ink_metrics_render(m);
        cr_expect(not(eq(ptr, strstr(text, "inkstream_dead_letters_total{"
                                           "class=\"INVALID\"} 2\n"),
                         NULL)),
                  "%s", text);
        cr_expect(not(eq(ptr, strstr(text, "class=\"TOO_LARGE\"} 1\n"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "inkstream_alerts_total{type="
                                           "\"summit\"} 1\n"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "inkstream_inflight_articles 17\n"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "inkstream_end_to_end_seconds_"
                                           "bucket{le=\"2.5\"} 1\n"),
                         NULL)));
        cr_expect(not(eq(ptr, strstr(text, "inkstream_end_to_end_seconds_"
                                           "bucket{le=\"1\"} 0\n"),
                         NULL)));
        free(text);
        ink_metrics_destroy(m);
}

Test(metrics, too_many_label_values_fold_into_other) {
        ink_metrics_t *m = ink_metrics_new();
        char name[32], *text;

        for (int i = 0; i < 100; i++) {
                snprintf(name, sizeof(name), "class%d", i);
                ink_metrics_dead_letter(m, name);
        }
        text = ink_metrics_render(m);
        cr_expect(not(eq(ptr, strstr(text, "class=\"class0\"} 1\n"), NULL)));
        cr_expect(eq(ptr, strstr(text, "class=\"class99\""), NULL));
        cr_expect(not(eq(ptr, strstr(text, "class=\"other\"} 37\n"), NULL)),
                  "%s", text);
        free(text);
        ink_metrics_destroy(m);
}

Test(metrics, consumer_lag_from_statistics) {
        ink_metrics_t *m = ink_metrics_new();
        const char *json =
                "{\"topics\":{\"in\":{\"partitions\":{"
                "\"0\":{\"consumer_lag\":42},\"1\":{\"consumer_lag\":-1},"
                "\"-1\":{\"consumer_lag\":7}}},"
                "\"other\":{\"partitions\":{\"0\":{\"consumer_lag\":9}}}}}";
        char *text;

        ink_metrics_stats_json(m, "in", json, strlen(json));
        /* garbage and a missing topic change nothing */
        ink_metrics_stats_json(m, "in", "{not json", 9);
        ink_metrics_stats_json(m, "absent", json, strlen(json));
        text = ink_metrics_render(m);
        cr_expect(not(eq(ptr, strstr(text, "inkstream_consumer_lag{"
                                           "partition=\"0\"} 42\n"),
                         NULL)),
                  "%s", text);
        cr_expect(eq(ptr, strstr(text, "partition=\"1\""), NULL));
        cr_expect(eq(ptr, strstr(text, "partition=\"-1\""), NULL));
        free(text);
        ink_metrics_destroy(m);
}

Test(metrics, listen_rejects_bad_addresses) {
        ink_metrics_t *m = ink_metrics_new();
        char err[256];

        cr_expect(eq(int, ink_metrics_listen(m, "no-port", err, sizeof(err)),
                     -1));
        cr_expect(not(eq(ptr, strstr(err, "host:port"), NULL)), "%s", err);
        cr_expect(eq(int, ink_metrics_listen(m, "127.0.0.1:", err,
                                             sizeof(err)),
                     -1));
        cr_expect(eq(int, ink_metrics_listen(m, "no.such.host.invalid:80",
                                             err, sizeof(err)),
                     -1));
        cr_expect(eq(int, ink_metrics_port(m), 0));
        ink_metrics_destroy(m);
}

Test(metrics, listen_on_a_port_in_use_fails) {
        ink_metrics_t *a = ink_metrics_new(), *b = ink_metrics_new();
        char err[256], addr[64];

        cr_assert(eq(int, ink_metrics_listen(a, "127.0.0.1:0", err,
                                             sizeof(err)),
                     0),
                  "%s", err);
        cr_assert(gt(int, ink_metrics_port(a), 0));
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", ink_metrics_port(a));
        cr_expect(eq(int, ink_metrics_listen(b, addr, err, sizeof(err)), -1));
        cr_expect(not(eq(ptr, strstr(err, "cannot listen"), NULL)), "%s",
                  err);
        ink_metrics_destroy(b);
        ink_metrics_destroy(a);
}
