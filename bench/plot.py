#!/usr/bin/env python3
"""Plots bench/out/results.env (key=value lines from the bench scripts).

usage: plot.py RESULTS.env OUT.svg

Left: articles/s per core (log scale) of inkstream's enrichment alone, of
the inkstream worker end to end, and of the Python peer.  Right: CPU
seconds per MB of text against article length (flat = linear).  Uses
matplotlib when it imports (the bench venv installs it), else writes the
same two panels as hand-made SVG.
"""
import math
import sys


def load(path):
    res = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            try:
                res[k] = float(v)
            except ValueError:
                pass
    return res


def series(res):
    bars = [("inkstream\nenrichment only", res.get("enrich_articles_per_cpu_s")),
            ("inkstream\nworker end to end", res.get("e2e_articles_per_cpu_s")),
            ("Python peer\nspaCy + VADER", res.get("peer_py_steady_articles_per_cpu_s"))]
    bars = [(k, v) for k, v in bars if v]
    sizes = sorted((int(k.split("_")[1]), v) for k, v in res.items()
                   if k.startswith("scale_") and k.endswith("_cpu_s_per_mb"))
    return bars, sizes


def label(size):
    return f"{size // 1000000} MB" if size >= 1000000 else f"{size // 1000} KB"


def with_matplotlib(bars, sizes, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    names = [k for k, _ in bars]
    vals = [v for _, v in bars]
    a.bar(names, vals, color=["#2a6f97", "#468faf", "#c8553d"][:len(vals)])
    a.set_yscale("log")
    a.set_ylim(bottom=1)
    a.set_ylabel("articles/s per core (log)")
    a.set_title("Throughput per CPU core")
    for i, v in enumerate(vals):
        a.text(i, v * 1.1, f"{v:,.1f}", ha="center")
    b.plot([label(s) for s, _ in sizes], [v for _, v in sizes], "o-",
           color="#2a6f97")
    b.set_ylim(0, max([v for _, v in sizes] + [0.1]) * 1.4)
    b.set_ylabel("CPU seconds per MB of text")
    b.set_xlabel("article length")
    b.set_title("Enrichment cost vs article length (flat = linear)")
    fig.tight_layout()
    fig.savefig(out)


def by_hand(bars, sizes, out):
    w, h, pad = 900, 360, 60
    el = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
          'font-family="sans-serif" font-size="12">',
          f'<rect width="{w}" height="{h}" fill="white"/>']
    # left: log-scale bars
    top = max(v for _, v in bars) if bars else 1
    lo, hi = 0, math.ceil(math.log10(top) + 0.3)
    x0, y0, pw, ph = pad, h - pad, w / 2 - 1.5 * pad, h - 2 * pad
    el.append(f'<text x="{x0}" y="20" font-size="14">Throughput per CPU core '
              '(articles/s, log)</text>')
    for e in range(lo, hi + 1):
        y = y0 - ph * (e - lo) / (hi - lo)
        el.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                  f'<text x="{x0 - 8}" y="{y + 4}" text-anchor="end">{10 ** e:g}</text>')
    colors = ["#2a6f97", "#468faf", "#c8553d"]
    bw = pw / max(len(bars), 1)
    for i, (name, v) in enumerate(bars):
        bh = ph * (math.log10(max(v, 1)) - lo) / (hi - lo)
        x = x0 + i * bw + bw * 0.15
        el.append(f'<rect x="{x}" y="{y0 - bh}" width="{bw * 0.7}" height="{bh}" '
                  f'fill="{colors[i % 3]}"/><text x="{x + bw * 0.35}" y="{y0 - bh - 5}" '
                  f'text-anchor="middle">{v:,.1f}</text>')
        for j, part in enumerate(name.split("\n")):
            el.append(f'<text x="{x + bw * 0.35}" y="{y0 + 16 + 14 * j}" '
                      f'text-anchor="middle">{part}</text>')
    # right: CPU s per MB against article length
    x1 = w / 2 + pad
    el.append(f'<text x="{x1}" y="20" font-size="14">CPU s per MB vs article '
              'length (flat = linear)</text>')
    ymax = max([v for _, v in sizes] + [0.1]) * 1.4
    for k in range(5):
        y = y0 - ph * k / 4
        el.append(f'<line x1="{x1}" x2="{x1 + pw}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                  f'<text x="{x1 - 8}" y="{y + 4}" text-anchor="end">{ymax * k / 4:.2f}</text>')
    pts = []
    for i, (s, v) in enumerate(sizes):
        x = x1 + pw * (i + 0.5) / len(sizes)
        y = y0 - ph * v / ymax
        pts.append(f"{x},{y}")
        el.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#2a6f97"/>'
                  f'<text x="{x}" y="{y0 + 16}" text-anchor="middle">{label(s)}</text>'
                  f'<text x="{x}" y="{y - 8}" text-anchor="middle">{v:.2f}</text>')
    if pts:
        el.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="#2a6f97"/>')
    el.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(el) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    bars, sizes = series(load(sys.argv[1]))
    try:
        with_matplotlib(bars, sizes, sys.argv[2])
    except ImportError:
        by_hand(bars, sizes, sys.argv[2])
    print(f"plot: {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
