/*
 * A real HTTP receiver for the webhook tests (libmicrohttpd in the test
 * process): records every POST (body, signature headers, arrival time)
 * and answers from a script of status codes, where RCV_HANG means "sleep
 * hang_ms, then 200" (a receiver that hangs).  It verifies signatures on
 * its own with OpenSSL, so a wrong signature is counted, not trusted.
 * Header-only: each test executable includes it once.
 */
#ifndef INK_TEST_WEBHOOK_RECEIVER_H
#define INK_TEST_WEBHOOK_RECEIVER_H

#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RCV_HANG (-1)
#define RCV_MAX 512

typedef struct rcv_req_s {
        char *body;
        char sig[100];          /* X-Inkstream-Signature ("" if absent) */
        char ts[32];            /* X-Inkstream-Timestamp */
        char ctype[64];
        int64_t at_ms;          /* arrival, wall clock */
        int status;             /* what was answered */
} rcv_req_t;

typedef struct rcv_s {
        struct MHD_Daemon *d;
        int port;
        pthread_mutex_t lock;
        int script[32];         /* answers in order, then dflt */
        int nscript;
        int dflt;
        int hang_ms;
        const char *secret;     /* to verify with; NULL: do not */
        int bad_sig;            /* requests whose signature did not verify */
        rcv_req_t reqs[RCV_MAX];
        int n;
} rcv_t;

typedef struct rcv_conn_s {
        char *buf;
        size_t len;
} rcv_conn_t;

static inline int64_t rcv_now_ms(void) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Independent check of "sha256=<hex of HMAC(secret, ts "." body)>". */
static inline bool rcv_verify(const char *secret, const char *ts,
                              const char *body, size_t len,
                              const char *sig) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int maclen = 0;
        char hex[2 * EVP_MAX_MD_SIZE + 8] = "sha256=";
        size_t tl = strlen(ts);
        unsigned char *msg = malloc(tl + 1 + len);
        long age;

        memcpy(msg, ts, tl);
        msg[tl] = '.';
        memcpy(msg + tl + 1, body, len);
        HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, tl + 1 + len,
             mac, &maclen);
        free(msg);
        for (unsigned i = 0; i < maclen; i++)
                snprintf(hex + 7 + 2 * i, 3, "%02x", mac[i]);
        age = (long)time(NULL) - atol(ts);
        return !strcmp(hex, sig) && age > -300 && age < 300;
}

static enum MHD_Result rcv_handler(void *cls, struct MHD_Connection *conn,
                                   const char *url, const char *method,
                                   const char *version,
                                   const char *upload_data,
                                   size_t *upload_data_size,
                                   void **con_cls) {
        rcv_t *r = cls;
        rcv_conn_t *c = *con_cls;
        struct MHD_Response *resp;
        const char *h;
        enum MHD_Result ret;
        rcv_req_t *q = NULL;
        int code, i;
        char reply[64];

        (void)url;
        (void)version;
        (void)method;
        if (!c) {
                *con_cls = calloc(1, sizeof(rcv_conn_t));
                return MHD_YES;
        }
        if (*upload_data_size) {
                c->buf = realloc(c->buf, c->len + *upload_data_size + 1);
                memcpy(c->buf + c->len, upload_data, *upload_data_size);
                c->len += *upload_data_size;
                c->buf[c->len] = '\0';
                *upload_data_size = 0;
                return MHD_YES;
        }
        pthread_mutex_lock(&r->lock);
        i = r->n;
        code = i < r->nscript ? r->script[i] : r->dflt;
        if (r->n < RCV_MAX) {
                q = &r->reqs[r->n++];
                q->body = c->buf ? c->buf : strdup("");
                c->buf = NULL;
                q->at_ms = rcv_now_ms();
                q->status = code;
                if ((h = MHD_lookup_connection_value(
                             conn, MHD_HEADER_KIND, "X-Inkstream-Signature")))
                        snprintf(q->sig, sizeof(q->sig), "%s", h);
                if ((h = MHD_lookup_connection_value(
                             conn, MHD_HEADER_KIND, "X-Inkstream-Timestamp")))
                        snprintf(q->ts, sizeof(q->ts), "%s", h);
                if ((h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Content-Type")))
                        snprintf(q->ctype, sizeof(q->ctype), "%s", h);
                if (r->secret &&
                    !rcv_verify(r->secret, q->ts, q->body, strlen(q->body),
                                q->sig))
                        r->bad_sig++;
        }
        pthread_mutex_unlock(&r->lock);
        if (code == RCV_HANG) {
                usleep((useconds_t)r->hang_ms * 1000);
                code = 200;
        }
        snprintf(reply, sizeof(reply), "{\"answer\":%d}", code);
        resp = MHD_create_response_from_buffer(strlen(reply), reply,
                                               MHD_RESPMEM_MUST_COPY);
        ret = MHD_queue_response(conn, (unsigned)code, resp);
        MHD_destroy_response(resp);
        return ret;
}

static void rcv_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                     enum MHD_RequestTerminationCode toe) {
        rcv_conn_t *c = *con_cls;
        (void)cls;
        (void)conn;
        (void)toe;
        if (c) {
                free(c->buf);
                free(c);
                *con_cls = NULL;
        }
}

/* Starts a receiver on a free loopback port answering \p dflt after the
 * script.  Returns NULL if it cannot listen. */
static inline rcv_t *rcv_start(int dflt) {
        rcv_t *r = calloc(1, sizeof(*r));
        const union MHD_DaemonInfo *info;

        pthread_mutex_init(&r->lock, NULL);
        r->dflt = dflt;
        r->hang_ms = 2000;
        r->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
                                        MHD_USE_INTERNAL_POLLING_THREAD,
                                0, NULL, NULL, rcv_handler, r,
                                MHD_OPTION_NOTIFY_COMPLETED, rcv_done, r,
                                MHD_OPTION_END);
        if (!r->d) {
                free(r);
                return NULL;
        }
        info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
        r->port = info->port;
        return r;
}

static inline void rcv_script(rcv_t *r, const int *codes, int n) {
        pthread_mutex_lock(&r->lock);
        memcpy(r->script, codes, (size_t)n * sizeof(int));
        r->nscript = n;
        pthread_mutex_unlock(&r->lock);
}

static inline int rcv_count(rcv_t *r) {
        int n;
        pthread_mutex_lock(&r->lock);
        n = r->n;
        pthread_mutex_unlock(&r->lock);
        return n;
}

/* Waits up to \p ms for at least \p n requests.  @returns the count. */
static inline int rcv_wait(rcv_t *r, int n, int ms) {
        int64_t until = rcv_now_ms() + ms;
        while (rcv_count(r) < n && rcv_now_ms() < until)
                usleep(10000);
        return rcv_count(r);
}

static inline char *rcv_url(const rcv_t *r, const char *path) {
        char *u = malloc(128);
        snprintf(u, 128, "http://127.0.0.1:%d%s", r->port, path);
        return u;
}

static inline void rcv_stop(rcv_t *r) {
        if (!r)
                return;
        MHD_stop_daemon(r->d);
        for (int i = 0; i < r->n; i++)
                free(r->reqs[i].body);
        pthread_mutex_destroy(&r->lock);
        free(r);
}

#endif
