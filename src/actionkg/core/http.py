"""The project's one HTTP client, with the rules a hostile server cannot bend.

Remote queries and `push` (and later page fetching and the publishing endpoint's tests) use it,
so these hold everywhere:

- **A total deadline.** Each exchange (connect, send, answer headers, the whole body) ends by
  `timeout` seconds: a watchdog shuts the socket down when the time is up, so a server that
  trickles one byte a second cannot stretch it. Per-read timeouts alone cannot promise that.
- **A size cap.** An answer larger than `max_bytes` is cut while it streams in, never read whole.
- **Redirects never carry secrets or a body elsewhere.** A GET follows a redirect to the same
  origin (scheme, host and port), at most `MAX_REDIRECTS` times, keeping its credentials; a
  redirect to another origin is refused, as is any redirect of a request with a body (PUT,
  POST, DELETE): following it would resend the credentials, or turn a PUT into a GET that
  stores nothing. The one widening is the caller's `follow_to` hosts (page fetching): a GET
  *without credentials* may then go to those hosts too, never from https down to http.
- **Credentials only from the caller.** Nothing is read from `~/.netrc`, the environment or the
  URL: credentials written into a URL (`http://user:pw@host/`) are refused, so they are never
  printed in a message either. Proxies from the environment are not used.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.response import BaseHTTPResponse

from .errors import InputError, OutsideError
from .limits import check_timeout

DEFAULT_TIMEOUT = 60.0
DEFAULT_ANSWER_BYTES = 256 << 20  # 256 MiB: far above any catalogue answer, far below a memory problem
MAX_REDIRECTS = 5
PASSWORD_VARIABLE = "ACTIONKG_PASSWORD"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 << 10
_BAD_URL_CHARS = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")


@dataclass(frozen=True)
class Credentials:
    """A user name and password the user gave; `scheme` is "digest" (never downgraded) or "basic"."""

    user: str
    password: str = field(repr=False)
    scheme: str = "digest"


def check_url(url: str, what: str) -> str:
    """An http(s) URL with a host and no credentials in it, or an InputError naming the option."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(what, f"only http:// and https:// URLs are accepted, not {_shown(url)!r}")
    if _BAD_URL_CHARS.search(url) or not parts.hostname:
        raise InputError(what, f"not a usable URL: {_shown(url)!r}")
    if "@" in parts.netloc:
        raise InputError(
            what, "credentials in the URL are not accepted; use --user (the password is never put in a URL)"
        )
    try:
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        raise InputError(what, f"bad port in {_shown(url)!r}") from None
    return url


def password_for(user: str | None, given: str | None, prompt: Callable[[], str] | None) -> Credentials | None:
    """The password for `user`: `--password`, else $ACTIONKG_PASSWORD, else a prompt (when one is possible).

    Without `--user` no credentials are sent at all (nothing comes from ~/.netrc); a `--user` with
    no way to learn the password is a usage error, not an anonymous request.
    """
    if user is None:
        if given is not None:
            raise InputError("--password", "needs --user")
        return None
    if given is not None:
        return Credentials(user, given)
    from_env = os.environ.get(PASSWORD_VARIABLE)
    if from_env is not None:
        return Credentials(user, from_env)
    if prompt is not None:
        return Credentials(user, prompt())
    raise InputError(
        "--user", f"no password: set {PASSWORD_VARIABLE}, run in a terminal to be asked, or pass --password"
    )


def _shown(url: str) -> str:
    """A URL for a message, without any user:password part."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
    return url[:200]


def default_user_agent() -> str:
    """The User-Agent every request sends: the tool and its version, so a site can tell who asks."""
    try:
        version = importlib.metadata.version("actionkg")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        version = "unknown"
    return f"actionkg/{version} (action-plan knowledge graph builder; one request at a time)"


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


# -- the watchdog: sockets of one exchange, shut down at its deadline --------------------------------


class _Watch:
    """The sockets an exchange opened; `fire` shuts them all, which ends any blocked send or recv."""

    def __init__(self) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed or never connected
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """Hands every new socket to the watchdog, for plain and TLS connections alike."""

    watch: _Watch | None = None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if self.watch is not None:
            self.watch.add(sock)
        return sock


class _WatchedConnection(_Watched, HTTPConnection):
    pass


class _WatchedTLSConnection(_Watched, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection
    watch: _Watch | None = None

    def _new_conn(self) -> Any:
        conn = super()._new_conn()
        conn.watch = self.watch  # type: ignore[attr-defined]
        return conn


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection
    watch: _Watch | None = None

    def _new_conn(self) -> Any:
        conn = super()._new_conn()
        conn.watch = self.watch  # type: ignore[attr-defined]
        return conn


# -- Digest authentication (RFC 7616), so a 401's body is never read whole -----------------------


def _digest_header(
    challenge: str, creds: Credentials, method: str, url: str, count: int, cnonce: str | None = None
) -> str | None:
    """The Authorization value answering a `Digest` challenge, or None if the challenge is not one we answer."""
    if not challenge.lower().startswith("digest "):
        return None
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))
    realm, nonce = fields.get("realm"), fields.get("nonce")
    algorithm = fields.get("algorithm", "MD5").upper()
    hashes: dict[str, Callable[[bytes], Any]] = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
    if realm is None or nonce is None or algorithm not in hashes:
        return None

    def h(text: str) -> str:
        return str(hashes[algorithm](text.encode("utf-8")).hexdigest())

    parts = urlsplit(url)
    uri = parts.path or "/"
    if parts.query:
        uri += "?" + parts.query
    ha1 = h(f"{creds.user}:{realm}:{creds.password}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in fields.get("qop", "").split(",") if q.strip()]
    answer = {"username": creds.user, "realm": realm, "nonce": nonce, "uri": uri, "algorithm": algorithm}
    if "auth" in qops:
        nc, cnonce = f"{count:08x}", cnonce or os.urandom(8).hex()
        answer.update(qop="auth", nc=nc, cnonce=cnonce, response=h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"))
    elif qops:
        return None  # only auth-int offered: not supported
    else:
        answer["response"] = h(f"{ha1}:{nonce}:{ha2}")
    if "opaque" in fields:
        answer["opaque"] = fields["opaque"]
    bare = ("algorithm", "qop", "nc")
    return "Digest " + ", ".join(
        f"{k}={v}" if k in bare else '{}="{}"'.format(k, v.replace("\\", "\\\\").replace('"', '\\"'))
        for k, v in answer.items()
    )


def _basic_header(creds: Credentials) -> str:
    token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
    return f"Basic {token}"


# -- the client ---------------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One answer being read: its status and headers now, its body in bounded chunks."""

    url: str  # the URL asked, as given (without the parameters): the one messages name
    status: int
    reason: str
    headers: Mapping[str, str]
    _response: BaseHTTPResponse
    _client: Client
    _deadline: float
    _watch: _Watch
    final_url: str = ""  # where the answer came from after redirects (the URL asked when there were none)

    def chunks(self) -> Iterator[bytes]:
        """The body as it arrives; OutsideError at the size cap, the deadline or a broken connection."""
        cap = self._client.max_bytes
        declared = self.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            raise self._client.too_big(self.url)
        total = 0
        while True:
            if time.monotonic() > self._deadline:
                raise self._client.timed_out(self.url)
            try:
                chunk = self._response.read(_CHUNK)
            except (Urllib3Error, OSError) as exc:
                raise self._client.failed(self.url, exc, self._watch) from None
            if not chunk:
                if self._watch.fired:  # a close-delimited body cut by the watchdog looks like its end
                    raise self._client.timed_out(self.url)
                return
            total += len(chunk)
            if total > cap:
                raise self._client.too_big(self.url)
            yield chunk

    def read(self) -> bytes:
        return b"".join(self.chunks())


class Client:
    """HTTP exchanges with a total deadline, a size cap and safe redirects (see the module's notes).

    `timeout` bounds each exchange from connecting to the last byte of the answer; `max_bytes`
    bounds each answer's body. Credentials go only to the origin of the URL asked.
    """

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_ANSWER_BYTES,
        credentials: Credentials | None = None, user_agent: str | None = None,
    ) -> None:  # fmt: skip
        self.timeout = check_timeout(timeout)
        if max_bytes <= 0:
            raise InputError("--max-bytes", f"expected a positive size, not {max_bytes}")
        self.max_bytes = max_bytes
        self.credentials = credentials
        self.user_agent = user_agent or default_user_agent()

    # messages, one place so every caller says the same thing
    def timed_out(self, url: str) -> OutsideError:
        return OutsideError(_shown(url), f"no answer within {self.timeout:g} s")

    def too_big(self, url: str) -> OutsideError:
        return OutsideError(_shown(url), f"answer larger than {self.max_bytes} bytes, the --max-bytes cap; not read")

    def failed(self, url: str, exc: BaseException, watch: _Watch) -> OutsideError:
        if watch.fired:
            return self.timed_out(url)
        if isinstance(exc, NewConnectionError):  # urllib3 makes it a kind of timeout error: test it first
            return OutsideError(_shown(url), f"cannot connect: {exc.__cause__ or exc}")
        if isinstance(exc, (Urllib3Timeout, TimeoutError, socket.timeout)):
            return self.timed_out(url)
        detail = " ".join(str(exc).split())[:160]
        return OutsideError(_shown(url), f"connection broken before the answer was complete: {detail}")

    def request(
        self, method: str, url: str, *, params: Mapping[str, str] | list[tuple[str, str]] | None = None,
        body: bytes | None = None, headers: Mapping[str, str] | None = None, follow_to: Collection[str] = (),
    ) -> tuple[Exchange, bytes]:  # fmt: skip
        """One exchange read whole (within the cap): the answer's status line and headers, and its body."""
        with self.open(method, url, params=params, body=body, headers=headers, follow_to=follow_to) as exchange:
            return exchange, exchange.read()

    @contextmanager
    def open(
        self, method: str, url: str, *, params: Mapping[str, str] | list[tuple[str, str]] | None = None,
        body: bytes | None = None, headers: Mapping[str, str] | None = None, follow_to: Collection[str] = (),
    ) -> Iterator[Exchange]:  # fmt: skip
        """One exchange, its body read by the caller inside the block; all of it within the deadline.

        `follow_to`: hosts besides the URL's own origin that a GET without credentials may be
        redirected to (page fetching; see the module's notes).
        """
        check_url(url, "URL")
        where, full = url, url
        if params:
            full += ("&" if urlsplit(url).query else "?") + urlencode(params)
        deadline = time.monotonic() + self.timeout
        watch = _Watch()
        timer = threading.Timer(self.timeout, watch.fire)
        timer.daemon = True
        timer.start()
        pools = [self._pool(url, watch)]
        hosts = frozenset(h.lower() for h in follow_to)
        response: BaseHTTPResponse | None = None
        try:
            response, final = self._exchange(pools, method, where, full, body, dict(headers or {}), deadline, watch,
                                             hosts)  # fmt: skip
            reason = response.reason or ""
            yield Exchange(where, response.status, reason, response.headers, response, self, deadline, watch, final)
        finally:
            timer.cancel()
            if response is not None:
                response.close()
            for pool in pools:
                pool.close()

    def _pool(self, url: str, watch: _Watch) -> HTTPConnectionPool:
        scheme, host, port = _origin(url)
        remaining = Timeout(connect=self.timeout, read=self.timeout)
        cls = _TLSPool if scheme == "https" else _Pool
        pool = cls(host, port, timeout=remaining, maxsize=1, block=False, retries=False)
        pool.watch = watch
        return pool

    def _exchange(
        self, pools: list[HTTPConnectionPool], method: str, where: str, url: str, body: bytes | None,
        headers: dict[str, str], deadline: float, watch: _Watch, follow_to: frozenset[str],
    ) -> tuple[BaseHTTPResponse, str]:  # fmt: skip
        """The answer to `url` after allowed GET redirects, and the URL it came from; `where` is the URL
        messages name. A hop to an allowed other origin opens a pool of its own (closed by the caller)."""
        pool = pools[-1]
        headers.setdefault("User-Agent", self.user_agent)
        creds = self.credentials
        challenge: str | None = None
        count = 0
        for _hop in range(MAX_REDIRECTS + 1):
            retried = False
            while True:
                sent = dict(headers)
                if creds is not None and creds.scheme == "basic":
                    sent["Authorization"] = _basic_header(creds)
                elif creds is not None and challenge is not None:
                    count += 1
                    value = _digest_header(challenge, creds, method, url, count)
                    if value is not None:
                        sent["Authorization"] = value
                response = self._send(pool, method, where, url, body, sent, deadline, watch)
                offered = response.headers.get("WWW-Authenticate", "")
                if (
                    response.status == 401 and creds is not None and creds.scheme == "digest" and not retried
                    and offered.lower().startswith("digest ")
                ):  # fmt: skip
                    response.close()  # its body is not needed, nor read
                    challenge, retried = offered, True
                    continue
                break
            location = response.headers.get("Location")
            if response.status not in _REDIRECTS or not location:
                return response, url
            response.close()
            target = urljoin(url, location)
            if method not in ("GET", "HEAD"):
                raise OutsideError(
                    _shown(where), f"HTTP {response.status} redirect to {_shown(target)} not followed for {method}"
                    " (a request with a body is never redirected); nothing was stored"
                )  # fmt: skip
            if urlsplit(target).scheme.lower() not in ("http", "https") or (
                _origin(target) != _origin(url) and not self._may_follow(url, target, follow_to)
            ):
                raise OutsideError(
                    _shown(where), f"HTTP {response.status} redirect to another origin, {_shown(target)}; not followed"
                )
            if "@" in urlsplit(target).netloc or _BAD_URL_CHARS.search(target):
                raise OutsideError(_shown(where), f"HTTP {response.status} redirect to an unusable URL; not followed")
            if _origin(target) != _origin(url):
                pool = self._pool(target, watch)
                pools.append(pool)
            url = target
        raise OutsideError(_shown(where), f"more than {MAX_REDIRECTS} redirects; not followed")

    def _may_follow(self, url: str, target: str, follow_to: frozenset[str]) -> bool:
        """A redirect to another origin: only to a `follow_to` host, without credentials, never https → http."""
        (scheme, _, _), (new_scheme, host, _) = _origin(url), _origin(target)
        return self.credentials is None and host in follow_to and not (scheme == "https" and new_scheme == "http")

    def _send(
        self, pool: HTTPConnectionPool, method: str, where: str, url: str, body: bytes | None,
        headers: dict[str, str], deadline: float, watch: _Watch,
    ) -> BaseHTTPResponse:  # fmt: skip
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self.timed_out(where)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            return pool.urlopen(
                method, path, body=body, headers=headers, redirect=False, retries=False, preload_content=False,
                assert_same_host=False, timeout=Timeout(connect=remaining, read=remaining), release_conn=False,
            )  # fmt: skip
        except (Urllib3Error, OSError) as exc:
            raise self.failed(where, exc, watch) from None
