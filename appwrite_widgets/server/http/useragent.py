"""A small User-Agent parser producing Appwrite's session device fields (Matomo-style codes).

Bounded work: only the first :data:`MAX_LENGTH` characters are looked at and every pattern has
bounded repetition, so no input makes it backtrack for long. Sessions parse their agent once,
when they are created.
"""

from __future__ import annotations

import re
from typing import TypedDict

MAX_LENGTH = 512
"""Characters of a User-Agent that are parsed and stored (real ones are well under 300)."""


class Device(TypedDict):
    """The Session fields derived from a User-Agent."""

    osCode: str
    osName: str
    osVersion: str
    clientType: str
    clientCode: str
    clientName: str
    clientVersion: str
    clientEngine: str
    clientEngineVersion: str
    deviceName: str
    deviceBrand: str
    deviceModel: str


_WINDOWS_NT = {"10.0": "10", "6.3": "8.1", "6.2": "8", "6.1": "7", "6.0": "Vista", "5.1": "XP"}

# (regex, clientType, code, name, engine); first match wins, so order matters.
_CLIENTS: tuple[tuple[str, str, str, str, str], ...] = (
    (r"AppwritePythonSDK/([\d.]{1,20})", "library", "", "Appwrite Python SDK", ""),
    (r"python-httpx/([\d.]{1,20})", "library", "", "Python httpx", ""),
    (r"python-requests/([\d.]{1,20})", "library", "", "Python Requests", ""),
    (r"aiohttp/([\d.]{1,20})", "library", "", "aiohttp", ""),
    (r"curl/([\d.]{1,20})", "library", "", "curl", ""),
    (r"HeadlessChrome/([\d.]{1,20})", "browser", "HC", "Headless Chrome", "Blink"),
    (r"Edg(?:e|A|iOS)?/([\d.]{1,20})", "browser", "PS", "Microsoft Edge", "Blink"),
    (r"Chromium/([\d.]{1,20})", "browser", "CR", "Chromium", "Blink"),
    (r"(?:Chrome|CriOS)/([\d.]{1,20})", "browser", "CH", "Chrome", "Blink"),
    (r"(?:Firefox|FxiOS)/([\d.]{1,20})", "browser", "FF", "Firefox", "Gecko"),
    (r"Version/([\d.]{1,20}+)(?: Mobile/\w{1,20}+)? Safari/", "browser", "SF", "Safari", "WebKit"),
    (r"^node(?:-fetch)?(?:/([\d.]{1,20}))?|undici|Node\.js", "library", "", "Node.js", ""),
)

_EMPTY: Device = {
    "osCode": "",
    "osName": "",
    "osVersion": "",
    "clientType": "",
    "clientCode": "",
    "clientName": "",
    "clientVersion": "",
    "clientEngine": "",
    "clientEngineVersion": "",
    "deviceName": "",
    "deviceBrand": "",
    "deviceModel": "",
}


def _short_version(version: str) -> str:
    """``70.0.3538.77`` → ``70.0`` (Appwrite shows major.minor)."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else (f"{parts[0]}.0" if parts[0] else "")


def _os(ua: str) -> tuple[str, str, str]:
    if m := re.search(r"Windows NT ([\d.]{1,20})", ua):
        return "WIN", "Windows", _WINDOWS_NT.get(m.group(1), m.group(1))
    if "Windows" in ua:
        return "WIN", "Windows", ""
    if m := re.search(
        r"(?:iPhone|iPad|iPod(?: touch)?); CPU (?:iPhone )?OS (\d{1,3})(?:_(\d{1,3}))?", ua
    ):
        return "IOS", "iOS", m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
    if m := re.search(r"Android(?: ([\d.]{1,20}))?", ua):
        return "AND", "Android", m.group(1) or ""
    if m := re.search(r"Mac OS X (\d{1,3})[_.](\d{1,3})", ua):
        return "MAC", "Mac", f"{m.group(1)}.{m.group(2)}"
    if "Macintosh" in ua:
        return "MAC", "Mac", ""
    if "CrOS" in ua:
        return "COS", "Chrome OS", ""
    if "Linux" in ua or "X11" in ua:
        return "LIN", "GNU/Linux", ""
    return "", "", ""


def parse(user_agent: str) -> Device:
    """Device/client/OS fields for ``user_agent`` ("" for anything not recognised)."""
    ua = (user_agent or "")[:MAX_LENGTH]
    out: Device = dict(_EMPTY)  # type: ignore[assignment]
    for pattern, ctype, code, name, engine in _CLIENTS:
        m = re.search(pattern, ua)
        if not m:
            continue
        version = _short_version(m.group(1) or "") if m.groups() else ""
        out["clientType"], out["clientCode"], out["clientName"] = ctype, code, name
        out["clientVersion"], out["clientEngine"] = version, engine
        if engine == "Blink":
            out["clientEngineVersion"] = version_of(ua, r"(?:Chrome|Chromium|CriOS)/([\d.]{1,20})")
        elif engine == "Gecko":
            out["clientEngineVersion"] = version_of(ua, r"rv:([\d.]{1,20})")
        elif engine == "WebKit":
            out["clientEngineVersion"] = version_of(ua, r"AppleWebKit/([\d.]{1,20})")
        break
    if out["clientType"] != "library":
        out["osCode"], out["osName"], out["osVersion"] = _os(ua)
        if out["osCode"]:
            if "iPad" in ua or ("Android" in ua and "Mobile" not in ua):
                out["deviceName"] = "tablet"
            elif out["osCode"] in ("AND", "IOS"):
                out["deviceName"] = "smartphone"
            else:
                out["deviceName"] = "desktop"
            if out["osCode"] in ("IOS", "MAC"):
                out["deviceBrand"] = "Apple"
                if m := re.search(r"(iPhone|iPad|iPod)", ua):
                    out["deviceModel"] = m.group(1)
    return out


def version_of(ua: str, pattern: str) -> str:
    """The full version captured by ``pattern`` in ``ua`` ("" when absent)."""
    m = re.search(pattern, ua)
    return m.group(1) if m else ""
