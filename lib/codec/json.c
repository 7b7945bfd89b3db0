/*
 * The JSON form of the enriched record and of an alert: what
 * `inkstream annotate --jsonl` prints and what the scorers read.
 */
#include <stdio.h>
#include <time.h>

#include "ink/codec.h"

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *iso_time(int64_t ms) {
        char buf[64];
        time_t t = (time_t)(ms / 1000);
        struct tm tm;

        if (ms < 0)
                return json_null();
        gmtime_r(&t, &tm);
        snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
        return json_string(buf);
}

static json_t *sentiment_json(const ink_sentiment_t *s) {
        return json_pack("{s:f,s:f,s:f,s:f}", "compound", s->compound,
                         "positive", s->positive, "neutral", s->neutral,
                         "negative", s->negative);
}

static json_t *string_array(const char **v, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

json_t *ink_alert_to_json(const ink_article_t *art, const ink_alert_t *al) {
        json_t *o = json_object();

        json_object_set_new(o, "alert_id", str_or_null(al->alert_id));
        json_object_set_new(o, "type", json_string(al->type));
        json_object_set_new(o, "event_key", str_or_null(al->event_key));
        json_object_set_new(o, "participants",
                            string_array(al->participants,
                                         al->nparticipants));
        json_object_set_new(o, "mode", json_string(ink_mode_name(al->mode)));
        json_object_set_new(o, "status",
                            json_string(ink_status_name(al->status)));
        json_object_set_new(o, "venues",
                            string_array(al->venues, al->nvenues));
        json_object_set_new(o, "when", str_or_null(al->when_text));
        json_object_set_new(o, "when_date", str_or_null(al->when_date));
        json_object_set_new(o, "cameo", str_or_null(al->cameo));
        json_object_set_new(o, "evidence", str_or_null(al->evidence));
        json_object_set_new(o, "article_id", json_string(art->id));
        json_object_set_new(o, "article_title", json_string(art->title));
        json_object_set_new(o, "article_url", str_or_null(art->url));
        json_object_set_new(o, "detected", iso_time(art->processed_ms));
        return o;
}

json_t *ink_article_to_json(const ink_article_t *art) {
        json_t *o = json_object(), *ents = json_array(), *sents = json_array(),
               *alerts = json_array();

        json_object_set_new(o, "id", json_string(art->id));
        json_object_set_new(o, "title", json_string(art->title));
        json_object_set_new(o, "url", str_or_null(art->url));
        json_object_set_new(o, "source", str_or_null(art->source));
        json_object_set_new(o, "published", iso_time(art->published_ms));
        json_object_set_new(o, "lang",
                            json_string(art->lang ? art->lang : "en"));
        for (size_t i = 0; i < art->nents; i++) {
                const ink_entity_t *e = &art->ents[i];
                json_t *je = json_pack(
                        "{s:s,s:s,s:s,s:I,s:I,s:s}", "text", e->text, "type",
                        ink_ent_type_name(e->type), "field",
                        ink_field_name(e->field), "begin", (json_int_t)e->cb,
                        "end", (json_int_t)e->ce, "canonical",
                        e->canonical ? e->canonical : e->text);
                if (e->kb_id)
                        json_object_set_new(je, "kb_id",
                                            json_string(e->kb_id));
                if (e->has_sentiment)
                        json_object_set_new(je, "sentiment",
                                            json_real(e->sentiment));
                json_array_append_new(ents, je);
        }
        json_object_set_new(o, "entities", ents);
        json_object_set_new(o, "sentiment", sentiment_json(&art->sentiment));
        for (size_t i = 0; i < art->nsents; i++) {
                const ink_sentence_t *s = &art->sents[i];
                json_array_append_new(
                        sents,
                        json_pack("{s:s,s:I,s:I,s:f}", "field",
                                  ink_field_name(s->field), "begin",
                                  (json_int_t)s->cb, "end", (json_int_t)s->ce,
                                  "compound", s->sentiment.compound));
        }
        json_object_set_new(o, "sentences", sents);
        for (size_t i = 0; i < art->nalerts; i++)
                json_array_append_new(alerts,
                                      ink_alert_to_json(art, &art->alerts[i]));
        json_object_set_new(o, "alerts", alerts);
        json_object_set_new(o, "model_version",
                            json_string(INK_MODEL_VERSION));
        return o;
}
