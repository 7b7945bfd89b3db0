/*
 * Writes the seed corpus of the Avro decoder fuzzer into DIR: a framed
 * enriched record and a framed alert of a small hand-made article, so the
 * fuzzer starts from valid bodies of both schemas.
 */
#include <stdio.h>
#include <string.h>

#include "ink/codec.h"

/* Writes \p len bytes of \p buf to DIR/NAME.  @returns 0 or -1. */
static int write_seed(const char *dir, const char *name, const char *buf,
                      size_t len) {
        char path[1024];
        FILE *fp;
        size_t n;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (!(fp = fopen(path, "wb"))) {
                perror(path);
                return -1;
        }
        n = fwrite(buf, 1, len, fp);
        if (fclose(fp) || n != len) {
                perror(path);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv) {
        static const char *parts[] = {"Ana Diaz", "Li Wei"};
        static const char *venues[] = {"Geneva"};
        ink_article_t *art = NULL;
        ink_avro_t *av = NULL;
        ink_alert_t al = {0};
        const char *buf;
        size_t len;
        char err[512];
        int ret = 1;

        if (argc != 2) {
                fprintf(stderr, "usage: make_seeds DIR\n");
                return 2;
        }
        if (!(av = ink_avro_new(err, sizeof(err)))) {
                fprintf(stderr, "make_seeds: %s\n", err);
                return 1;
        }
        art = ink_article_new();
        art->id = "seed-1";
        art->title = "Leaders to meet";
        art->title_len = strlen(art->title);
        art->body = "Ana Diaz will meet Li Wei in Geneva.";
        art->body_len = strlen(art->body);
        art->url = "https://news.test/1";
        art->published_ms = 1736899200000LL;
        art->ingested_ms = 1736899300000LL;
        art->processed_ms = 1736899300123LL;
        art->ents = ink_arena_calloc(art->arena, 1, sizeof(ink_entity_t));
        art->nents = 1;
        art->ents[0] = (ink_entity_t){.type = INK_ENT_PER,
                                      .field = INK_FIELD_BODY,
                                      .cb = 0, .ce = 8,
                                      .text = "Ana Diaz",
                                      .canonical = "Ana Diaz",
                                      .has_sentiment = true,
                                      .sentiment = 0.25};
        al.type = "summit";
        al.alert_id = "seed-alert";
        al.event_key = "summit|meeting|Ana Diaz|Li Wei";
        al.participants = parts;
        al.nparticipants = 2;
        al.mode = INK_MODE_MEETING;
        al.status = INK_STATUS_PLANNED;
        al.venues = venues;
        al.nvenues = 1;
        al.when_text = "next week";
        al.evidence = art->body;
        ink_article_add_alert(art, &al);
        if (ink_avro_encode_article(av, art, &buf, &len, err, sizeof(err)) ||
            write_seed(argv[1], "enriched.bin", buf, len) ||
            ink_avro_encode_alert(av, art, &art->alerts[0], &buf, &len, err,
                                  sizeof(err)) ||
            write_seed(argv[1], "alert.bin", buf, len)) {
                fprintf(stderr, "make_seeds: %s\n", err);
                goto out;
        }
        ret = 0;
out:
        ink_article_destroy(art);
        ink_avro_destroy(av);
        return ret;
}
