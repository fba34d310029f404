#!/usr/bin/env python3
"""Kiosque vs PostGraphile v4 on the same PostgreSQL: the orchestrator behind `bench/run`.

Python 3.11, standard library only. Everything it starts (Kiosque, PostGraphile, wrk) is
started by PID and stopped by PID in a `finally`, on failure and on Ctrl-C / SIGTERM too.
See bench/README.md for what it does and its options.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
import platform
import pwd
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kiosque-bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")

PAGES = ["home", "article", "filter", "trivial"]
FILTER_PAGE = 20
FILTER_SKIP = 2 * FILTER_PAGE  # the third page
FILTER_YEARS_DAYS = 1096  # a 3-year date range

# The targets of the issue, Kiosque (GraphQL) against PostGraphile.
TARGET_RATIO = {"home": 3.0, "article": 2.5, "filter": 1.5, "trivial": 2.0}
TARGET_P99_32 = {"home": 15.0, "article": 25.0, "filter": 60.0, "trivial": 3.0}
TARGET_P50_1 = {"home": 0.4, "article": 0.6, "filter": 1.5, "trivial": 0.1}
TARGET_CPU = {"home": 0.15, "article": 0.15}
REST_TOLERANCE = 0.10


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Queries. Whitespace is collapsed before sending; both systems get the same selection.

KIOSQUE_GQL = {
    "home": """query Home { articles(first: 20) { nodes { title slug standfirst publishedAt
        authors { name slug } rubric { name slug } } } }""",
    "article": """query Article($slug: String!) { article(slug: $slug) { title slug standfirst body
        publishedAt authors { name slug bio } rubric { name slug }
        moreInRubric(first: 5) { title slug publishedAt }
        comments(first: 50) { nodes { authorName body createdAt } } } }""",
    "filter": """query Filter($rubric: String!, $author: String!, $from: DateTime!, $to: DateTime!,
        $after: String) { articles(first: 20, after: $after, filter: { rubric: $rubric,
        author: $author, publishedAfter: $from, publishedBefore: $to }) { totalCount
        nodes { title slug standfirst publishedAt authors { name } rubric { name } } } }""",
    "trivial": "{ __typename }",
    # Cursor preparation (not measured).
    "filter_cursor": """query FilterCursor($rubric: String!, $author: String!, $from: DateTime!,
        $to: DateTime!, $after: String) { articles(first: 20, after: $after, filter: {
        rubric: $rubric, author: $author, publishedAfter: $from, publishedBefore: $to }) {
        totalCount pageInfo { endCursor hasNextPage } } }""",
}

# PostGraphile v4 has no notion of "published": the reader's visibility rule is spelled out
# with connection-filter (status in published/scheduled, published_at <= $now), and $now is
# the time the request file was written (rewritten before every measured cell).
_VISIBLE = 'status: { in: ["published", "scheduled"] }'
_AUTHORS = "articleAuthorsByArticleId(orderBy: [POSITION_ASC, AUTHOR_ID_ASC]) { nodes { authorByAuthorId { %s } } }"
POSTGRAPHILE_GQL = {
    "home": """query Home($now: Datetime!) { allArticles(first: 20, orderBy: [PUBLISHED_AT_DESC, ID_DESC],
        filter: { %s, publishedAt: { lessThanOrEqualTo: $now } }) { nodes { title slug standfirst
        publishedAt %s rubricByRubricId { name slug } } } }""" % (_VISIBLE, _AUTHORS % "displayName slug"),
    "article": """query Article($slug: String!, $now: Datetime!) { allArticles(first: 1,
        condition: { slug: $slug }, filter: { %s, publishedAt: { lessThanOrEqualTo: $now } }) {
        nodes { title slug standfirst body publishedAt %s
        rubricByRubricId { name slug articlesByRubricId(first: 5, orderBy: [PUBLISHED_AT_DESC, ID_DESC],
          filter: { %s, publishedAt: { lessThanOrEqualTo: $now }, slug: { notEqualTo: $slug } }) {
          nodes { title slug publishedAt } } }
        commentsByArticleId(first: 50, orderBy: [CREATED_AT_ASC, ID_ASC], condition: { status: "approved" }) {
          nodes { authorName body createdAt } } } } }"""
    % (_VISIBLE, _AUTHORS % "displayName slug bio", _VISIBLE),
    "filter": """query Filter($rubric: String!, $author: String!, $from: Datetime!, $to: Datetime!,
        $now: Datetime!, $after: Cursor) { allArticles(first: 20, after: $after,
        orderBy: [PUBLISHED_AT_DESC, ID_DESC], filter: { %s,
        publishedAt: { lessThanOrEqualTo: $now, greaterThanOrEqualTo: $from, lessThan: $to },
        rubricByRubricId: { slug: { equalTo: $rubric } },
        articleAuthorsByArticleId: { some: { authorByAuthorId: { slug: { equalTo: $author } } } } }) {
        totalCount nodes { title slug standfirst publishedAt %s rubricByRubricId { name } } } }"""
    % (_VISIBLE, _AUTHORS % "displayName"),
    "trivial": "{ __typename }",
    "filter_cursor": """query FilterCursor($rubric: String!, $author: String!, $from: Datetime!,
        $to: Datetime!, $now: Datetime!, $after: Cursor) { allArticles(first: 20, after: $after,
        orderBy: [PUBLISHED_AT_DESC, ID_DESC], filter: { %s,
        publishedAt: { lessThanOrEqualTo: $now, greaterThanOrEqualTo: $from, lessThan: $to },
        rubricByRubricId: { slug: { equalTo: $rubric } },
        articleAuthorsByArticleId: { some: { authorByAuthorId: { slug: { equalTo: $author } } } } }) {
        totalCount pageInfo { endCursor hasNextPage } } }""" % _VISIBLE,
}


def squash(query: str) -> str:
    return " ".join(query.split())


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------------------------
# Processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path | None = None


class Processes:
    """Everything this run started, stopped by PID (TERM, then KILL after a grace period)."""

    def __init__(self) -> None:
        self.procs: list[Proc] = []

    def start(self, name: str, argv: list[str], env: dict, log_path: Path | None, cwd: Path | None = None,
              nice: int = 0) -> Proc:
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        popen = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=str(cwd) if cwd else None, start_new_session=True,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        if log_path:
            out.close()
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        log(f"started {name} (pid {popen.pid})")
        return proc

    def stop(self, proc: Proc, grace: float = 5.0) -> None:
        p = proc.popen
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                log(f"{proc.name} (pid {p.pid}) did not stop on SIGTERM: SIGKILL")
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=5)
            log(f"stopped {proc.name} (pid {p.pid})")
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in list(reversed(self.procs)):
            try:
                self.stop(proc)
            except Exception as exc:  # keep stopping the others
                log(f"could not stop {proc.name}: {exc}")


PROCS = Processes()


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(argv: list[str], check: bool = True, capture: bool = True, env: dict | None = None,
        timeout: float | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    res = subprocess.run(argv, capture_output=capture, text=True, env=env, timeout=timeout, input=input)
    if check and res.returncode != 0:
        raise BenchError(f"command failed ({res.returncode}): {' '.join(argv)}\n{(res.stderr or '')[-3000:]}")
    return res


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_http(url: str, proc: Proc, timeout: float = 90.0, body: bytes | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            tail = proc.log_path.read_text(errors="replace")[-3000:] if proc.log_path else ""
            raise BenchError(f"{proc.name} exited with {proc.popen.returncode} before it was ready:\n{tail}")
        try:
            req = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
            with urllib.request.urlopen(req, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.25)
    raise BenchError(f"{proc.name} was not ready at {url} after {timeout:.0f} s")


# --------------------------------------------------------------------------------------------
# CPU accounting from /proc


def proc_ticks(pid: int) -> tuple[int, int]:
    """(utime+stime, cutime+cstime) of one process, in clock ticks."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        data = f.read().decode(errors="replace")
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14 -> index 11
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def postgres_ticks(uid: int | None) -> int:
    """CPU of the whole PostgreSQL cluster: every live process of the postgres user, plus what
    the postmaster reaped from exited children (cutime+cstime)."""
    if uid is None:
        return 0
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != uid:
                continue
            own, children = proc_ticks(int(entry))
            with open(f"/proc/{entry}/stat", "rb") as f:
                data = f.read().decode(errors="replace")
            ppid = int(data[data.rindex(")") + 2:].split()[1])
            total += own
            if ppid == 1 or os.stat(f"/proc/{ppid}").st_uid != uid:
                total += children  # the postmaster: its reaped backends
        except (FileNotFoundError, ProcessLookupError, ValueError, PermissionError):
            continue
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


# --------------------------------------------------------------------------------------------
# HTTP


def http_json(url: str, body: dict | None = None, timeout: float = 60.0) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json", "accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")


def gql(base: str, query: str, variables: dict | None = None) -> dict:
    status, doc = http_json(base + "/graphql", {"query": squash(query), "variables": variables or {}})
    if status != 200 or not isinstance(doc, dict) or doc.get("errors") or "data" not in doc:
        raise BenchError(f"GraphQL request to {base} failed ({status}): {str(doc)[:2000]}\nvariables: {variables}")
    return doc["data"]


def rest(base: str, path: str) -> dict:
    status, doc = http_json(base + path)
    if status != 200 or not isinstance(doc, dict):
        raise BenchError(f"REST request {base}{path} failed ({status}): {str(doc)[:2000]}")
    return doc


# --------------------------------------------------------------------------------------------
# Systems


@dataclass
class System:
    key: str          # kiosque-gql, postgraphile, kiosque-rest, sqlite-gql, sqlite-rest
    label: str
    kind: str         # kiosque | postgraphile
    api: str          # graphql | rest
    engine: str       # postgres | sqlite
    base: str
    proc: Proc | None = None
    cursors: dict = field(default_factory=dict)  # filter tuple index -> cursor of page 3

    @property
    def pid(self) -> int:
        return self.proc.popen.pid


# --------------------------------------------------------------------------------------------
# Setup steps


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log("installing wrk from Debian's packages")
    res = run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    if res.returncode != 0:
        run(sudo + ["apt-get", "update", "-qq"])
        run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"])
    path = shutil.which("wrk")
    if not path:
        raise BenchError("wrk is not installed and could not be installed")
    return path


def ensure_node() -> None:
    if shutil.which("node") and shutil.which("npm"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log("installing Node.js and npm from Debian's packages")
    run(sudo + ["apt-get", "update", "-qq"])
    run(sudo + ["apt-get", "install", "-y", "-qq", "nodejs", "npm"])


def ensure_postgraphile() -> Path:
    """npm-installs the pinned PostGraphile + plugin into CACHE/node (outside the clone)."""
    ensure_node()
    node_dir = CACHE / "node"
    node_dir.mkdir(parents=True, exist_ok=True)
    wanted = json.loads((BENCH / "postgraphile" / "package.json").read_text())["dependencies"]

    def installed_ok() -> bool:
        for name, version in wanted.items():
            pj = node_dir / "node_modules" / name / "package.json"
            if not pj.exists() or json.loads(pj.read_text()).get("version") != version:
                return False
        return True

    if not installed_ok():
        shutil.copy(BENCH / "postgraphile" / "package.json", node_dir / "package.json")
        log(f"npm install {' '.join(f'{k}@{v}' for k, v in wanted.items())} into {node_dir}")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--omit=dev", "--loglevel=error"],
                       cwd=node_dir, check=True, timeout=600)
        if not installed_ok():
            raise BenchError("PostGraphile could not be installed")
    return node_dir / "node_modules"


def build_kiosque(args) -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target")
    binary = Path(args.binary) if args.binary else target / "release" / "kiosque"
    if not args.no_build and not args.binary:
        log("cargo build --release")
        res = subprocess.run(["cargo", "build", "--release", "--bin", "kiosque"], cwd=REPO)
        if res.returncode != 0:
            raise BenchError("cargo build --release failed")
    if not binary.exists():
        raise BenchError(f"no Kiosque binary at {binary} (build it, or drop --no-build)")
    # Run a private copy: a rebuild during the run must not change the binary under us.
    copy = args.run_dir / "kiosque"
    shutil.copy2(binary, copy)
    return copy


def psql(args, sql: str, db: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-d", f"{args.pg_admin}/{db or args.db}", "-c", sql],
               check=check)


def ensure_postgres_seeded(args, kiosque: Path) -> None:
    exists = psql(args, f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'", db="postgres").stdout.strip() == "1"
    seeded = False
    if exists:
        res = psql(args, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM comments)", check=False)
        if res.returncode == 0:
            counts = res.stdout.strip().split("\t")
            seeded = counts == [str(args.articles), str(args.comments)]
            if not seeded:
                log(f"database {args.db} holds {counts} articles/comments, not {args.articles}/{args.comments}: recreating it")
        if args.reseed:
            seeded = False
    if seeded:
        log(f"database {args.db} already seeded ({args.articles} articles, {args.comments} comments)")
        return
    if exists:
        psql(args, f'DROP DATABASE "{args.db}" WITH (FORCE)', db="postgres")
    psql(args, f'CREATE DATABASE "{args.db}"', db="postgres")
    log(f"seeding {args.db}: {args.articles} articles, {args.comments} comments")
    env = {**os.environ, "KIOSQUE_DATABASE_URL": f"{args.pg_admin}/{args.db}", "RUST_LOG": "warn"}
    t0 = time.monotonic()
    res = subprocess.run([str(kiosque), "seed", "--articles", str(args.articles), "--comments", str(args.comments)],
                         env=env, stdout=subprocess.DEVNULL)
    if res.returncode != 0:
        raise BenchError("kiosque seed failed on PostgreSQL")
    psql(args, "VACUUM ANALYZE")
    log(f"seeded PostgreSQL in {time.monotonic() - t0:.0f} s")


def ensure_sqlite_seeded(args, kiosque: Path) -> Path:
    path = CACHE / "sqlite" / "kiosque_bench.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    seeded = False
    if path.exists() and not args.reseed:
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            counts = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM comments)").fetchone()
            con.close()
            seeded = list(counts) == [args.articles, args.comments]
        except sqlite3.Error:
            seeded = False
    if seeded:
        log(f"SQLite database {path} already seeded")
        return path
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
    log(f"seeding SQLite {path}: {args.articles} articles, {args.comments} comments")
    env = {**os.environ, "KIOSQUE_DATABASE_URL": f"sqlite://{path}?mode=rwc", "RUST_LOG": "warn"}
    t0 = time.monotonic()
    res = subprocess.run([str(kiosque), "seed", "--articles", str(args.articles), "--comments", str(args.comments)],
                         env=env, stdout=subprocess.DEVNULL)
    if res.returncode != 0:
        raise BenchError("kiosque seed failed on SQLite")
    con = sqlite3.connect(str(path))
    con.execute("ANALYZE")
    con.close()
    log(f"seeded SQLite in {time.monotonic() - t0:.0f} s")
    return path


def start_kiosque(args, kiosque: Path, url: str, port: int, name: str) -> Proc:
    if not port_free(port):
        raise BenchError(f"port {port} is taken: stop what listens there or pass --port-base")
    env = {**os.environ, "KIOSQUE_DATABASE_URL": url, "KIOSQUE_JWT_SECRET": "bench", "RUST_LOG": "warn"}
    proc = PROCS.start(name, [str(kiosque), "serve", "--bind", f"127.0.0.1:{port}"], env,
                       args.run_dir / f"{name}.log", nice=args.nice)
    wait_http(f"http://127.0.0.1:{port}/readyz", proc)
    return proc


def start_postgraphile(args, node_modules: Path, port: int) -> Proc:
    if not port_free(port):
        raise BenchError(f"port {port} is taken: stop what listens there or pass --port-base")
    env = {**os.environ, "NODE_PATH": str(node_modules), "NODE_ENV": "production",
           "PGB_DATABASE_URL": f"{args.pg_admin}/{args.db}?application_name=bench-postgraphile", "PGB_PORT": str(port),
           "PGB_POOL_SIZE": "10"}
    proc = PROCS.start("postgraphile", ["node", str(BENCH / "postgraphile" / "server.js")], env,
                       args.run_dir / "postgraphile.log", nice=args.nice)
    wait_http(f"http://127.0.0.1:{port}/graphql", proc, body=b'{"query":"{ __typename }"}')
    return proc


# --------------------------------------------------------------------------------------------
# Request pools


@dataclass
class Pools:
    slugs: list[str]
    tuples: list[dict]  # rubric, author, from, to (ISO strings), total


def load_pools(args, systems: list[System]) -> Pools:
    rng = random.Random(args.seed)
    # ~2,000 published slugs, every k-th by id (deterministic for a given seed of the corpus).
    n = int(psql(args, "SELECT count(*) FROM articles WHERE status = 'published' AND published_at <= now()").stdout)
    step = max(1, n // args.slugs)
    slugs = psql(args, f"""SELECT slug FROM (SELECT slug, row_number() OVER (ORDER BY id) AS rn FROM articles
        WHERE status = 'published' AND published_at <= now()) s WHERE rn % {step} = 0 ORDER BY rn LIMIT {args.slugs}""").stdout.split()
    rubrics = psql(args, "SELECT slug FROM rubrics ORDER BY id").stdout.split()
    authors = psql(args, "SELECT slug FROM authors ORDER BY id").stdout.split()
    lo, hi = psql(args, """SELECT extract(epoch FROM min(published_at))::bigint, extract(epoch FROM max(published_at))::bigint
        FROM articles WHERE status = 'published' AND published_at <= now()""").stdout.strip().split("\t")
    day = 86400
    first_day, last_day = int(lo) // day + 1, int(hi) // day - FILTER_YEARS_DAYS
    if last_day <= first_day:
        raise BenchError("the corpus spans less than 3 years: cannot draw 3-year filter ranges")
    # Draw candidates, keep those whose third page is non-empty (more than 40 matches).
    candidates = []
    for _ in range(args.filter_tuples * 4):
        start = rng.randint(first_day, last_day) * day
        candidates.append((rng.choice(rubrics), rng.choice(authors), start, start + FILTER_YEARS_DAYS * day))
    values = ", ".join(f"({i}, '{r}', '{a}', to_timestamp({f}), to_timestamp({t}))" for i, (r, a, f, t) in enumerate(candidates))
    counts = psql(args, f"""SELECT c.i, (SELECT count(*) FROM articles x JOIN rubrics rb ON rb.id = x.rubric_id
        WHERE x.status IN ('published', 'scheduled') AND x.published_at <= now() AND rb.slug = c.r
        AND x.published_at >= c.f AND x.published_at < c.t
        AND EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id
                    WHERE aa.article_id = x.id AND au.slug = c.a))
        FROM (VALUES {values}) AS c(i, r, a, f, t) ORDER BY c.i""").stdout.split("\n")
    tuples = []
    for line in counts:
        i, count = (int(x) for x in line.split("\t"))
        if count > FILTER_SKIP:
            r, a, f, t = candidates[i]
            tuples.append({"rubric": r, "author": a, "total": count,
                           "from": iso(dt.datetime.fromtimestamp(f, dt.timezone.utc)),
                           "to": iso(dt.datetime.fromtimestamp(t, dt.timezone.utc))})
        if len(tuples) == args.filter_tuples:
            break
    if len(tuples) < args.filter_tuples // 2:
        raise BenchError(f"only {len(tuples)} filter tuples have a third page")
    log(f"pools: {len(slugs)} article slugs, {len(tuples)} filter tuples (3-year ranges, "
        f"{min(t['total'] for t in tuples)}–{max(t['total'] for t in tuples)} matches)")
    # The cursor of the third page, for each system, by walking pages 1 and 2 on it.
    gql_systems = {}
    for s in systems:
        if s.api == "graphql":
            gql_systems[(s.kind, s.engine)] = s
    for s in gql_systems.values():
        def third_page_cursor(i: int, s=s) -> tuple[int, str]:
            t = tuples[i]
            after = None
            for _ in range(2):
                v = filter_vars(s, t, after, now=dt.datetime.now(dt.timezone.utc))
                data = gql(s.base, (KIOSQUE_GQL if s.kind == "kiosque" else POSTGRAPHILE_GQL)["filter_cursor"], v)
                conn = data["articles" if s.kind == "kiosque" else "allArticles"]
                if conn["totalCount"] != t["total"]:
                    raise BenchError(f"{s.label}: totalCount {conn['totalCount']} != {t['total']} for {t}")
                after = conn["pageInfo"]["endCursor"]
            return i, after
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for i, cursor in pool.map(third_page_cursor, range(len(tuples))):
                s.cursors[i] = cursor
        # REST systems on the same Kiosque share its cursors (the same cursors in REST and GraphQL).
        for other in systems:
            if other.kind == s.kind and other.engine == s.engine and other is not s:
                other.cursors = s.cursors
    return Pools(slugs, tuples)


def filter_vars(s: System, t: dict, after: str | None, now: dt.datetime) -> dict:
    v = {"rubric": t["rubric"], "author": t["author"], "from": t["from"], "to": t["to"], "after": after}
    if s.kind == "postgraphile":
        v["now"] = iso(now)
    return v


def request_of(s: System, page: str, pools: Pools, i: int, now: dt.datetime) -> tuple[str, str, str]:
    """(method, path, body) of request number i of `page` on system s."""
    if s.api == "graphql":
        queries = KIOSQUE_GQL if s.kind == "kiosque" else POSTGRAPHILE_GQL
        variables: dict = {}
        if page == "article":
            variables = {"slug": pools.slugs[i]}
        elif page == "filter":
            variables = filter_vars(s, pools.tuples[i], s.cursors[i], now)
        if s.kind == "postgraphile" and page in ("home", "article"):
            variables["now"] = iso(now)
        body = {"query": squash(queries[page])}
        if variables:
            body["variables"] = variables
        return "POST", "/graphql", json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    # The REST lists ask for the fields the GraphQL queries select (a sparse fieldset), so
    # that both doors serve the same page.
    if page == "home":
        return "GET", "/v1/articles?first=20&fields=slug,title,standfirst,published_at,rubric,authors", ""
    if page == "article":
        return "GET", f"/v1/articles/{urllib.parse.quote(pools.slugs[i])}?include=more_in_rubric,comments&formats=markdown", ""
    if page == "filter":
        t = pools.tuples[i]
        q = urllib.parse.urlencode({"rubric": t["rubric"], "author": t["author"], "published_after": t["from"],
                                    "published_before": t["to"], "first": FILTER_PAGE, "after": s.cursors[i],
                                    "include_total": "true",
                                    "fields": "slug,title,standfirst,published_at,rubric,authors"})
        return "GET", f"/v1/articles?{q}", ""
    raise BenchError(f"no REST equivalent of {page}")


def pool_size(page: str, pools: Pools) -> int:
    return {"article": len(pools.slugs), "filter": len(pools.tuples)}.get(page, 1)


def write_requests(s: System, page: str, pools: Pools, path: Path) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with open(path, "w") as f:
        for i in range(pool_size(page, pools)):
            method, p, body = request_of(s, page, pools, i, now)
            assert "\t" not in p + body and "\n" not in p + body
            f.write(f"{method}\t{p}\t{body}\n")


# --------------------------------------------------------------------------------------------
# Response check: both systems, normalised to the same shape, compared once per page.


def instant(value: str | None) -> int | None:
    if value is None:
        return None
    t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return round(t.timestamp() * 1_000_000)


def items(x) -> list:
    if x is None:
        return []
    if isinstance(x, list):
        return x
    for key in ("nodes", "data", "items"):
        if key in x:
            return x[key]
    raise BenchError(f"not a list: {str(x)[:200]}")


def norm_authors(s: System, a: dict, fields: tuple[str, ...]) -> list:
    if s.kind == "postgraphile":
        people = [n["authorByAuthorId"] for n in a["articleAuthorsByArticleId"]["nodes"]]
        return [tuple(p["displayName" if f == "name" else f] for f in fields) for p in people]
    return [tuple(p[f] for f in fields) for p in a["authors"]]


def norm_rubric(s: System, a: dict, fields: tuple[str, ...]) -> tuple:
    r = a["rubricByRubricId"] if s.kind == "postgraphile" else a["rubric"]
    return tuple(r[f] for f in fields)


def published(s: System, a: dict) -> int | None:
    return instant(a["published_at"] if s.api == "rest" else a["publishedAt"])


def fetch_normalised(s: System, page: str, pools: Pools, i: int) -> object:
    now = dt.datetime.now(dt.timezone.utc)
    method, path, body = request_of(s, page, pools, i, now)
    if s.api == "graphql":
        doc = json.loads(body)
        data = gql(s.base, doc["query"], doc.get("variables"))
    else:
        data = rest(s.base, path)
    if page == "trivial":
        return data
    if page == "home":
        nodes = data["articles"]["nodes"] if s.kind == "kiosque" and s.api == "graphql" else (
            data["allArticles"]["nodes"] if s.kind == "postgraphile" else data["data"])
        return [{"title": a["title"], "slug": a["slug"], "standfirst": a["standfirst"], "published": published(s, a),
                 "authors": norm_authors(s, a, ("name", "slug")), "rubric": norm_rubric(s, a, ("name", "slug"))}
                for a in nodes]
    if page == "filter":
        if s.api == "rest":
            nodes, total = data["data"], data["page"]["total"]
        else:
            conn = data["articles" if s.kind == "kiosque" else "allArticles"]
            nodes, total = conn["nodes"], conn["totalCount"]
        return {"total": total, "nodes": [
            {"title": a["title"], "slug": a["slug"], "standfirst": a["standfirst"], "published": published(s, a),
             "authors": [x[0] for x in norm_authors(s, a, ("name",))], "rubric": norm_rubric(s, a, ("name",))[0]}
            for a in nodes]}
    # article
    if s.kind == "postgraphile":
        nodes = data["allArticles"]["nodes"]
        if len(nodes) != 1:
            raise BenchError(f"PostGraphile found {len(nodes)} articles for {pools.slugs[i]}")
        a = nodes[0]
        more = a["rubricByRubricId"]["articlesByRubricId"]["nodes"]
        comments = a["commentsByArticleId"]["nodes"]
        body_text = a["body"]
    elif s.api == "graphql":
        a = data["article"]
        if a is None:
            raise BenchError(f"{s.label} found no article {pools.slugs[i]}")
        more, comments, body_text = a["moreInRubric"], a["comments"]["nodes"], a["body"]
    else:
        a = data["data"]
        more, comments = a.get("more_in_rubric"), a.get("comments")
        body_text = a["body"]["markdown"] if isinstance(a.get("body"), dict) else a.get("body")
    out = {"title": a["title"], "slug": a["slug"], "standfirst": a["standfirst"], "body": body_text,
           "published": published(s, a), "authors": norm_authors(s, a, ("name", "slug", "bio")),
           "rubric": norm_rubric(s, a, ("name", "slug"))}
    if more is not None:
        out["more"] = [(m["title"], m["slug"], published(s, m)) for m in items(more)]
    if comments is not None:
        key = ("author_name", "body", "created_at") if s.api == "rest" else ("authorName", "body", "createdAt")
        out["comments"] = [(c[key[0]], c[key[1]], instant(c[key[2]])) for c in items(comments)]
    return out


def diff(a, b, path="") -> str:
    if type(a) is not type(b):
        return f"{path}: {str(a)[:300]!r} vs {str(b)[:300]!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: present on one side only"
            d = diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for n, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{n}]")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: {str(a)[:300]!r} vs {str(b)[:300]!r}"


def check_pages(args, systems: list[System], pools: Pools, pages: list[str]) -> dict:
    """Fetches each page once on every system and compares the data with the reference
    system (Kiosque GraphQL on the same engine, and PostGraphile against Kiosque on PostgreSQL).
    Raises on the first mismatch. Returns what was checked, for the JSON lines."""
    checked = {}
    rng = random.Random(args.seed + 1)
    for page in pages:
        n = pool_size(page, pools)
        sample = sorted(rng.sample(range(n), min(n, args.check_sample))) if n > 1 else [0]
        ref = next(s for s in systems if s.key == "kiosque-gql")
        count = 0
        for i in sample:
            ref_value = fetch_normalised(ref, page, pools, i)
            if page in ("article", "filter") and not ref_value:
                raise BenchError(f"{ref.label}: empty {page} for request {i}")
            for s in systems:
                if s is ref or (page == "trivial" and s.api == "rest"):
                    continue
                value = fetch_normalised(s, page, pools, i)
                if s.api == "rest" and page == "article":
                    value = dict(value)
                    missing = [k for k in ("more", "comments") if k not in value]
                    if missing:
                        raise BenchError(f"{s.label}: the article has no {missing} (include=more_in_rubric,comments)")
                d = diff(ref_value, value)
                if d:
                    raise BenchError(f"MISMATCH on {page} (request {i}) between {ref.label} and {s.label}: {d}")
                count += 1
        checked[page] = {"requests": len(sample), "comparisons": count}
        log(f"check {page}: {len(sample)} request(s) identical on {', '.join(s.label for s in systems if not (page == 'trivial' and s.api == 'rest'))}")
    return checked


# --------------------------------------------------------------------------------------------
# Load


def bench_backends(args) -> list[int]:
    """PIDs of the PostgreSQL backends of the benchmarked servers' pools (by application_name)."""
    res = psql(args, "SELECT pid FROM pg_stat_activity WHERE application_name IN ('bench-kiosque', 'bench-postgraphile')",
               check=False)
    return [int(x) for x in res.stdout.split() if x.isdigit()]


class BackendTracker:
    """CPU of the PostgreSQL backends serving one server process, followed from /proc during
    a cell: the server's TCP sockets to PostgreSQL (from /proc/<pid>/fd and /proc/net/tcp*)
    give the client ports, and each backend's process title names its client's port. Sampled
    every half second, so that a backend that exits during the cell (a pooled connection
    closed when its request was cancelled, say) still counts up to its last sample."""

    def __init__(self, server_pid: int, pg_port: int, pg_uid: int | None) -> None:
        self.server_pid, self.pg_port, self.pg_uid = server_pid, pg_port, pg_uid
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.started = False

    def _client_ports(self) -> set[int]:
        inodes = set()
        try:
            fds = os.listdir(f"/proc/{self.server_pid}/fd")
        except OSError:
            return set()
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{self.server_pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        ports = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                f = line.split()
                if len(f) > 9 and f[9] in inodes and int(f[2].rsplit(":", 1)[1], 16) == self.pg_port:
                    ports.add(int(f[1].rsplit(":", 1)[1], 16))
        return ports

    def _backends(self) -> dict[int, int]:
        if self.pg_uid is None:
            return {}
        ports = self._client_ports()
        if not ports:
            return {}
        out = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat(f"/proc/{entry}").st_uid != self.pg_uid:
                    continue
                title = open(f"/proc/{entry}/cmdline", "rb").read().decode(errors="replace")
                lp = title.rfind("(")
                rp = title.find(")", lp)
                if lp < 0 or rp < 0 or not title[lp + 1:rp].isdigit() or int(title[lp + 1:rp]) not in ports:
                    continue
                out[int(entry)] = proc_ticks(int(entry))[0]
            except (OSError, ValueError):
                continue
        return out

    def sample(self) -> None:
        now = self._backends()
        for pid, ticks in now.items():
            if pid not in self.first:
                self.first[pid] = ticks if not self.started else 0  # born during the cell: counts whole
            self.last[pid] = ticks
        self.started = True

    def ticks(self) -> int:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def renice_backends(args) -> None:
    """--nice: gives the PostgreSQL backends of the benchmarked servers' pools (and only those,
    found by their application_name) the same priority as the servers and wrk."""
    for pid in bench_backends(args):
        try:
            if os.getpriority(os.PRIO_PROCESS, int(pid)) != args.nice:
                os.setpriority(os.PRIO_PROCESS, int(pid), args.nice)
        except (OSError, ValueError):
            pass


def wait_for_quiet(args, servers: list[int], pg_uid: int | None) -> tuple[float, float]:
    """Waits (at most --idle-wait seconds) until the machine is quiet: less than
    --idle-threshold cores busy outside our (idle) servers, sampled over 0.5 s.
    The machine may be shared with builds and test suites; a cell measured while one runs
    is noisy. Returns (seconds waited, last CPU use seen outside, in cores)."""
    t0 = time.monotonic()
    while True:
        m0, own0 = machine_ticks(), sum(proc_ticks(p)[0] for p in servers)
        w0 = time.monotonic()
        time.sleep(0.5)
        m1, own1 = machine_ticks(), sum(proc_ticks(p)[0] for p in servers)
        other = max(0, (m1[0] - m0[0]) - (own1 - own0)) / CLK_TCK / (time.monotonic() - w0)
        waited = time.monotonic() - t0
        if other <= args.idle_threshold or waited >= args.idle_wait:
            if waited > 1.0:
                log(f"waited {waited:.0f} s for the machine to be quiet (now {other:.2f} cores busy elsewhere)")
            return round(waited, 1), round(other, 2)
        time.sleep(1.0)


def wrk_cell(args, wrk: str, s: System, page: str, pools: Pools, conns: int, duration: float,
             pg_uid: int | None, servers: list[int] | None = None) -> dict:
    req_file = args.run_dir / f"requests-{s.key}-{page}.txt"
    write_requests(s, page, pools, req_file)
    threads = min(conns, args.threads)
    expect = '"__typename":"Query"' if page == "trivial" else '"slug":"'
    env = {**os.environ, "BENCH_REQUESTS": str(req_file), "BENCH_SEED": str(args.seed), "BENCH_EXPECT": expect}
    argv = [wrk, f"-t{threads}", f"-c{conns}", f"-d{duration:g}s", "--timeout", "10s",
            "-s", str(BENCH / "wrk" / "requests.lua"), s.base]
    if args.nice:
        renice_backends(args)
    waited, quiet_other = wait_for_quiet(args, servers, pg_uid) if servers and args.idle_wait > 0 else (0.0, None)
    tracker = BackendTracker(s.pid, urllib.parse.urlsplit(args.pg_admin).port or 5432, pg_uid) \
        if s.engine == "postgres" else None
    if tracker:
        tracker.sample()
    srv0 = proc_ticks(s.pid)[0]
    pg0 = postgres_ticks(pg_uid)
    m0 = machine_ticks()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    popen = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             stdin=subprocess.DEVNULL, start_new_session=True,
                             preexec_fn=(lambda: os.nice(args.nice)) if args.nice else None)
    wrapped = Proc(f"wrk {s.key} {page} c{conns}", popen)
    PROCS.procs.append(wrapped)
    deadline = time.monotonic() + duration + 60
    while True:
        try:
            out, err = popen.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if tracker:
                tracker.sample()
            if time.monotonic() > deadline:
                PROCS.stop(wrapped)
                raise BenchError(f"wrk did not finish: {' '.join(argv)}")
    PROCS.procs.remove(wrapped)
    wall = time.monotonic() - t0
    if tracker:
        tracker.sample()
    srv1 = proc_ticks(s.pid)[0]
    pg1 = postgres_ticks(pg_uid)
    m1 = machine_ticks()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The only child that exits during a cell is wrk: the delta is its CPU.
    wrk_cpu_s = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    pgb = tracker.ticks() if tracker else 0
    if popen.returncode != 0:
        raise BenchError(f"wrk failed ({popen.returncode}): {err[-2000:]}")
    line = next((l for l in out.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise BenchError(f"wrk printed no BENCH_RESULT:\n{out[-2000:]}\n{err[-2000:]}")
    r = json.loads(line[len("BENCH_RESULT "):])
    reqs = r["requests"]
    secs = r["duration_us"] / 1e6
    tick_ms = 1000.0 / CLK_TCK
    socket_errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    failures = r["non2xx"] + r["graphql_errors"] + r["missing"] + socket_errors
    cell = {
        "page": page, "system": s.key, "label": s.label, "engine": s.engine, "api": s.api,
        "connections": conns, "threads": threads, "duration_s": round(secs, 3),
        "requests": reqs, "rps": round(reqs / secs, 1) if secs else 0.0,
        "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
        "p999_ms": r["p999_us"] / 1000, "max_ms": r["max_us"] / 1000, "mean_ms": round(r["mean_us"] / 1000, 4),
        "server_cpu_ms": round((srv1 - srv0) * tick_ms, 1),
        "server_cpu_ms_per_req": round((srv1 - srv0) * tick_ms / reqs, 4) if reqs else None,
        "pg_cpu_ms_per_req": round(pgb * tick_ms / reqs, 4) if reqs and s.engine == "postgres" else None,
        "pg_cluster_cpu_ms_per_req": round((pg1 - pg0) * tick_ms / reqs, 4) if reqs and pg_uid is not None else None,
        "pg_backends": len(tracker.last) if tracker else 0,
        "machine_busy_cores": round((m1[0] - m0[0]) / max(1, (m1[1] - m0[1])) * (os.cpu_count() or 1), 2),
        "other_cpu_cores": None,
        "failures": failures, "non2xx": r["non2xx"], "graphql_errors": r["graphql_errors"],
        "missing_expected": r["missing"], "socket_errors": socket_errors, "status_errors": r["status_errors"],
        "bytes": r["bytes"], "wall_s": round(wall, 2),
        "idle_waited_s": waited, "busy_elsewhere_before_cores": quiet_other,
    }
    # CPU of the load generator, and of everything else on the machine (kernel softirq work of
    # loopback, another build or test suite …), in cores.
    busy_s = (m1[0] - m0[0]) / CLK_TCK
    known_s = ((srv1 - srv0) + pgb) / CLK_TCK + wrk_cpu_s
    cell["server_cores"] = round((srv1 - srv0) / CLK_TCK / wall, 2)
    cell["pg_cores"] = round(pgb / CLK_TCK / wall, 2)
    cell["wrk_cores"] = round(wrk_cpu_s / wall, 2)
    cell["other_cpu_cores"] = round(max(0.0, busy_s - known_s) / wall, 2)
    return cell


# --------------------------------------------------------------------------------------------
# Report


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def fmt(x, digits=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}"


def aggregate(cells: list[dict]) -> dict:
    """(page, system, conns) -> mean over rounds."""
    groups: dict = {}
    for c in cells:
        groups.setdefault((c["page"], c["system"], c["connections"]), []).append(c)
    agg = {}
    for key, cs in groups.items():
        agg[key] = {
            "label": cs[0]["label"], "rounds": len(cs),
            "rps": mean([c["rps"] for c in cs]),
            "p50_ms": mean([c["p50_ms"] for c in cs]), "p90_ms": mean([c["p90_ms"] for c in cs]),
            "p99_ms": mean([c["p99_ms"] for c in cs]),
            "cpu": mean([c["server_cpu_ms_per_req"] for c in cs]), "pg_cpu": mean([c["pg_cpu_ms_per_req"] for c in cs]),
            "failures": sum(c["failures"] for c in cs), "requests": sum(c["requests"] for c in cs),
            "other": max(c["other_cpu_cores"] for c in cs),
            "round_rps": [c["rps"] for c in cs],
        }
    return agg


def table(agg: dict, pages: list[str], systems: list[System], conns: int, engine: str) -> str:
    rows = ["| page | system | req/s | p50 ms | p90 ms | p99 ms | server CPU ms/req | PG CPU ms/req | × PostGraphile | REST / GraphQL | failures | busy elsewhere |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for page in pages:
        pgl = agg.get((page, "postgraphile", conns))
        for s in systems:
            if s.engine != engine and s.kind != "postgraphile":
                continue
            if engine == "sqlite" and s.kind == "postgraphile":
                continue
            a = agg.get((page, s.key, conns))
            if not a:
                continue
            ratio = f"{a['rps'] / pgl['rps']:.2f}×" if pgl and s.kind != "postgraphile" and pgl["rps"] else ""
            rest_vs = ""
            if s.api == "rest":
                g = agg.get((page, "kiosque-gql" if s.engine == "postgres" else "sqlite-gql", conns))
                if g and g["rps"]:
                    rest_vs = f"{(a['rps'] / g['rps'] - 1) * 100:+.0f} %"
            rows.append(f"| {page} | {a['label']} | {fmt(a['rps'], 0)} | {fmt(a['p50_ms'], 2)} | {fmt(a['p90_ms'], 2)} | "
                        f"{fmt(a['p99_ms'], 2)} | {fmt(a['cpu'], 3)} | {fmt(a['pg_cpu'], 3)} | {ratio} | {rest_vs} | {a['failures']} | "
                        f"{a['other']:.2f} |")
    return "\n".join(rows)


def targets(agg: dict, pages: list[str], conn_list: list[int]) -> tuple[str, list[dict]]:
    out = []

    def add(name, value, goal, ok, unit=""):
        out.append({"target": name, "value": value, "goal": goal, "ok": ok, "unit": unit})

    for page in pages:
        k, p = agg.get((page, "kiosque-gql", 32)), agg.get((page, "postgraphile", 32))
        if 32 in conn_list and k and p and p["rps"]:
            ratio = k["rps"] / p["rps"]
            add(f"{page}: throughput Kiosque/PostGraphile at 32 conns", round(ratio, 2), f"≥ {TARGET_RATIO[page]}×", ratio >= TARGET_RATIO[page], "×")
        if 32 in conn_list and k:
            add(f"{page}: p99 at 32 conns", round(k["p99_ms"], 2), f"≤ {TARGET_P99_32[page]} ms", k["p99_ms"] <= TARGET_P99_32[page], "ms")
        k1 = agg.get((page, "kiosque-gql", 1))
        if 1 in conn_list and k1:
            add(f"{page}: p50 at 1 conn", round(k1["p50_ms"], 3), f"≤ {TARGET_P50_1[page]} ms", k1["p50_ms"] <= TARGET_P50_1[page], "ms")
        if page in TARGET_CPU and 32 in conn_list and k and k["cpu"] is not None:
            add(f"{page}: server CPU per request (32 conns)", round(k["cpu"], 3), f"≤ {TARGET_CPU[page]} ms", k["cpu"] <= TARGET_CPU[page], "ms")
        for c in conn_list:
            r, g = agg.get((page, "kiosque-rest", c)), agg.get((page, "kiosque-gql", c))
            if r and g and g["rps"]:
                d = r["rps"] / g["rps"] - 1
                add(f"{page}: REST vs GraphQL req/s at {c} conn{'s' if c > 1 else ''}", round(d * 100, 1),
                    f"within ±{REST_TOLERANCE * 100:.0f} % (or faster)", d >= -REST_TOLERANCE, "%")
    fails = sum(a["failures"] for (pg, sk, c), a in agg.items() if not sk.startswith("sqlite"))
    add("failed or wrong responses (PostgreSQL cells, both systems)", fails, "0", fails == 0)
    lines = ["| target | measured | goal | met |", "|---|--:|---|:-:|"]
    for t in out:
        v = t["value"]
        unit = t["unit"]
        shown = f"{v}{unit}" if unit == "×" else (f"{v:+} %" if unit == "%" else f"{v} {unit}".strip())
        lines.append(f"| {t['target']} | {shown} | {t['goal']} | {'yes' if t['ok'] else '**no**'} |")
    return "\n".join(lines), out


def environment(args, kiosque: Path) -> dict:
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return ""
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    commit = cmd(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    # Dirty = uncommitted changes to what builds Kiosque (bench/ and BENCHMARKS.md do not count).
    dirty = bool(cmd(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--",
                      ".", ":(exclude)bench", ":(exclude)BENCHMARKS.md"]))
    pgl = json.loads((CACHE / "node" / "node_modules" / "postgraphile" / "package.json").read_text()).get("version", "?") \
        if (CACHE / "node" / "node_modules" / "postgraphile" / "package.json").exists() else "?"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib, "kernel": platform.release(),
        "kiosque_commit": commit + ("-dirty" if dirty else ""),
        "kiosque_sha256": hashlib.sha256(kiosque.read_bytes()).hexdigest()[:12],
        "postgres": cmd(["psql", "-X", "-At", "-d", f"{args.pg_admin}/{args.db}", "-c", "SHOW server_version"]),
        "node": cmd(["node", "--version"]), "postgraphile": pgl,
        "wrk": cmd(["sh", "-c", "wrk --version 2>&1 | head -1"]).split(" Copyright")[0],
    }


# --------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke run: 1 round, 5 s cells, 1 s warm-up")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 2; --quick 1)")
    p.add_argument("--duration", type=float, help="seconds of a 32-connection cell (default 20; --quick 5)")
    p.add_argument("--duration-1", type=float, dest="duration_1", help="seconds of a 1-connection cell (default 10; --quick 5)")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per system and page, not measured (default 3; --quick 1)")
    p.add_argument("--connections", default="32,1", help="connection counts (default 32,1)")
    p.add_argument("--pages", default=",".join(PAGES), help="pages (default home,article,filter,trivial)")
    p.add_argument("--sqlite", action="store_true", help="also Kiosque on SQLite (GraphQL + REST), in its own table")
    p.add_argument("--no-postgraphile", action="store_true", help="Kiosque only (no ratios)")
    p.add_argument("--no-rest", action="store_true", help="skip the REST cells")
    p.add_argument("--no-build", action="store_true", help="use the existing release binary as is")
    p.add_argument("--binary", help="Kiosque binary to use (implies --no-build)")
    p.add_argument("--reseed", action="store_true", help="drop and seed the bench databases again")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--comments", type=int, default=1_000_000)
    p.add_argument("--db", default="kiosque_bench", help="PostgreSQL database (default kiosque_bench)")
    p.add_argument("--pg-admin", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URL without database (default postgres://postgres@127.0.0.1:5432, env BENCH_PG)")
    p.add_argument("--port-base", type=int, default=18080, help="Kiosque on PORT, PostGraphile on PORT+1, Kiosque/SQLite on PORT+2")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="wrk threads for multi-connection cells (default: cores)")
    p.add_argument("--slugs", type=int, default=2000, help="article slugs in the random pool (default 2000)")
    p.add_argument("--filter-tuples", type=int, default=300, help="filter tuples in the random pool (default 300)")
    p.add_argument("--check-sample", type=int, help="requests per page compared across systems before the load (default 25; --quick 5)")
    p.add_argument("--idle-wait", type=float, default=120.0,
                   help="before each cell, wait up to this many seconds for the machine to be quiet (default 120; 0: never wait)")
    p.add_argument("--idle-threshold", type=float, default=0.3,
                   help="quiet = less than this many cores busy outside the servers and PostgreSQL (default 0.3)")
    p.add_argument("--noisy", type=float, default=0.5,
                   help="a cell during which more than this many cores were busy elsewhere is noisy (default 0.5)")
    p.add_argument("--retry-noisy", type=int, default=2,
                   help="measure a noisy cell again, at most this many times (default 2; 0: never)")
    p.add_argument("--nice", type=int, default=0,
                   help="run the servers, wrk and the servers' PostgreSQL backends at this nice value, e.g. -10 on a "
                        "machine shared with builds (default 0: unchanged; negative values need root)")
    p.add_argument("--kiosque-url-params", default="",
                   help="extra query parameters of Kiosque's PostgreSQL URL, for tuning experiments "
                        "(e.g. 'options=-c%%20plan_cache_mode%%3Dforce_generic_plan')")
    p.add_argument("--seed", type=int, default=42, help="seed of every random pick")
    p.add_argument("--out", default=str(BENCH / "results"), help="folder of the JSON lines (default bench/results)")
    a = p.parse_args(argv)
    q = a.quick
    a.rounds = a.rounds or (1 if q else 2)
    a.duration = a.duration or (5.0 if q else 20.0)
    a.duration_1 = a.duration_1 or (5.0 if q else 10.0)
    a.warmup = a.warmup if a.warmup is not None else (1.0 if q else 3.0)
    a.check_sample = a.check_sample or (5 if q else 25)
    a.conn_list = [int(x) for x in a.connections.split(",") if x]
    a.page_list = [x for x in a.pages.split(",") if x]
    for page in a.page_list:
        if page not in PAGES:
            p.error(f"unknown page {page}")
    return a


def main(argv) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, _on_signal)  # also when started in the background, where SIGINT is ignored
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    args.run_dir = CACHE / "runs" / stamp
    args.run_dir.mkdir(parents=True, exist_ok=True)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl = out_dir / f"{stamp}.jsonl"
    started = time.monotonic()
    try:
        wrk = ensure_wrk()
        node_modules = None if args.no_postgraphile else ensure_postgraphile()
        kiosque = build_kiosque(args)
        ensure_postgres_seeded(args, kiosque)
        sqlite_path = ensure_sqlite_seeded(args, kiosque) if args.sqlite else None
        try:
            pg_uid = pwd.getpwnam("postgres").pw_uid
        except KeyError:
            pg_uid = None
            log("no postgres user on this machine: PostgreSQL CPU is not measured")

        base = args.port_base
        systems: list[System] = []
        extra = f"&{args.kiosque_url_params}" if args.kiosque_url_params else ""
        kproc = start_kiosque(args, kiosque, f"{args.pg_admin}/{args.db}?application_name=bench-kiosque{extra}", base, "kiosque")
        systems.append(System("kiosque-gql", "Kiosque GraphQL", "kiosque", "graphql", "postgres", f"http://127.0.0.1:{base}", kproc))
        if not args.no_postgraphile:
            pproc = start_postgraphile(args, node_modules, base + 1)
            systems.append(System("postgraphile", "PostGraphile 4", "postgraphile", "graphql", "postgres", f"http://127.0.0.1:{base + 1}", pproc))
        if not args.no_rest:
            systems.append(System("kiosque-rest", "Kiosque REST", "kiosque", "rest", "postgres", f"http://127.0.0.1:{base}", kproc))
        if sqlite_path:
            sproc = start_kiosque(args, kiosque, f"sqlite://{sqlite_path}?mode=rwc", base + 2, "kiosque-sqlite")
            systems.append(System("sqlite-gql", "Kiosque/SQLite GraphQL", "kiosque", "graphql", "sqlite", f"http://127.0.0.1:{base + 2}", sproc))
            if not args.no_rest:
                systems.append(System("sqlite-rest", "Kiosque/SQLite REST", "kiosque", "rest", "sqlite", f"http://127.0.0.1:{base + 2}", sproc))

        server_pids = sorted({s.pid for s in systems})
        env_info = environment(args, kiosque)
        pools = load_pools(args, systems)
        checked = check_pages(args, systems, pools, args.page_list)

        with open(jsonl, "w") as out:
            out.write(json.dumps({"type": "run", "argv": argv, "rounds": args.rounds, "duration_32": args.duration,
                                  "duration_1": args.duration_1, "pages": args.page_list, "connections": args.conn_list,
                                  "env": env_info, "checked": checked, "slugs": len(pools.slugs),
                                  "filter_tuples": len(pools.tuples), "nice": args.nice, "kiosque_url_params": args.kiosque_url_params, "filter_paging": "cursor of page 3 (after endCursor of page 2) on both systems"}) + "\n")
            cells = []
            total_cells = sum(len([s for s in systems if not (p == "trivial" and s.api == "rest")]) for p in args.page_list) \
                * args.rounds * len(args.conn_list)
            n = 0
            for page in args.page_list:
                page_systems = [s for s in systems if not (page == "trivial" and s.api == "rest")]
                if args.warmup > 0:
                    for s in page_systems:
                        wrk_cell(args, wrk, s, page, pools, max(args.conn_list), args.warmup, pg_uid)
                for rnd in range(args.rounds):
                    order = page_systems if rnd % 2 == 0 else list(reversed(page_systems))  # A B C, C B A, …
                    for conns in args.conn_list:
                        for s in order:
                            n += 1
                            duration = args.duration if conns > 1 else args.duration_1
                            for attempt in range(args.retry_noisy + 1):
                                cell = wrk_cell(args, wrk, s, page, pools, conns, duration, pg_uid, server_pids)
                                cell.update({"type": "cell", "round": rnd + 1, "run": stamp, "attempt": attempt + 1})
                                if cell["other_cpu_cores"] <= args.noisy or attempt == args.retry_noisy:
                                    break
                                # Another job took CPU during the cell: keep the line, measure again.
                                cell["type"] = "discarded-noisy-cell"
                                out.write(json.dumps(cell) + "\n")
                                log(f"{page} {s.label} c{conns}: {cell['other_cpu_cores']:.2f} cores busy elsewhere "
                                    f"during the cell ({cell['rps']:,.0f} req/s): measuring it again")
                            cells.append(cell)
                            out.write(json.dumps(cell) + "\n")
                            out.flush()
                            log(f"[{n}/{total_cells}] {page:7} {s.label:24} c{conns:<2} r{rnd + 1}: {cell['rps']:>9,.0f} req/s  "
                                f"p50 {cell['p50_ms']:.2f}  p99 {cell['p99_ms']:.2f} ms  cpu {cell['server_cpu_ms_per_req'] or 0:.3f} ms/req  "
                                f"fail {cell['failures']}  cores: srv {cell['server_cores']:.2f} pg {cell['pg_cores'] or 0:.2f} "
                                f"wrk {cell['wrk_cores']:.2f} other {cell['other_cpu_cores']:.2f}")
                            for proc in {x.proc.popen.pid: x.proc for x in systems}.values():
                                if proc.popen.poll() is not None:
                                    raise BenchError(f"{proc.name} died during the load (log: {proc.log_path})")
            agg = aggregate(cells)
            report = [f"Kiosque vs PostGraphile — {env_info['date']}, {env_info['cpu']} ({env_info['cores']} vCPU), "
                      f"Kiosque {env_info['kiosque_commit']}, PostgreSQL {env_info['postgres']}, PostGraphile {env_info['postgraphile']}, "
                      f"{args.rounds} round(s), {args.duration:g} s / {args.duration_1:g} s cells", ""]
            for conns in args.conn_list:
                report += [f"### PostgreSQL, {conns} connection{'s' if conns > 1 else ''} "
                           f"({args.duration if conns > 1 else args.duration_1:g} s × {args.rounds} round(s))", "",
                           table(agg, args.page_list, systems, conns, "postgres"), ""]
            if sqlite_path:
                for conns in args.conn_list:
                    report += [f"### SQLite (Kiosque only), {conns} connection{'s' if conns > 1 else ''}", "",
                               table(agg, args.page_list, systems, conns, "sqlite"), ""]
            tgt_table, tgt = targets(agg, args.page_list, args.conn_list)
            report += ["### Targets (Kiosque GraphQL on PostgreSQL)", "", tgt_table, ""]
            busy = [c for c in cells if c["other_cpu_cores"] > args.noisy]
            if busy:
                report.append(f"Note: {len(busy)} of {len(cells)} cells saw more than {args.noisy:g} core busy outside the servers, "
                              f"PostgreSQL and wrk (kernel loopback work, or another job on the machine): "
                              f"see other_cpu_cores in the JSON lines.")
            out.write(json.dumps({"type": "summary", "run": stamp, "targets": tgt,
                                  "aggregate": [{"page": k[0], "system": k[1], "connections": k[2], **v} for k, v in agg.items()],
                                  "elapsed_s": round(time.monotonic() - started, 1)}) + "\n")
        (out_dir / f"{stamp}.md").write_text("\n".join(report) + "\n")
        print("\n".join(report))
        log(f"JSON lines: {jsonl}  (server logs: {args.run_dir})  in {time.monotonic() - started:.0f} s")
        return 0
    except BenchError as e:
        log(f"FAILED: {e}")
        return 1
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}): stopping everything")
        return 130
    finally:
        PROCS.stop_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
