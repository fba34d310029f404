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


# --- Rules the contract states in words, not in a schema -------------------------------
#
# Every check runs, `positive_data_acceptance` (ST202: a schema-valid request must not get
# a 400/422) included. The contract states each rule it can as a schema (lengths, patterns,
# ranges, enums, exact id patterns); a few rules JSON Schema cannot say are in the
# descriptions: the two paging directions exclude each other, a cursor is one Kiosque
# issued, `published_after` is not later than `published_before`, a schedule is in the
# future, `If-Match` carries the current version (else 412), an admin cannot demote or
# disable themselves, and a reference names something that exists, once. `filter_failure`
# drops an ST202 failure only when the request breaks one of those rules, checked here on the
# request itself (and, for references, against the live API), AND the problem names the
# field of that rule. Any other rejection of a schema-valid request stays a failure.

import base64
import binascii
import json
import urllib.request
from datetime import datetime, timezone

PAGE_FIELDS = {"first", "after", "last", "before"}


def _problem(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _issued_cursor(raw):
    """Whether `raw` has the shape of a cursor Kiosque issues (base64url of {"k":…,"i":n})."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return (
        isinstance(decoded, dict)
        and set(decoded) == {"k", "i"}
        and isinstance(decoded["i"], int)
        and isinstance(decoded["k"], dict)
        and len(decoded["k"]) == 1
    )


def _paging_rule_broken(query, field):
    if field not in PAGE_FIELDS:
        return False
    forward = "first" in query or "after" in query
    backward = "last" in query or "before" in query
    if forward and backward:
        return True
    return any(
        name in query and not _issued_cursor(str(query[name])) for name in ("after", "before")
    )


def _time(raw):
    try:
        at = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _base(response):
    url = response.request.url
    return url[: url.index("/", url.index("//") + 2)]


def _get(base, path, headers):
    auth = {k: v for k, v in (headers or {}).items() if k.lower() == "authorization"}
    request = urllib.request.Request(base + path, headers=auth)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)
    except Exception:  # noqa: BLE001 - a failed look-up keeps the failure
        return None


def _catalogue(base, kind):
    """slug or id -> id of every rubric/author/tag, read from the public lists."""
    keys = {}
    path, after = f"/v1/{kind}?first=100", None
    for _ in range(50):
        page = _get(base, path + (f"&after={after}" if after else ""), None)
        if not isinstance(page, dict):
            return None
        items = page.get("data") or []
        for item in items:
            keys[item["slug"]] = item["id"]
            keys[item["id"]] = item["id"]
        after = (page.get("page") or {}).get("end_cursor")
        if not (page.get("page") or {}).get("has_next_page") or not after:
            break
    return keys


REFERENCE_FIELDS = {
    "rubric": "rubrics",
    "parent": "rubrics",
    "authors": "authors",
    "tags": "tags",
    "author_id": "authors",
}


def _bad_reference(case, response, field):
    kind = REFERENCE_FIELDS.get(field)
    body = case.body if isinstance(case.body, dict) else {}
    if kind is None or body.get(field) is None:
        return False
    keys = _catalogue(_base(response), kind)
    if keys is None:
        return False
    values = body[field] if isinstance(body[field], list) else [body[field]]
    resolved = [keys.get(str(v).strip()) for v in values]
    if field == "parent" and case.path_parameters and resolved[0] is not None:
        own = keys.get(str(case.path_parameters.get("slug", "")))
        # A rubric cannot be its own parent (or ancestor): documented on RubricPatch.
        return own is not None
    return None in resolved or len(set(resolved)) < len(resolved)


def _documented_rejection(case, response):
    problem = _problem(response)
    field = problem.get("field")
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    if response.status_code == 412:
        return "if-match" in headers
    if response.status_code != 422 or not isinstance(field, str):
        return False
    if _paging_rule_broken(query, field):
        return True
    if field in ("published_after", "publishedAfter"):
        after, before = _time(query.get("published_after")), _time(query.get("published_before"))
        return bool(after and before and after > before)
    if field in ("publish_at", "publishAt"):
        at = _time(body.get("publish_at"))
        return bool(at and at <= datetime.now(timezone.utc))
    if case.method == "PATCH" and case.path == "/v1/users/{id}" and field in ("role", "disabled"):
        me = _get(_base(response), "/v1/me", case.headers)
        user = (me or {}).get("data", me) if isinstance(me, dict) else None
        return isinstance(user, dict) and str(user.get("id")) == str(case.path_parameters["id"])
    snake = {"authorId": "author_id"}.get(field, field)
    return bool(_bad_reference(case, response, snake))


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    """Keeps every failure but an ST202 whose request breaks a rule the contract states in
    words (see above), and an ST201 ("schema-violating request accepted") answered 412: the
    request was refused, on its `If-Match` precondition, which HTTP evaluates before the rest
    (Schemathesis' list of refusals lacks 412)."""
    code = getattr(failure, "code", None)
    if code == "ST201":
        headers = {k.lower() for k in (case.headers or {})}
        return not (response.status_code == 412 and "if-match" in headers)
    if code != "ST202":
        return True
    return not _documented_rejection(case, response)
