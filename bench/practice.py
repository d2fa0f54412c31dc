"""`python -m bench.practice`: the practice answer endpoint against the trivial endpoint, and the bytes
a phone transfers to practise.

Serves the demo (the city, the standards, the question banks and months of practice history) on
PostgreSQL the production way (bench/harness.py), then:

1. requests/s of POST /api/v1/learning/answers — each request a different clerk's token (of
   --people demo clerks and couriers), a practice question of the city bank, a fresh client id —
   divided by GET /healthz measured before and after (design.md budget: ≥ 0.5; p99 ≤ 4 × p50
   printed for information). Afterwards the database must hold exactly one new answer per 2xx
   response: none lost, none counted twice.
2. the practice page as a phone loads it (a demo clerk signed in through the sign-in form): the
   first load's HTML plus every stylesheet and script it links, as transferred — static files
   with Accept-Encoding: gzip, as WhiteNoise serves them compressed — and then, per answer, the
   htmx POST's feedback fragment plus the next question's page (the "下一题" link; the linked
   static files are cached: WhiteNoise gives hashed names a year's max-age). Budgets: first load
   ≤ 150 KB, each answer round trip ≤ 10 KB (KB = 1,024 bytes; response bodies, headers counted
   separately). The 我的 page (with the person's statistics) is measured the same way.

Results go to bench/out/practice-answer.json and bench/out/practice-bytes.json.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.cookiejar
import json
import os
import re
import sys
import urllib.parse
import urllib.request
import uuid
from html import unescape
from io import StringIO

from bench.harness import OUT_DIR, TRIVIAL_PATH, Baseline, Budget, load, report, serve

ANSWER_PATH = "/api/v1/learning/answers"
PRACTICE_PATH = "/m/learn/practice/sequential/?bank=JLS-PF"
ME_PATH = "/m/me/"
KB = 1024
FIRST_LOAD_BUDGET = 150 * KB
ANSWER_BUDGET = 10 * KB
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postqc_bench_practice"


def load_demo_and_tokens(people: int, *, history: bool = True) -> dict:
    """The demo this needs (the city, the standards, the banks and, with `history`, the practice
    history), API tokens for `people` demo clerks and couriers, and a right response for every
    practice question of the city bank (run by serve() against the bench database)."""
    from postqc.api.services import token_issue
    from postqc.core.demo import DEFAULT_SEED, DEMO_PASSWORD
    from postqc.learning import demo, demo_history
    from postqc.learning.models import Question
    from postqc.org import demo as org_demo
    from postqc.org.models import Staff
    from postqc.standards import demo as standards_demo

    for module in (org_demo, standards_demo, demo, *([demo_history] if history else [])):
        module.load(stdout=StringIO(), seed=DEFAULT_SEED)
    staff = list(Staff.objects.filter(is_active=True, unit__code__startswith="JLS-",
                                      role_links__role__in=["clerk", "courier"])
                 .order_by("employee_no").distinct()[:people])
    tokens = [token_issue(staff=s, label="bench")[0] for s in staff]
    questions = [(code, answer if type_ != "fill" else answer[:1])
                 for code, type_, answer in Question.objects.filter(
                     bank__code="JLS-PF", status="published", pool="practice")
                 .order_by("sort_order").values_list("code", "current__type", "current__answer")]
    return {"tokens": tokens, "staff": staff, "staff_ids": [s.pk for s in staff], "questions": questions,
            "login": (staff[0].employee_no, DEMO_PASSWORD)}


def answer_request(data: dict, i: int):
    """The i-th answer: the next clerk's token, a question spread over the bank, a fresh client id."""
    token = data["tokens"][i % len(data["tokens"])]
    code, response = data["questions"][(i * 7919) % len(data["questions"])]
    body = json.dumps({"question": code, "response": response, "client_id": str(uuid.uuid4()),
                       "duration_ms": 3000 + (i * 37) % 20000, "mode": "random"}).encode()
    return "POST", ANSWER_PATH, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, body


# --- Bytes on the wire ----------------------------------------------------------------------------------


class Phone:
    """A signed-in browser session over plain urllib: cookies kept, bodies counted as transferred."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar(_PlainHttpPolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def fetch(self, path: str, *, data: dict | list | None = None, headers: dict | None = None,
              gzip_ok: bool = False) -> tuple[int, int, bytes, dict]:
        """(status, bytes transferred in the body, the decoded body, headers) of one request."""
        head = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) bench", **(headers or {})}
        if gzip_ok:
            head["Accept-Encoding"] = "gzip"
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=head)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx come here
            response = error
        raw = response.read()
        info = dict(response.headers.items())
        header_bytes = sum(len(k) + len(v) + 4 for k, v in info.items())
        decoded = gzip.decompress(raw) if info.get("Content-Encoding") == "gzip" else raw
        info["_header_bytes"] = header_bytes
        return response.status, len(raw), decoded, info

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def sign_in(self, employee_no: str, password: str) -> None:
        self.fetch("/accounts/login/")
        status, _n, _body, info = self.fetch("/accounts/login/", data={
            "username": employee_no, "password": password, "csrfmiddlewaretoken": self.csrf(), "next": "/m/"},
            headers={"Referer": self.base + "/accounts/login/"})
        if status != 302:
            raise RuntimeError(f"Signing in as {employee_no} failed (HTTP {status}).")


class _PlainHttpPolicy(http.cookiejar.DefaultCookiePolicy):
    """The server marks its cookies Secure (production is HTTPS); the bench talks plain HTTP on loopback."""

    def return_ok_secure(self, cookie, request):
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _assets(html: str) -> list[str]:
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    return [unescape(u) for u in links + scripts]


def first_load(phone: Phone, path: str) -> dict:
    status, html_bytes, html, info = phone.fetch(path, gzip_ok=True)
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}")
    text = html.decode()
    assets = {}
    headers = info["_header_bytes"]
    for url in _assets(text):
        a_status, n, _body, a_info = phone.fetch(url, gzip_ok=True)
        if a_status != 200:
            raise RuntimeError(f"GET {url}: HTTP {a_status}")
        assets[url] = {"bytes": n, "encoding": a_info.get("Content-Encoding", "identity"),
                       "cache": a_info.get("Cache-Control", "")}
        headers += a_info["_header_bytes"]
    return {"path": path, "html": html_bytes, "html_gzip_would_be": len(gzip.compress(html)),
            "html_encoding": info.get("Content-Encoding", "identity"), "assets": assets,
            "total": html_bytes + sum(a["bytes"] for a in assets.values()), "header_bytes": headers, "text": text}


def _form(html: str) -> tuple[str, dict, list[str]]:
    """The answer form of a practice page: its action, hidden fields and the first option to tap."""
    form = re.search(r'<form class="pq-form"[^>]*action="([^"]+)"(.*?)</form>', html, re.S)
    if form is None:
        raise RuntimeError("No answer form on the practice page.")
    fields = {unescape(n): unescape(v) for n, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2))}
    options = re.findall(r'name="response" value="([^"]+)"', form.group(2))
    return unescape(form.group(1)), fields, options[:1] or ["不知道"]


def answer_round_trips(phone: Phone, page_html: str, rounds: int) -> list[dict]:
    out = []
    html = page_html
    for _ in range(rounds):
        action, fields, response = _form(html)
        fields["client_id"] = str(uuid.uuid4())
        fields["duration_ms"] = "6000"
        status, frag_bytes, fragment, info = phone.fetch(action, data={**fields, "response": response}, headers={
            "HX-Request": "true", "X-CSRFToken": phone.csrf(), "Referer": phone.base + PRACTICE_PATH}, gzip_ok=True)
        if status != 200:
            raise RuntimeError(f"POST {action}: HTTP {status}")
        next_url = unescape(re.search(r'href="([^"]+)" data-pq-next', fragment.decode()).group(1))
        n_status, next_bytes, next_html, n_info = phone.fetch(next_url, gzip_ok=True)
        if n_status != 200:
            raise RuntimeError(f"GET {next_url}: HTTP {n_status}")
        html = next_html.decode()
        out.append({"fragment": frag_bytes, "next_page": next_bytes, "total": frag_bytes + next_bytes,
                    "header_bytes": info["_header_bytes"] + n_info["_header_bytes"]})
    return out


def measure_bytes(base: str, login: tuple[str, str], rounds: int) -> tuple[dict, bool]:
    phone = Phone(base)
    phone.sign_in(*login)
    practice = first_load(phone, PRACTICE_PATH)
    trips = answer_round_trips(phone, practice.pop("text"), rounds)
    me = first_load(phone, ME_PATH)
    me.pop("text")
    worst = max(t["total"] for t in trips)
    mean = sum(t["total"] for t in trips) / len(trips)
    result = {"practice_first_load": practice, "me_first_load": me, "answer_round_trips": trips,
              "answer_mean": mean, "answer_max": worst}
    lines = [
        "== practice-bytes: what a phone transfers (response bodies; static files gzip as WhiteNoise serves them)",
        f"   practice page, first load   {practice['total']:,} B = HTML {practice['html']:,} B "
        f"({practice['html_encoding']}; gzip would be {practice['html_gzip_would_be']:,} B) + "
        + " + ".join(f"{url.rsplit('/', 1)[-1]} {a['bytes']:,} B ({a['encoding']})"
                     for url, a in practice["assets"].items()),
        f"   response headers             {practice['header_bytes']:,} B on first load, "
        f"{sum(t['header_bytes'] for t in trips) / len(trips):,.0f} B per answer",
        f"   per answer ({rounds} answers)     mean {mean:,.0f} B, max {worst:,} B = feedback fragment "
        f"{sum(t['fragment'] for t in trips) / len(trips):,.0f} B + next question page "
        f"{sum(t['next_page'] for t in trips) / len(trips):,.0f} B (mean)",
        f"   我的 page, first load         {me['total']:,} B (HTML {me['html']:,} B)",
    ]
    budgets = [Budget("practice first load KB", practice["total"] / KB, at_most=FIRST_LOAD_BUDGET / KB),
               Budget("practice answer round trip KB (max)", worst / KB, at_most=ANSWER_BUDGET / KB),
               Budget("我的 first load KB", me["total"] / KB, at_most=FIRST_LOAD_BUDGET / KB)]
    lines += [f"   budget        {b}" for b in budgets]
    print("\n".join(lines), flush=True)
    result["budgets"] = [{"figure": b.figure, "value": b.value, "at_most": b.at_most, "met": b.met} for b in budgets]
    (OUT_DIR / "practice-bytes.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result, all(b.met for b in budgets)


def count_answers(staff_ids: list[int], since) -> int:
    from postqc.learning.models import Answer

    return Answer.objects.filter(staff_id__in=staff_ids, mode="random", answered_at__gte=since).count()


def accepted(figures) -> int:
    return sum(n for status, n in figures.status.items() if 200 <= int(status) < 300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.practice", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run [10]")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run [2]")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections [16]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers [CPUs]")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker [4]")
    parser.add_argument("--people", type=int, default=64, help="clerks answering, one token each [64]")
    parser.add_argument("--rounds", type=int, default=20, help="answers given through the page for the bytes [20]")
    args = parser.parse_args(argv)
    common = dict(concurrency=args.concurrency, duration=args.duration, warmup=args.warmup)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)

    with serve(workers=args.workers, threads=args.threads, database_url=database_url,
               load_data=functools.partial(load_demo_and_tokens, args.people)) as server:
        from django.utils import timezone

        data, started = server.data, timezone.now()
        factory = functools.partial(answer_request, data)
        before = load(server.url(TRIVIAL_PATH), server=server, **common)
        # The answer run's warm-up is a load of its own, so every answer it sends is counted below.
        warm = load(server.url(ANSWER_PATH), concurrency=args.concurrency, duration=args.warmup, warmup=0,
                    request_factory=factory)
        answers = load(server.url(ANSWER_PATH), server=server, request_factory=factory,
                       concurrency=args.concurrency, duration=args.duration, warmup=0)
        after = load(server.url(TRIVIAL_PATH), server=server, **common)
        recorded = count_answers(data["staff_ids"], started)
        _bytes, bytes_ok = measure_bytes(server.url(""), data["login"], args.rounds)

    baseline = Baseline(before, after)
    sent = accepted(warm) + accepted(answers)
    ok = report("practice-answer", answers, [
        Budget("requests/s ÷ trivial", answers.rps / baseline.rps, at_least=0.5),
        Budget("p99 ÷ p50", answers.p99 / answers.p50),
    ], baseline=baseline)
    # Every 2xx answer (warm-up included) is one new row: none lost, none counted twice.
    print(f"   answers       {recorded:,} recorded for {sent:,} accepted (warm-up included): "
          f"{'OK, 0 lost, 0 double-counted' if recorded == sent else 'MISMATCH'}", flush=True)
    failures = sum(f.errors + f.unexpected for f in (before, warm, answers, after))
    return 0 if ok and bytes_ok and failures == 0 and recorded == sent else 1


if __name__ == "__main__":
    sys.exit(main())
