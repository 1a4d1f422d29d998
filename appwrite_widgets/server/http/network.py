"""The client's IP address: the peer, or ``X-Forwarded-For`` as written by a trusted proxy."""

from __future__ import annotations

import ipaddress

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_MAX_HOPS = 16


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(ip: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(ip in net for net in proxies if ip.version == net.version)


def client_ip(peer: str, forwarded_for: str | None, proxies: tuple[IPNetwork, ...]) -> str:
    """The client's address: the peer, or what a trusted proxy says it forwarded.

    Behind a trusted proxy: the rightmost ``X-Forwarded-For`` entry no trusted proxy added.
    Any entry that is not an IP address makes the header worthless: the peer is used.
    """
    peer_ip = _address(peer)
    if peer_ip is None or not forwarded_for or not _trusted(peer_ip, proxies):
        return peer
    hops: list[IPAddress] = []
    for text in forwarded_for.split(",")[-_MAX_HOPS:]:
        hop = _address(text)
        if hop is None:
            return peer
        hops.append(hop)
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop.compressed
    return hops[0].compressed


def parse_network(text: str) -> IPNetwork:
    """A trusted proxy given as an address or a CIDR network; ValueError names a bad one."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError(f"invalid trusted proxy address {text!r}") from None


def from_trusted_proxy(peer: str, proxies: tuple[IPNetwork, ...]) -> bool:
    """True when the peer address is one of the trusted proxies."""
    ip = _address(peer)
    return ip is not None and _trusted(ip, proxies)
