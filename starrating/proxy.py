"""What the app believes of a request's origin: the client address, behind a proxy or not.

Without a trusted reverse proxy (settings.TRUSTED_PROXY_COUNT = 0, the default) the client
is REMOTE_ADDR, and X-Forwarded-For is the client's own say-so: ignored. Behind N proxies
(DJANGO_BEHIND_PROXY=N), each appends the address it received the request from, so the
N-th entry from the right was written by our first proxy; everything left of it came from
the client and is ignored too.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's address, for the login lockout (django-axes' AXES_CLIENT_IP_CALLABLE)
    and the ballot throttle. Falls back to REMOTE_ADDR when the proxy sent no usable entry,
    which puts such requests together under the proxy's own address: stricter, never looser.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
