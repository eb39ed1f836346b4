"""A Slack workspace export (a folder or zip: channels.json, users.json, <channel>/<day>.json).

Each incident channel (named like the patterns in learnloop.yml `import.slack_channels`,
by default inc-*, incident-*) becomes a draft: its messages, in time order, as the timeline
of the incident the channel is named for. Other channels are listed as skipped.
"""

from __future__ import annotations

import fnmatch
import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from learnloop.importers import dates
from learnloop.importers.fields import Timeline, digest_of, items, mapping, parse_time, text_of
from learnloop.importers.records import Document, Imported, Record, Skipped
from learnloop.importers.severity import labels_in_text

# Messages that record who came and went, not what happened.
_NOISE = {"channel_join", "channel_leave", "group_join", "group_leave", "channel_archive"}
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]+))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]+)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")


def is_incident_channel(name: str, patterns: Sequence[str]) -> bool:
    """Whether a channel's name matches one of the incident-channel patterns."""
    return any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns)


def records(doc: Document, patterns: Sequence[str]) -> list[Record]:
    """One draft per incident channel; other channels and broken members are skipped."""
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return [
            Skipped(
                doc.shown,
                "a Slack channel's messages outside a workspace export: import the export "
                "folder or zip (with channels.json)",
            )
        ]
    files: dict[str, Any] = data["files"]
    channels = files.get("channels.json")
    if isinstance(channels, str):  # a member that did not parse
        return [Skipped(f"{doc.shown}/channels.json", f"malformed JSON ({channels})")]
    users = _users(files.get("users.json"))
    out: list[Record] = []
    listed = [mapping(c) for c in items(channels) + items(files.get("groups.json"))]
    for channel in sorted(listed, key=lambda c: text_of(c.get("name"))):
        name = text_of(channel.get("name"))
        if not name:
            continue
        where = f"{doc.shown}#{name}"
        if not is_incident_channel(name, patterns):
            reason = f"#{name} is not an incident channel (names like {', '.join(patterns)})"
            out.append(Skipped(where, reason, error=False))
            continue
        messages: list[dict[str, Any]] = []
        for member in sorted(k for k in files if k.startswith(f"{name}/")):
            value = files[member]
            if isinstance(value, str):
                out.append(
                    Skipped(
                        f"{doc.shown}/{member}",
                        f"malformed JSON ({value}); the channel's other days are still read",
                    )
                )
                continue
            messages.extend(m for m in items(value) if isinstance(m, dict))
        out.append(channel_record(doc, channel, messages, users))
    if not listed:
        out.append(Skipped(doc.shown, "a Slack export with no channels listed in channels.json"))
    return out


def _users(value: Any) -> dict[str, str]:
    names = {}
    for user in items(value):
        user = mapping(user)
        profile = mapping(user.get("profile"))
        name = (
            text_of(user.get("real_name"))
            or text_of(profile.get("real_name"))
            or text_of(profile.get("display_name"))
            or text_of(user.get("name"))
        )
        if text_of(user.get("id")) and name:
            names[text_of(user["id"])] = name
    return names


def message_text(message: dict[str, Any], users: dict[str, str]) -> str:
    """A message's text in Markdown: mentions named, links as links, entities unescaped."""
    text = text_of(message.get("text"))
    text = _USER.sub(lambda m: "@" + (m.group(2) or users.get(m.group(1), m.group(1))), text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _SPECIAL.sub(r"@\1", text)
    text = _LINK.sub(
        lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else f"<{m.group(1)}>", text
    )
    text = html.unescape(text)
    for attachment in items(message.get("attachments")) + items(message.get("files")):
        attachment = mapping(attachment)
        label = text_of(attachment.get("title")) or text_of(attachment.get("name"))
        link = text_of(attachment.get("title_link")) or text_of(attachment.get("from_url"))
        if label or link:
            text += f"\n\n(attachment: {label}{' ' + link if link else ''})".rstrip()
    return text.strip()


def _title(channel: dict[str, Any], name: str) -> str:
    for key in ("purpose", "topic"):
        value = text_of(mapping(channel.get(key)).get("value"))
        if value:
            return value.split("\n")[0][:300]
    words = re.sub(r"^(incidents?|inc)[-_]", "", name, flags=re.IGNORECASE)
    words = re.sub(r"^\d{4}[-_]?\d\d[-_]?\d\d[-_]?", "", words)
    words = re.sub(r"[-_]+", " ", words).strip() or name
    return words[:1].upper() + words[1:]


def channel_record(
    doc: Document, channel: dict[str, Any], messages: list[dict[str, Any]], users: dict[str, str]
) -> Record:
    """The draft for one incident channel."""
    name = text_of(channel.get("name"))
    where = f"{doc.shown}#{name}"
    said = [
        m
        for m in messages
        if text_of(m.get("subtype")) not in _NOISE and parse_time(m.get("ts")) is not None
    ]
    said.sort(key=lambda m: (float(text_of(m.get("ts")) or 0), text_of(m.get("user"))))
    if not said:
        return Skipped(where, f"#{name} has no messages to draft a timeline from")
    timeline = Timeline()
    people: list[str] = []
    for message in said:
        who = (
            users.get(text_of(message.get("user")))
            or text_of(message.get("username"))
            or text_of(message.get("user"))
            or "someone"
        )
        people.append(who)
        reply = text_of(message.get("thread_ts")) not in ("", text_of(message.get("ts")))
        text = message_text(message, users) or "(no text)"
        timeline.add(
            parse_time(message.get("ts")), f"**{who}**{' (in thread)' if reply else ''}: {text}"
        )
    first = parse_time(said[0].get("ts"))
    assert first is not None
    named = dates.date_from_path(name)
    started: datetime = first
    intro = (
        f"A draft from the Slack channel #{name}: its messages as a timeline, to be edited into "
        "the post-mortem."
    )
    topic = " ".join(text_of(mapping(channel.get(k)).get("value")) for k in ("purpose", "topic"))
    all_text = topic + "\n" + "\n".join(message_text(m, users) for m in said[:50])
    labels = labels_in_text(all_text)
    notes = []
    if named is not None and named != first.date():
        notes.append(f"the channel's name says {named}; its first message is on {first.date()}")
    return Imported(
        source=where,
        format="slack",
        source_id=name,
        title=_title(channel, name),
        started_at=started,
        body=f"{intro}\n\n{timeline.render()}\n",
        origin=f"{doc.source}#{name}",
        digest=digest_of([channel, said]),
        severity=labels[0] if labels else None,
        status="draft",
        responders=tuple(dict.fromkeys(p for p in people if p != "someone")),
        notes=tuple(notes),
    )
