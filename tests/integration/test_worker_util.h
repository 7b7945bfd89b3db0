/*
 * Shared by the worker runtime tests (test_worker_*.c): topics of one
 * run, worker processes started in the background, articles fed through
 * `inkstream ingest`, and waiting on committed offsets.
 */
#ifndef INK_TEST_WORKER_UTIL_H
#define INK_TEST_WORKER_UTIL_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

typedef struct wk_topics_s {
        char *in, *out, *alerts, *dlq, *group;
        int partitions;
        const char *brokers;
} wk_topics_t;

static inline int64_t wk_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes and creates the topics of one test on it_brokers(). */
static inline wk_topics_t wk_topics(const char *base, int partitions) {
        it_topics_t n = it_topics(base, partitions, partitions);

        return (wk_topics_t){n.in, n.out, n.alerts, n.dlq, n.group,
                             partitions, it_brokers()};
}

/* Writes \p n short JSON articles with ids "<t.in>-<i>" (some with a
 * summit announcement) and ingests them into t->in. */
static inline void wk_ingest(const wk_topics_t *t, int n) {
        char path[256], cmd[1024];
        FILE *fp;
        snprintf(path, sizeof(path), "/tmp/%s.jsonl", t->in);
        fp = fopen(path, "w");
        cr_assert(fp != NULL, "%s: %s", path, strerror(errno));
        for (int i = 0; i < n; i++)
                fprintf(fp,
                        "{\"id\":\"a-%d\",\"title\":\"Report %d\",\"body\":"
                        "\"%s Officials in Berlin said on Monday that the "
                        "talks would continue. Markets were calm.\"}\n",
                        i, i,
                        i % 3 ? "Angela Merkel will meet Emmanuel Macron "
                                "in Paris next week, her office said."
                              : "The weather in Oslo was cold and grey.");
        fclose(fp);
        snprintf(cmd, sizeof(cmd),
                 "%s ingest -q --brokers %s --topic %s %s 2>&1", it_bin(),
                 t->brokers, t->in, path);
        cr_assert(it_run(cmd, NULL) == 0, "ingest failed");
        unlink(path);
}

/* Starts `inkstream enrich` on the topics with extra arguments \p extra
 * (NULL-terminated), output to \p log.  @returns the pid. */
static inline pid_t wk_start(const wk_topics_t *t, const char *log,
                      const char *const *extra) {
        const char *argv[64];
        int n = 0;
        pid_t pid;

        argv[n++] = it_bin();
        argv[n++] = "enrich";
        argv[n++] = "--brokers";
        argv[n++] = t->brokers;
        argv[n++] = "--group";
        argv[n++] = t->group;
        argv[n++] = "--input";
        argv[n++] = t->in;
        argv[n++] = "--output";
        argv[n++] = t->out;
        argv[n++] = "--alerts";
        argv[n++] = t->alerts;
        argv[n++] = "--dlq";
        argv[n++] = t->dlq;
        /* a killed member is noticed within seconds, not 45 s */
        argv[n++] = "-X";
        argv[n++] = "kafka.session.timeout.ms=6000";
        argv[n++] = "-X";
        argv[n++] = "kafka.heartbeat.interval.ms=500";
        for (size_t i = 0; extra && extra[i] && n < 62; i++)
                argv[n++] = extra[i];
        argv[n] = NULL;
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                        close(fd);
                }
                execv(argv[0], (char *const *)argv);
                _exit(127);
        }
        return pid;
}

/* Waits up to \p timeout_ms for \p pid to exit.  @returns its wait status,
 * or -1 on timeout (the process is left running). */
static inline int wk_wait(pid_t pid, int timeout_ms) {
        int64_t deadline = wk_now_ms() + timeout_ms;
        int status;
        do {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return status;
                usleep(20000);
        } while (wk_now_ms() < deadline);
        return -1;
}

/* @returns whether wait status \p st is a normal exit with status 0. */
static inline bool wk_exited_ok(int st) {
        return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Stops \p pid: SIGTERM, then SIGKILL after 20 s. */
static inline void wk_stop(pid_t pid) {
        kill(pid, SIGTERM);
        if (wk_wait(pid, 20000) == -1) {
                kill(pid, SIGKILL);
                wk_wait(pid, 5000);
        }
}

/* @returns the sum over the partitions of t->in of the committed offsets
 * of t->group (a partition without one counts 0), or -1 if the broker
 * cannot tell now (down, coordinator moving). */
static inline int64_t wk_committed(const wk_topics_t *t) {
        char errstr[256];
        rd_kafka_conf_t *kc = rd_kafka_conf_new();
        rd_kafka_topic_partition_list_t *l =
                rd_kafka_topic_partition_list_new(t->partitions);
        rd_kafka_t *rk;
        int64_t sum = 0;

        rd_kafka_conf_set(kc, "bootstrap.servers", it_brokers(), errstr,
                          sizeof(errstr));
        rd_kafka_conf_set(kc, "group.id", t->group, errstr, sizeof(errstr));
        rd_kafka_conf_set(kc, "log_level", "0", errstr, sizeof(errstr));
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, errstr, sizeof(errstr));
        cr_assert(rk != NULL, "%s", errstr);
        for (int p = 0; p < t->partitions; p++)
                rd_kafka_topic_partition_list_add(l, t->in, p);
        if (rd_kafka_committed(rk, l, 5000) != 0) {
                sum = -1;
        } else {
                for (int p = 0; p < l->cnt; p++) {
                        if (l->elems[p].err) {
                                sum = -1;
                                break;
                        }
                        if (l->elems[p].offset > 0)
                                sum += l->elems[p].offset;
                }
        }
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_destroy(rk);
        return sum;
}

/* Waits until t->group has committed \p n input records (the input holds
 * exactly n, no transaction markers) or \p timeout_ms passes.
 * @returns the last committed sum. */
static inline int64_t wk_wait_committed(const wk_topics_t *t, int64_t n,
                                 int timeout_ms) {
        int64_t deadline = wk_now_ms() + timeout_ms, c;
        while ((c = wk_committed(t)) < n && wk_now_ms() < deadline)
                usleep(300000);
        return c;
}

/* Counts the records of t->out per article id ("a-<i>", i < n) into
 * \p seen (n entries).  @returns the number of records read. */
static inline size_t wk_count_ids(const wk_topics_t *t, int n, int *seen,
                           int timeout_ms) {
        it_recs_t r = it_read_all(t->out, (size_t)n, timeout_ms);
        size_t cnt = r.cnt;
        memset(seen, 0, (size_t)n * sizeof(*seen));
        for (size_t i = 0; i < r.cnt; i++) {
                int id;
                if (r.v[i].key && sscanf(r.v[i].key, "a-%d", &id) == 1 &&
                    id >= 0 && id < n)
                        seen[id]++;
        }
        it_recs_free(&r);
        return cnt;
}

#endif
