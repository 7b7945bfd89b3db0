/*
 * Webhook delivery: one POST per alert through libcurl (one easy handle,
 * so the connection is kept alive), as the alert record or as a chat
 * message, signed with HMAC-SHA256 when a secret is set, paced by a token
 * bucket, and retried with exponential backoff and jitter on errors that
 * may pass (5xx, 408, 429, timeouts, connection errors).  The URL and the
 * secret are never logged: the URL of a chat webhook is itself a secret,
 * so logs name the host only.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ink/delivery.h"

struct ink_webhook_s {
        CURL *curl;
        char *url;
        char *host;             /* for logs */
        char *secret;
        ink_webhook_format_t format;
        int timeout_ms, retries, backoff_ms;
        double rate, tokens;    /* token bucket */
        int64_t refilled_us;
        unsigned seed;
        char resp[512];         /* start of the current response body */
        size_t resp_len;
};

/*---- Bodies ----------------------------------------------------------------*/

static const char *jstr(json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}

/* Appends \p s to the growing buffer *\p bp (length *\p np), escaping the
 * three characters Slack's mrkdwn treats specially when \p esc. */
static void cat(char **bp, size_t *np, const char *s, bool esc) {
        size_t add = strlen(s) * (esc ? 5 : 1);
        char *o;

        *bp = ink_realloc(*bp, *np + add + 1);
        o = *bp + *np;
        for (; *s; s++) {
                const char *rep = NULL;
                if (esc && *s == '&')
                        rep = "&amp;";
                else if (esc && *s == '<')
                        rep = "&lt;";
                else if (esc && *s == '>')
                        rep = "&gt;";
                if (rep) {
                        memcpy(o, rep, strlen(rep));
                        o += strlen(rep);
                } else {
                        *o++ = *s;
                }
        }
        *o = '\0';
        *np = (size_t)(o - *bp);
}

/* Appends the strings of array \p arr joined by ", " ("-" when empty). */
static void cat_list(char **bp, size_t *np, json_t *arr, bool esc) {
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v) {
                if (i)
                        cat(bp, np, ", ", false);
                cat(bp, np, json_string_value(v) ? json_string_value(v) : "",
                    esc);
        }
        if (!json_array_size(arr))
                cat(bp, np, "-", false);
}

/* The message text: a headline line, then one line per field.  With
 * \p esc (mrkdwn) the field names are bold and the article a link. */
static char *chat_text(json_t *a, bool esc) {
        char *b = ink_strdup("");
        size_t n = 0;
        const char *url = jstr(a, "article_url");

        cat(&b, &n, esc ? "*Summit " : "Summit ", false);
        cat(&b, &n, jstr(a, "status"), esc);
        cat(&b, &n, " (", false);
        cat(&b, &n, jstr(a, "mode"), esc);
        cat(&b, &n, "): ", false);
        cat_list(&b, &n, json_object_get(a, "participants"), esc);
        cat(&b, &n, esc ? "*\n*Participants:* " : "\nParticipants: ", false);
        cat_list(&b, &n, json_object_get(a, "participants"), esc);
        cat(&b, &n, esc ? "\n*Mode:* " : "\nMode: ", false);
        cat(&b, &n, jstr(a, "mode"), esc);
        cat(&b, &n, esc ? "\n*Status:* " : "\nStatus: ", false);
        cat(&b, &n, jstr(a, "status"), esc);
        cat(&b, &n, esc ? "\n*Venues:* " : "\nVenues: ", false);
        cat_list(&b, &n, json_object_get(a, "venues"), esc);
        cat(&b, &n, esc ? "\n*When:* " : "\nWhen: ", false);
        cat(&b, &n, *jstr(a, "when_text") ? jstr(a, "when_text") : "-", esc);
        if (*jstr(a, "when_date")) {
                cat(&b, &n, " (", false);
                cat(&b, &n, jstr(a, "when_date"), esc);
                cat(&b, &n, ")", false);
        }
        cat(&b, &n, esc ? "\n*Article:* " : "\nArticle: ", false);
        if (esc && *url && !strpbrk(url, "<>|")) {
                cat(&b, &n, "<", false);
                cat(&b, &n, url, false);
                cat(&b, &n, "|", false);
                cat(&b, &n, jstr(a, "article_title"), true);
                cat(&b, &n, ">", false);
        } else {
                cat(&b, &n, jstr(a, "article_title"), esc);
                if (*url) {
                        cat(&b, &n, " ", false);
                        cat(&b, &n, url, esc);
                }
        }
        return b;
}

char *ink_webhook_body(ink_webhook_format_t format, json_t *alert) {
        json_t *msg;
        char *text, *plain, *s;

        if (!json_is_object(alert))
                return NULL;
        if (format == INK_WEBHOOK_JSON)
                return json_dumps(alert, JSON_COMPACT);
        /* "text" is what Teams and notifications show; Slack renders the
         * mrkdwn section block. */
        text = chat_text(alert, true);
        plain = chat_text(alert, false);
        msg = json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}]}", "text", plain,
                        "blocks", "type", "section", "text", "type",
                        "mrkdwn", "text", text);
        s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
        json_decref(msg);
        free(text);
        free(plain);
        return s;
}

int ink_webhook_parse_format(const char *s, ink_webhook_format_t *out) {
        if (!strcmp(s, "json"))
                *out = INK_WEBHOOK_JSON;
        else if (!strcmp(s, "slack") || !strcmp(s, "teams"))
                *out = INK_WEBHOOK_SLACK;
        else
                return -1;
        return 0;
}

void ink_webhook_sign(const char *secret, const char *timestamp,
                      const char *body, size_t len, char hex[65]) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int maclen = 0;
        size_t tl = strlen(timestamp);
        char *msg = ink_malloc(tl + 1 + len);

        memcpy(msg, timestamp, tl);
        msg[tl] = '.';
        memcpy(msg + tl + 1, body, len);
        HMAC(EVP_sha256(), secret, (int)strlen(secret),
             (const unsigned char *)msg, tl + 1 + len, mac, &maclen);
        free(msg);
        for (unsigned i = 0; i < maclen && i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", mac[i]);
        hex[64] = '\0';
}

/*---- The client ------------------------------------------------------------*/

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *opaque) {
        ink_webhook_t *wh = opaque;
        size_t n = size * nmemb, room = sizeof(wh->resp) - 1 - wh->resp_len;

        memcpy(wh->resp + wh->resp_len, ptr, n < room ? n : room);
        wh->resp_len += n < room ? n : room;
        wh->resp[wh->resp_len] = '\0';
        return n;
}

ink_webhook_t *ink_webhook_new(const ink_webhook_opts_t *opts, char *errstr,
                               size_t errstr_size) {
        ink_webhook_t *wh;
        const char *h, *e;

        if (!opts->url || (strncmp(opts->url, "http://", 7) &&
                           strncmp(opts->url, "https://", 8))) {
                snprintf(errstr, errstr_size,
                         "webhook URL must start with http:// or https://");
                return NULL;
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
                snprintf(errstr, errstr_size, "curl_global_init failed");
                return NULL;
        }
        wh = ink_calloc(1, sizeof(*wh));
        if (!(wh->curl = curl_easy_init())) {
                snprintf(errstr, errstr_size, "curl_easy_init failed");
                free(wh);
                curl_global_cleanup();
                return NULL;
        }
        wh->url = ink_strdup(opts->url);
        h = strstr(opts->url, "://") + 3;
        e = h + strcspn(h, "/?#");
        if (memchr(h, '@', (size_t)(e - h)))    /* user:password@host */
                h = (const char *)memchr(h, '@', (size_t)(e - h)) + 1;
        wh->host = ink_strndup(h, (size_t)(e - h));
        wh->secret = opts->secret && *opts->secret ? ink_strdup(opts->secret)
                                                   : NULL;
        wh->format = opts->format;
        wh->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 5000;
        wh->retries = opts->retries >= 0 ? opts->retries : 6;
        wh->backoff_ms = opts->backoff_ms > 0 ? opts->backoff_ms : 200;
        wh->rate = opts->rate > 0 ? opts->rate : 0;
        wh->tokens = wh->rate >= 1 ? wh->rate : 1;
        wh->refilled_us = ink_mono_us();
        wh->seed = (unsigned)(ink_now_ms() ^ (int64_t)getpid());
        return wh;
}

void ink_webhook_destroy(ink_webhook_t *wh) {
        if (!wh)
                return;
        curl_easy_cleanup(wh->curl);
        free(wh->url);
        free(wh->host);
        if (wh->secret) {
                memset(wh->secret, 0, strlen(wh->secret));
                free(wh->secret);
        }
        free(wh);
        curl_global_cleanup();
}

/* Sleeps \p ms in slices, returning early when ink_run is cleared.
 * @returns 0, or -1 if interrupted. */
static int nap(int64_t ms) {
        while (ms > 0 && ink_run) {
                int64_t d = ms < 50 ? ms : 50;
                struct timespec ts = {0, (long)d * 1000000L};
                nanosleep(&ts, NULL);
                ms -= d;
        }
        return ink_run ? 0 : -1;
}

/* Takes one token of the bucket, waiting for it if needed.
 * @returns 0, or -1 if interrupted. */
static int take_token(ink_webhook_t *wh) {
        double cap = wh->rate >= 1 ? wh->rate : 1;

        if (wh->rate <= 0)
                return 0;
        for (;;) {
                int64_t now = ink_mono_us();
                wh->tokens += (double)(now - wh->refilled_us) / 1e6 *
                              wh->rate;
                if (wh->tokens > cap)
                        wh->tokens = cap;
                wh->refilled_us = now;
                if (wh->tokens >= 1) {
                        wh->tokens -= 1;
                        return 0;
                }
                if (nap((int64_t)((1 - wh->tokens) / wh->rate * 1000) + 1))
                        return -1;
        }
}

/* One POST.  @returns the HTTP status, or 0 on a transport error (reason
 * in \p res). */
static long post_once(ink_webhook_t *wh, const char *body, size_t len,
                      ink_webhook_result_t *res) {
        struct curl_slist *hdrs = NULL;
        char line[160], ts[32], hex[65];
        CURLcode cc;
        long status = 0;

        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        hdrs = curl_slist_append(hdrs, "User-Agent: inkstream");
        hdrs = curl_slist_append(hdrs, "Expect:");
        if (wh->secret) {
                snprintf(ts, sizeof(ts), "%lld",
                         (long long)(ink_now_ms() / 1000));
                ink_webhook_sign(wh->secret, ts, body, len, hex);
                snprintf(line, sizeof(line), "%s: %s",
                         INK_WEBHOOK_H_TIMESTAMP, ts);
                hdrs = curl_slist_append(hdrs, line);
                snprintf(line, sizeof(line), "%s: sha256=%s",
                         INK_WEBHOOK_H_SIGNATURE, hex);
                hdrs = curl_slist_append(hdrs, line);
        }
        wh->resp_len = 0;
        wh->resp[0] = '\0';
        curl_easy_setopt(wh->curl, CURLOPT_URL, wh->url);
        curl_easy_setopt(wh->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(wh->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(wh->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)len);
        curl_easy_setopt(wh->curl, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(wh->curl, CURLOPT_TIMEOUT_MS, (long)wh->timeout_ms);
        curl_easy_setopt(wh->curl, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)wh->timeout_ms);
        curl_easy_setopt(wh->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(wh->curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(wh->curl, CURLOPT_WRITEDATA, wh);
        curl_easy_setopt(wh->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        cc = curl_easy_perform(wh->curl);
        if (cc == CURLE_OK) {
                curl_easy_getinfo(wh->curl, CURLINFO_RESPONSE_CODE, &status);
                res->errstr[0] = '\0';
        } else {
                snprintf(res->errstr, sizeof(res->errstr), "%s",
                         curl_easy_strerror(cc));
        }
        res->status = status;
        snprintf(res->body, sizeof(res->body), "%s", wh->resp);
        curl_slist_free_all(hdrs);
        return status;
}

/* @returns true if a failure with this status (0: transport) may pass. */
static bool retryable(long status) {
        return status == 0 || status >= 500 || status == 408 ||
               status == 429;
}

ink_rc_t ink_webhook_deliver(ink_webhook_t *wh, json_t *alert,
                             ink_webhook_result_t *res) {
        char *body = ink_webhook_body(wh->format, alert);
        int64_t delay = wh->backoff_ms;
        ink_rc_t rc = INK_ERR_IO;
        long status;

        memset(res, 0, sizeof(*res));
        if (!body) {
                snprintf(res->errstr, sizeof(res->errstr),
                         "alert is not a JSON object");
                return INK_ERR_INVALID;
        }
        for (;;) {
                if (take_token(wh))
                        break;
                res->attempts++;
                status = post_once(wh, body, strlen(body), res);
                if (status >= 200 && status < 300) {
                        rc = INK_OK;
                        break;
                }
                if (!retryable(status)) {
                        snprintf(res->errstr, sizeof(res->errstr),
                                 "refused with HTTP %ld", status);
                        rc = INK_ERR_INVALID;
                        break;
                }
                if (status)
                        snprintf(res->errstr, sizeof(res->errstr),
                                 "HTTP %ld", status);
                if (res->attempts > wh->retries)
                        break;
                ink_log(INK_LOG_WARNING, "webhook",
                        "%s: attempt %d failed (%s), retrying in about "
                        "%lld ms", wh->host, res->attempts, res->errstr,
                        (long long)delay);
                /* full jitter over the upper half: [delay/2, delay] */
                if (nap(delay / 2 + rand_r(&wh->seed) % (delay / 2 + 1)))
                        break;
                delay = delay * 2 > 30000 ? 30000 : delay * 2;
        }
        if (rc == INK_ERR_IO && !ink_run && !res->attempts)
                snprintf(res->errstr, sizeof(res->errstr), "interrupted");
        free(body);
        return rc;
}
