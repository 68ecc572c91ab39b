"""Draws the addon's icon, relation_pyramid/static/description/icon.png
(128 x 128): the customer pyramid in the levels' colours (top, big, medium,
small, as in the views and prints) on a light tile, with an arrow up for
customers moving up. Run with the Odoo venv's Python (Pillow):

    .local/venv/bin/python scripts/draw_icon.py [output.png]
"""
import os
import sys
from PIL import Image, ImageDraw

S = 4  # supersampling
W = 128 * S
img = Image.new("RGBA", (W, W), (0, 0, 0, 0))
d = ImageDraw.Draw(img)


def rounded_square(box, radius, fill):
    x0, y0, x1, y1 = box
    d.rectangle([x0 + radius, y0, x1 - radius, y1], fill=fill)
    d.rectangle([x0, y0 + radius, x1, y1 - radius], fill=fill)
    for cx_, cy_ in [(x0, y0), (x1 - 2 * radius, y0), (x0, y1 - 2 * radius),
                     (x1 - 2 * radius, y1 - 2 * radius)]:
        d.ellipse([cx_, cy_, cx_ + 2 * radius, cy_ + 2 * radius], fill=fill)


rounded_square([0, 0, W - 1, W - 1], 22 * S, (207, 216, 220, 255))
rounded_square([2 * S, 2 * S, W - 1 - 2 * S, W - 1 - 2 * S], 20 * S,
               (245, 247, 250, 255))
colors = ["#b8860b", "#2e7d32", "#1565c0", "#78909c"]
apex_y, base_y = 18 * S, 108 * S
cx, half_base = 54 * S, 44 * S
gap = 4 * S
# band heights grow downwards like the pyramid's shares (1, 4, 15, 80 %,
# drawn as 1 : 1.2 : 1.5 : 1.8 so the top stays visible)
weights = [1.0, 1.2, 1.5, 1.8]
total = base_y - apex_y - gap * 3
ys = [apex_y]
for w in weights:
    ys.append(ys[-1] + total * w / sum(weights) + gap)


def half_width(y):
    return half_base * (y - apex_y) / (base_y - apex_y)


for i, color in enumerate(colors):
    y0, y1 = ys[i], ys[i + 1] - gap
    if i == len(colors) - 1:
        y1 = base_y
    pts = [(cx - half_width(y0), y0), (cx + half_width(y0), y0),
           (cx + half_width(y1), y1), (cx - half_width(y1), y1)]
    if i == 0:
        pts = [(cx, y0), (cx + half_width(y1), y1), (cx - half_width(y1), y1)]
    d.polygon(pts, fill=color)
# an upward arrow at the side: customers moving up the pyramid
ax = 112 * S
d.line([(ax, 96 * S), (ax, 40 * S)], fill="#2e7d32", width=5 * S)
d.polygon([(ax - 9 * S, 44 * S), (ax + 9 * S, 44 * S), (ax, 30 * S)], fill="#2e7d32")
img = img.resize((128, 128), Image.LANCZOS)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
default = os.path.join(ROOT, "relation_pyramid", "static", "description", "icon.png")
img.save(sys.argv[1] if len(sys.argv) > 1 else default, optimize=True)
