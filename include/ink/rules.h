/*
 * Rule alerts: a rules file names entities to watch, entity pairs that
 * must not go unnoticed together, and entity sentiment thresholds; each
 * rule names its alert type, and the `rules` stage adds one ink_alert_t of
 * that type per rule that fires on an article.  The worker routes an alert
 * of type X to topic alerts.X.  Format: docs/ALERTS.md; the default rules
 * are data/rules/default.rules.
 */
#ifndef INK_RULES_H
#define INK_RULES_H

#include <stddef.h>

#include "ink/article.h"
#include "ink/stage.h"

/* The stage (lib/enrich/rules.c), after summit in the stage table. */
extern const ink_stage_def_t ink_stage_rules;

typedef struct ink_rules_s ink_rules_t;

/** Parses rules text \p text (\p len bytes; \p origin names it in
 *  errors, e.g. the file path).
 *  @returns the rules (owned by caller: ink_rules_destroy()) or NULL with
 *  "origin:line: reason" in \p errstr. */
ink_rules_t *ink_rules_parse(const char *text, size_t len,
                             const char *origin, char *errstr,
                             size_t errstr_size);

/** Reads and parses the rules file \p path, or the embedded
 *  data/rules/default.rules when \p path is NULL or empty.
 *  @returns the rules or NULL with \p errstr set. */
ink_rules_t *ink_rules_load(const char *path, char *errstr,
                            size_t errstr_size);

void ink_rules_destroy(ink_rules_t *rules);

/** @returns the number of rules. */
size_t ink_rules_count(const ink_rules_t *rules);

/** Adds to \p art one alert per rule that fires (thread-safe: \p rules is
 *  read only).  Needs the entities (and, for sentiment rules, the
 *  sentiment) stage to have run.  @returns the number of alerts added. */
size_t ink_rules_apply(const ink_rules_t *rules, ink_article_t *art);

/** Sets the rules file the stage's create() reads (copied; NULL or "" for
 *  the embedded default).  Call before creating (or re-creating, on
 *  SIGHUP) the pipeline: the worker passes its `rules.file` property. */
void ink_rules_set_file(const char *path);

#endif /* INK_RULES_H */
