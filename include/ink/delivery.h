/*
 * Alert delivery for editors: webhooks (JSON or a chat message, signed,
 * retried, rate-limited) and a live alert page (HTML + Server-Sent
 * Events), fed by a consumer-group loop over the alert topics that commits
 * an offset only after every sink took the alert.
 */
#ifndef INK_DELIVERY_H
#define INK_DELIVERY_H

#include <stdbool.h>
#include <jansson.h>

#include "ink/core.h"
#include "ink/kafka.h"

/*---- Webhooks: webhook.c (consumers/) ------------------------------------*/

typedef enum ink_webhook_format_e {
        INK_WEBHOOK_JSON = 0,   /* the alert record as JSON */
        INK_WEBHOOK_SLACK       /* {"text", "blocks"}: Slack / Teams style */
} ink_webhook_format_t;

/* Signature headers: HMAC-SHA256 over "<timestamp>.<body>" with the shared
 * secret, hex; the timestamp (seconds since the epoch) lets a receiver
 * refuse replays. */
#define INK_WEBHOOK_H_SIGNATURE "X-Inkstream-Signature"
#define INK_WEBHOOK_H_TIMESTAMP "X-Inkstream-Timestamp"

typedef struct ink_webhook_opts_s {
        const char *url;                /* borrowed */
        ink_webhook_format_t format;
        const char *secret;             /* borrowed; NULL: unsigned */
        double rate;                    /* POSTs per second, 0 = no limit */
        int timeout_ms;                 /* per attempt (0: 5000) */
        int retries;                    /* after the first attempt (-1: 6) */
        int backoff_ms;                 /* first backoff (0: 200), doubled
                                         * per retry, capped at 30 s,
                                         * jittered */
} ink_webhook_opts_t;

/* What happened to one delivery (for logs and the dead-letter headers). */
typedef struct ink_webhook_result_s {
        long status;            /* last HTTP status, 0 if no response */
        int attempts;
        char body[512];         /* start of the last response body */
        char errstr[256];       /* why the last attempt failed */
} ink_webhook_result_t;

typedef struct ink_webhook_s ink_webhook_t;

/** @returns a webhook client (owned by caller; the strings of \p opts are
 *  copied) or NULL with \p errstr set (bad URL scheme, curl failure). */
ink_webhook_t *ink_webhook_new(const ink_webhook_opts_t *opts, char *errstr,
                               size_t errstr_size);
void ink_webhook_destroy(ink_webhook_t *wh);

/** POSTs \p alert (borrowed), waiting for the rate limit first.  Retries
 *  with exponential backoff and jitter on 5xx, 408, 429, timeouts and
 *  connection errors; never on other 4xx.
 *  @returns INK_OK on a 2xx, INK_ERR_INVALID when the receiver refused it
 *  (4xx: do not retry), INK_ERR_IO when every attempt failed or ink_run
 *  was cleared; \p res says why. */
ink_rc_t ink_webhook_deliver(ink_webhook_t *wh, json_t *alert,
                             ink_webhook_result_t *res);

/** @returns the request body for \p alert in \p format (malloc'ed, owned
 *  by caller), or NULL if the alert is not an object. */
char *ink_webhook_body(ink_webhook_format_t format, json_t *alert);

/** Parses "json" or "slack" ("teams" is the same shape).
 *  @returns 0 or -1. */
int ink_webhook_parse_format(const char *s, ink_webhook_format_t *out);

/** Writes the hex HMAC-SHA256 of "<timestamp>.<body>" under \p secret into
 *  \p hex (65 bytes with the NUL). */
void ink_webhook_sign(const char *secret, const char *timestamp,
                      const char *body, size_t len, char hex[65]);

/*---- The live alert page: alert_page.c (consumers/) ----------------------*/

typedef struct ink_alert_page_s ink_alert_page_t;

/** Starts the HTTP server on \p addr ("127.0.0.1:8088"; IPv4 host and
 *  port, port 0 for any free port), keeping the last \p history alerts
 *  for new viewers.  GET / is the page, GET /events the SSE stream.
 *  @returns the server (owned by caller) or NULL with \p errstr set. */
ink_alert_page_t *ink_alert_page_new(const char *addr, int history,
                                     char *errstr, size_t errstr_size);
/** @returns the port the server listens on. */
int ink_alert_page_port(const ink_alert_page_t *pg);
/** Sends \p alert (borrowed) to every viewer and keeps it in the history.
 *  Thread-safe. */
void ink_alert_page_publish(ink_alert_page_t *pg, json_t *alert);
/** @returns the number of viewers connected to /events right now. */
int ink_alert_page_viewers(ink_alert_page_t *pg);
/** Ends every stream and stops the server. */
void ink_alert_page_destroy(ink_alert_page_t *pg);

/** @returns the page (static, NUL-terminated). */
const char *ink_alert_page_html(void);

/*---- The delivery loop: alert_sink.c (consumers/) ------------------------*/

#define INK_ALERTS_DLQ_DEFAULT "alerts.dlq"

/* Extra dead-letter headers of a refused webhook delivery. */
#define INK_DLQ_H_HTTP_STATUS "inkstream.http.status"
#define INK_DLQ_H_HTTP_BODY   "inkstream.http.body"

typedef struct ink_delivery_conf_s {
        const char *group;              /* consumer group (borrowed) */
        const char *dlq_topic;          /* NULL: INK_ALERTS_DLQ_DEFAULT */
        ink_webhook_opts_t webhook;     /* url NULL: no webhook */
        const char *serve_addr;         /* NULL: no page */
        int history;                    /* alerts kept for new viewers */
} ink_delivery_conf_t;

typedef struct ink_delivery_stats_s {
        uint64_t consumed;
        uint64_t delivered;             /* taken by every sink, committed */
        uint64_t dead_letters;          /* refused or undecodable */
        uint64_t retries;               /* webhook attempts beyond the first */
} ink_delivery_stats_t;

/** Consumes conf->alerts_topic (a comma-separated list of topics) in the
 *  consumer group dc->group, decodes each alert, hands it to the page and
 *  the webhook, and stores its offset for commit only after both took it.
 *  A refused (4xx) or undecodable alert goes to the dead-letter topic with
 *  its reason, then its offset is stored.  When a webhook cannot be reached
 *  after every retry the loop stops with an error without committing that
 *  alert: a restart delivers it again.  Runs until ink_run is cleared or,
 *  with conf->exit_on_eof, every assigned partition is drained.
 *  @returns 0, or 1 on a fatal error (logged). */
int ink_alert_sink_run(const ink_conf_t *conf, const ink_delivery_conf_t *dc,
                       ink_delivery_stats_t *stats);

#endif /* INK_DELIVERY_H */
