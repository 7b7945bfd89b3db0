/*
 * The stage table and the pipeline that runs it.  Adding a stage means
 * adding its file and one row here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ink/rules.h"
#include "ink/stage.h"

static const ink_stage_def_t *const stage_table[] = {
        &ink_stage_lang,
        &ink_stage_tokens,
        &ink_stage_entities,
        &ink_stage_sentiment,
        &ink_stage_summit,
        &ink_stage_rules,
};

#define STAGE_CNT (sizeof(stage_table) / sizeof(stage_table[0]))

struct ink_pipeline_s {
        void *ctx[STAGE_CNT];
};

ink_pipeline_t *ink_pipeline_new(char *errstr, size_t errstr_size) {
        ink_pipeline_t *pl = ink_calloc(1, sizeof(*pl));
        char err[512];

        for (size_t i = 0; i < STAGE_CNT; i++) {
                err[0] = '\0';
                pl->ctx[i] = stage_table[i]->create(err, sizeof(err));
                if (!pl->ctx[i]) {
                        snprintf(errstr, errstr_size, "stage %s: %s",
                                 stage_table[i]->name, err);
                        ink_pipeline_destroy(pl);
                        return NULL;
                }
        }
        /* the stages parsed their models out of the embedded files: their
         * pages need not stay resident (several MB of a worker's RSS) */
        ink_resource_release();
        return pl;
}

void ink_pipeline_destroy(ink_pipeline_t *pl) {
        if (!pl)
                return;
        for (size_t i = 0; i < STAGE_CNT; i++)
                if (pl->ctx[i])
                        stage_table[i]->destroy(pl->ctx[i]);
        free(pl);
}

ink_rc_t ink_pipeline_run(const ink_pipeline_t *pl, ink_article_t *art,
                          const char **stagep, char *errstr,
                          size_t errstr_size) {
        for (size_t i = 0; i < STAGE_CNT; i++) {
                ink_rc_t rc = stage_table[i]->run(pl->ctx[i], art, errstr,
                                                  errstr_size);
                if (rc < 0) {
                        if (stagep)
                                *stagep = stage_table[i]->name;
                        return rc;
                }
        }
        art->processed_ms = ink_now_ms();
        return INK_OK;
}
