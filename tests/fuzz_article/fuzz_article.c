/*
 * libFuzzer target for article input: every input goes through the JSON
 * article parser and the plain-text parser, each parsed article through
 * the "tokens" stage, and through the feed reader (RSS, Atom, ninjs), the
 * HTML-to-text converter and the RFC 822 date parser.  Built with clang
 * -fsanitize=fuzzer,address,undefined; a crash, leak or undefined
 * behaviour fails the run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/feeds.h"
#include "ink/stage.h"

/* The limit the worker uses by default, scaled down so that the size check
 * is reached by inputs the fuzzer can build. */
#define FUZZ_MAX_BYTES 4096

/* Checks what the tokens stage promises: offsets inside their field and
 * in order, sentences covering their tokens. */
static void check_tokens(const ink_article_t *art) {
        for (size_t i = 0; i < art->ntoks; i++) {
                const ink_token_t *t = &art->toks[i];
                size_t len;
                ink_article_field(art, (ink_field_t)t->field, &len);
                if (t->b > t->e || t->e > len || t->cb > t->ce ||
                    t->sent >= art->nsents || !t->norm)
                        abort();
        }
        for (size_t i = 0; i < art->nsents; i++) {
                const ink_sentence_t *s = &art->sents[i];
                if (s->tok_begin > s->tok_end || s->tok_end > art->ntoks ||
                    s->b > s->e)
                        abort();
        }
}

static void tokens(const void *ctx, ink_article_t *art) {
        char err[512];
        if (ink_stage_tokens.run(ctx, art, err, sizeof(err)) == INK_OK)
                check_tokens(art);
}

static void feed_item(void *opaque, size_t index, json_t *article,
                      const char *error) {
        (void)index;
        (void)error;
        if (article) {
                char *s = json_dumps(article, JSON_COMPACT);
                ink_article_t *art = ink_article_new();
                char err[512];
                if (s && ink_article_parse_json(art, s, strlen(s), 0, err,
                                                sizeof(err)) == INK_OK)
                        tokens(opaque, art);
                ink_article_destroy(art);
                free(s);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static void *ctx;
        const char *buf = (const char *)data;
        char err[512], *s;
        ink_article_t *art;
        int64_t ms;

        if (!ctx)
                ctx = ink_stage_tokens.create(err, sizeof(err));

        art = ink_article_new();
        if (ink_article_parse_json(art, buf, size, FUZZ_MAX_BYTES, err,
                                   sizeof(err)) == INK_OK)
                tokens(ctx, art);
        ink_article_destroy(art);

        art = ink_article_new();
        if (ink_article_parse_text(art, buf, size, FUZZ_MAX_BYTES, err,
                                   sizeof(err)) == INK_OK)
                tokens(ctx, art);
        ink_article_destroy(art);

        ink_feed_parse(INK_FEED_AUTO, buf, size, feed_item, ctx, err,
                       sizeof(err));
        free(ink_html_to_text(buf, size));
        s = malloc(size + 1);
        memcpy(s, buf, size);
        s[size] = '\0';
        ink_parse_rfc822(s, &ms);
        free(s);
        return 0;
}
