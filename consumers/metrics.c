/*
 * Worker metrics and their HTTP listener (see ink/metrics.h).
 *
 * Counters, gauges and histogram buckets are C11 atomics.  The labelled
 * families whose label values are only known at run time (dead letters by
 * class, alerts by type, lag by partition) live in small tables under one
 * mutex: they change once per dead letter, alert or statistics interval,
 * never once per article.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/core.h"
#include "ink/metrics.h"
#include "ink/text.h"

/* Histogram bucket upper bounds, seconds. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                5,      10,    30,     60};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

typedef struct hist_s {
        atomic_uint_fast64_t buckets[NBOUNDS]; /* not cumulative */
        atomic_uint_fast64_t count;
        atomic_uint_fast64_t sum_us;
} hist_t;

#define LABELS_MAX 64

typedef struct label_s {
        char *name;
        int64_t value;
} label_t;

typedef struct family_s {
        label_t v[LABELS_MAX];
        size_t cnt;
} family_t;

struct ink_metrics_s {
        atomic_uint_fast64_t counters[INK_M_COUNTER_CNT];
        atomic_int_fast64_t gauges[INK_M_GAUGE_CNT];
        hist_t steps[INK_STEP_CNT];
        hist_t e2e;
        atomic_bool live, ready;
        pthread_mutex_t lock;   /* the families below */
        family_t dead_letters, alerts, lag;
        struct MHD_Daemon *mhd;
        int port;
};

static const char *counter_names[INK_M_COUNTER_CNT][2] = {
        {"inkstream_articles_consumed_total", "Input records consumed"},
        {"inkstream_articles_enriched_total",
         "Enriched records acknowledged by the broker"},
        {"inkstream_outputs_failed_total",
         "Outputs that could not be delivered"},
        {"inkstream_rebalances_total", "Partition assignments and revocations"},
        {"inkstream_reloads_total", "Pipeline rebuilds on SIGHUP"},
        {"inkstream_transactions_committed_total", "Transactions committed"},
        {"inkstream_transactions_aborted_total", "Transactions aborted"},
};

static const char *gauge_names[INK_M_GAUGE_CNT][2] = {
        {"inkstream_inflight_articles", "Input records not yet done"},
        {"inkstream_producer_queue_messages", "Producer queue depth"},
        {"inkstream_assigned_partitions", "Partitions assigned"},
        {"inkstream_input_paused", "1 while the input is paused"},
        {"inkstream_enrichment_threads", "Enrichment threads"},
};

static const char *step_names[INK_STEP_CNT] = {"parse", "enrich", "encode"};

ink_metrics_t *ink_metrics_new(void) {
        ink_metrics_t *m = ink_calloc(1, sizeof(*m));
        pthread_mutex_init(&m->lock, NULL);
        atomic_store(&m->live, true);
        return m;
}

static void family_clear(family_t *f) {
        for (size_t i = 0; i < f->cnt; i++)
                free(f->v[i].name);
        f->cnt = 0;
}

void ink_metrics_destroy(ink_metrics_t *m) {
        if (!m)
                return;
        if (m->mhd)
                MHD_stop_daemon(m->mhd);
        family_clear(&m->dead_letters);
        family_clear(&m->alerts);
        family_clear(&m->lag);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

void ink_metrics_add(ink_metrics_t *m, ink_counter_t c, uint64_t n) {
        atomic_fetch_add(&m->counters[c], n);
}

uint64_t ink_metrics_get(ink_metrics_t *m, ink_counter_t c) {
        return atomic_load(&m->counters[c]);
}

void ink_metrics_set(ink_metrics_t *m, ink_gauge_t g, int64_t v) {
        atomic_store(&m->gauges[g], v);
}

/* Adds \p delta to (or with \p set, sets) the value labelled \p name.  A
 * full table folds new names into "other".  Caller holds m->lock. */
static void family_update(family_t *f, const char *name, int64_t v,
                          bool set) {
        size_t i;
        for (i = 0; i < f->cnt; i++)
                if (!strcmp(f->v[i].name, name))
                        break;
        if (i == f->cnt) {
                if (f->cnt >= LABELS_MAX - 1 && strcmp(name, "other")) {
                        family_update(f, "other", v, set);
                        return;
                }
                f->v[i].name = ink_strdup(name);
                f->v[i].value = 0;
                f->cnt++;
        }
        f->v[i].value = set ? v : f->v[i].value + v;
}

void ink_metrics_dead_letter(ink_metrics_t *m, const char *err_class) {
        pthread_mutex_lock(&m->lock);
        family_update(&m->dead_letters, err_class, 1, false);
        pthread_mutex_unlock(&m->lock);
}

void ink_metrics_alert(ink_metrics_t *m, const char *type) {
        pthread_mutex_lock(&m->lock);
        family_update(&m->alerts, type, 1, false);
        pthread_mutex_unlock(&m->lock);
}

static void hist_observe(hist_t *h, int64_t us) {
        double s = (double)us / 1e6;
        size_t i;
        if (us < 0)
                us = 0;
        for (i = 0; i < NBOUNDS && s > bounds[i]; i++)
                ;
        if (i < NBOUNDS)
                atomic_fetch_add(&h->buckets[i], 1);
        atomic_fetch_add(&h->count, 1);
        atomic_fetch_add(&h->sum_us, (uint64_t)us);
}

void ink_metrics_step(ink_metrics_t *m, ink_step_t s, int64_t us) {
        hist_observe(&m->steps[s], us);
}

void ink_metrics_end_to_end(ink_metrics_t *m, int64_t ms) {
        hist_observe(&m->e2e, ms * 1000);
}

void ink_metrics_stats_json(ink_metrics_t *m, const char *topic,
                            const char *json, size_t len) {
        json_t *root = json_loadb(json, len, 0, NULL), *parts, *p;
        const char *key;

        parts = json_object_get(json_object_get(json_object_get(
                                        root, "topics"), topic),
                                "partitions");
        if (!json_is_object(parts))
                goto out;
        pthread_mutex_lock(&m->lock);
        json_object_foreach(parts, key, p) {
                json_t *lag = json_object_get(p, "consumer_lag");
                /* -1 is librdkafka's internal UA partition; a partition
                 * we do not consume reports lag -1 */
                if (!strcmp(key, "-1") || !json_is_integer(lag) ||
                    json_integer_value(lag) < 0)
                        continue;
                family_update(&m->lag, key, json_integer_value(lag), true);
        }
        pthread_mutex_unlock(&m->lock);
out:
        json_decref(root);
}

void ink_metrics_set_live(ink_metrics_t *m, bool live) {
        atomic_store(&m->live, live);
}

void ink_metrics_set_ready(ink_metrics_t *m, bool ready) {
        atomic_store(&m->ready, ready);
}

/*---- Rendering ------------------------------------------------------------*/

typedef struct sbuf_s {
        char *p;
        size_t len, cap;
} sbuf_t;

static void sb_printf(sbuf_t *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf_t *b, const char *fmt, ...) {
        va_list ap;
        int n;
        for (;;) {
                va_start(ap, fmt);
                n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
                va_end(ap);
                if (n >= 0 && (size_t)n < b->cap - b->len)
                        break;
                b->cap = b->cap * 2 + (size_t)n + 1;
                b->p = ink_realloc(b->p, b->cap);
        }
        b->len += (size_t)n;
}

static void render_hist(sbuf_t *b, const char *name, const char *label,
                        hist_t *h) {
        uint64_t cum = 0;
        for (size_t i = 0; i < NBOUNDS; i++) {
                cum += atomic_load(&h->buckets[i]);
                sb_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
                          label, *label ? "," : "", bounds[i],
                          (unsigned long long)cum);
        }
        sb_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, label,
                  *label ? "," : "",
                  (unsigned long long)atomic_load(&h->count));
        sb_printf(b, "%s_sum%s%s%s %.6f\n", name, *label ? "{" : "", label,
                  *label ? "}" : "",
                  (double)atomic_load(&h->sum_us) / 1e6);
        sb_printf(b, "%s_count%s%s%s %llu\n", name, *label ? "{" : "", label,
                  *label ? "}" : "",
                  (unsigned long long)atomic_load(&h->count));
}

static void render_family(sbuf_t *b, const char *name, const char *help,
                          const char *type, const char *label, family_t *f) {
        sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
        for (size_t i = 0; i < f->cnt; i++)
                sb_printf(b, "%s{%s=\"%s\"} %lld\n", name, label,
                          f->v[i].name, (long long)f->v[i].value);
}

char *ink_metrics_render(ink_metrics_t *m) {
        sbuf_t b = {ink_malloc(4096), 0, 4096};
        unsigned long detected = 0, non_english = 0;
        char label[64];

        b.p[0] = '\0';
        for (int i = 0; i < INK_M_COUNTER_CNT; i++)
                sb_printf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
                          counter_names[i][0], counter_names[i][1],
                          counter_names[i][0], counter_names[i][0],
                          (unsigned long long)atomic_load(&m->counters[i]));
        for (int i = 0; i < INK_M_GAUGE_CNT; i++)
                sb_printf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n",
                          gauge_names[i][0], gauge_names[i][1],
                          gauge_names[i][0], gauge_names[i][0],
                          (long long)atomic_load(&m->gauges[i]));
        pthread_mutex_lock(&m->lock);
        render_family(&b, "inkstream_dead_letters_total",
                      "Dead letters acknowledged, by error class", "counter",
                      "class", &m->dead_letters);
        render_family(&b, "inkstream_alerts_total",
                      "Alerts acknowledged, by type", "counter", "type",
                      &m->alerts);
        render_family(&b, "inkstream_consumer_lag",
                      "Consumer lag of the input, by partition "
                      "(librdkafka statistics)", "gauge", "partition",
                      &m->lag);
        pthread_mutex_unlock(&m->lock);
        sb_printf(&b, "# HELP inkstream_step_seconds Time of one article "
                      "in each step\n# TYPE inkstream_step_seconds "
                      "histogram\n");
        for (int i = 0; i < INK_STEP_CNT; i++) {
                snprintf(label, sizeof(label), "step=\"%s\"", step_names[i]);
                render_hist(&b, "inkstream_step_seconds", label,
                            &m->steps[i]);
        }
        sb_printf(&b, "# HELP inkstream_end_to_end_seconds Input timestamp "
                      "to output acknowledged\n# TYPE "
                      "inkstream_end_to_end_seconds histogram\n");
        render_hist(&b, "inkstream_end_to_end_seconds", "", &m->e2e);
        ink_lang_counts(&detected, &non_english);
        sb_printf(&b, "# HELP inkstream_language_detected_total Articles "
                      "whose language the lang stage determined\n# TYPE "
                      "inkstream_language_detected_total counter\n"
                      "inkstream_language_detected_total %lu\n"
                      "# HELP inkstream_language_skipped_total Articles "
                      "not in English: the English-only stages skipped "
                      "them\n# TYPE inkstream_language_skipped_total "
                      "counter\ninkstream_language_skipped_total %lu\n",
                      detected, non_english);
        return b.p;
}

/*---- HTTP -----------------------------------------------------------------*/

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **state) {
        ink_metrics_t *m = cls;
        struct MHD_Response *resp;
        enum MHD_Result ret;
        unsigned int status = MHD_HTTP_OK;
        char *body;

        (void)version;
        (void)upload;
        (void)upload_size;
        (void)state;
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
                body = ink_strdup("method not allowed\n");
                status = MHD_HTTP_METHOD_NOT_ALLOWED;
        } else if (!strcmp(url, "/metrics")) {
                body = ink_metrics_render(m);
        } else if (!strcmp(url, "/healthz")) {
                bool live = atomic_load(&m->live);
                body = ink_strdup(live ? "ok\n" : "stopping\n");
                status = live ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
        } else if (!strcmp(url, "/readyz")) {
                bool ready = atomic_load(&m->ready);
                body = ink_strdup(ready ? "ready\n" : "not ready\n");
                status = ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
        } else {
                body = ink_strdup("not found\n");
                status = MHD_HTTP_NOT_FOUND;
        }
        resp = MHD_create_response_from_buffer(strlen(body), body,
                                               MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type",
                                !strcmp(url, "/metrics")
                                        ? "text/plain; version=0.0.4"
                                        : "text/plain");
        ret = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

int ink_metrics_listen(ink_metrics_t *m, const char *addr, char *errstr,
                       size_t errstr_size) {
        struct addrinfo hints = {.ai_family = AF_INET,
                                 .ai_socktype = SOCK_STREAM},
                        *ai = NULL;
        const char *colon = strrchr(addr, ':');
        char host[256];
        const union MHD_DaemonInfo *info;
        int r, ret = -1;

        if (!colon || (size_t)(colon - addr) >= sizeof(host) || !colon[1]) {
                snprintf(errstr, errstr_size,
                         "metrics.addr \"%s\": expected host:port", addr);
                return -1;
        }
        memcpy(host, addr, (size_t)(colon - addr));
        host[colon - addr] = '\0';
        if ((r = getaddrinfo(*host ? host : "0.0.0.0", colon + 1, &hints,
                             &ai))) {
                snprintf(errstr, errstr_size, "metrics.addr \"%s\": %s",
                         addr, gai_strerror(r));
                return -1;
        }
        m->mhd = MHD_start_daemon(
                MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                NULL, answer, m, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
        if (!m->mhd) {
                snprintf(errstr, errstr_size,
                         "cannot listen on %s (address in use?)", addr);
                goto out;
        }
        info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_BIND_PORT);
        m->port = info ? info->port : 0;
        ret = 0;
out:
        freeaddrinfo(ai);
        return ret;
}

int ink_metrics_port(const ink_metrics_t *m) {
        return m->port;
}
