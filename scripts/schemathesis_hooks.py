"""Schemathesis hooks for Kiosque (loaded by scripts/schemathesis through SCHEMATHESIS_HOOKS).

Schemathesis' own GraphQL "server error" check treats every error that is not a validation
error as a server failure, so a mutation on a random id that answers NOT_FOUND, or a refresh
with a random token that answers UNAUTHENTICATED, counts as a crash. Kiosque's contract is
stricter and checkable: no 5xx ever, every error carries `extensions.code`, and no error is
INTERNAL_SERVER_ERROR. The GraphQL run replaces the built-in check with this one.
"""

import schemathesis


@schemathesis.check
def graphql_errors_are_typed(ctx, response, case):
    """No 5xx; every GraphQL error carries extensions.code, and none is an internal error."""
    if not response.request.url.split("?")[0].endswith("/graphql"):
        return None
    if response.status_code >= 500:
        raise AssertionError(f"server error: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for error in body.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if not isinstance(code, str) or not code:
            raise AssertionError(f"a GraphQL error without extensions.code: {error!r}")
        if code in ("INTERNAL_SERVER_ERROR", "INTERNAL"):
            raise AssertionError(f"an internal error: {error!r}")
    return None
