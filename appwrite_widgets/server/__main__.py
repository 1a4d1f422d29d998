"""``python -m appwrite_widgets.server`` = ``appwrite-widgets serve``."""

from __future__ import annotations

import sys

from appwrite_widgets.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
