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
import ipaddress
import json
import re
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


def _published_comment_ids(base, slug):
    """The ids of an article's published comments, read from its public list."""
    from urllib.parse import quote

    ids, after = set(), None
    for _ in range(50):
        path = f"/v1/articles/{quote(slug, safe='')}/comments?first=100" + (f"&after={after}" if after else "")
        page = _get(base, path, None)
        if not isinstance(page, dict):
            return None
        ids.update(item["id"] for item in page.get("data") or [])
        after = (page.get("page") or {}).get("end_cursor")
        if not (page.get("page") or {}).get("has_next_page") or not after:
            return ids
    return ids


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


def _whatwg_ipv4(host):
    """The IPv4 address WHATWG URL parsing reads in `host` (`0`, `127.1`, `0x7f.0.0.1`…);
    `None` when the host is a name, `False` when it is a malformed address."""
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1].lower()
    if not (last.isdigit() or (last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:]))):
        return None
    numbers = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part[1:], 8))
            else:
                numbers.append(int(part, 10))
        except ValueError:
            return False
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        return False
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def _internal_webhook_url(url):
    """Whether a webhook URL breaks the contract's "public address" rule on its face: its host
    is `localhost` (or `*.localhost`), a malformed address, or an address that is not global."""
    if not isinstance(url, str) or "://" not in url:
        return False
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _whatwg_ipv4(host)
    if address is None:
        return False
    return address is False or not address.is_global or address.is_multicast


def _documented_rejection(case, response):
    problem = _problem(response)
    field = problem.get("field")
    query = case.query or {}
    body = case.body if isinstance(case.body, dict) else {}
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    if response.status_code == 412:
        return "if-match" in headers
    if field == "Idempotency-Key" and "different" in str(problem.get("detail")):
        # Reusing a key with another body is a 422, as the IETF Idempotency-Key draft
        # requires; the key's earlier use is state, not in this request.
        return "idempotency-key" in headers
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
    if field == "parent_id" and case.path == "/v1/articles/{slug}/comments":
        # A reply answers a published comment of the same article (the description says so).
        ids = _published_comment_ids(_base(response), str(case.path_parameters.get("slug", "")))
        return ids is not None and str(body.get("parent_id") or "").strip() not in ids
    if field in ("author_name", "author_email") and case.path == "/v1/articles/{slug}/comments":
        # Guests give both (the description says so); a signed-in reader writes as themselves.
        return "authorization" not in headers and not str(body.get(field) or "").strip()
    if field == "url" and case.path.startswith("/v1/webhooks"):
        return _internal_webhook_url(body.get("url"))
    snake = {"authorId": "author_id"}.get(field, field)
    return bool(_bad_reference(case, response, snake))


# Texts the service cleans rather than refuses (a comment's body, a report's reason: markup
# removed, entities decoded, control characters dropped). The contract's pattern for them is
# the text that passes cleaning unchanged, so a request outside it may well be accepted: an
# ST201 whose only broken rule is such a field's pattern is no failure.
CLEANED_TEXT = {
    ("POST", "/v1/articles/{slug}/comments"): "body",
    ("POST", "/v1/comments/{id}/reports"): "reason",
    ("POST", "/v1/articles/{slug}/share"): "message",
}


def _only_cleaned_text_broken(case, failure):
    field = CLEANED_TEXT.get((case.method.upper(), case.path))
    if field is None or response_is_error(failure):
        return False
    message = str(getattr(failure, "message", ""))
    component = message.split("Invalid component:", 1)[-1].strip() if "Invalid component:" in message else ""
    lines = [line.strip() for line in component.splitlines() if line.strip()]
    return len(lines) == 1 and (
        lines[0].startswith(f"in body - {field}:") or lines[0].endswith(f"at /properties/{field}")
    )


def response_is_error(failure):
    return getattr(failure, "status_code", 200) >= 500


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    """Keeps every failure but an ST202 whose request breaks a rule the contract states in
    words (see above), and an ST201 ("schema-violating request accepted") answered 412: the
    request was refused, on its `If-Match` precondition, which HTTP evaluates before the rest
    (Schemathesis' list of refusals lacks 412)."""
    code = getattr(failure, "code", None)
    if code == "ST206":
        return not _documented_graphql_refusal(case, response, failure)
    if code == "ST201":
        headers = {k.lower() for k in (case.headers or {})}
        if response.status_code == 412 and "if-match" in headers:
            return False
        return not _only_cleaned_text_broken(case, failure)
    if code != "ST202":
        return True
    return not _documented_rejection(case, response)


# --- GraphQL: refusals of rules the type system cannot state -----------------------------
#
# GraphQL types say "a String", "an Int": not "1 to 100", "not blank" nor "a Kiosque id". The
# positive-data check (ST206) counts every BAD_USER_INPUT as a valid query refused. As for
# REST, `filter_failure` drops an ST206 only when every error names an argument (or input
# field) whose value, read from the query itself, breaks a rule Kiosque states: a page size
# outside 0 to 100, both directions at once, a cursor Kiosque did not issue, a malformed id,
# a blank required text, a language that is not two letters, `article` given neither or both
# of `slug` and `id`; and for texts, the rule the REST contract states for the field of the
# same name (its pattern and lengths, read from openapi.yaml). A query refused as too complex
# is documented when one of its page sizes is beyond 100 (the complexity of a page counts
# what was asked, up to 1000). Every other refusal stays a failure.

import os

PAGE_SIZES = {"first", "last", "latest", "perRubric"}
CURSORS = {"after", "before"}
REST_NAME = {"query": "q"}
KIND_OF_FIELD = {"commentId": "Comment", "articleId": "Article", "authorId": "Author"}


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_REST_RULES = None


def _rest_rules():
    """camelCase name -> the schemas the REST contract gives the properties and parameters
    of that name (openapi.yaml, references resolved)."""
    global _REST_RULES
    if _REST_RULES is None:
        import yaml

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "openapi.yaml")
        with open(path, encoding="utf-8") as file:
            doc = yaml.safe_load(file)
        schemas = (doc.get("components") or {}).get("schemas", {})

        def resolve(schema):
            while isinstance(schema, dict) and "$ref" in schema:
                schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
            return schema if isinstance(schema, dict) else {}

        rules = {}
        for schema in schemas.values():
            for name, prop in (schema.get("properties") or {}).items():
                rules.setdefault(_camel(name), []).append(resolve(prop))
        for item in (doc.get("paths") or {}).values():
            for operation in item.values():
                for param in (operation.get("parameters") or []) if isinstance(operation, dict) else []:
                    name = _camel(param["name"].replace("-", "_").lower())
                    rules.setdefault(name, []).append(resolve(param.get("schema")))
        _REST_RULES = (rules, resolve)
    return _REST_RULES


def _breaks(schema, value, resolve):
    """Whether `value` breaks a constraint of `schema` (only the constraints it states)."""
    if value is None:
        return False
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            return True
        items = resolve(schema.get("items"))
        return any(_breaks(items, v, resolve) for v in value)
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        low, high = schema.get("minimum"), schema.get("maximum")
        return (low is not None and value < low) or (high is not None and value > high)
    if isinstance(value, str):
        if "enum" in schema and value not in schema["enum"]:
            return True
        if schema.get("pattern") and not re.search(schema["pattern"], value):
            return True
        return len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value))
    return False


def _breaks_rest_rule(name, value):
    rules, resolve = _rest_rules()
    return any(_breaks(schema, value, resolve) for schema in rules.get(name, []))


def _kiosque_id(raw):
    """(kind, number) of a Kiosque global id, or None."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    kind, _, number = text.partition(":")
    if kind not in ("Article", "Author", "Rubric", "Tag", "Comment") or not number.isdigit():
        return None
    return (kind, int(number)) if int(number) > 0 else None


def _values(node):
    """Python values of a GraphQL AST value (literals only: Schemathesis inlines them)."""
    from graphql.utilities import value_from_ast_untyped

    return value_from_ast_untyped(node)


def _fields(document):
    """Every field node of a parsed document, with its arguments as Python values."""
    from graphql.language import FieldNode, visit, Visitor

    found = []

    class Collect(Visitor):
        def enter_field(self, node, *_):
            args = {arg.name.value: _values(arg.value) for arg in node.arguments or []}
            found.append((node.alias.value if node.alias else node.name.value, node.name.value, args))

    visit(document, Collect())
    return found


def _nested(values, name):
    """Every value named `name` in an argument tree (input objects and lists)."""
    out = []
    if isinstance(values, dict):
        for key, value in values.items():
            if key == name:
                out.append(value)
            out.extend(_nested(value, name))
    elif isinstance(values, list):
        for value in values:
            out.extend(_nested(value, name))
    return out


def _page_size_out_of_range(value):
    return isinstance(value, int) and not 0 <= value <= 100


def _at_path(args, field):
    """`(name, [value])` of a field path such as `sources[2].name` in an argument tree."""
    parts = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", field)
    values = None
    name = field
    for key, index in parts:
        if key:
            name = key
            values = _nested(args, key) if values is None else [
                v[key] for v in values if isinstance(v, dict) and key in v
            ]
        else:
            values = [v[int(index)] for v in values or [] if isinstance(v, list) and int(index) < len(v)]
    return name, values or []


def _argument_breaks_rule(name, args, message):
    if "[" in name or "." in name:
        leaf, values = _at_path(args, name)
        return any(_breaks_rest_rule(REST_NAME.get(leaf, leaf), v) for v in values)
    present = {k: v for k, v in args.items() if v is not None}
    if name in PAGE_SIZES | CURSORS:
        if ("first" in present or "after" in present) and ("last" in present or "before" in present):
            return True
        if name in PAGE_SIZES and _page_size_out_of_range(present.get(name)):
            return True
        if name in CURSORS and name in present and not _issued_cursor(str(present[name])):
            return True
    if name in ("slug", "id") and "exactly one" in message:
        return ("slug" in present) == ("id" in present)
    values = _nested(args, name)
    if not values:
        # A field required in words (a guest's name and email): absent is its breach.
        return "required" in message
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    if "is a number" in message:
        # Plain ids (webhooks, deliveries, users, keys) are positive numbers.
        return any(not re.fullmatch(r"\s*[1-9][0-9]{0,17}\s*", str(v)) for v in flat)
    if "Kiosque id" in message or "the ID of" in message:
        ids = [_kiosque_id(str(v).strip()) for v in flat]
        expected = KIND_OF_FIELD.get(name)
        return any(i is None or (expected and i[0] != expected) for i in ids) or (
            "the ID of a" in message and any(i and i[0].lower() not in message.lower() for i in ids)
        )
    if "required" in message:
        return any(v is None or (isinstance(v, str) and not v.strip()) for v in flat)
    if name == "publishAt":
        return any((_time(v) or datetime.max.replace(tzinfo=timezone.utc)) <= datetime.now(timezone.utc) for v in flat)
    if name == "language":
        return any(isinstance(v, str) and not re.fullmatch(r"[a-z]{2}", v.strip()) for v in flat)
    rest_name = REST_NAME.get(name, name)
    return any(_breaks_rest_rule(rest_name, v) for v in values)


def _own_account(case, response, args):
    """Whether `args` change the caller's own account (`updateUser(id:)` on oneself)."""
    me = _get(_base(response), "/v1/me", case.headers)
    user = (me or {}).get("data", me) if isinstance(me, dict) else None
    return isinstance(user, dict) and str(user.get("id")) == str(args.get("id", "")).strip()


def _documented_graphql_refusal(case, response, failure):
    from graphql import parse

    try:
        document = parse(case.body if isinstance(case.body, str) else case.body.get("query", ""))
    except Exception:  # noqa: BLE001 - an unreadable query keeps the failure
        return False
    fields = _fields(document)
    errors = getattr(failure, "errors", None) or []
    for error in errors:
        extensions = error.get("extensions") or {}
        code, name = extensions.get("code"), extensions.get("field")
        if code == "QUERY_TOO_COMPLEX":
            if not any(_page_size_out_of_range(args.get(k)) for _, _, args in fields for k in PAGE_SIZES):
                return False
            continue
        if code != "BAD_USER_INPUT" or not isinstance(name, str):
            return False
        path = [p for p in error.get("path") or [] if isinstance(p, str)]
        candidates = [args for alias, _, args in fields if path and alias == path[-1]] or [
            args for _, _, args in fields
        ]
        message = error.get("message", "")
        if name in REFERENCE_FIELDS and message.startswith("there is no"):
            # A reference names an existing rubric, author or tag: checked against the API.
            keys = _catalogue(_base(response), REFERENCE_FIELDS[name])
            named = [v for args in candidates for value in _nested(args, name)
                     for v in (value if isinstance(value, list) else [value]) if v is not None]
            if keys is None or all(str(v).strip() in keys for v in named):
                return False
            continue
        if name in ("role", "disabled") and "your own" in message:
            if not any(_own_account(case, response, args) for args in candidates):
                return False
            continue
        if not any(_argument_breaks_rule(name, args, message) for args in candidates):
            return False
    return bool(errors)
