"""The outbound guard's errors, inside the project's tree (connector/errors.py).

Messages are fixed texts: they name the rule a URL broke or the phase that failed, never the
target's host, its addresses, whether it resolved, or what the socket said. `rule` and
`request_sent` are for the caller's decisions and logs.
"""

from __future__ import annotations

from connector.errors import BadRequestError, ConnectorError


class OutboundError(ConnectorError):
    """Base of every failure of an outbound call."""

    status = 502
    code = "outbound_failed"


class OutboundRefusedError(OutboundError, BadRequestError):
    """The URL (or a redirect's) breaks a rule of the policy; nothing was sent.

    `rule` is one of: syntax, scheme, userinfo, fragment, host, port, address, header.
    """

    status = 400
    code = "outbound_refused"

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class _NoAnswerError(OutboundError):
    """No usable answer. `request_sent` is False only when no byte of the request left
    (refused connection, TLS failure, resolution): only then may a non-idempotent call be
    retried without risk of a repeat."""

    def __init__(self, message: str, *, request_sent: bool) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class OutboundConnectError(_NoAnswerError):
    """The connection, TLS, or the exchange failed."""

    status = 502
    code = "outbound_unreachable"


class OutboundTimeoutError(_NoAnswerError):
    """The total deadline (resolution, connect, send and the whole body read) ran out."""

    status = 504
    code = "outbound_timeout"


class OutboundTooLargeError(OutboundError):
    """The answer's body is larger than the call's `max_response_bytes`; reading stopped."""

    status = 502
    code = "outbound_too_large"
