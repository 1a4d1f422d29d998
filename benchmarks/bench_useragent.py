"""User-Agent parsing cost (issue 14, item 2): a 15 KB agent built to make the patterns
backtrack vs a plain unrecognised agent of ``MAX_LENGTH`` characters (the floor: every pattern
scans it to the end). Only the first ``MAX_LENGTH`` characters are parsed and every pattern is
bounded, so the hostile agent may cost only a small multiple of the floor. An ordinary Chrome
agent is shown for scale."""

from __future__ import annotations

import time

from common import Row, fmt_time, median

from appwrite_widgets.server.http import useragent

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
HOSTILE = "Mozilla/5.0 (iPhone" + " Version/1.1" * 1300 + " (iPhone" * 200
PLAIN = ("Mozilla/5.0 (X11) " + "abcdefgh " * 100)[: useragent.MAX_LENGTH]
ROUNDS = 7
CALLS = 200


def _per_call(ua: str) -> float:
    start = time.perf_counter()
    for _ in range(CALLS):
        useragent.parse(ua)
    return (time.perf_counter() - start) / CALLS


def run() -> list[Row]:
    """Median per-call parse time of each agent over alternating rounds."""
    chrome: list[float] = []
    plain: list[float] = []
    hostile: list[float] = []
    for _ in range(ROUNDS):
        chrome.append(_per_call(CHROME))
        plain.append(_per_call(PLAIN))
        hostile.append(_per_call(HOSTILE))
    floor, worst = median(plain), median(hostile)
    return [
        Row("useragent", "parse Chrome agent", fmt_time(median(chrome)), note="for scale"),
        Row("useragent", f"parse {len(PLAIN)}-char plain agent", fmt_time(floor), note="floor"),
        Row(
            "useragent",
            f"parse {len(HOSTILE) // 1000} KB hostile agent",
            fmt_time(worst),
            worst / floor,
            3.0,
            note=f"only the first {useragent.MAX_LENGTH} chars are parsed",
        ),
    ]


if __name__ == "__main__":
    from common import print_table

    print_table(run())
