"""Compares the C VADER port with the Python reference vaderSentiment.

Usage: vader_reference.py GROUND_TRUTH C_SCORES
  GROUND_TRUTH  tab-separated ID, MEAN, TEXT (CRLF), as in hutto_icwsm2014/
  C_SCORES      output of bench/vader_score on the same file

Prints the share of texts whose compound agrees within 1e-4 of the
reference's (rounded) polarity_scores(), the maximum difference, each
differing text, the agreement with the unrounded reference, and Pearson r
of both implementations' compound against the human mean.
"""
import math
import sys

import vaderSentiment.vaderSentiment as vs


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def main():
    gt_path, c_path = sys.argv[1], sys.argv[2]
    rows = []
    with open(gt_path, encoding="utf-8", newline="") as f:
        for line in f:
            parts = line.rstrip("\r\n").split("\t", 2)
            if len(parts) == 3:
                rows.append((parts[0], float(parts[1]), parts[2]))
    c = {}
    with open(c_path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            c[p[0]] = [float(v) for v in p[1:]]

    an = vs.SentimentIntensityAnalyzer()
    rounded = [an.polarity_scores(t)["compound"] for _, _, t in rows]
    # the same code with round() disabled in the module's namespace
    vs.round = lambda x, n=None: x
    exact = [an.polarity_scores(t)["compound"] for _, _, t in rows]
    del vs.round

    diffs = []
    maxd = maxe = 0.0
    for (rid, _, text), r, e in zip(rows, rounded, exact):
        cc = c[rid][0]
        d = abs(cc - r)
        maxd = max(maxd, d)
        maxe = max(maxe, abs(cc - e))
        if d > 1e-4:
            diffs.append((rid, r, cc, text))
    n = len(rows)
    exact_same = sum(1 for (rid, _, _), e in zip(rows, exact)
                     if abs(c[rid][0] - e) <= 1e-12)
    print(f"snippets: {n}")
    print(f"compound within 1e-4 of polarity_scores(): "
          f"{n - len(diffs)}/{n} = {100.0 * (n - len(diffs)) / n:.2f}%")
    print(f"max |C - reference| (reference rounded to 4 places): {maxd:.3g}")
    print(f"within 1e-12 of the unrounded reference: {exact_same}/{n}, "
          f"max difference {maxe:.3g}")
    for rid, r, cc, text in diffs:
        print(f"  DIFF {rid}: python {r:+.4f} C {cc:+.4f}: {text}")
    means = [m for _, m, _ in rows]
    print(f"Pearson r vs human mean: C {pearson([c[r[0]][0] for r in rows], means):.4f}"
          f", Python {pearson(rounded, means):.4f}")


if __name__ == "__main__":
    main()
