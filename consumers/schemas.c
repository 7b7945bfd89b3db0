/*
 * Start-up of the record schemas: the ids come from a Schema Registry
 * when schema.registry.url is set, else from the local catalog compiled
 * into the binary (schemas/catalog.json).
 */
#include <stdio.h>
#include <string.h>

#include "ink/codec.h"
#include "ink/kafka.h"
#include "ink/registry.h"

int ink_schemas_setup(const ink_conf_t *conf, ink_avro_t *av,
                      bool register_schemas, char *errstr,
                      size_t errstr_size) {
        const char *topics[INK_REC_CNT] = {conf->output_topic,
                                           conf->alerts_topic};
        int32_t ids[INK_REC_CNT];
        ink_registry_t *reg;
        char err[1024];

        if (!conf->schema_registry_url || !*conf->schema_registry_url) {
                ink_log(INK_LOG_DEBUG, "schemas",
                        "no schema.registry.url: local catalog ids "
                        "EnrichedArticle=%d Alert=%d",
                        ink_avro_schema_id(av, INK_REC_ENRICHED),
                        ink_avro_schema_id(av, INK_REC_ALERT));
                return 0;
        }
        if (!(reg = ink_registry_new(conf->schema_registry_url,
                                     conf->schema_registry_userinfo,
                                     conf->schema_registry_timeout_ms, err,
                                     sizeof(err)))) {
                snprintf(errstr, errstr_size, "schema.registry.url: %s", err);
                return -1;
        }
        for (int k = 0; register_schemas && k < INK_REC_CNT; k++) {
                char subject[512];
                ink_rc_t rc;

                snprintf(subject, sizeof(subject), "%s-value", topics[k]);
                rc = ink_registry_register(reg, subject,
                                           ink_avro_schema_text(
                                                   (ink_record_t)k),
                                           &ids[k], err, sizeof(err));
                if (rc == INK_ERR_SCHEMA) {
                        snprintf(errstr, errstr_size,
                                 "refusing to start: the %s schema cannot be "
                                 "registered under subject %s at %s: %s. "
                                 "Only compatible changes (new fields with "
                                 "defaults) may be deployed on a topic; see "
                                 "schemas/README.md",
                                 ink_record_name((ink_record_t)k), subject,
                                 conf->schema_registry_url, err);
                        ink_registry_destroy(reg);
                        return -1;
                }
                if (rc) {
                        snprintf(errstr, errstr_size,
                                 "refusing to start: cannot register the %s "
                                 "schema under subject %s: %s",
                                 ink_record_name((ink_record_t)k), subject,
                                 err);
                        ink_registry_destroy(reg);
                        return -1;
                }
        }
        ink_avro_set_registry(av, reg); /* takes ownership */
        reg = NULL;
        for (int k = 0; register_schemas && k < INK_REC_CNT; k++) {
                ink_avro_set_schema_id(av, (ink_record_t)k, ids[k]);
                ink_log(INK_LOG_INFO, "schemas",
                        "%s schema id %d (subject %s-value at %s)",
                        ink_record_name((ink_record_t)k), ids[k], topics[k],
                        conf->schema_registry_url);
        }
        return 0;
}
