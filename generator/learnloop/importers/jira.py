"""Jira issues from the REST API (`expand=changelog`), search results and webhook payloads.

The description (Atlassian Document Format in REST v3, wiki markup in v2) is the body;
status changes from the changelog and the comments make the timeline; components are the
services (labels named `service:…` too), the priority is the severity, and the time the
issue reached a done status is its resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnloop.importers.adf import adf_to_markdown, wiki_to_markdown
from learnloop.importers.fields import Timeline, digest_of, items, mapping, parse_time, text_of
from learnloop.importers.records import Document, Imported, Record, Skipped

_DONE = {"done", "resolved", "closed", "fixed", "complete", "completed", "mitigated"}
_SEVERITY_FIELDS = ("severity", "incident severity", "sev")


def _is_issue(value: Any) -> bool:
    value = mapping(value)
    return "key" in value and isinstance(value.get("fields"), dict)


def looks_like(data: Any) -> bool:
    """Whether parsed JSON is a Jira issue, a list or search result of them, or a webhook."""
    if isinstance(data, list):
        return bool(data) and all(_is_issue(x) for x in data[:5])
    data = mapping(data)
    return (
        _is_issue(data)
        or str(data.get("webhookEvent", "")).startswith("jira:")
        or (bool(items(data.get("issues"))) and _is_issue(items(data["issues"])[0]))
    )


def _issues(doc: Document) -> list[tuple[Any, dict[str, Any], dict[str, Any], str]]:
    """(issue, changelog, field names, when) for each issue in a document."""
    data = doc.data
    names = mapping(mapping(data).get("names")) if isinstance(data, dict) else {}
    if isinstance(data, dict) and "webhookEvent" in data:
        changelog = mapping(data.get("changelog"))
        stamp = parse_time(data.get("timestamp"))
        when = stamp.isoformat() if stamp else ""
        if stamp is not None and changelog:  # a webhook's changelog is one entry, at its time
            history = {**changelog, "created": when, "author": data.get("user")}
            changelog = {"histories": [history]}
        return [(data.get("issue"), changelog, names, when)]
    if isinstance(data, list):
        found = data
    elif isinstance(data, dict) and "issues" in data:
        found = items(data["issues"])
    else:
        found = [data]
    return [(issue, {}, names, "") for issue in found]


def records(docs: Sequence[Document]) -> list[Record]:
    """One record per issue key across the documents (webhooks of one issue merged)."""
    groups: dict[str, list[tuple[Document, Any, dict[str, Any], dict[str, Any], str]]] = {}
    out: list[Record] = []
    for doc in docs:
        for issue, changelog, fields_named, when in _issues(doc):
            key = text_of(mapping(issue).get("key"))
            if not key or not _is_issue(issue):
                out.append(Skipped(doc.shown, "not a Jira issue: it needs a key and fields"))
                continue
            groups.setdefault(key, []).append((doc, issue, changelog, fields_named, when))
    for key in sorted(groups):
        group = groups[key]
        latest = max(group, key=lambda g: (text_of(g[1]["fields"].get("updated")), g[4]))
        histories: dict[str, Any] = {}
        names: dict[str, Any] = {}
        for _, issue, changelog, more, _ in group:
            names.update(more)
            for history in items(mapping(issue.get("changelog") or changelog).get("histories")):
                ident = text_of(mapping(history).get("id")) + text_of(
                    mapping(history).get("created")
                )
                histories.setdefault(ident or str(len(histories)), history)
        docs_of = sorted({g[0].shown for g in group})
        single = len(group) == 1 and len(_issues(group[0][0])) == 1
        shown = docs_of[0] if single else f"{docs_of[0]}#{key}"
        sources = sorted({g[0].source for g in group})
        origin = sources[0] if single else f"{sources[0]}#{key}"
        merged = {"histories": list(histories.values())}
        out.append(issue_record(latest[1], shown, origin, names, merged))
    return out


def issue_record(
    issue: Any, shown: str, origin: str, names: dict[str, Any], changelog: dict[str, Any]
) -> Record:
    """The record for one issue object."""
    if not _is_issue(issue):
        return Skipped(shown, "not a Jira issue: it needs a key and fields")
    key, fields = text_of(issue["key"]), issue["fields"]
    names = {**names, **mapping(issue.get("names"))}
    title = text_of(fields.get("summary"))
    created = parse_time(fields.get("created"))
    if not title or created is None:
        return Skipped(shown, f"issue {key} has no summary or creation time")
    timeline, done_at = Timeline(), None
    histories = items(changelog.get("histories")) or items(
        mapping(issue.get("changelog")).get("histories")
    )
    for history in sorted(histories, key=lambda h: text_of(mapping(h).get("created"))):
        history = mapping(history)
        at = parse_time(history.get("created"))
        who = text_of(mapping(history.get("author")).get("displayName"))
        for item in items(history.get("items")):
            item = mapping(item)
            if text_of(item.get("field")).lower() != "status":
                continue
            before, after = text_of(item.get("fromString")), text_of(item.get("toString"))
            timeline.add(at, f"Status: {before or '—'} → {after}" + (f" (by {who})" if who else ""))
            if after.lower() in _DONE and at is not None and done_at is None:
                done_at = at
    for comment in items(mapping(fields.get("comment")).get("comments")):
        comment = mapping(comment)
        who = text_of(mapping(comment.get("author")).get("displayName")) or "someone"
        timeline.add(
            parse_time(comment.get("created")), f"Comment by {who}:\n\n{_rich(comment.get('body'))}"
        )
    description = _rich(fields.get("description"))
    body = "\n\n".join(p for p in (description.strip(), timeline.render()) if p)
    components = [text_of(mapping(c).get("name")) for c in items(fields.get("components"))]
    labels = [text_of(x) for x in items(fields.get("labels"))]
    services = components + [
        x.split(":", 1)[1] for x in labels if x.lower().startswith(("service:", "svc:"))
    ]
    tags = [x for x in labels if x and not x.lower().startswith(("service:", "svc:"))]
    resolved = parse_time(fields.get("resolutiondate")) or done_at
    status = text_of(mapping(fields.get("status")).get("name"))
    responders = [text_of(mapping(fields.get(k)).get("displayName")) for k in ("assignee",)]
    return Imported(
        source=shown,
        format="jira",
        source_id=key,
        title=title,
        started_at=created,
        body=(body or f"{title}\n") + "\n",
        origin=origin,
        digest=digest_of({"issue": issue, "changelog": changelog, "names": names}),
        severity=_severity(fields, names)
        or text_of(mapping(fields.get("priority")).get("name"))
        or None,
        services=tuple(dict.fromkeys(s.strip() for s in services if s.strip())),
        resolved_at=resolved if resolved and resolved >= created else None,
        status=status.lower() if status else None,
        responders=tuple(r for r in responders if r),
        tags=tuple(dict.fromkeys(tags)),
        url=_browse(issue, key),
    )


def _rich(value: Any) -> str:
    if isinstance(value, dict):
        return adf_to_markdown(value)
    if isinstance(value, str):
        return wiki_to_markdown(value)
    return ""


def _severity(fields: dict[str, Any], names: dict[str, Any]) -> str:
    """A custom field named like a severity (REST `expand=names` says which)."""
    for field_id, name in names.items():
        if str(name).strip().lower() in _SEVERITY_FIELDS:
            value = fields.get(field_id)
            return text_of(mapping(value).get("value")) or text_of(value)
    return ""


def _browse(issue: dict[str, Any], key: str) -> str | None:
    link = text_of(issue.get("self"))
    if "/rest/api/" not in link:
        return None
    return link.split("/rest/api/")[0] + f"/browse/{key}"
