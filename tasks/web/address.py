"""Which addresses a fetch may connect to: public ones, plus what the user allow-listed.

Refusing non-public addresses keeps a crawl from being turned against the
machine it runs on or its network (SSRF): loopback services, the LAN, and the
cloud metadata service at 169.254.169.254. A user who crawls an intranet opens
exactly what they name: CIDR ranges (`10.0.0.0/8`) and host names
(`localhost`). A bare "allow private" (`true`, `--allow-private`) opens
loopback and the private ranges only; link-local, multicast, reserved and
unspecified addresses stay refused unless a listed range covers them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# What a bare "allow private" opens: loopback, RFC 1918, carrier-grade NAT, IPv6 unique-local.
PRIVATE_RANGES: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"))

# One label of a host name; the name's length and its labels' are checked apart (`is_host_name`), so
# the pattern has no overlapping quantifiers to backtrack over.
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*+(?<=[a-z0-9_]))?")


def is_host_name(text: str) -> bool:
    """A DNS host name: 1-253 characters, dot-separated labels of 1-63 letters, digits, `-` or `_`,
    none starting or ending with `-`."""
    return 0 < len(text) <= 253 and all(len(label) <= 63 and _HOST_LABEL.fullmatch(label)
                                         for label in text.split("."))

AllowPrivate = bool | str | Sequence[str] | None


def ip_of(address: str) -> IPAddress:
    """The address as an ip_address; an IPv4-mapped IPv6 address as its IPv4 address; no zone id."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified, shared."""
    ip = ip_of(address)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_unspecified)


def _host(name: str) -> str:
    return name.strip().lower().rstrip(".")


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses, plus listed networks (any address in them), plus loopback and private addresses
    of listed hosts (or of every host when `private`)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    private: bool = False

    @classmethod
    def parse(cls, allow: AllowPrivate) -> AddressPolicy:
        """From a setting: False/None (public only), True (loopback and private ranges), or a list (or a
        comma-separated string) of CIDR ranges, addresses and host names. ValueError names a bad item."""
        if allow is None or allow is False:
            return cls()
        if allow is True:
            return cls(private=True)
        items = allow.split(",") if isinstance(allow, str) else list(allow)
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for item in items:
            if not isinstance(item, str):
                raise ValueError(f"{item!r} is not a CIDR range, an address or a host name")
            text = item.strip()
            if not text:
                continue
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
                continue
            except ValueError:
                pass
            if not is_host_name(_host(text)):
                raise ValueError(f"{text!r} is not a CIDR range (10.0.0.0/8), an address or a host name (localhost)")
            hosts.add(_host(text))
        return cls(tuple(networks), frozenset(hosts))

    def permits(self, host: str, address: str) -> bool:
        """May a connection to `host` go to `address`?"""
        ip = ip_of(address)
        if is_public_address(str(ip)):
            return True
        if any(ip.version == n.version and ip in n for n in self.networks):
            return True
        opened = self.private or _host(host) in self.hosts
        return opened and any(ip.version == n.version and ip in n for n in PRIVATE_RANGES)

    def describe(self) -> str:
        """The policy in words, for error messages."""
        if self.private:
            return "allowed: loopback and private ranges"
        named = [*map(str, self.networks), *sorted(self.hosts)]
        return f"allowed: {', '.join(named)}" if named else "allow_private_addresses is off"
