"""Write a planned incident up the way a team would: front matter and Markdown, or YAML."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from learnloop.simulate import catalog
from learnloop.simulate.catalog import Step, fill, fits, split_tag, usable
from learnloop.simulate.plan import Case

SCHEMA_COMMENT = (
    "# yaml-language-server: $schema=../../generator/learnloop/schema/incident.schema.json"
)
_DEFAULT_HABITS: dict[str, object] = {"form": "full", "clock": "dash", "wrap": False, "sev": "P"}
# Share of a team's write-ups kept as plain YAML files instead of Markdown.
_YAML_SHARE = {"data-platform": 0.6, "messaging-team": 0.2, "platform": 0.07}
_YAML_DEFAULT = 0.04
_WRAP = 100
Events = list[tuple[datetime, str]] | None  # None when only the date is known
_STOP = frozenset(
    (
        "a", "an", "and", "after", "at", "by", "during", "for", "from", "in", "into", "its",
        "of", "on", "our", "the", "to", "was", "were", "with",
    )
)  # fmt: skip

# --- YAML emission ---------------------------------------------------------------------------
# Written by hand rather than with yaml.dump: the layout (flow lists, folded blocks, comments)
# varies the way hand-written files do, and it is several times faster for large corpora.

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,()/'+%-]*[A-Za-z0-9.)%']|[A-Za-z]")
_RESERVED = frozenset(("yes", "no", "on", "off", "true", "false", "null", "y", "n"))


def scalar(value: object, *, flow: bool = False) -> str:
    """A YAML scalar: plain when unambiguous, otherwise double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not (flow and "," in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow_list(values: Sequence[object]) -> str:
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"


def _flow_map(pairs: Sequence[tuple[str, object]]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in pairs) + "}"


def _folded(key: str, text: str, indent: int) -> list[str]:
    pad = " " * (indent + 2)
    lines = [f"{' ' * indent}{key}: >-"]
    lines += [pad + line for line in wrap(text, _WRAP - len(pad) - 2)]
    return lines


def _text_field(key: str, text: str, indent: int, rng: random.Random) -> list[str]:
    if len(text) > 80 and rng.random() < 0.7:
        return _folded(key, text, indent)
    return [f"{' ' * indent}{key}: {scalar(text)}"]


# --- prose helpers ----------------------------------------------------------------------------

_TOKEN = re.compile(r"(?:`[^`]*`|[^\s`])+")


def wrap(text: str, width: int = _WRAP) -> list[str]:
    """Lines of at most `width` characters, never breaking inside a code span."""
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        if current and len(current) + 1 + len(token) > width:
            lines.append(current)
            current = token
        else:
            current = f"{current} {token}" if current else token
    if current:
        lines.append(current)
    return lines


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _slug(title: str) -> str:
    words = [w for w in re.sub(r"[^a-z0-9]+", " ", title.lower()).split() if w not in _STOP]
    slug = "-".join(words[:6])[:60].strip("-")
    return slug or "incident"


def _number(n: int) -> str:
    return f"{n:,}"


def _pick(rng: random.Random, pool: catalog.Styled, style: str, case: Case | None = None) -> str:
    templates = pool.get(style) or pool["main"]
    if case is None:
        return rng.choice(templates)
    return rng.choice(usable(templates, case.variant, case.post_fix))


def _sample(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    k = min(len(pool), rng.randint(low, high))
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), k))]


def _steps(rng: random.Random, pool: Sequence[Step], low: int, high: int, case: Case) -> list[Step]:
    fitting = [s for s in pool if not s.only or fits(s.only, case.variant, case.post_fix)]
    fitting = fitting or [s for s in pool if not s.only] or list(pool)
    k = min(len(fitting), rng.randint(low, high))
    return [fitting[i] for i in sorted(rng.sample(range(len(fitting)), k))]


def _step_text(step: Step, style: str, ctx: dict[str, object]) -> str:
    cmd = fill(step.cmd, ctx)
    return fill(step.text(style), {**ctx, "cmd": cmd})


_SHELL_WORDS = (
    "kubectl", "redis-cli", "openssl", "kafka-", "curl", "git", "helm", "find", "du ", "lsof",
    "conntrack", "flagctl", "cdnctl", "cmctl", "aws", "./", "truncate",
)  # fmt: skip


def _lang(cmd: str) -> str:
    if cmd.startswith(("SELECT", "ALTER", "VACUUM")):
        return "sql"
    if cmd.startswith(_SHELL_WORDS):
        return "shell"
    return "promql"


# --- the write-up -----------------------------------------------------------------------------


class Writer:
    """Turns one planned incident into file text in one writing style."""

    def __init__(self, case: Case, style: str, seed: int) -> None:
        self.case = case
        self.style = style
        self.rng = random.Random(f"{seed}/{style}/{case.id}")
        self.p = case.pattern
        self.ctx: dict[str, object] = dict(case.ctx)
        team = str(self.ctx["team"])
        self.habits = catalog.TEAM_HABITS.get(team, _DEFAULT_HABITS)
        rng = self.rng
        form = str(self.habits["form"])
        if form == "yaml" or rng.random() < 0.3:
            form = rng.choice(("full", "full", "terse", "narrative"))
        self.form = form
        self.yaml = rng.random() < _YAML_SHARE.get(team, _YAML_DEFAULT)
        self.wrap = bool(self.habits["wrap"]) and rng.random() < 0.85
        self.clock = (
            str(self.habits["clock"])
            if rng.random() < 0.8
            else rng.choice(("dash", "utc", "date", "bold"))
        )
        ic = case.responders[0][0] if case.responders else "The on-call"
        self.ctx.update(
            id=case.id,
            idl=case.id.lower().removeprefix("inc-"),
            ic=ic.split()[0],
            runbook=case.truth or "",
            origin_id=case.origin_id or "",
            customers=_number(case.customers),
            revenue=_number(case.revenue),
        )
        if case.detected and case.mitigated:
            self.ctx["impact_mins"] = int((case.mitigated - case.started).total_seconds() // 60)
            self.ctx["ttd"] = int((case.detected - case.started).total_seconds() // 60)
        self.title = fill(_pick(rng, self.p.titles, style, case), self.ctx)
        # Filled while rendering; kept here so every attribute is declared in one place.
        self.diag: list[Step] = []
        self.mits: list[Step] = []
        self.compact = False
        self.offset = False
        self.factor_list: list[str] = []
        self.impact_summary = ""

    # -- pieces --

    def t(self, pool: catalog.Styled) -> str:
        """A template from a styled pool, filled."""
        return fill(_pick(self.rng, pool, self.style, self.case), self.ctx)

    def heading(self, section: str) -> str:
        """A heading for a canonical section as this author would write it."""
        choices = catalog.HEADINGS[section]
        own = choices[self.style]
        other = choices["alt" if self.style == "main" else "main"]
        # Authors of the held-out style still sometimes use the common words, and vice versa.
        pool = own if self.rng.random() < 0.85 else other
        return "## " + self.rng.choice(pool)

    def usable(self, pool: catalog.Styled) -> list[str]:
        """The templates of a styled pool that fit this incident's cause and fix state."""
        templates = pool.get(self.style) or pool["main"]
        return usable(templates, self.case.variant, self.case.post_fix)

    def symptom(self) -> str:
        """What users and systems saw."""
        return self.t(self.p.symptoms)

    def cause(self) -> str:
        """The root cause as this author puts it."""
        return self.t(self.p.causes)

    def factors(self) -> list[str]:
        """Contributing factors, with a note when an earlier fix did not hold."""
        pool = self.usable(self.p.factors)
        out = [fill(f, self.ctx) for f in _sample(self.rng, pool, 1, 3)]
        if self.case.post_fix and self.case.origin_id and self.rng.random() < 0.6:
            out.append(self.t(catalog.POST_FIX_FACTORS))
        return out

    def whys(self) -> list[str]:
        """A chain of whys that fits this incident, or none."""
        chains = self.p.whys.get(self.style) or self.p.whys.get("main") or ()
        c = self.case
        fitting = []
        for chain in chains:
            tag = split_tag(chain[0])[0]
            if tag is None or fits(tag, c.variant, c.post_fix):
                fitting.append(chain)
        if not fitting:
            return []
        return [fill(split_tag(w)[1], self.ctx) for w in self.rng.choice(fitting)]

    def lessons(self) -> list[str]:
        """Lessons learned, with a word on the runbook when one was used."""
        pool = self.usable(self.p.lessons)
        out = [fill(x, self.ctx) for x in _sample(self.rng, pool, 1, 2)]
        if self.case.runbook_used:
            good = self.case.runbook_helpful
            out.append(self.t(catalog.RUNBOOK_GOOD if good else catalog.RUNBOOK_BAD))
        return out

    def impact_text(self) -> str:
        """The impact in a sentence or three."""
        c = self.case
        if c.customers <= 0:
            return self.t(catalog.NO_IMPACT_TEXT)
        parts = [self.t(self.p.impacts or catalog.IMPACT_TEXT)]
        if c.revenue:
            parts.append(self.t(catalog.REVENUE_TEXT))
        if c.sla_breached:
            parts.append(self.t(catalog.SLA_TEXT))
        return " ".join(parts)

    def detection_text(self) -> str:
        """How the incident was noticed and how long that took."""
        method = self.case.method
        desc = self.t(catalog.DETECT_DESC[method])
        ctx = {**self.ctx, "detect_desc": desc, "detect_desc_cap": _sentence_case(desc)}
        return fill(_pick(self.rng, catalog.DETECTION_TEXT, self.style), ctx)

    def events(self) -> list[tuple[datetime, str]]:
        """Timeline events, in order, each at a whole minute."""
        c, rng, ctx = self.case, self.rng, self.ctx
        assert c.detected is not None
        assert c.acknowledged is not None
        assert c.mitigated is not None
        assert c.resolved is not None
        events: list[tuple[datetime, str]] = []
        pre = catalog.TRIGGER_EVENTS.get(c.trigger)
        if pre and rng.random() < 0.55:
            events.append((c.started - timedelta(minutes=rng.randint(2, 15)), self.t(pre)))
        events.append((c.started, self.t(self.p.starts)))
        detect_ctx = {**ctx, "team": rng.choice(("checkout-team", "support", "orders-team"))}
        pool = catalog.DETECT_EVENTS.get(c.method, catalog.DETECT_EVENTS["internal-report"])
        detect = fill(_pick(rng, pool, self.style), detect_ctx)
        events.append((c.detected, detect))
        events.append((c.acknowledged, self.t(catalog.ACK_EVENTS)))
        gap = (c.mitigated - c.acknowledged).total_seconds() / 60
        if len(c.responders) > 1 and rng.random() < 0.5 and gap >= 3:
            name, role = c.responders[1]
            join = fill(
                _pick(rng, catalog.JOIN_EVENTS, self.style),
                {**ctx, "expert": name, "role": role, "focus": ctx["dep"]},
            )
            events.append((c.acknowledged + timedelta(minutes=rng.randint(1, 3)), join))
        diag = _steps(rng, self.p.diagnosis, 1, 3, c)
        mits = _steps(rng, self.p.mitigation, 1, 2, c)
        # Diagnosis starts soon after the page; a first mitigation attempt comes late.
        marks = sorted(rng.uniform(0.05, 0.55) for _ in diag)
        marks += [*sorted(rng.uniform(0.6, 0.9) for _ in mits[:-1]), 1.0]
        for mark, step in zip(marks, [*diag, *mits], strict=True):
            at = c.acknowledged + timedelta(minutes=round(gap * mark))
            events.append((at, _step_text(step, self.style, ctx)))
        events.append((c.resolved, self.t(catalog.RESOLVED_EVENTS)))
        self.diag, self.mits = diag, mits
        return sorted(events, key=lambda e: e[0])

    def bullets(self, events: list[tuple[datetime, str]]) -> list[str]:
        """Timeline bullets in this author's clock format; dated when they cross midnight."""
        day = self.case.started.date()
        clock = self.clock
        if any(at.date() != day for at, _ in events):
            clock = "date"
        out = []
        for at, text in events:
            hm = at.strftime("%H:%M")
            if clock == "utc":
                out.append(f"- {hm} UTC - {text}")
            elif clock == "date":
                out.append(f"- {at.strftime('%Y-%m-%d')} {hm} — {text}")
            elif clock == "bold":
                out.append(f"- **{hm}** {text}")
            else:
                out.append(f"- {hm} — {text}")
        return out

    def yaml_timeline(self, events: list[tuple[datetime, str]]) -> list[str]:
        """Timeline entries for a YAML file."""
        day = self.case.started.date()
        dated = any(at.date() != day for at, _ in events)
        fmt = "%Y-%m-%d %H:%M" if dated else "%H:%M"
        return [f"{at.strftime(fmt)} — {text}" for at, text in events]

    def action_lines(self) -> list[tuple[str, str, str]]:
        """(id, title, owner) per planned item, titles in this style."""
        out = []
        for n, item in enumerate(self.case.items, start=1):
            owner = fill(item.action.owner, self.ctx)
            out.append((f"AI-{n}", fill(item.action.title(self.style), self.ctx), owner))
        return out

    def paragraph(self, text: str) -> list[str]:
        """A paragraph as lines, wrapped when this author wraps."""
        return wrap(text) if self.wrap else [text]

    # -- front matter --

    def severity(self) -> str:
        """The severity as this team spells it."""
        number = self.case.severity[1]
        spelling = str(self.habits["sev"])
        if self.rng.random() < 0.06:
            spelling = self.rng.choice(("SEV", "sev"))
        return {"SEV": f"SEV{number}", "sev": f"sev{number}"}.get(spelling, f"P{number}")

    def stamp(self, value: datetime) -> str:
        """An ISO 8601 timestamp in UTC."""
        return value.strftime("%Y-%m-%dT%H:%M:%S") + ("+00:00" if self.offset else "Z")

    def front_matter(self, root_cause: str, narrative: dict[str, object]) -> list[str]:
        """The YAML keys, in this author's layout; narrative keys go last."""
        c, rng = self.case, self.rng
        terse = self.form == "terse"
        self.offset = rng.random() < 0.12
        lines: list[str] = []
        if not self.yaml and rng.random() < 0.35:
            lines.append(SCHEMA_COMMENT)
        head = [f"id: {c.id}", f"title: {scalar(self.title)}"]
        times: list[str] = []
        if c.date_only:
            times.append(f"started_at: {c.started.date().isoformat()}")
        else:
            assert c.detected is not None
            assert c.acknowledged is not None
            assert c.mitigated is not None
            assert c.resolved is not None
            times.append(f"started_at: {self.stamp(c.started)}")
            if rng.random() > 0.22:
                times.append(f"detected_at: {self.stamp(c.detected)}")
                times.append(f"acknowledged_at: {self.stamp(c.acknowledged)}")
            if rng.random() > 0.3:
                times.append(f"mitigated_at: {self.stamp(c.mitigated)}")
            if rng.random() > 0.03:
                times.append(f"resolved_at: {self.stamp(c.resolved)}")
        sev = [f"severity: {self.severity()}"]
        status = rng.choices(("resolved", "closed", None), (0.7, 0.2, 0.1))[0]
        services = c.services
        if rng.random() < 0.75:
            svc = [f"services: {_flow_list(services)}"]
        else:
            svc = ["services:"] + [f"  - {s}" for s in services]
        if rng.random() < 0.3:  # some teams lead with severity and services
            lines += head + sev + svc + times
        else:
            lines += head + times + sev + svc
        if status:
            lines.append(f"status: {status}")
        lines.append(f"trigger: {c.trigger}")
        if rng.random() > (0.3 if terse else 0.08):
            source = fill(rng.choice(catalog.DETECTION_SOURCES[c.method]), self.ctx)
            lines += ["detection:", f"  method: {c.method}"]
            if c.method != "none" or rng.random() < 0.5:
                lines.append(f"  source: {scalar(source)}")
        if not c.date_only and rng.random() > (0.4 if terse else 0.05):
            lines.append("impact:")
            if c.pattern.customer_facing and c.severity != "P4":
                lines.append(f"  customers_affected: {c.customers}")
                if c.revenue:
                    lines.append(f"  revenue_usd: {c.revenue}")
            lines.append(f"  sla_breached: {scalar(c.sla_breached)}")
            lines += _text_field("summary", self.impact_summary, 2, rng)
        if rng.random() > (0.15 if terse else 0.02):
            lines.append("root_cause:")
            if rng.random() > 0.1:
                lines.append(f"  category: {c.pattern.category}")
            lines += _text_field("summary", root_cause, 2, rng)
        chance = {"full": 0.7, "narrative": 0.5, "terse": 0.25}[self.form]
        if rng.random() < chance:
            lines.append("contributing_factors:")
            lines += [f"  - {scalar(f)}" for f in self.factor_list]
        chance = {"full": 0.4, "narrative": 0.3, "terse": 0.1}[self.form]
        whys = self.whys()
        if whys and rng.random() < chance:
            lines.append("whys:")
            lines += [f"  - {scalar(w)}" for w in whys]
        if c.responders and rng.random() < 0.93:
            lines.append("responders:")
            names_only = rng.random() < 0.1
            for name, role in c.responders:
                if names_only:
                    lines.append(f"  - {name}")
                elif self.compact:
                    lines.append(f"  - {_flow_map([('name', name), ('role', role)])}")
                else:
                    lines += [f"  - name: {name}", f"    role: {role}"]
        if c.runbook_used:
            lines.append(f"runbook_used: {c.truth}")
            if rng.random() < 0.9:
                lines.append(f"runbook_helpful: {scalar(c.runbook_helpful)}")
        if c.items:
            lines.append("action_items:")
            for (aid, title, owner), item in zip(self.action_lines(), c.items, strict=True):
                pairs: list[tuple[str, object]] = [
                    ("id", aid),
                    ("title", title),
                    ("kind", item.action.kind),
                    ("owner", owner),
                    ("status", item.status),
                    ("due", item.due),
                ]
                if item.done_at:
                    pairs.append(("done_at", item.done_at))
                pairs.append(("effort", item.effort))
                if item.reason:
                    pairs.append(("reason", item.reason))
                if self.compact:
                    lines.append(f"  - {_flow_map(pairs)}")
                else:
                    lines.append(f"  - {pairs[0][0]}: {scalar(pairs[0][1])}")
                    lines += [f"    {k}: {scalar(v)}" for k, v in pairs[1:]]
        tags = self.tags()
        if tags:
            lines.append(f"tags: {_flow_list(tags)}")
        if c.related:
            lines.append(f"related: {_flow_list(c.related)}")
        if c.restricted:
            lines.append("visibility: restricted")
        for key, value in narrative.items():
            if isinstance(value, list):
                lines.append(f"{key}:")
                lines += [f"  - {scalar(v)}" for v in value]
            else:
                lines += _folded(key, str(value), 0)
        return lines

    def tags(self) -> list[str]:
        """A few tags, sometimes with the sales event it happened in."""
        if self.rng.random() > 0.85:
            return []
        tags = _sample(self.rng, self.p.tags, 2, 4)
        if self.case.calendar_tag and self.rng.random() < 0.6:
            tags.append(self.case.calendar_tag)
        return tags

    # -- bodies --

    def timeline_section(self, events: list[tuple[datetime, str]] | None) -> list[str]:
        """The timeline section, or a note when only the date is known."""
        out = [self.heading("timeline")]
        if events is None:
            out.append(self.date_only_note())
            return out
        if self.clock != "utc" and self.rng.random() < 0.75:
            out.append(self.t(catalog.ALL_TIMES))
        return out + self.bullets(events)

    def date_only_note(self) -> str:
        """What a write-up says when nobody noted the times."""
        day = self.case.started.date().isoformat()
        return self.rng.choice(
            (
                f"Noticed on {day} during the morning check; the exact start is unknown.",
                f"Found on {day} while looking at something else; no precise times recorded.",
                f"Exact times were not captured. It was spotted on {day}.",
            )
        )

    def resolution_lines(self, fix: str) -> list[str]:
        """The resolution, with the commands that helped and the tracked fix."""
        out = self.paragraph(fix)
        cmds = [fill(s.cmd, self.ctx) for s in self.mits if s.cmd]
        if cmds and self.rng.random() < 0.7:
            out += ["", f"```{_lang(cmds[0])}", *cmds, "```"]
        pairs = zip(self.action_lines(), self.case.items, strict=True)
        key = next((line[0] for line, item in pairs if item.action.kind == "prevent"), None)
        if key and self.rng.random() < 0.5:
            out += ["", f"The longer-term fix is tracked as {key}."]
        return out

    def action_section(self) -> list[str]:
        """Action items as a checklist."""
        if not self.case.items:
            return []
        out = [self.heading("actions")]
        for (aid, title, owner), item in zip(self.action_lines(), self.case.items, strict=True):
            box = "x" if item.status == "done" else " "
            extra = " (won't fix)" if item.status == "wontfix" else ""
            out.append(f"- [{box}] {aid}: {title} ({owner}){extra}")
        return out

    def body_full(self, events: Events, symptom: str, cause: str, fix: str) -> list[str]:
        """The long write-up, close to the team template."""
        rng = self.rng
        out = [self.heading("summary"), *self.paragraph(symptom), ""]
        out += [self.heading("impact"), *self.paragraph(self.impact_summary), ""]
        out += [*self.timeline_section(events), ""]
        if events is not None and rng.random() < 0.6:
            out += [self.heading("detection"), *self.paragraph(self.detection_text()), ""]
        out += [self.heading("root_cause"), *self.paragraph(cause), ""]
        if rng.random() < 0.5:
            out += [self.heading("factors"), *[f"- {f}" for f in self.factor_list], ""]
        whys = self.whys()
        if whys and rng.random() < 0.3:
            out += [self.heading("whys"), *[f"{i}. {w}" for i, w in enumerate(whys, 1)], ""]
        if events is not None and rng.random() < 0.5:
            out += [self.heading("investigation")]
            out += [f"- {_step_text(s, self.style, self.ctx)}" for s in self.diag]
            out.append("")
        out += [self.heading("resolution"), *self.resolution_lines(fix), ""]
        out += [self.heading("lessons"), *[f"- {x}" for x in self.lessons()], ""]
        if rng.random() < 0.6:
            out += self.action_section()
        return out

    def body_terse(self, events: Events, symptom: str, cause: str, fix: str) -> list[str]:
        """The short write-up: summary, timeline, cause, fix."""
        out = [self.heading("summary"), *self.paragraph(symptom), ""]
        out += [*self.timeline_section(events), ""]
        out += [self.heading("root_cause"), *self.paragraph(cause), ""]
        out += [self.heading("resolution"), *self.paragraph(fix), ""]
        if self.rng.random() < 0.3:
            out += [self.heading("lessons"), *[f"- {x}" for x in self.lessons()[:1]], ""]
        return out

    def body_narrative(self, events: Events, symptom: str, cause: str, fix: str) -> list[str]:
        """A story-style write-up."""
        rng = self.rng
        story = [symptom]
        if events is not None:
            story.append(self.detection_text())
            story += [_step_text(s, self.style, self.ctx) for s in self.diag]
        out = [self.heading("summary"), *self.paragraph(" ".join(story)), ""]
        if rng.random() < 0.5:
            out += [self.heading("impact"), *self.paragraph(self.impact_summary), ""]
        out += [*self.timeline_section(events), ""]
        why = [cause]
        if rng.random() < 0.6:
            why.append(" ".join(self.factor_list))
        out += [self.heading("root_cause"), *self.paragraph(" ".join(why)), ""]
        out += [self.heading("resolution"), *self.resolution_lines(fix), ""]
        out += [self.heading("lessons"), *[f"- {x}" for x in self.lessons()], ""]
        out += self.action_section()
        return out

    def render(self) -> str:
        """The file's text."""
        c, rng = self.case, self.rng
        self.compact = rng.random() < 0.7
        events = None if c.date_only else self.events()
        symptom, cause, fix = self.symptom(), self.cause(), self.t(self.p.fixes)
        self.factor_list = self.factors()
        self.impact_summary = self.impact_text()
        if self.yaml:
            narrative: dict[str, object] = {"summary": symptom}
            if events is not None:
                narrative["timeline"] = self.yaml_timeline(events)
            narrative["resolution"] = fix
            if rng.random() < 0.5:
                narrative["lessons"] = self.lessons()
            lines = self.front_matter(cause, narrative)
            return "\n".join(lines) + "\n"
        lines = ["---", *self.front_matter(cause, {}), "---", ""]
        if self.form == "terse":
            body = self.body_terse(events, symptom, cause, fix)
        elif self.form == "narrative":
            body = self.body_narrative(events, symptom, cause, fix)
        else:
            body = self.body_full(events, symptom, cause, fix)
        while body and body[-1] == "":
            body.pop()
        return "\n".join(lines + body) + "\n"

    def path(self) -> str:
        """Where the file goes, relative to the incidents folder (before de-duplication)."""
        c = self.case
        ext = "yaml" if self.yaml else "md"
        return f"{c.started.year}/{c.started.date().isoformat()}-{_slug(self.title)}.{ext}"
