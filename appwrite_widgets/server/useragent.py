"""A small User-Agent parser producing Appwrite's session device fields (Matomo-style codes)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TypedDict


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
    (r"AppwritePythonSDK/([\d.]+)", "library", "", "Appwrite Python SDK", ""),
    (r"python-httpx/([\d.]+)", "library", "", "Python httpx", ""),
    (r"python-requests/([\d.]+)", "library", "", "Python Requests", ""),
    (r"aiohttp/([\d.]+)", "library", "", "aiohttp", ""),
    (r"curl/([\d.]+)", "library", "", "curl", ""),
    (r"HeadlessChrome/([\d.]+)", "browser", "HC", "Headless Chrome", "Blink"),
    (r"Edg(?:e|A|iOS)?/([\d.]+)", "browser", "PS", "Microsoft Edge", "Blink"),
    (r"Chromium/([\d.]+)", "browser", "CR", "Chromium", "Blink"),
    (r"(?:Chrome|CriOS)/([\d.]+)", "browser", "CH", "Chrome", "Blink"),
    (r"(?:Firefox|FxiOS)/([\d.]+)", "browser", "FF", "Firefox", "Gecko"),
    (r"Version/([\d.]+).*Safari/", "browser", "SF", "Safari", "WebKit"),
    (r"^node(?:-fetch)?(?:/([\d.]+))?|undici|Node\.js", "library", "", "Node.js", ""),
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
    if m := re.search(r"Windows NT ([\d.]+)", ua):
        return "WIN", "Windows", _WINDOWS_NT.get(m.group(1), m.group(1))
    if "Windows" in ua:
        return "WIN", "Windows", ""
    if m := re.search(r"(?:iPhone|iPad|iPod).*? OS (\d+)(?:_(\d+))?", ua):
        return "IOS", "iOS", m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
    if m := re.search(r"Android(?: ([\d.]+))?", ua):
        return "AND", "Android", m.group(1) or ""
    if m := re.search(r"Mac OS X (\d+)[_.](\d+)", ua):
        return "MAC", "Mac", f"{m.group(1)}.{m.group(2)}"
    if "Macintosh" in ua:
        return "MAC", "Mac", ""
    if "CrOS" in ua:
        return "COS", "Chrome OS", ""
    if "Linux" in ua or "X11" in ua:
        return "LIN", "GNU/Linux", ""
    return "", "", ""


@lru_cache(maxsize=256)
def parse(user_agent: str) -> Device:
    """Device/client/OS fields for ``user_agent`` ("" for anything not recognised)."""
    ua = user_agent or ""
    out: Device = dict(_EMPTY)  # type: ignore[assignment]
    for pattern, ctype, code, name, engine in _CLIENTS:
        m = re.search(pattern, ua)
        if not m:
            continue
        version = _short_version(m.group(1) or "") if m.groups() else ""
        out["clientType"], out["clientCode"], out["clientName"] = ctype, code, name
        out["clientVersion"], out["clientEngine"] = version, engine
        if engine == "Blink":
            out["clientEngineVersion"] = version_of(ua, r"(?:Chrome|Chromium|CriOS)/([\d.]+)")
        elif engine == "Gecko":
            out["clientEngineVersion"] = version_of(ua, r"rv:([\d.]+)")
        elif engine == "WebKit":
            out["clientEngineVersion"] = version_of(ua, r"AppleWebKit/([\d.]+)")
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
