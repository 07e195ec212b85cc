"""Which hosts a spec's metric source may name: the worker fetches it, so an unchecked URL would
let anyone who writes a spec make the worker call its own network (Temporal, PostgreSQL, cloud
metadata) and read the answer back.

With an allow-list (`BATON_METRIC_SOURCE_HOSTS`) a source's host must match one of its patterns:
names by shell pattern (`*.acme.example`), IP literals by address or network (`10.0.0.0/8`). A host
allowed by name is trusted wherever it resolves. Without one, any host is allowed whose addresses
are all public: loopback, link-local, private, multicast and reserved addresses are refused, on the
address the name resolves to when it is fetched (a name may resolve elsewhere by then). Pure: the
resolving is the reader's.

This module is the one rule: a launch, its dry run and the worker's fetch all ask it, so they
cannot disagree. A host is read as an address in every spelling a resolver reads as one (see
`address_of`), so no spelling of a refused address passes for a name.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain import InitiativeSpec, Rejected, RejectionKind

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_LIST = "BATON_METRIC_SOURCE_HOSTS"
SPEC_FIELD = "metric.source.url"
_LOCAL_NAMES = ("localhost", "*.localhost", "localhost.localdomain")
# One part of an IPv4 address as the C library's inet_aton reads it (and getaddrinfo with it):
# hexadecimal after 0x, octal after a leading 0, decimal otherwise.
_IPV4_PART = re.compile(r"0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*")
# IPv6 prefixes that carry an IPv4 address in their last 32 bits and reach it: NAT64's
# well-known prefix. (6to4 is read through `IPv6Address.sixtofour`.)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class SourceRefused(ValueError):
    """The source's host is not one the worker may fetch from; `reason` says why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason


def _ipv4_shorthand(text: str) -> ipaddress.IPv4Address | None:
    """`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`: one to four parts, the last filling the
    bytes the others leave, as inet_aton reads them."""
    parts = text.split(".")
    if len(parts) > 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [int(part, 16) if part.startswith("0x") else int(part, 8) if part.startswith("0")
              else int(part) for part in parts]
    *leading, last = values
    if any(value > 0xFF for value in leading) or last >= 1 << (8 * (4 - len(leading))):
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (24 - 8 * index)
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for on this machine: mapped (`::ffff:127.0.0.1`) or
    compatible (`::127.0.0.1`; `::` and `::1` are IPv6's own)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def canonical_host(host: str) -> str:
    """`host` as a resolver reads it: compatibility forms folded to ASCII as IDNA's mapping folds
    them (fullwidth digits, the ideographic full stop), lower case, no trailing dot."""
    folded = unicodedata.normalize("NFKC", host.strip()).replace("\u3002", ".")
    return folded.lower().rstrip(".")


def address_of(host: str) -> Address | None:
    """The address `host` spells, or None for a name. Brackets, a zone (`%eth0`), trailing dots
    and case are ignored; IPv4 in any inet_aton form; an IPv6 address standing for an IPv4 one
    is that IPv4 address."""
    text = canonical_host(host).removeprefix("[").removesuffix("]").split("%")[0].rstrip(".")
    if ":" not in text:
        return _ipv4_shorthand(text)
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return None
    return _embedded_ipv4(address) or address


def _public(address: Address) -> bool:
    if not address.is_global or address.is_multicast:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        # Relays deliver to the IPv4 address inside: it must be public too.
        relayed = address.sixtofour or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in _NAT64 else None)
        return relayed is None or _public(relayed)
    return True


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
            address = address_of(pattern)
            if address is not None:
                networks.append(ipaddress.ip_network(address))
            elif any(ch.isdigit() for ch in pattern) and "/" in pattern:
                try:
                    networks.append(ipaddress.ip_network(pattern.strip("[]"), strict=False))
                except ValueError:
                    raise SourceRefused(ALLOW_LIST, f"{pattern!r} is not an address or "
                                                    "network") from None
            elif "/" in pattern or ":" in pattern or any(c.isspace() for c in pattern):
                raise SourceRefused(ALLOW_LIST, f"{pattern!r} is not a host pattern (a name "
                                                "such as *.acme.example, an address or a "
                                                "network)")
            else:
                names.append(pattern)
        return cls(tuple(names), tuple(networks))

    @property
    def listed(self) -> bool:
        return bool(self.names or self.networks)

    def _on_list(self, host: str, address: Address | None) -> bool:
        if address is not None:
            # A network written as IPv6 may hold the mapped form of an IPv4 address.
            mapped = (ipaddress.IPv6Address(f"::ffff:{address}")
                      if isinstance(address, ipaddress.IPv4Address) else None)
            return any(address in network or (mapped is not None and mapped in network)
                       for network in self.networks)
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.names)

    def _refusal(self, host: str) -> str | None:
        """Why the worker may not name `host` before resolving it; None if it may."""
        if not host:
            return "the URL names no host"
        address = address_of(host)
        spelled = host if address is None or str(address) == host else f"{host} ({address})"
        if self.listed:
            if not self._on_list(host, address):
                return f"host {spelled} is not on {ALLOW_LIST}"
        elif address is not None and not _public(address):
            return f"{spelled} is not a public address (allow it explicitly with {ALLOW_LIST})"
        elif address is None and any(fnmatch.fnmatchcase(host, n) for n in _LOCAL_NAMES):
            return f"{host} is this machine (allow it explicitly with {ALLOW_LIST})"
        return None

    def check_url(self, url: str) -> str:
        """The URL's host if it may be named at all (before resolving); else SourceRefused."""
        try:
            host = canonical_host(urlsplit(url).hostname or "")
        except ValueError:
            raise SourceRefused(f"metric source {url}", "not a URL with a host") from None
        reason = self._refusal(host)
        if reason is not None:
            raise SourceRefused(f"metric source {url}", reason)
        return host

    def check_spec(self, spec: InitiativeSpec) -> None:
        """A launch, and its dry run alike: a spec whose source the worker would refuse is
        refused now, in one line naming the field."""
        if spec.metric.source is None:
            return
        try:
            self.check_url(spec.metric.source.url)
        except SourceRefused as refused:
            raise Rejected(f"{SPEC_FIELD}: {refused.reason}", RejectionKind.INVALID) from None

    def check_resolved(self, url: str, host: str, addresses: list[str]) -> None:
        """Where `host` resolved to, at the moment of connecting (DNS rebinding, redirects)."""
        host = canonical_host(host)
        where = f"metric source {url}"
        reason = self._refusal(host)
        if reason is not None:
            raise SourceRefused(where, reason)  # a redirect's host is checked here first
        if self.listed:
            return  # on the list, by name (trusted wherever it resolves) or by address
        for text in addresses:
            address = address_of(text)
            if address is None or not _public(address):
                raise SourceRefused(where, f"{host} resolves to {text}, which is not a public "
                                           f"address (allow it with {ALLOW_LIST})")
