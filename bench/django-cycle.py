"""
Django's messages framework doing the storage cycle of bench/storage.bench.ts, driven by
bench/django.ts over stdin and stdout, one JSON line each way.

Request 1 adds N messages and stores them (CookieStorage: its signed, compressed cookie;
SessionStorage: the session, saved to a local-memory cache as SessionMiddleware saves it);
request 2 loads them, reads them all and stores again (clears). Each request's cookies are parsed
from its Cookie header and each response's Set-Cookie headers serialized, as in the cycle of
bench/storage.bench.ts (see set_cookie_headers below). Commands:

  {"check": "cookie" | "session", "count": N}  -> {"read": [...messages' texts...], "cleared": bool}
  {"round": "cookie" | "session", "count": N, "iterations": I}
      -> {"microseconds": wall time per cycle, "cpuMicroseconds": this process's CPU time per cycle}
  {"version": true}  -> {"django": "5.2.x", "python": "3.x"}
"""

import json
import platform
import sys
import time

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="benchmark-secret-of-at-least-32-chars",
    INSTALLED_APPS=["django.contrib.messages", "django.contrib.sessions"],
    # The session in the process's memory (a cache backend), as our memory store keeps it:
    # no database round trip on either side.
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    USE_TZ=True,
)
django.setup()

from django.contrib.messages import constants  # noqa: E402
from django.contrib.messages.storage.cookie import CookieStorage  # noqa: E402
from django.contrib.messages.storage.session import SessionStorage  # noqa: E402
from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.http import HttpRequest, HttpResponse, parse_cookie  # noqa: E402


# Both sides do a real request's cookie plumbing, as bench/storage.bench.ts's cycle does: each
# request's cookies come from parsing its Cookie header (parse_cookie, as WSGIRequest.COOKIES
# does), each response's Set-Cookie headers are serialized (Morsel.output, as WSGIHandler does),
# and the browser's next Cookie header is the name=value of each Set-Cookie header it got.


def set_cookie_headers(response):
    """The response's Set-Cookie header values, as WSGIHandler sends them."""
    return [morsel.output(header="") for morsel in response.cookies.values()]


def cookie_header(set_cookies, cookie=""):
    """The browser's next Cookie header after these Set-Cookie headers (`cookie` without any)."""
    pairs = [header.split(";", 1)[0].strip() for header in set_cookies]
    return "; ".join(pairs) or cookie


def request(cookie):
    """A request that sent the Cookie header `cookie`."""
    incoming = HttpRequest()
    incoming.COOKIES = parse_cookie(cookie)
    return incoming


def cookie_cycle(count):
    """Django's CookieStorage: returns what request 2 read and whether its response cleared."""
    first = request("")
    adding = CookieStorage(first)
    for i in range(count):
        adding.add(constants.SUCCESS, f"Task {i} saved.")
    response = HttpResponse()
    adding.update(response)
    second = request(cookie_header(set_cookie_headers(response)))
    reading = CookieStorage(second)
    read = [m.message for m in reading]
    cleared = HttpResponse()
    reading.update(cleared)
    deletion = set_cookie_headers(cleared)
    return read, len(deletion) == 1 and cleared.cookies[CookieStorage.cookie_name]["max-age"] == 0


# The browser's session, created once (as bench/storage.bench.ts's memory store case has one),
# and the Cookie header that carries it.
session = SessionStore()
session.create()
session_cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def session_cycle(count):
    """Django's SessionStorage on a cached session, saved at the end of each request."""
    first = request(session_cookie)
    first.session = SessionStore(first.COOKIES[settings.SESSION_COOKIE_NAME])
    adding = SessionStorage(first)
    for i in range(count):
        adding.add(constants.SUCCESS, f"Task {i} saved.")
    response = HttpResponse()
    adding.update(response)
    if first.session.modified:
        first.session.save()
    second = request(cookie_header(set_cookie_headers(response), session_cookie))
    second.session = SessionStore(second.COOKIES[settings.SESSION_COOKIE_NAME])
    reading = SessionStorage(second)
    read = [m.message for m in reading]
    cleared = HttpResponse()
    reading.update(cleared)
    if second.session.modified:
        second.session.save()
    set_cookie_headers(cleared)
    return read, SessionStorage.session_key not in SessionStore(second.session.session_key).load()


CYCLES = {"cookie": cookie_cycle, "session": session_cycle}


def answer(command):
    if "version" in command:
        return {"django": django.get_version(), "python": platform.python_version()}
    cycle = CYCLES[command.get("check") or command["round"]]
    count = command["count"]
    if "check" in command:
        read, cleared = cycle(count)
        return {"read": read, "cleared": cleared}
    iterations = command["iterations"]
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        cycle(count)
    return {
        "microseconds": (time.perf_counter() - start) * 1e6 / iterations,
        "cpuMicroseconds": (time.process_time() - cpu) * 1e6 / iterations,
    }


for line in sys.stdin:
    if line.strip():
        sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
        sys.stdout.flush()
