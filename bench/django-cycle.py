"""
Django's messages framework doing the storage cycle of bench/storage.bench.ts, driven by
bench/django.ts over stdin and stdout, one JSON line each way.

Request 1 adds N messages and stores them (CookieStorage: its signed, compressed cookie;
SessionStorage: the session, saved to a local-memory cache as SessionMiddleware saves it);
request 2 loads them, reads them all and stores again (clears). Commands:

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
from django.http import HttpRequest, HttpResponse  # noqa: E402


def cookie_cycle(count):
    """Django's CookieStorage: returns what request 2 read and whether its response cleared."""
    first = HttpRequest()
    adding = CookieStorage(first)
    for i in range(count):
        adding.add(constants.SUCCESS, f"Task {i} saved.")
    response = HttpResponse()
    adding.update(response)
    second = HttpRequest()
    second.COOKIES[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    reading = CookieStorage(second)
    read = [m.message for m in reading]
    cleared = HttpResponse()
    reading.update(cleared)
    return read, cleared.cookies[CookieStorage.cookie_name]["max-age"] == 0


# The browser's session, created once (as bench/storage.bench.ts's memory store case has one).
session = SessionStore()
session.create()
session_key = session.session_key


def session_cycle(count):
    """Django's SessionStorage on a cached session, saved at the end of each request."""
    first = HttpRequest()
    first.session = SessionStore(session_key)
    adding = SessionStorage(first)
    for i in range(count):
        adding.add(constants.SUCCESS, f"Task {i} saved.")
    adding.update(HttpResponse())
    if first.session.modified:
        first.session.save()
    second = HttpRequest()
    second.session = SessionStore(session_key)
    reading = SessionStorage(second)
    read = [m.message for m in reading]
    reading.update(HttpResponse())
    if second.session.modified:
        second.session.save()
    return read, SessionStorage.session_key not in SessionStore(session_key).load()


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
