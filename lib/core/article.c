/*
 * The article object and the names of its enums.
 */
#include <stdlib.h>
#include <string.h>

#include "ink/article.h"

const char *ink_field_name(ink_field_t f) {
        return f == INK_FIELD_TITLE ? "title" : "body";
}

const char *ink_ent_type_name(ink_ent_type_t t) {
        static const char *names[] = {"PER", "ORG", "LOC", "MISC"};
        return (unsigned)t < INK_ENT_TYPE_CNT ? names[t] : "MISC";
}

const char *ink_mode_name(ink_mode_t m) {
        static const char *names[] = {"meeting", "visit", "call"};
        return (unsigned)m < INK_MODE_CNT ? names[m] : "meeting";
}

const char *ink_status_name(ink_status_t s) {
        static const char *names[] = {"proposed",  "planned",
                                      "scheduled", "confirmed",
                                      "postponed", "cancelled"};
        return (unsigned)s < INK_STATUS_CNT ? names[s] : "proposed";
}

ink_article_t *ink_article_new(void) {
        ink_article_t *art = ink_calloc(1, sizeof(*art));
        art->arena = ink_arena_new(64 * 1024);
        art->title = "";
        art->body = "";
        art->published_ms = -1;
        return art;
}

void ink_article_destroy(ink_article_t *art) {
        if (!art)
                return;
        ink_arena_destroy(art->arena);
        free(art);
}

ink_alert_t *ink_article_add_alert(ink_article_t *art, const ink_alert_t *al) {
        art->alerts = ink_arena_grow(art->arena, art->alerts, art->nalerts,
                                     art->nalerts + 1, sizeof(*al));
        art->alerts[art->nalerts] = *al;
        return &art->alerts[art->nalerts++];
}
