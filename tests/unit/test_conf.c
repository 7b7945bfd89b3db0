/*
 * The configuration table: defaults, file, environment, kafka.* pass-through.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ink/kafka.h"

Test(conf, defaults_and_set) {
        ink_conf_t c;
        char err[256];
        ink_conf_init(&c);
        cr_expect(eq(str, c.input_topic, "articles.raw"));
        cr_expect(eq(str, c.dlq_topic, "articles.dlq"));
        cr_expect(eq(int, c.max_article_bytes, 4194304));
        cr_expect(eq(int, ink_conf_set(&c, "group", "g1", err, sizeof(err)),
                     0));
        cr_expect(eq(str, c.group, "g1"));
        cr_expect(eq(int, ink_conf_set(&c, "exit.on.eof", "true", err,
                                       sizeof(err)),
                     0));
        cr_expect(c.exit_on_eof);
        cr_expect(eq(int, ink_conf_set(&c, "kafka.acks", "all", err,
                                       sizeof(err)),
                     0));
        cr_expect(eq(int, ink_conf_set(&c, "kafka.acks", "1", err,
                                       sizeof(err)),
                     0));
        cr_expect(eq(sz, c.nkafka, 1));
        cr_expect(eq(str, c.kafka[0].value, "1"));
        ink_conf_destroy(&c);
}

Test(conf, rejects_bad_values) {
        ink_conf_t c;
        char err[256];
        ink_conf_init(&c);
        cr_expect(eq(int, ink_conf_set(&c, "nope", "1", err, sizeof(err)),
                     -1));
        cr_expect(not(eq(ptr, strstr(err, "unknown property"), NULL)));
        cr_expect(eq(int, ink_conf_set(&c, "threads", "many", err,
                                       sizeof(err)),
                     -1));
        cr_expect(eq(int, ink_conf_set(&c, "threads", "-3", err,
                                       sizeof(err)),
                     -1));
        cr_expect(eq(int, ink_conf_set(&c, "json", "maybe", err,
                                       sizeof(err)),
                     -1));
        ink_conf_destroy(&c);
}

Test(conf, file_env_and_kafka_conf) {
        ink_conf_t c;
        char err[256], path[] = "/tmp/ink-conf-XXXXXX";
        int fd = mkstemp(path);
        FILE *fp = fdopen(fd, "w");
        rd_kafka_conf_t *kc;
        char val[64];
        size_t vlen = sizeof(val);

        fprintf(fp, "# comment\n\ninput.topic = in.x\nkafka.client.id=ink-t\n"
                    "kafka.sasl.password=hunter2\n");
        fclose(fp);
        ink_conf_init(&c);
        cr_assert(eq(int, ink_conf_read_file(&c, path, err, sizeof(err)), 0),
                  "%s", err);
        cr_expect(eq(str, c.input_topic, "in.x"));
        setenv("INKSTREAM_OUTPUT_TOPIC", "out.y", 1);
        cr_assert(eq(int, ink_conf_from_env(&c, err, sizeof(err)), 0), "%s",
                  err);
        unsetenv("INKSTREAM_OUTPUT_TOPIC");
        cr_expect(eq(str, c.output_topic, "out.y"));
        kc = ink_conf_kafka(&c, err, sizeof(err));
        cr_assert(not(eq(ptr, kc, NULL)), "%s", err);
        cr_expect(eq(int, rd_kafka_conf_get(kc, "client.id", val, &vlen),
                     RD_KAFKA_CONF_OK));
        cr_expect(eq(str, val, "ink-t"));
        rd_kafka_conf_destroy(kc);
        {
                /* secrets are masked in the dump */
                char *buf = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&buf, &len);
                ink_conf_dump(&c, m);
                fclose(m);
                cr_expect(eq(ptr, strstr(buf, "hunter2"), NULL));
                cr_expect(not(eq(ptr, strstr(buf, "input.topic=in.x"), NULL)));
                free(buf);
        }
        /* a bad line names the file and line */
        fp = fopen(path, "w");
        fprintf(fp, "input.topic=a\nthis line is wrong\n");
        fclose(fp);
        cr_expect(eq(int, ink_conf_read_file(&c, path, err, sizeof(err)), -1));
        cr_expect(not(eq(ptr, strstr(err, ":2:"), NULL)), "%s", err);
        /* an unknown librdkafka property is refused */
        ink_conf_set(&c, "kafka.no.such.thing", "1", err, sizeof(err));
        cr_expect(eq(ptr, ink_conf_kafka(&c, err, sizeof(err)), NULL));
        unlink(path);
        ink_conf_destroy(&c);
}
