/*
 * Enrichment stages: one file per stage behind one contract, run in the
 * order of the stage table (lib/enrich/pipeline.c).
 *
 * A stage's create() loads its models once per process; the returned
 * context is read-only afterwards and shared by all enrichment threads, so
 * run() must be thread-safe (keep per-call state on the stack or in the
 * article's arena).
 */
#ifndef INK_STAGE_H
#define INK_STAGE_H

#include "ink/article.h"

typedef struct ink_stage_def_s {
        const char *name;
        const char *description;
        /** @returns the stage context (owned by the pipeline) or NULL with
         *  a reason in \p errstr. */
        void *(*create)(char *errstr, size_t errstr_size);
        /** Reads what earlier stages wrote into \p art and adds its own.
         *  @returns INK_OK, INK_SKIPPED, or an error with a reason for an
         *  operator in \p errstr (the article then goes to the DLQ). */
        ink_rc_t (*run)(const void *ctx, ink_article_t *art,
                        char *errstr, size_t errstr_size);
        void (*destroy)(void *ctx);
} ink_stage_def_t;

/* The stages, in table order (each defined in its own file). */
extern const ink_stage_def_t ink_stage_lang;      /* lib/enrich/lang.c */
extern const ink_stage_def_t ink_stage_tokens;    /* lib/text/tokenize.c */
extern const ink_stage_def_t ink_stage_entities;  /* lib/enrich/ner.c */
extern const ink_stage_def_t ink_stage_sentiment; /* lib/enrich/sentiment.c */
extern const ink_stage_def_t ink_stage_summit;    /* lib/enrich/summit.c */

/*---- The pipeline: the stage table instantiated -------------------------*/

typedef struct ink_pipeline_s ink_pipeline_t;

/** Creates every stage of the table.
 *  @returns the pipeline (owned by caller) or NULL with \p errstr set. */
ink_pipeline_t *ink_pipeline_new(char *errstr, size_t errstr_size);
void ink_pipeline_destroy(ink_pipeline_t *pl);

/** Runs every stage on \p art (thread-safe).  On failure \p stagep (if not
 *  NULL) names the failing stage and \p errstr holds the reason. */
ink_rc_t ink_pipeline_run(const ink_pipeline_t *pl, ink_article_t *art,
                          const char **stagep,
                          char *errstr, size_t errstr_size);

#endif /* INK_STAGE_H */
