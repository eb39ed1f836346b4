"""'Was it helpful?' links: a prefilled GitHub issue per page and rating.

Each link opens `{repo_url}/issues/new` with a title, a body and labels filled in. The body
names the page, the digest of the sources it was built from and the rating, also in a marker
line that `learnloop stale` reads back from an export of the issues (load/feedback.py). GitHub
applies the labels only for people who may label issues; the marker says the same for the
others. Every value is percent-encoded, and a link is at most MAX_URL characters long (beyond
about 8 KB, servers and browsers refuse addresses): a long title is shortened, then the
template dropped, and where even that is too long there is no link rather than a broken one.
"""

from __future__ import annotations

import html
from urllib.parse import quote, urlsplit

from learnloop.load.feedback import HELPFUL, LABEL, NEEDS_FIX, RATINGS, marker
from learnloop.publish.render import render

MAX_URL = 8000
TITLE_CHARS = 120
_TITLES = {HELPFUL: "Helpful", NEEDS_FIX: "Needs fix"}
_QUESTIONS = {
    HELPFUL: ("What were you doing?", "What helped most?", "Incident id, if any:"),
    NEEDS_FIX: ("What were you doing?", "What was wrong or missing?", "Incident id, if any:"),
}


def issues_base(repo_url: object) -> str | None:
    """`{repo_url}/issues/new` for an http(s) repository address; None for anything else."""
    if not isinstance(repo_url, str) or any(c.isspace() for c in repo_url.strip()):
        return None
    url = repo_url.strip().rstrip("/").removesuffix(".git")
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return None
    return f"{url}/issues/new"


def body(page: str, digest: str, rating: str, *, template: bool = True) -> str:
    """The issue's text: what the page is, the questions to answer, the marker line."""
    lines = [
        f"Page: `{page}`",
        f"Source digest: `{digest or 'unknown'}`",
        f"Rating: {'helpful' if rating == HELPFUL else 'needs fix'}",
    ]
    if template:
        for question in _QUESTIONS[rating]:
            lines += ["", f"**{question}**", ""]
    lines += ["", marker(page, digest, rating)]
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip() + "…"


def issue_url(repo_url: object, page: str, title: str, digest: str, rating: str) -> str | None:
    """The prefilled new-issue address for a rating of a page; None when none can be made."""
    base = issues_base(repo_url)
    if base is None or rating not in _TITLES:
        return None
    name = _short(title, TITLE_CHARS) or _short(page, TITLE_CHARS)  # a blank title: the path
    labels = f"{LABEL},{rating}"
    attempts = (
        (f"{_TITLES[rating]}: {name}", True),
        (f"{_TITLES[rating]}: {_short(name, 40)}", True),
        (f"{_TITLES[rating]}: {_short(name, 40)}", False),
        (_TITLES[rating], False),
    )
    for subject, template in attempts:
        query = "&".join(
            f"{key}={quote(value, safe='')}"
            for key, value in (
                ("title", subject),
                ("body", body(page, digest, rating, template=template)),
                ("labels", labels),
            )
        )
        url = f"{base}?{query}"
        if len(url) <= MAX_URL:
            return url
    return None


def links_html(repo_url: object, page: str, title: str, digest: str) -> str:
    """The two links under a page, as HTML (addresses escaped); "" when none can be made."""
    urls = {rating: issue_url(repo_url, page, title, digest, rating) for rating in RATINGS}
    if any(url is None for url in urls.values()):
        return ""
    return render(
        "feedback_links.html.j2",
        **{k.replace("-", "_"): html.escape(str(url), quote=True) for k, url in urls.items()},
    ).rstrip("\n")
