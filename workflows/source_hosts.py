"""Which hosts a spec's metric source may name: the worker fetches it, so an unchecked URL would
let anyone who writes a spec make the worker call its own network (Temporal, PostgreSQL, cloud
metadata) and read the answer back.

With an allow-list (`BATON_METRIC_SOURCE_HOSTS`) a source's host must match one of its patterns:
names by shell pattern (`*.acme.example`), IP literals by address or network (`10.0.0.0/8`). A host
allowed by name is trusted wherever it resolves. Without one, any host is allowed whose addresses
are all public: loopback, link-local, private, multicast and reserved addresses are refused, on the
address the name resolves to when it is fetched (a name may resolve elsewhere by then). Pure: the
resolving is the reader's.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_LIST = "BATON_METRIC_SOURCE_HOSTS"
_LOCAL_NAMES = ("localhost", "*.localhost", "localhost.localdomain")


class SourceRefused(ValueError):
    """The source's host is not one the worker may fetch from; the message says why."""


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return address


def _public(address: Address) -> bool:
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class SourceHosts:
    names: tuple[str, ...] = ()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> SourceHosts:
        """`a.example, *.corp.example, 127.0.0.1, 10.0.0.0/8`; empty or None: no allow-list."""
        names: list[str] = []
        networks: list[Network] = []
        for pattern in (p.strip().lower() for p in (text or "").split(",")):
            if not pattern:
                continue
            if any(ch.isdigit() for ch in pattern) and ("/" in pattern or _address(pattern)):
                try:
                    networks.append(ipaddress.ip_network(pattern.strip("[]"), strict=False))
                except ValueError:
                    raise SourceRefused(f"{ALLOW_LIST}: {pattern!r} is not an address or "
                                        "network") from None
            elif "/" in pattern or ":" in pattern or any(c.isspace() for c in pattern):
                raise SourceRefused(f"{ALLOW_LIST}: {pattern!r} is not a host pattern (a name "
                                    "such as *.acme.example, an address or a network)")
            else:
                names.append(pattern)
        return cls(tuple(names), tuple(networks))

    @property
    def listed(self) -> bool:
        return bool(self.names or self.networks)

    def _on_list(self, host: str, address: Address | None) -> bool:
        if address is not None:
            return any(address in network for network in self.networks)
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.names)

    def check_url(self, url: str) -> str:
        """The URL's host if it may be named at all (before resolving); else SourceRefused."""
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        if not host:
            raise SourceRefused(f"metric source {url}: no host")
        address = _address(host)
        if self.listed:
            if not self._on_list(host, address):
                raise SourceRefused(f"metric source {url}: host {host} is not on {ALLOW_LIST}")
        elif address is not None and not _public(address):
            raise SourceRefused(f"metric source {url}: {host} is not a public address (allow "
                                f"it explicitly with {ALLOW_LIST})")
        elif address is None and any(fnmatch.fnmatchcase(host, n) for n in _LOCAL_NAMES):
            raise SourceRefused(f"metric source {url}: {host} is this machine (allow it "
                                f"explicitly with {ALLOW_LIST})")
        return host

    def check_resolved(self, url: str, host: str, addresses: list[str]) -> None:
        """Where `host` resolved to, at the moment of connecting (DNS rebinding, redirects)."""
        host = host.lower().rstrip(".")
        literal = _address(host)
        if self.listed:
            if literal is None and self._on_list(host, None):
                return  # allowed by name: trusted wherever it resolves
            if literal is not None and self._on_list(host, literal):
                return
            raise SourceRefused(f"metric source {url}: host {host} is not on {ALLOW_LIST}")
        for text in addresses:
            address = _address(text)
            if address is None or not _public(address):
                raise SourceRefused(f"metric source {url}: {host} resolves to {text}, which is "
                                    f"not a public address (allow it with {ALLOW_LIST})")
