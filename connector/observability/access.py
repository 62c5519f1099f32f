"""Who may read the service's own figures without a token: loopback clients only."""

from __future__ import annotations

import ipaddress


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and their IPv4-mapped form; False for anything else."""
    try:
        parsed = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return (mapped or parsed).is_loopback
