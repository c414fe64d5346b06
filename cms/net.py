"""The client's address, for rate limits and audit records.

Behind a reverse proxy every request comes from the proxy's address. Only when
`REMOTE_ADDR` is one of `settings.PORTAL_TRUSTED_PROXIES` (addresses or networks,
env `PORTAL_TRUSTED_PROXIES`, empty by default) is `X-Forwarded-For` read, from the
right: the right-most address that is not itself a trusted proxy is the client (what
a client writes at the left is ignored). Anything unparsable falls back to
`REMOTE_ADDR`.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [
        ipaddress.ip_network(entry, strict=False)
        for entry in getattr(settings, "PORTAL_TRUSTED_PROXIES", [])
    ]


def _parse(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request) -> str | None:
    if request is None:
        return None
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    trusted = _networks()
    if not any(remote in net for net in trusted):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            break
        if not any(address in net for net in trusted):
            return str(address)
    return str(remote)
