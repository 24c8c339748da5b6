#!/usr/bin/env python3
"""Draws compare.sh's results as an SVG: my-data latency (p50 solid, p99 dashed) against records
in the database (left) and records of the person (right), one colour per database, log scales.
Standard library only: the SVG is written as text.

usage: chart.py RESULTS.tsv OUT.svg
"""
import csv
import math
import sys
from xml.sax.saxutils import escape

ROWS = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
OUT = sys.argv[2]
COLOURS = {"sqlite": "#1f77b4", "postgres": "#d62728", "postgres-tuned": "#2ca02c"}
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "postgres-tuned": "PostgreSQL, tuned connection string"}
PANEL_W, PANEL_H, MARGIN_L, MARGIN_T, GAP = 360, 260, 60, 50, 70
WIDTH = MARGIN_L + 2 * PANEL_W + GAP + 20
HEIGHT = MARGIN_T + PANEL_H + 110

latencies = [float(r[k]) for r in ROWS for k in ("p50_ms", "p99_ms") if float(r[k]) > 0]
y_top = 10 ** math.ceil(math.log10(max(latencies))) if latencies else 1000
y_bottom = 10 ** math.floor(math.log10(min(latencies))) if latencies else 1
y_bottom = min(y_bottom, y_top / 10)


def label(n):
    n = float(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000:
        return f"{n / 1_000:g}k"
    return f"{n:g}"


def panel(x0, title, curve, xs):
    out = []
    lo, hi = math.log10(min(xs)), math.log10(max(xs))
    span = (hi - lo) or 1

    def px(x):
        return x0 + (math.log10(x) - lo) / span * PANEL_W

    def py(y):
        return MARGIN_T + PANEL_H - (math.log10(max(y, y_bottom)) - math.log10(y_bottom)) / (math.log10(y_top) - math.log10(y_bottom)) * PANEL_H

    out.append(f'<rect x="{x0}" y="{MARGIN_T}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{MARGIN_T - 12}" text-anchor="middle" font-weight="bold">{escape(title)}</text>')
    decade = y_bottom
    while decade <= y_top:
        for step in (1, 2, 5):
            y = decade * step
            if y_bottom <= y <= y_top:
                out.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#eee"/>')
                out.append(f'<text x="{x0 - 6}" y="{py(y) + 4:.1f}" text-anchor="end" font-size="11">{label(y)}</text>')
        decade *= 10
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{MARGIN_T}" y2="{MARGIN_T + PANEL_H}" stroke="#eee"/>')
        out.append(f'<text x="{px(x):.1f}" y="{MARGIN_T + PANEL_H + 16}" text-anchor="middle" font-size="11">{label(x)}</text>')
    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{MARGIN_T + PANEL_H + 34}" text-anchor="middle" font-size="12">'
               f'{"records in the database" if curve == "database" else "records of the person"}</text>')
    for database, colour in COLOURS.items():
        points = sorted((float(r["records"]), float(r["p50_ms"]), float(r["p99_ms"])) for r in ROWS if r["database"] == database and r["curve"] == curve)
        for index, dash in ((1, ""), (2, ' stroke-dasharray="5,4"')):
            if len(points) > 1:
                path = " ".join(f"{px(p[0]):.1f},{py(p[index]):.1f}" for p in points)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
            for p in points:
                out.append(f'<circle cx="{px(p[0]):.1f}" cy="{py(p[index]):.1f}" r="3" fill="{colour}"><title>{escape(NAMES[database])}, '
                           f'{label(p[0])} records: {"p50" if index == 1 else "p99"} {p[index]:g} ms</title></circle>')
    return out


def xs_of(curve):
    # Ticks at the sizes of the curves themselves; the tuned point is drawn where its count falls.
    return sorted({float(r["records"]) for r in ROWS if r["curve"] == curve and r["database"] != "postgres-tuned"}) or [1, 10]


svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
       'font-family="sans-serif" font-size="13">',
       f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
       f'<text x="{MARGIN_L}" y="20" font-size="15" font-weight="bold">my-data latency, ms (log scale): p50 solid, p99 dashed</text>',
       f'<text x="16" y="{MARGIN_T + PANEL_H / 2}" transform="rotate(-90 16 {MARGIN_T + PANEL_H / 2})" text-anchor="middle" font-size="12">ms</text>']
svg += panel(MARGIN_L, "one person (10 records), growing database", "database", xs_of("database"))
svg += panel(MARGIN_L + PANEL_W + GAP, "largest database, growing person", "person", xs_of("person"))
legend_y = MARGIN_T + PANEL_H + 60
x = MARGIN_L
for database, colour in COLOURS.items():
    if any(r["database"] == database for r in ROWS):
        svg.append(f'<line x1="{x}" x2="{x + 24}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" stroke-width="3"/>')
        svg.append(f'<text x="{x + 30}" y="{legend_y + 4}">{escape(NAMES[database])}</text>')
        x += 60 + 8 * len(NAMES[database])
loads = sorted({r["load"] for r in ROWS}, key=float)
if loads:
    svg.append(f'<text x="{MARGIN_L}" y="{legend_y + 26}" font-size="11" fill="#555">wrk at the same concurrency for every point; '
               f'load average during the points {loads[0]}-{loads[-1]} on 2 shared cores</text>')
svg.append("</svg>")
with open(OUT, "w") as f:
    f.write("\n".join(svg) + "\n")
