#!/usr/bin/env python3
"""Builds the benchmark corpora (JSON Lines articles) from plain texts.

  make_corpus.py corpus RAW_DIR OUT.jsonl MB
      every file of RAW_DIR is one article (first line the title, the rest
      the body); the set is repeated (new ids) until OUT holds >= MB MB.
  make_corpus.py sized RAW_DIR OUT.jsonl BYTES TOTAL_MB
      articles of BYTES bytes of body each (the texts concatenated in name
      order and cut at a word boundary), as many as make >= TOTAL_MB MB
      (at least 2).

Prints "articles=N words=W bytes=B" (words: whitespace-separated, title and
body; bytes: of the title and body texts).  Standard library only.
"""
import json
import os
import sys


def texts(raw):
    for name in sorted(os.listdir(raw)):
        path = os.path.join(raw, name)
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().strip()
        if text:
            yield name.rsplit(".", 1)[0], text


def write(out, items):
    n = words = size = 0
    with open(out, "w", encoding="utf-8") as f:
        for art_id, title, body in items:
            f.write(json.dumps({"id": art_id, "title": title, "body": body},
                               ensure_ascii=False) + "\n")
            n += 1
            words += len(title.split()) + len(body.split())
            size += len(title.encode()) + len(body.encode())
    print(f"articles={n} words={words} bytes={size}")


def corpus(raw, out, mb):
    docs = []
    for name, text in texts(raw):
        title, _, body = text.partition("\n")
        docs.append((name, title.strip(), body.strip() or title.strip()))
    goal = mb * 1e6
    total = sum(len(t.encode()) + len(b.encode()) for _, t, b in docs)
    reps = max(1, -(-int(goal) // max(total, 1)))

    def items():
        for r in range(reps):
            for name, title, body in docs:
                yield f"{name}-{r}", title, body
    write(out, items())


def sized(raw, out, nbytes, total_mb):
    stream = "\n\n".join(t for _, t in texts(raw))
    data = stream.encode()
    count = max(2, -(-int(total_mb * 1e6) // nbytes))

    def items():
        pos = 0
        for i in range(count):
            chunk = b""
            while len(chunk) < nbytes:
                take = data[pos:pos + nbytes - len(chunk)]
                chunk += take
                pos += len(take)
                if pos >= len(data):
                    pos = 0
                    chunk += b"\n\n"
            # extend to the end of the word so no word is cut
            while pos < len(data) and not data[pos:pos + 1].isspace():
                chunk += data[pos:pos + 1]
                pos += 1
            body = chunk.decode("utf-8", errors="ignore").strip()
            yield f"sized-{nbytes}-{i}", "", body
    write(out, items())


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "corpus":
        corpus(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "sized":
        sized(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
