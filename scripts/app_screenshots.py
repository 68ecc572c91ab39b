"""Copies the screenshots that the app page names
(relation_pyramid/static/description/index.html, ``screenshots/<name>.png``)
from the live check's screenshots into the addon, as 256-colour PNGs (a
third of the size; the Apps menu and the app store show them). Run with the
Odoo venv's Python (Pillow), after the live check took them:

    RP_LIVE_SCREENSHOTS=docs/screenshots scripts/live_test.sh
    .local/venv/bin/python scripts/app_screenshots.py [docs/screenshots]
"""
import os
import re
import sys

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESCRIPTION = os.path.join(ROOT, "relation_pyramid", "static", "description")


def main(source):
    with open(os.path.join(DESCRIPTION, "index.html"), encoding="utf-8") as page:
        names = re.findall(r'src="screenshots/([\w-]+\.png)"', page.read())
    target = os.path.join(DESCRIPTION, "screenshots")
    os.makedirs(target, exist_ok=True)
    missing = [
        name for name in names if not os.path.isfile(os.path.join(source, name))
    ]
    if missing:
        sys.exit(
            "not in %s: %s (run the live check first)" % (source, ", ".join(missing))
        )
    for name in names:
        with Image.open(os.path.join(source, name)) as shot:
            small = shot.convert("RGB").quantize(colors=256)
            small.save(os.path.join(target, name), optimize=True)
        print("screenshots/%s" % name)
    return 0


if __name__ == "__main__":
    default = os.path.join(ROOT, "docs", "screenshots")
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else default))
