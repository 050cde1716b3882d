"""Secrets kept out of everything the library shows: one redaction for every URL it names.

A store URL may carry a password (``postgresql://qse:S3cr3t@host/db``), a secret query parameter
(``?password=``, ``?sslpassword=``, ``?token=``...) or be a libpq keyword string
(``host=db password=S3cr3t``); and a URL typed wrongly (an ``@`` or ``/`` left unencoded in the
password) must not leak either. :func:`redact_url` is how a URL is shown anywhere: reports,
errors, logs, ``explain``, notifications and the command line. :func:`secrets_in` lists the
secrets a URL holds under every reading of it, so text that came from elsewhere (a database
driver's error) can be scrubbed with :func:`scrub` before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus, urlsplit

from .errors import FieldError, QSEError, ValidationError

MASK = "***"
"""What a secret is replaced with."""

_SECRET_WORDS = ("pass", "pwd", "secret", "token", "key", "auth", "cred", "sig")
# libpq's keyword strings: ``host=db password='se cret'``.
_KEYWORD_VALUE = re.compile(
    r"(?<![\w.%-])(?P<name>[A-Za-z_%][\w.%-]*)(?P<eq>\s*=\s*)"
    r"(?P<value>'(?:[^'\\]|\\.)*'?|[^\s&;]*)"
)
# The options a store or notifier URL may have after a secret one: libpq's connection
# parameters, the stores' and the SMTP notifier's own.
_KNOWN_OPTIONS = frozenset(
    [
        "application_name",
        "cafile",
        "channel_binding",
        "client_encoding",
        "connect_timeout",
        "dbname",
        "fallback_application_name",
        "fields",
        "from",
        "gssdelegation",
        "gssencmode",
        "gsslib",
        "host",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "krbsrvname",
        "load_balance_hosts",
        "options",
        "passfile",
        "port",
        "replication",
        "requirepeer",
        "requiressl",
        "schema",
        "service",
        "ssl_max_protocol_version",
        "ssl_min_protocol_version",
        "sslcert",
        "sslcertmode",
        "sslcompression",
        "sslcrl",
        "sslcrldir",
        "sslkey",
        "sslmode",
        "sslpassword",
        "sslrootcert",
        "sslsni",
        "starttls",
        "subject",
        "synchronous",
        "target_session_attrs",
        "tcp_user_timeout",
        "timeout",
        "timezone",
        "to",
        "user",
    ]
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/*")


def is_secret_name(name: str) -> bool:
    """Whether a URL query parameter or connection keyword of this name holds a secret
    (``password``, ``sslpassword``, ``token``, ``api_key``, ...)."""
    lowered = name.strip().lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _parameters(query: str) -> list[tuple[str, str | None]]:
    """The ``(name, value)`` of each parameter of a URL query (value None without ``=``). The
    value of a secret parameter runs on over each ``&`` that does not start a known option, so
    a password holding an unencoded ``&`` (``?password=a&b=c&sslmode=require``) is kept whole."""
    pieces = query.split("&")
    found: list[tuple[str, str | None]] = []
    index = 0
    while index < len(pieces):
        name, equals, value = pieces[index].partition("=")
        index += 1
        if equals and is_secret_name(unquote(name)):
            while index < len(pieces) and not _starts_option(pieces[index]):
                value += "&" + pieces[index]
                index += 1
        found.append((name, value if equals else None))
    return found


def _starts_option(piece: str) -> bool:
    name, equals, _ = piece.partition("=")
    return bool(equals) and unquote(name).lower() in _KNOWN_OPTIONS


def _masked_query(query: str) -> str:
    shown = []
    for name, value in _parameters(query):
        if value is None:
            shown.append(name)
        elif value and is_secret_name(unquote(name)):
            shown.append(f"{name}={MASK}")
        else:
            shown.append(f"{name}={value}")
    return "&".join(shown)


def _userinfo_password(userinfo: str) -> str | None:
    _, colon, password = userinfo.partition(":")
    return password if colon and password else None


_SHORTEST_GUESS = 4
"""A password read from a malformed URL (see :func:`_readings`) is masked elsewhere only if it
has at least this many characters: a shorter guess would mask ordinary text all over."""


def _readings(url: str) -> Iterable[tuple[str, str, bool]]:
    """``(userinfo, query, guessed)`` of each way ``url`` may be read: as a well-formed URL
    (not guessed); and, guessed, with the userinfo running to the last ``@`` (a password holding
    an unencoded ``/``, ``?`` or ``#``) or to the first (a host part holding an ``@``), with or
    without a scheme; either part may be empty."""
    try:
        parts = urlsplit(url)
        yield parts.netloc.rpartition("@")[0], parts.query, False
    except ValueError:  # e.g. an unclosed IPv6 bracket
        pass
    rests = [_SCHEME.sub("", url, count=1)]
    if "@" in url.partition("://")[0]:  # "user:password@host", its scheme lost or misplaced
        rests.append(url)
    for rest in rests:
        yield rest.rpartition("@")[0], "", True
        yield rest.partition("@")[0], "", True
    yield "", url.partition("?")[2], False


def _forms(value: str) -> tuple[str, ...]:
    """A secret as written, percent-decoded, form-decoded, unquoted (libpq's ``'...'``) and as
    ``repr`` shows it."""
    bare = value[1:-1] if len(value) > 1 and value[0] == value[-1] == "'" else value
    shown = repr(value)[1:-1]  # as a message quoting it with !r shows it
    return (value, bare, unquote(value), unquote_plus(value), shown)


def secrets_in(text: str) -> frozenset[str]:
    """Every secret ``text`` (a URL or a libpq keyword string) holds, as written and decoded."""
    if not isinstance(text, str):
        return frozenset()
    found: set[str] = set()
    for userinfo, query, guessed in _readings(text):
        password = _userinfo_password(userinfo)
        if password is not None and (not guessed or len(password) >= _SHORTEST_GUESS):
            found.update(_forms(password))
        for name, value in _parameters(query):
            if value and is_secret_name(unquote(name)):
                found.update(_forms(value))
    for match in _KEYWORD_VALUE.finditer(text.partition("?")[0]):  # a libpq keyword string
        if is_secret_name(unquote(match["name"])) and match["value"]:
            found.update(_forms(match["value"]))
    return frozenset(secret for secret in found if secret and secret != MASK)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***`` (longest first, so a
    secret holding another is masked whole)."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def redact_url(url: object) -> str:
    """``url`` as it may be shown anywhere: the password of ``user:password@`` and the values of
    secret query parameters and ``keyword=value`` pairs replaced by ``***``; malformed URLs
    included. Text that is not a URL comes back unchanged unless it holds such a secret.

    An ``@`` after a ``:`` further on (``smtp://host:25?to=a@lab``) cannot be told from a
    password left unencoded, so such a URL is masked from the ``:`` to the last ``@``: shown
    less than it could be, rather than a password shown."""
    if not isinstance(url, str):
        return f"<{type(url).__name__}>"
    shown = url
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        netloc = ""
    userinfo, at, host = netloc.rpartition("@")
    if at and _userinfo_password(userinfo) is not None:
        shown = shown.replace(netloc, f"{userinfo.partition(':')[0]}:{MASK}@{host}", 1)
    elif "@" in url:  # malformed: the password may run to the last "@" (an unencoded "/", "?")
        scheme = _SCHEME.match(url)
        start = scheme.end() if scheme else 0
        userinfo, _, rest = url[start:].rpartition("@")
        if _userinfo_password(userinfo) is not None:
            shown = f"{url[:start]}{userinfo.partition(':')[0]}:{MASK}@{rest}"

    def mask(match: re.Match[str]) -> str:
        if not match["value"] or not is_secret_name(unquote(match["name"])):
            return match[0]
        return f"{match['name']}{match['eq']}{MASK}"

    head, question, query = shown.partition("?")
    shown = _KEYWORD_VALUE.sub(mask, head) + question + _masked_query(query)
    return scrub(shown, secrets_in(url))


def scrub_error(error: QSEError, secrets: Iterable[str]) -> QSEError:
    """``error`` itself when its message holds none of ``secrets``; else the same kind of error
    (a :class:`ValidationError` keeps its paths) with every secret masked."""
    hidden = frozenset(secrets)
    if not any(secret in str(error) for secret in hidden):
        return error
    if isinstance(error, ValidationError):
        problems = [FieldError(e.path, scrub(e.message, hidden)) for e in error.errors]
        return ValidationError(problems, what=scrub(error.what, hidden))
    message = scrub(str(error), hidden)
    try:
        clean = type(error)(message)
    except Exception:  # a subclass whose constructor takes more than a message
        clean = QSEError(message)
    if str(clean) != message:
        clean = QSEError(message)
    for name, value in vars(error).items():  # e.g. a plugin error's ``plugin``
        if not any(secret in repr(value) for secret in hidden):
            setattr(clean, name, value)
    return clean
