"""Find secrets and personal data in post-mortem text before it is published."""

from __future__ import annotations

import ipaddress
import math
import re
import string
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One secret or piece of personal data, located in the scanned text."""

    line: int  # 1-based, counted from first_line
    column: int  # 1-based
    kind: str
    level: Level
    message: str


# A check turns a match into (start, end, shown), or None to drop it; `shown` is
# the redacted value a message may contain. Checks read the original text by
# position, because some patterns run on a lower-cased copy.
_Hit = tuple[int, int, str]
_Check = Callable[[re.Match[str], str], "_Hit | None"]


@dataclass(frozen=True)
class _Rule:
    kind: str
    level: Level
    what: str
    advice: str
    pattern: re.Pattern[str]
    check: _Check
    # Characters that may not come right before a match. This stands in for a
    # leading look-behind, which would stop the regex engine from jumping
    # straight to the pattern's literal start and make the scan several times slower.
    not_after: frozenset[str] = frozenset()
    lowered: bool = False  # run on the lower-cased text: far cheaper than (?i)
    numeric: bool = False  # run only inside the digit runs _NUMBERISH finds


def _c(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # ASCII: \d and \w must not match other scripts' digits, which int() and
    # ipaddress would then misread.
    return re.compile(pattern, re.ASCII | flags)


def _redact(value: str, keep: int = 4) -> str:
    """The value cut to its first `keep` characters, and never more than half of it."""
    return value[: min(keep, len(value) // 2)] + "…"


def _take(m: re.Match[str], text: str) -> _Hit:
    """The match, or its group "v" when the pattern has one, as a redacted hit."""
    start, end = m.span("v" if "v" in m.re.groupindex else 0)
    return start, end, _redact(text[start:end])


def _back(text: str, start: int, chars: frozenset[str], limit: int) -> int:
    """Where a run of `chars` ending at `start` begins, looking back at most `limit`."""
    stop = max(0, start - limit - 1)
    while start > stop and text[start - 1] in chars:
        start -= 1
    return start


_PLACEHOLDER = _c(
    r"""(?ix)
    [*x.#_-]+ | <[^>]*> | \[[^\]]*\] | \{\{.*\}\} | \$\{[^}]*\}? | \$\w+ | %\(?\w*\)?s
    | password | passwd | pass | secret | change[_-]?me | none | null
    | .*(?:redacted|placeholder|example|dummy|xxxx|\*\*\*).* | (?:your|my)[_-].*
    """
)
# Values that plainly are not credentials even though they follow a keyword.
_NOT_SECRET = _c(r"[0-9:.,/+-]+|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(?:Z|[+-][0-9:]+)?")
_PLAIN_SEGMENT = _c(r"[A-Za-z]+|[0-9]+|[vV][0-9]+|[0-9]+[A-Za-z]{1,3}")


def _is_placeholder(value: str) -> bool:
    """Whether a value is a template, variable or masked stand-in, not a real secret."""
    return bool(_PLACEHOLDER.fullmatch(value))


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _looks_secret(value: str) -> bool:
    """Whether an assigned value looks like a credential rather than a word or a name."""
    if len(value) < 8 or _is_placeholder(value) or _NOT_SECRET.fullmatch(value):
        return False
    if all(_PLAIN_SEGMENT.fullmatch(s) for s in re.split(r"[-_./:]+", value) if s):
        # Names like orders-db-v2 or payments/prod/db are common; only a long,
        # high-entropy run of letters still reads as a random key.
        return len(value) >= 20 and _entropy(value) >= 4.0
    return True


def _pem(m: re.Match[str], text: str) -> _Hit | None:
    # The BEGIN line only names the key type, so the message may show it.
    return m.start(), m.end(), m[0].split("\n", 1)[0] + "…"


def _aws_key(m: re.Match[str], text: str) -> _Hit | None:
    # AWS's own documentation key ends in EXAMPLE; quoting it is harmless.
    return None if m[0].endswith("EXAMPLE") else _take(m, text)


def _slack(m: re.Match[str], text: str) -> _Hit | None:
    # Real Slack tokens carry numeric team and user ids; xoxb-XXXX-XXXX is a template.
    return _take(m, text) if any(ch.isdigit() for ch in m[0][5:]) else None


def _webhook(m: re.Match[str], text: str) -> _Hit | None:
    shown = m[0][: m[0].index("/", 8) + 1] + "…"  # the host, which is not secret
    return None if _is_placeholder(m[0].rsplit("/", 1)[-1]) else (m.start(), m.end(), shown)


def _stripe(m: re.Match[str], text: str) -> _Hit | None:
    # The pattern starts at "k_" so it can be searched for as a literal.
    start = m.start() - 1
    if start < 0 or text[start] not in "sr" or (start and text[start - 1] in _WORD):
        return None
    return start, m.end(), _redact(text[start : m.end()])


_SCHEME = frozenset(string.ascii_letters + string.digits + "+.-")


def _url_password(m: re.Match[str], text: str) -> _Hit | None:
    # The pattern starts at "://"; the scheme is found by walking back.
    start = _back(text, m.start(), _SCHEME, 20)
    if start == m.start() or not text[start].isalpha() or _is_placeholder(m["v"]):
        return None
    shown = f"{text[start : m.start()]}://{m['user']}:…@"  # the host may be internal
    return start, m.end(), shown


def _assignment(m: re.Match[str], text: str) -> _Hit | None:
    group = next(g for g in ("dq", "sq", "bq", "bare") if m[g] is not None)
    start, end = m.span(group)
    return (start, end, _redact(text[start:end])) if _looks_secret(text[start:end]) else None


_WORD = frozenset(string.ascii_letters + string.digits + "_")
_EMAIL_LOCAL = frozenset(string.ascii_letters + string.digits + "._%+-")
# Documentation domains, reserved top-level domains, and retina images (logo@2x.png).
_NOT_PERSONAL_DOMAIN = _c(
    r"(?i)@(?:.+\.)?example\.(?:com|org|net)|@.+\.(?:example|test|invalid|localhost|png|jpg|gif|svg)"
)


def _email(m: re.Match[str], text: str) -> _Hit | None:
    # The pattern starts at "@", far cheaper to search for than a local part.
    start = _back(text, m.start(), _EMAIL_LOCAL, 64)
    local = text[start : m.start()]
    if not local or (start and text[start - 1] in _EMAIL_LOCAL) or local == "git":
        return None
    # A user name in a URL (ssh://deploy@host, postgres://app:${PW}@db) is no address.
    before = text[max(0, start - 100) : start]
    token = before.split()[-1] if before and not before[-1].isspace() else ""
    userinfo = token.rpartition("://")[2] if "://" in token else "/"
    if not any(c in userinfo for c in "/?#"):
        return None
    return None if _NOT_PERSONAL_DOMAIN.fullmatch(m[0]) else (start, m.end(), _redact(local + "@"))


def _phone(m: re.Match[str], text: str) -> _Hit | None:
    digits = re.sub(r"[^0-9]", "", m["v"])
    if not 8 <= len(digits) <= 15 or (m["v"][0] == "0" and len(digits) < 9):
        return None
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    # 555-0100 to 555-0199 is reserved for fiction in the North American plan.
    if len(national) == 10 and national[3:6] == "555" and national[6:8] == "01":
        return None
    return _take(m, text)


def _luhn(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum used by payment cards."""
    doubled = (int(ch) * (1 + i % 2) for i, ch in enumerate(reversed(digits)))
    return sum(d - 9 if d > 9 else d for d in doubled) % 10 == 0


def _known_issuer(digits: str) -> bool:
    """Whether a number starts like a card of its length from a major network."""
    n, two = len(digits), int(digits[:2])
    return ((digits[0] == "4" and n in (13, 16, 19)) or (two in (34, 37) and n == 15)
            or ((51 <= two <= 55 or 22 <= two <= 27) and n == 16)
            or (two in (30, 36, 38) and n == 14)
            or (two == 35 and n >= 16) or (digits[0] == "6" and n >= 16))  # fmt: skip


def _card(m: re.Match[str], text: str) -> _Hit | None:
    digits = re.sub(r"[^0-9]", "", m["v"])
    if len(set(digits)) == 1 or not _luhn(digits):
        return None
    # A bare run of digits is more often an id or an epoch in milliseconds, so
    # it must also start like a real card; 4-4-4-4 grouping is telling enough.
    if digits == m["v"] and not _known_issuer(digits):
        return None
    return _take(m, text)


_VERSION_WORD = _c(r"(?i)(?:\bv|\bversion|\brelease|\bbuild|\bfirmware|\bver\.?)\s*$")
_DOC_NETS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_HEX_COLON = frozenset(string.hexdigits + ":")
_HEX_RUN = _c(r"[0-9A-Fa-f:]*")
_IPV6_BEFORE, _IPV6_AFTER = _WORD | {".", ":"}, _WORD | {":"}


def _identifies_nobody(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Documentation, loopback, link-local (cloud metadata), netmask-like and
    # multicast addresses point at no one's machine.
    return any(addr in net for net in _DOC_NETS) or any(
        (addr.is_loopback, addr.is_unspecified, addr.is_link_local, addr.is_reserved,
         addr.is_multicast))  # fmt: skip


def _ipv4(m: re.Match[str], text: str) -> _Hit | None:
    if _VERSION_WORD.search(text, max(0, m.start() - 12), m.start()):
        return None
    try:
        addr = ipaddress.IPv4Address(m["v"])
    except ValueError:  # an octet above 255, or a leading zero
        return None
    return None if _identifies_nobody(addr) else _take(m, text)


def _ipv6(m: re.Match[str], text: str) -> _Hit | None:
    # The pattern finds only a "::" or seven colons; widen that to the whole token,
    # looking no further than the longest address so that long runs stay cheap.
    if m.start() and text[m.start() - 1] == ":":
        return None  # ":::" is in no address
    start = _back(text, m.start(), _HEX_COLON, 39)
    run = _HEX_RUN.match(text, m.end(), m.start() + 40)
    end = run.end() if run else m.end()
    if start and text[start - 1] in _IPV6_BEFORE:
        return None
    if end < len(text) and text[end] in _IPV6_AFTER:
        return None
    value = text[start:end]
    groups = [g for g in value.split(":") if g]
    if not (len(groups) >= 3 if "::" in value else len(groups) == 8):
        return None  # times like 09:12:00 and MAC addresses have fewer groups
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return None
    return None if _identifies_nobody(addr) else (start, end, _redact(value))


# Every IPv4 address, phone and card number lies inside one of these runs, give
# or take a leading "(" or "+". Starting at a digit keeps a long run of "(((("
# from costing quadratic time.
_NUMBERISH = _c(r"[0-9][0-9 .()+-]{5,}[0-9]")
_TOKEN = frozenset(string.ascii_letters + string.digits + "_-")
_ASSIGNED = (
    r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
    r"(?:\"(?P<dq>[^\"\s]{8,})\"|'(?P<sq>[^'\s]{8,})'|`(?P<bq>[^`\s]{8,})`"
    r"|(?P<bare>[^\s\"'`,;<>()\[\]{}]{8,}))"
)
# "key" counts only as part of api_key, secret-key, privatekey and the like.
_KEY_OWNERS = "|".join(
    f"(?<={w}{sep}key)" for w in ("api", "secret", "private", "access") for sep in ("", "_", "-")
)
_ROTATE = "remove it and rotate the key"
_REVOKE = "remove it and revoke the token"

# Listed from most to least specific: where matches overlap, the earlier rule
# wins, so `token = ghp_…` is reported once, as a GitHub token.
_RULES: tuple[_Rule, ...] = (
    _Rule("private-key", "error", "private key block", _ROTATE,
          _c(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
             r"(?:(?:[^-]|-(?!----))*+-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?"), _pem),
    _Rule("aws-access-key", "error", "possible AWS access key", _ROTATE,
          _c(r"A[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])"), _aws_key, _WORD),
    _Rule("aws-secret-key", "error", "possible AWS secret access key", _ROTATE,
          _c(r"aws[_ -]?secret[_ -]?access[_ -]?key[\"']?[ \t]*[:=][ \t]*[\"']?"
             r"(?P<v>[a-z0-9/+]{40})(?![a-z0-9/+=])"),
          _take, lowered=True),
    _Rule("github-token", "error", "possible GitHub token", _REVOKE,
          _c(r"gh[pousr]_[A-Za-z0-9]{30,251}(?![A-Za-z0-9_])"
             r"|github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])"), _take, _WORD),
    _Rule("gitlab-token", "error", "possible GitLab token", _REVOKE,
          _c(r"glpat-[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])"), _take, _TOKEN),
    _Rule("slack-token", "error", "possible Slack token", _REVOKE,
          _c(r"xox[abposr]-[A-Za-z0-9-]{10,}(?![A-Za-z0-9-])"), _slack, _TOKEN),
    _Rule("slack-webhook", "error", "Slack webhook URL", "remove it and regenerate the webhook",
          _c(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{10,}"),
          _webhook),
    _Rule("stripe-key", "error", "possible Stripe secret key", _ROTATE,
          _c(r"k_(?:live|test)_[A-Za-z0-9]{16,}(?![A-Za-z0-9_])"), _stripe),
    _Rule("google-api-key", "error", "possible Google API key", _ROTATE,
          _c(r"AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"), _take, _TOKEN),
    _Rule("jwt", "error", "possible JSON Web Token", _REVOKE,
          _c(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?![A-Za-z0-9_-])"),
          _take, _TOKEN),
    _Rule("password-in-url", "error", "password in URL", "remove it and rotate the password",
          _c(r"://(?P<user>[^\s:/@?#]*):(?P<v>[^\s/@?#]+)@[A-Za-z0-9.-]*"), _url_password),
    *(_Rule("generic-secret-assignment", "error", f"possible {what}",
            "remove it and rotate the secret", _c(key + _ASSIGNED), _assignment, lowered=True)
      for what, key in (("password", "passw(?:or)?d"), ("secret", "secret"), ("token", "token"),
                        ("API or secret key", f"key(?:{_KEY_OWNERS})"))),
    _Rule("card-number", "warning", "possible payment card number", "remove it",
          _c(r"(?<![\w.,:/+-])(?P<v>[0-9]{13,19}|[0-9]{4}(?P<sep>[ -])(?:[0-9]{6}(?P=sep)[0-9]{4,5}"
             r"|[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{1,4}(?:(?P=sep)[0-9]{3})?))"
             r"(?![\w]|[.,:/-]?[0-9])"), _card, numeric=True),
    _Rule("email", "warning", "e-mail address", "use a team address or a name instead",
          _c(r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
             r"(?![A-Za-z0-9-])"), _email),
    _Rule("ipv6", "warning", "IPv6 address", "use a 2001:db8:: documentation address or a name",
          _c(r"::|:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){5}:"), _ipv6),
    _Rule("ipv4", "warning", "IPv4 address", "use a 192.0.2.x documentation address or a name",
          _c(r"(?<![\w.])(?P<v>[0-9]{1,3}(?:\.[0-9]{1,3}){3})(?![\w]|\.[0-9])"),
          _ipv4, numeric=True),
    _Rule("phone", "warning", "possible phone number", "remove it or name the on-call rota",
          _c(r"(?<![\w+.:/-])(?P<v>"
             r"\+[0-9]{1,3}(?:[ .-]?\(0\))?[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,8}"
             r"(?:[ .-][0-9]{1,8}){0,5}"  # international: +44 (0)20 7946 0958
             r"|\+[0-9]{8,15}"  # E.164 without separators
             r"|\([0-9]{3}\)[ ]?[0-9]{3}[ .-][0-9]{4}"  # North American: (415) 867-5309
             r"|[0-9]{3}(?P<sep>[ .-])[0-9]{3}(?P=sep)[0-9]{4}"
             r"|0[0-9]{1,4}(?:[ -][0-9]{2,8}){1,3}"  # national with a trunk 0: 020 7946 0958
             r")(?![\w]|[.,:/-]?[0-9]|[ -][0-9])"), _phone, numeric=True),
)  # fmt: skip
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def scan(text: str, *, first_line: int = 1, allow: Sequence[str] = ()) -> list[Finding]:
    """Secrets and personal data in text, sorted by (line, column, kind)."""
    allowed = [re.compile(p) for p in allow]
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters, like "İ", lower to two characters
        lowered = text.translate(_ASCII_LOWER)
    # Each run is widened by two characters: before, for "+1" and "(415)"; after,
    # so that a pattern's look-ahead can see what follows it.
    runs = [range(max(0, m.start() - 2), m.end() + 2) for m in _NUMBERISH.finditer(text)]
    claimed: list[tuple[int, int]] = []
    hits: list[tuple[int, _Rule, str]] = []
    for rule in _RULES:
        source = lowered if rule.lowered else text
        spans = runs if rule.numeric else [range(len(text))]
        for m in (m for r in spans for m in rule.pattern.finditer(source, r.start, r.stop)):
            if rule.not_after and m.start() and text[m.start() - 1] in rule.not_after:
                continue
            hit = rule.check(m, text)
            if hit is None:
                continue
            start, end, shown = hit
            # Claimed spans never overlap, so only the neighbours can clash.
            i = bisect_left(claimed, (start, end))
            if (i and claimed[i - 1][1] > start) or (i < len(claimed) and claimed[i][0] < end):
                continue
            # An allowed match still claims its span, so that a weaker rule
            # cannot report a piece of it (an e-mail address inside an allowed URL).
            claimed.insert(i, (start, end))
            if not any(p.fullmatch(text[start:end]) for p in allowed):
                hits.append((start, rule, shown))
    # Claimed spans never share a start, so text order is (line, column, kind) order;
    # counting newlines from the previous hit keeps long texts with many hits linear.
    hits.sort(key=lambda hit: hit[0])
    findings, line, counted = [], first_line, 0
    for start, rule, shown in hits:
        line, counted = line + text.count("\n", counted, start), start
        column = start - text.rfind("\n", 0, start)
        message = f"{rule.what} '{shown}'; {rule.advice}"
        findings.append(Finding(line, column, rule.kind, rule.level, message))
    return findings
