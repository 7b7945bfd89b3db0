/*
 * The live alert page: libmicrohttpd serves one self-contained HTML page
 * (inline CSS and JavaScript, no external assets) at GET / and a
 * Server-Sent Events stream at GET /events.  Alerts are kept in a ring of
 * the last N; a new viewer first gets the ring, then each alert as it is
 * published.  Each connection has its own thread (the stream callback
 * blocks on a condition variable), so a slow phone never holds up the
 * delivery loop: publish() only appends to the ring and wakes the streams.
 *
 * The page builds every card with textContent, never innerHTML, so a
 * headline holding markup is shown as text; the Content-Security-Policy
 * header forbids any script but the page's own as a second line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "ink/delivery.h"

struct ink_alert_page_s {
        struct MHD_Daemon *mhd;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        char **ring;            /* SSE event texts, ring[seq % cap] */
        size_t cap;
        uint64_t next_seq;      /* seq of the next published alert */
        int viewers;
        bool stopping;
        int port;
};

/* One /events stream. */
typedef struct stream_s {
        ink_alert_page_t *pg;
        uint64_t cursor;        /* next seq to send */
        char *pending;          /* text being sent (owned) */
        size_t off, len;
} stream_t;

/*---- The page --------------------------------------------------------------*/

static const char page_html[] =
"<!doctype html>\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>inkstream alerts</title>\n"
"<style>\n"
"body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#f4f4f1;"
"color:#1b1b1b}\n"
"header{position:sticky;top:0;background:#1b1b1b;color:#fff;"
"padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.5em;align-items:center}\n"
"header h1{font-size:1.1em;margin:0;flex:1 1 auto}\n"
"#conn{font-size:.8em;padding:.1em .5em;border-radius:1em;background:#a33}\n"
"#conn.on{background:#2a7}\n"
"#filters{display:flex;flex-wrap:wrap;gap:.5em;padding:.6em 1em;"
"background:#e8e8e3}\n"
"#filters input,#filters select{font:inherit;padding:.3em;"
"min-width:0;flex:1 1 10em}\n"
"main{padding:.5em 1em;max-width:50em;margin:auto}\n"
".card{background:#fff;border-left:.4em solid #888;border-radius:.3em;"
"padding:.7em 1em;margin:.7em 0;box-shadow:0 1px 3px #0002;"
"overflow-wrap:anywhere}\n"
".card h2{font-size:1.05em;margin:0 0 .3em}\n"
".card .st{display:inline-block;font-size:.8em;padding:0 .5em;"
"border-radius:1em;background:#888;color:#fff;margin-right:.4em;"
"text-transform:uppercase}\n"
".card[data-status=confirmed]{border-color:#2a7}"
".card[data-status=confirmed] .st{background:#2a7}\n"
".card[data-status=planned],.card[data-status=scheduled]{"
"border-color:#27a}.card[data-status=planned] .st,"
".card[data-status=scheduled] .st{background:#27a}\n"
".card[data-status=postponed],.card[data-status=cancelled]{"
"border-color:#c60}.card[data-status=postponed] .st,"
".card[data-status=cancelled] .st{background:#c60}\n"
".card dl{display:grid;grid-template-columns:auto 1fr;gap:.1em .7em;"
"margin:.3em 0;font-size:.95em}\n"
".card dt{color:#666}.card dd{margin:0}\n"
".card .hist,.card .ev{font-size:.85em;color:#555;margin:.3em 0 0}\n"
".card.fresh{animation:fl 2s}\n"
"@keyframes fl{from{background:#fff6c8}to{background:#fff}}\n"
"#empty{color:#666;text-align:center;margin:2em 0}\n"
"</style></head><body>\n"
"<header><h1>inkstream alerts</h1><span id=\"conn\">offline</span>"
"</header>\n"
"<div id=\"filters\">"
"<input id=\"fp\" type=\"search\" placeholder=\"Participant\" "
"list=\"people\" aria-label=\"Filter by participant\">"
"<datalist id=\"people\"></datalist>"
"<select id=\"ft\" aria-label=\"Filter by alert type\">"
"<option value=\"\">All types</option></select></div>\n"
"<main><p id=\"empty\">No alerts yet.</p><div id=\"cards\"></div></main>\n"
"<script>\n"
"'use strict';\n"
"const cards=new Map(),people=new Set(),types=new Set();\n"
"const $=id=>document.getElementById(id);\n"
"function el(tag,cls,text){const e=document.createElement(tag);"
"if(cls)e.className=cls;if(text!==undefined)e.textContent=text;return e;}\n"
"function list(a){return a&&a.length?a.join(', '):'-';}\n"
"function row(dl,k,v){dl.appendChild(el('dt','',k));"
"dl.appendChild(el('dd','',v));}\n"
"function visible(c){const a=c.alert,p=$('fp').value.trim().toLowerCase(),"
"t=$('ft').value;\n"
" if(t&&a.type!==t)return false;\n"
" if(p&&!(a.participants||[]).some(x=>x.toLowerCase().includes(p)))"
"return false;\n return true;}\n"
"function filter(){let n=0;for(const c of cards.values()){"
"const v=visible(c);c.node.hidden=!v;if(v)n++;}\n"
" $('empty').hidden=n>0;\n"
" $('empty').textContent=cards.size?'No alert matches the filters.':"
"'No alerts yet.';}\n"
"function render(c){const a=c.alert,n=c.node;n.textContent='';\n"
" n.dataset.status=a.status||'';n.dataset.type=a.type||'';\n"
" const h=el('h2');h.appendChild(el('span','st',a.status||''));\n"
" h.appendChild(document.createTextNode('Summit ('+(a.mode||'')+'): '+"
"list(a.participants)));n.appendChild(h);\n"
" const dl=el('dl');row(dl,'Headline',a.article_title||'-');"
"row(dl,'Participants',list(a.participants));row(dl,'Mode',a.mode||'-');\n"
" row(dl,'Status',a.status||'-');row(dl,'Venues',list(a.venues));\n"
" row(dl,'When',(a.when_text||'-')+(a.when_date?' ('+a.when_date+')':''));"
"\n row(dl,'Detected',a.detected?new Date(a.detected).toLocaleString():'-');"
"\n n.appendChild(dl);\n"
" if(a.article_url&&/^https?:\\/\\//i.test(a.article_url)){"
"const l=el('a','',a.article_title||a.article_url);l.href=a.article_url;"
"l.rel='noopener noreferrer';l.target='_blank';const p=el('p','ev');"
"p.appendChild(l);n.appendChild(p);}\n"
" if(a.evidence)n.appendChild(el('p','ev','\\u201c'+a.evidence+"
"'\\u201d'));\n"
" if(c.hist.length>1)n.appendChild(el('p','hist',c.hist.join("
"' \\u2192 ')));\n"
" n.classList.remove('fresh');void n.offsetWidth;n.classList.add('fresh');}\n"
"function add(a){const k=a.event_key||a.alert_id;let c=cards.get(k);\n"
" if(!c){c={node:el('article','card'),hist:[]};c.node.dataset.key=k;"
"cards.set(k,c);}\n"
" if(c.hist[c.hist.length-1]!==a.status)c.hist.push(a.status);\n"
" c.alert=a;render(c);$('cards').prepend(c.node);\n"
" for(const p of a.participants||[])if(!people.has(p)){people.add(p);"
"const o=el('option');o.value=p;$('people').appendChild(o);}\n"
" if(a.type&&!types.has(a.type)){types.add(a.type);"
"const o=el('option','',a.type);o.value=a.type;$('ft').appendChild(o);}\n"
" filter();}\n"
"$('fp').addEventListener('input',filter);"
"$('ft').addEventListener('change',filter);\n"
"const es=new EventSource('events');\n"
"es.onopen=()=>{$('conn').textContent='live';$('conn').className='on';};\n"
"es.onerror=()=>{$('conn').textContent='reconnecting';"
"$('conn').className='';};\n"
"es.addEventListener('alert',e=>{try{add(JSON.parse(e.data));}"
"catch(x){console.error(x);}});\n"
"</script></body></html>\n";

const char *ink_alert_page_html(void) {
        return page_html;
}

/*---- The event stream ------------------------------------------------------*/

/* Fills \p s->pending with the next thing to send: an alert event, a
 * keep-alive comment after 15 s of quiet, or nothing when the server
 * stops.  @returns false when the stream must end. */
static bool next_chunk(stream_t *s) {
        ink_alert_page_t *pg = s->pg;
        struct timespec until;
        bool ok = true;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 15;
        pthread_mutex_lock(&pg->lock);
        while (!pg->stopping && s->cursor >= pg->next_seq)
                if (pthread_cond_timedwait(&pg->cond, &pg->lock, &until) ==
                    ETIMEDOUT)
                        break;
        if (pg->stopping) {
                ok = false;
        } else if (s->cursor < pg->next_seq) {
                /* a viewer that fell a whole ring behind skips ahead */
                if (pg->next_seq - s->cursor > pg->cap)
                        s->cursor = pg->next_seq - pg->cap;
                s->pending = ink_strdup(pg->ring[s->cursor % pg->cap]);
                s->cursor++;
        } else {
                s->pending = ink_strdup(": keep-alive\n\n");
        }
        pthread_mutex_unlock(&pg->lock);
        if (s->pending) {
                s->off = 0;
                s->len = strlen(s->pending);
        }
        return ok;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
        stream_t *s = cls;
        size_t n;

        (void)pos;
        if (!s->pending && !next_chunk(s))
                return MHD_CONTENT_READER_END_OF_STREAM;
        n = s->len - s->off < max ? s->len - s->off : max;
        memcpy(buf, s->pending + s->off, n);
        s->off += n;
        if (s->off == s->len) {
                free(s->pending);
                s->pending = NULL;
        }
        return (ssize_t)n;
}

static void stream_free(void *cls) {
        stream_t *s = cls;

        pthread_mutex_lock(&s->pg->lock);
        s->pg->viewers--;
        pthread_mutex_unlock(&s->pg->lock);
        free(s->pending);
        free(s);
}

/* Starts a stream at the oldest alert kept, or after the Last-Event-ID a
 * reconnecting browser sends. */
static struct MHD_Response *open_stream(ink_alert_page_t *pg,
                                        struct MHD_Connection *conn) {
        const char *last = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                       "Last-Event-ID");
        stream_t *s = ink_calloc(1, sizeof(*s));
        struct MHD_Response *r;

        s->pg = pg;
        pthread_mutex_lock(&pg->lock);
        s->cursor = pg->next_seq > pg->cap ? pg->next_seq - pg->cap : 0;
        if (last && *last) {
                char *end;
                unsigned long long id = strtoull(last, &end, 10);
                if (!*end && id < pg->next_seq && id + 1 > s->cursor)
                        s->cursor = id + 1;
        }
        pg->viewers++;
        pthread_mutex_unlock(&pg->lock);
        /* the first chunk tells the browser how soon to reconnect */
        s->pending = ink_strdup("retry: 2000\n\n");
        s->len = strlen(s->pending);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
                                              stream_read, s, stream_free);
        if (!r) {
                stream_free(s);
                return NULL;
        }
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
        MHD_add_response_header(r, "Cache-Control", "no-cache");
        MHD_add_response_header(r, "X-Accel-Buffering", "no");
        return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
        static const char not_found[] = "not found\n";
        static const char bad_method[] = "method not allowed\n";
        ink_alert_page_t *pg = cls;
        struct MHD_Response *r;
        unsigned code = MHD_HTTP_OK;
        enum MHD_Result ret;

        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)con_cls;
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
                code = MHD_HTTP_METHOD_NOT_ALLOWED;
                r = MHD_create_response_from_buffer(
                        sizeof(bad_method) - 1, (void *)bad_method,
                        MHD_RESPMEM_PERSISTENT);
                if (r)
                        MHD_add_response_header(r, "Allow", "GET, HEAD");
        } else if (!strcmp(url, "/")) {
                r = MHD_create_response_from_buffer(
                        sizeof(page_html) - 1, (void *)page_html,
                        MHD_RESPMEM_PERSISTENT);
                if (r) {
                        MHD_add_response_header(r, "Content-Type",
                                                "text/html; charset=utf-8");
                        MHD_add_response_header(
                                r, "Content-Security-Policy",
                                "default-src 'none'; style-src "
                                "'unsafe-inline'; script-src "
                                "'unsafe-inline'; connect-src 'self'");
                        MHD_add_response_header(r, "X-Content-Type-Options",
                                                "nosniff");
                        MHD_add_response_header(r, "Cache-Control",
                                                "no-store");
                }
        } else if (!strcmp(url, "/events")) {
                r = open_stream(pg, conn);
        } else {
                code = MHD_HTTP_NOT_FOUND;
                r = MHD_create_response_from_buffer(
                        sizeof(not_found) - 1, (void *)not_found,
                        MHD_RESPMEM_PERSISTENT);
        }
        if (!r)
                return MHD_NO;
        ret = MHD_queue_response(conn, code, r);
        MHD_destroy_response(r);
        return ret;
}

/*---- Life cycle ------------------------------------------------------------*/

/* Parses "host:port" (IPv4, or "localhost") into \p sin. */
static int parse_addr(const char *addr, struct sockaddr_in *sin,
                      char *errstr, size_t errstr_size) {
        const char *colon = strrchr(addr, ':');
        char host[64], *end;
        long port;

        memset(sin, 0, sizeof(*sin));
        sin->sin_family = AF_INET;
        if (!colon || (size_t)(colon - addr) >= sizeof(host))
                goto bad;
        memcpy(host, addr, (size_t)(colon - addr));
        host[colon - addr] = '\0';
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end || port < 0 || port > 65535)
                goto bad;
        sin->sin_port = htons((uint16_t)port);
        if (!*host || !strcmp(host, "localhost"))
                snprintf(host, sizeof(host), "127.0.0.1");
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
                goto bad;
        return 0;
bad:
        snprintf(errstr, errstr_size,
                 "--serve %s: expected an IPv4 address and port, e.g. "
                 "127.0.0.1:8088", addr);
        return -1;
}

ink_alert_page_t *ink_alert_page_new(const char *addr, int history,
                                     char *errstr, size_t errstr_size) {
        struct sockaddr_in sin;
        ink_alert_page_t *pg;
        const union MHD_DaemonInfo *info;

        if (parse_addr(addr, &sin, errstr, errstr_size))
                return NULL;
        pg = ink_calloc(1, sizeof(*pg));
        pg->cap = history > 0 ? (size_t)history : 50;
        pg->ring = ink_calloc(pg->cap, sizeof(*pg->ring));
        pthread_mutex_init(&pg->lock, NULL);
        pthread_cond_init(&pg->cond, NULL);
        pg->mhd = MHD_start_daemon(
                MHD_USE_THREAD_PER_CONNECTION |
                        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                0, NULL, NULL, on_request, pg, MHD_OPTION_SOCK_ADDR,
                (struct sockaddr *)&sin, MHD_OPTION_CONNECTION_LIMIT,
                (unsigned)64, MHD_OPTION_END);
        if (!pg->mhd) {
                snprintf(errstr, errstr_size,
                         "cannot listen on %s (address in use or not "
                         "local?)", addr);
                ink_alert_page_destroy(pg);
                return NULL;
        }
        info = MHD_get_daemon_info(pg->mhd, MHD_DAEMON_INFO_BIND_PORT);
        pg->port = info ? info->port : ntohs(sin.sin_port);
        return pg;
}

int ink_alert_page_port(const ink_alert_page_t *pg) {
        return pg->port;
}

void ink_alert_page_publish(ink_alert_page_t *pg, json_t *alert) {
        char *data = json_dumps(alert, JSON_COMPACT), *ev;
        size_t n;

        if (!data)
                return;
        /* compact JSON escapes newlines, so one data: line holds it */
        n = strlen(data) + 64;
        ev = ink_malloc(n);
        pthread_mutex_lock(&pg->lock);
        snprintf(ev, n, "id: %llu\nevent: alert\ndata: %s\n\n",
                 (unsigned long long)pg->next_seq, data);
        free(pg->ring[pg->next_seq % pg->cap]);
        pg->ring[pg->next_seq % pg->cap] = ev;
        pg->next_seq++;
        pthread_cond_broadcast(&pg->cond);
        pthread_mutex_unlock(&pg->lock);
        free(data);
}

int ink_alert_page_viewers(ink_alert_page_t *pg) {
        int n;

        pthread_mutex_lock(&pg->lock);
        n = pg->viewers;
        pthread_mutex_unlock(&pg->lock);
        return n;
}

void ink_alert_page_destroy(ink_alert_page_t *pg) {
        if (!pg)
                return;
        pthread_mutex_lock(&pg->lock);
        pg->stopping = true;
        pthread_cond_broadcast(&pg->cond);
        pthread_mutex_unlock(&pg->lock);
        if (pg->mhd)
                MHD_stop_daemon(pg->mhd);
        for (size_t i = 0; i < pg->cap; i++)
                free(pg->ring[i]);
        free(pg->ring);
        pthread_cond_destroy(&pg->cond);
        pthread_mutex_destroy(&pg->lock);
        free(pg);
}
