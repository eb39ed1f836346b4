"""What one sentence of a post-mortem says: an action done (not planned, not an attempt that
did not help, not what a look showed the system doing), a look at something, a cause, only
that the incident is over.

Predicates over a sentence's text and the lexicon, no more: the parts (read/record) and what
is read where no heading names it (read/infer) are built on them.
"""

from __future__ import annotations

import re

from learnloop.read.failure_modes import denied, without_asides
from learnloop.read.lexicon import Lexicon
from learnloop.read.markdown import sentences


def first_signal(text: str, lexicon: Lexicon) -> bool:
    """Whether an entry tells how the incident was noticed: not when the same words tell a
    fix confirmed ("First user reports back that it works") or news given to people
    ("Informed the account managers of the larger customers")."""
    noticed = lexicon.cue("detection", text)
    if noticed is None:
        return False
    told = lexicon.cue("informed", text)
    if told is not None and told.start() <= noticed.start() < told.end():
        return False
    return not any(
        check.start() < noticed.end() and noticed.start() < check.end()
        for check in lexicon.every("verification", text)
    )


def blanked(text: str, span: re.Match[str]) -> str:
    """The text with a match's words made spaces: gone from what is read next, while every
    place after it stays where it was."""
    return text[: span.start()] + " " * (span.end() - span.start()) + text[span.end() :]


_CODE = re.compile(r"`[^`]*`")


def looked(text: str, lexicon: Lexicon) -> re.Match[str] | None:
    """Where a sentence says responders looked at something: not in the words that only say
    they took the incident up ("began investigating", see the acknowledgement cues)."""
    took = lexicon.cue("acknowledgement", text)
    if took is not None:
        text = blanked(text, took)
    for later in _LOOK_LATER.finditer(text):
        text = blanked(text, later)
    announced: list[tuple[int, int]] | None = None  # found once there is a look to weigh
    for look in lexicon.every("diagnosis", text):
        if announced is None:
            announced = [m.span() for m in lexicon.every("announced", text)]
        if any(start <= look.start() < end for start, end in announced):
            continue
        if _USERS_DID.search(text[: look.start()]):
            continue  # "our customers were looking at stale numbers": no responder looked
        # A look of three words or more names what it is at ("looked through the logs",
        # "opened the database dashboard"); a shorter one names it after ("looked at …").
        if len(look.group(0).split()) >= _NAMES_WHAT or not _VAGUE.match(text, look.end()):
            return look
    return _LOOKED_AT_CODE.search(text)


# Who was hurt, as the subject of a look: "customers were looking at stale numbers".
_USERS_DID = re.compile(
    r"\b(?:customers?|users?|clients?|visitors?|shoppers?|players?)\s+(?:were\s+|was\s+|are\s+"
    r"|is\s+|had\s+been\s+|kept\s+)?$",
    re.IGNORECASE,
)


# A look named by the command that made it: "She checked `patronictl list`". (Running a
# command may be an action as well; checking one never is, nor is one run to see what it
# shows: "runs `GET _cat/allocation?v` and sees search-es-3 at 95% disk".)
_LOOKED_AT_CODE = re.compile(
    r"\b(?:(?:checked|checking|checks|inspected|queried|examined|reviewed|looked at)\s+`[^`]+`"
    r"|(?:ran|runs|running)\s+`[^`]+`,?\s+(?:and\s+)?(?:sees|saw|finds|found|notices|noticed|"
    r"spots|spotted|confirms|confirmed)\b)",
    re.IGNORECASE,
)


_NAMES_WHAT = 3
# What a look is at when it names nothing to look at: "We started by looking at the obvious
# things", "looked into the issue".
_VAGUE = re.compile(
    r"(?:\s+(?:at\s+|into\s+)?(?:the\s+)?(?:obvious\s+|usual\s+|same\s+)?"
    r"(?:things?|stuff|everything|it|this|that|issue|problem|incident|situation|"
    r"what (?:happened|was (?:going on|happening))))?"
    # Only that the looking went on, perhaps with what for: "… but investigations continued",
    # "Investigation is in progress to resolve the issue and identify the root cause."
    r"(?:\s+(?:continued|continues|went on|goes on|(?:is|was|were|are|remained)\s+(?:still\s+)?"
    r"(?:ongoing|in progress|underway|under way))(?:\s+to\s+[\w\s'-]+?)?)?"
    r"\s*(?:[.,;!?]|$)",
    re.IGNORECASE,
)
# A look still to come: "… as a precaution until further investigation can be done".
_LOOK_LATER = re.compile(
    r"\b(?:until|pending|awaiting)\s+(?:further|more|a full|a deeper|the)?\s*"
    r"(?:investigation|analysis|review|troubleshooting)s?\b",
    re.IGNORECASE,
)


def acted_first(text: str, lexicon: Lexicon, act: re.Match[str] | None) -> bool:
    """Whether a sentence tells what was done before any word of cause ("… so I reverted the
    version bump, which was reverted again later"): the cause words are then of its effects."""
    why = lexicon.cue("cause", text)
    if act is None or why is None or why.start() < act.start():
        return False
    # Done by the responders, named just before it ("so I reverted"): not a process that
    # "spawned new nodes" and so caused the incident.
    before = text[: act.start()]
    who = [m.end() for m in (*_I.finditer(before), *lexicon.every("responders", before))]
    return (
        any(act.start() - end <= NEAR for end in who)
        and not lexicon.cue("named_cause", text)
        and not lexicon.cue("fault", text)
        and acted(text, lexicon)
    )


def fault_acted_on(text: str, lexicon: Lexicon, act: re.Match[str] | None) -> bool:
    """Whether the only word of cause is a fault in what an action was done to ("performed
    a hardware replacement of the faulty fiber", "rolled back the buggy release")."""
    fault = lexicon.cue("fault", text)
    if act is None or fault is None:
        return False
    if not act.start() <= fault.start() <= act.end() + _OBJECT:
        return False
    return not (
        lexicon.cue("cause", text)
        or lexicon.cue("named_cause", text)
        or lexicon.cue("conclusion", text)
    )


_OBJECT = 30  # characters between an action and the fault in its object


_I = re.compile(r"\bI\b")
NEAR = 20  # characters between who and what they did: "we then quickly reverted"


def then_acted(text: str, look: re.Match[str] | None, lexicon: Lexicon) -> bool:
    """Whether a text tells a look and then an action after it ("identified the change as
    the trigger and rolled it back", "Notices that some logs hold credentials. Rolls back the
    deployment."): both, the action last, joined by "and", "then", a comma or a new sentence.
    `look` is where it looks (`looked`)."""
    # Words in a quoted command ("RESTARTS:.status…") are no action.
    prose = _CODE.sub(lambda m: " " * len(m.group()), text)
    did = lexicon.cue("mitigation", prose)
    return (
        look is not None
        and did is not None
        and did.start() >= look.end()
        and (
            re.search(r"\b(?:and|then)\b|[;,.]\s", prose[look.end() : did.start()]) is not None
            # "Once identified the issue was resolved by rolling back": the look in a clause
            # of when, the action in the sentence it opens (not one done before it: "When
            # debugging began the instances had already been shut down").
            or (
                _WHEN_CLAUSE.match(prose[: look.start()]) is not None
                and _HAD_BEEN.search(prose[: did.start()]) is None
            )
        )
    )


def acted_apart(text: str, look: re.Match[str] | None, lexicon: Lexicon) -> bool:
    """Whether a text tells an action and then, in a clause of its own, a look ("Key
    deactivated in IAM; CloudTrail shows RunInstances calls from one IP"): both were done."""
    prose = _CODE.sub(lambda m: " " * len(m.group()), text)
    did = lexicon.cue("mitigation", prose)
    return (
        look is not None
        and did is not None
        and did.end() <= look.start()
        and CLAUSE_APART.search(prose, did.end(), look.start()) is not None
    )


# Where one clause ends and another of its own begins: a semicolon, or a new sentence.
CLAUSE_APART = re.compile(r";\s|[.!]\s+(?=[A-Z])")
_WHEN_CLAUSE = re.compile(r"^\W*(?:once|after|when|upon|having)\s*$", re.IGNORECASE)
_HAD_BEEN = re.compile(r"\bhad\s+(?:already\s+)?$", re.IGNORECASE)


# "This caused …", "As a result …": what followed from the cause, not the cause.
CONSEQUENCE = re.compile(
    r"^\W*(?:(?:this|that|which|these|those)\s+(?:(?:\w+ly|then|also|in\s+turn)\s+)*"
    # "This caused …", "That meant …", "This was a problem": what followed from the sentence
    # before. "This verification code was removed because …" names a thing, and "This was
    # caused by …" its own cause: neither is a consequence.
    r"(?!(?:was|is|were|are)\s+(?:\w+ly\s+)?(?:due|caused|because|the\s+result|a\s+result|"
    r"down\s+to|traced|attributed|rooted)\b)"
    r"(?:\w+ed|led|meant|made|kept|took|broke|brought|put|left|set|cut|hit|sent|went|became|"
    r"got|gave|drove|caus\w*|lead\w*|result\w*|mean\w*|trigger\w*|would|will|could|can|may|"
    r"might|was|were|is|are|has|had|have)\b"
    r"|so|as a (?:direct )?result|consequently|in turn|thus|therefore)\b",
    re.IGNORECASE,
)


def tells_change(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells a change made to the system, in any of the ways one is told."""
    return any(lexicon.cue(kind, text) for kind in ("change", "change_present", "change_headline"))


def change_opens(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens on a change verb, with no subject ("Lowered the MTU …") or
    after who made it ("I then fixed the policy name"), and tells nothing that is no action."""
    change = lexicon.cue("change", sentence)
    if change is None or tells_more(sentence, lexicon):
        return False
    if lexicon.cue("detection", sentence) or lexicon.cue("acknowledgement", sentence):
        return False  # "Support raised a ticket at 08:40": how it was noticed or taken up
    before = sentence[: change.start()]
    who = lexicon.cue("responders", before) or _I.search(before)
    if who is not None and BEFORE_SUBJECT.match(before[: who.start()]):
        before = before[who.end() :]  # "I then fixed the policy name", "We then upgraded …"
    return OPENS.match(before) is not None


def tells_more(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells of a change something that makes it no action: a plan, an attempt
    that failed, a fault or a cause ("Deployed a config change that broke the login page"), or
    news given to people ("Status page updated")."""
    return any(
        lexicon.cue(kind, text) for kind in ("intent", "ineffective", "fault", "cause", "informed")
    )


# What may stand before a change verb that opens an entry ("Then quickly rolled …", "We have
# now changed …": done, as the present perfect tells it).
OPENS = re.compile(
    r"^\W*(?:(?:then|next|finally|later|also|now|have|has|\w+ly)\W+)*$", re.IGNORECASE
)


def intended(text: str, lexicon: Lexicon, act: re.Match[str] | None) -> bool:
    """Whether a text (naming `action`, its first mitigation cue, if any) is said as a plan or
    a wish ("we will roll back"), not as done: the words of intent come before the action.
    After it they give its purpose ("we bumped the limit so they will have enough")."""
    intent = lexicon.cue("intent", text)
    if intent is None:
        return False
    if act is None or intent.start() <= act.start():
        return True
    if _PREVENTS_NOW.match(text, intent.end()) or _FURTHER_HARM.match(text, intent.start()):
        return False  # "we stopped the deployment to prevent it from reaching the rest"
    between = text.lower()[act.end() : intent.start()]
    return _PURPOSE.search(between) is None


# After "to prevent it": what a step kept from happening then ("from reaching the remaining
# servers", "further regions from being affected"), not a recurrence kept from happening
# again ("from happening again").
_PREVENTS_NOW = re.compile(
    r"\s+(?:[\w-]+\s+){0,3}?from\s+(?:being\s+(?:affected|impacted|hit|exposed|overwhelmed|"
    r"overloaded|disrupted|degraded)\b|"
    r"(?!(?:ever\s+)?(?:happening|recurring|occurring|reoccurring|re-occurring|repeating|"
    r"returning|coming|being)\b)\w+ing\b)",
    re.IGNORECASE,
)
# The harm a step kept from growing, as a provider's review tells a deployment paused "to
# prevent further impact" (further incidents would be a recurrence, and a plan).
_FURTHER_HARM = re.compile(
    r"(?:in\s+order\s+)?to\s+(?:prevent|avoid|limit|stop)\s+(?:any\s+)?(?:further|additional|"
    r"wider)\s+(?:customer\s+)?(?:impact|damage|harm|errors|failures|degradation|disruption|"
    r"data\s+loss|corruption|spread|exposure)\b",
    re.IGNORECASE,
)


# An action said not done, just before it: "one node didn't even try to uncordon", "we were
# unable to restart it", "never rolled back"; or what a system is for, not what anyone did
# ("the CI processes are supposed to engage and redeploy the site").
_NOT_DONE = re.compile(
    r"\b(?:did not|didn't|could not|couldn't|cannot|can't|unable to|not able to|never|"
    r"supposed to|meant to|expected to|designed to|"
    r"would not|wouldn't|refused to|despite|in spite of|regardless of|working to|working on|"
    r"work to|work on|in the process of|hard at work on|preparing to|planning to|about to|"
    # What an action may yet be needed for: "times recorded in case rollback needed",
    # "Identify candidate plugins for rollback".
    r"in case|candidates?\s+(?:[\w'-]+\s+)?for|"
    # Not yet: "… had been put down before we could mitigate", "expect an LDAP restart".
    r"before\s+(?:we|they|i|anyone|anybody|someone|it)\s+could|expect|expecting|"
    # Still going, as a status update says of the step it told before: "We continue to
    # migrate a data storage system", "in the later stages of a restore operation".
    r"continue|continues|continuing|stages\s+of|"
    # What it was for: "… a data storage system in order to restore access".
    r"in\s+order\s+to|so\s+as\s+to|"
    # What a step would take, not what was done: "This operation will require controller
    # restarts", "the likely sources would require a full restart of the fleet".
    r"(?:will|would|might|may|could|shall)\s+(?:require|need|mean|involve|necessitate))"
    r"(?:\s+[\w'-]+){0,3}?\s*$",
    re.IGNORECASE,
)
# Said of the action itself: "updates are not made available to users" (but "prod wasn't
# accessible so I reverted" tells what was).
_NOT = re.compile(
    r"\b(?:(?:is|are|was|were|be|been|have|has|had)\s+not|isn't|aren't|wasn't|weren't|"
    r"haven't|hasn't|hadn't)"
    # "we have not completely restarted the index subsystem … for many years"
    r"(?:\s+(?:yet|been|being|fully|completely|ever))*\s*$",
    re.IGNORECASE,
)
# What a thing kept doing by itself, a symptom: "pods were restarting every few minutes".
_DOING = re.compile(r"(?!being\b)\w+ing\b")
_WAS_DOING = re.compile(r"\b(?:was|were|is|are|kept|keep|keeps)\s+(?:\w+ly\s+)?$", re.I)
_OVER_AND_OVER = re.compile(
    r"\s*(?:every\b|repeatedly|constantly|continuously|in an? (?:crash |restart )?loop|"
    r"on (?:their|its) own|by (?:themselves|itself)|[.,;)]|$)",
    re.IGNORECASE,
)
# What opens a purpose clause: "… so they will have enough", "… so that it would not fail".
_PURPOSE = re.compile(r"\b(?:so|such that|to ensure|ensuring|in order|that way)\b")


def acted(text: str, lexicon: Lexicon) -> bool:
    """Whether the text names an action that was done and eased the impact (see `done`)."""
    return done(text, lexicon) is not None


def done(text: str, lexicon: Lexicon) -> re.Match[str] | None:
    """The action a text names where it was done and eased the impact: not planned, not an
    attempt that did not help (see `helped`), not a way in made to look (`to_get_in`)."""
    act = action(text, lexicon)
    if act is None or intended(text, lexicon, act) or not helped(text, lexicon) or to_get_in(text):
        return None
    return act


def all_well(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells that all is well ("the workshop is running smoothly"), not that
    something was not ("the cache was not working as expected"): the failure catalogue's
    reading of what denies a phrase."""
    lowered = text.lower().replace("’", "'")
    return any(not denied(lowered, w.start(), w.end()) for w in lexicon.every("well", text))


def to_get_in(text: str) -> bool:
    """Whether a change was made to get in and look ("Security group was updated to allow SSH
    connections to the nodes"): a step toward finding the cause, none that eased the impact."""
    return _TO_GET_IN.search(text) is not None


_TO_GET_IN = re.compile(
    r"\b(?:to|so(?:\s+that)?\s+(?:we|they|i|engineers|the team)\s+(?:could|can|were able to))\s+"
    r"(?:(?:allow|enable|permit|get|gain|grant|give|open)\s+(?:\w+\s+){0,2}?)?"
    r"(?:ssh|rdp|shell|console|debug|debugging)\b",
    re.IGNORECASE,
)


def recovered(text: str, lexicon: Lexicon) -> bool:
    """Whether a text tells that the impact eased, as seen ("Error rates are back to
    normal"), not as hoped ("Should be back up shortly!")."""
    return any(
        not _HOPED.search(text[max(0, eased.start() - 40) : eased.start()])
        for eased in lexicon.every("recovery", text)
    )


_HOPED = re.compile(
    r"\b(?:should|will|would|could|may|might|expect\w*|hope\w*|soon)(?:\s+[\w'-]+){0,3}?\s*$",
    re.IGNORECASE,
)


def action(text: str, lexicon: Lexicon) -> re.Match[str] | None:
    """The first action a text names, where it names one: "mitigation was complete by 10:26"
    tells where the incident stood, and its words are no action."""
    while (stood := lexicon.cue("milestone", text)) is not None:
        text = blanked(text, stood)
    # The impact easing told with what eased ("Deliveries resumed at 15:12"): its words are
    # no action, though "resumed" may be one.
    eased: list[tuple[int, int]] | None = None  # found once there is an action to weigh
    # A short aside between an action's words is read over ("a fix (token rotation) has
    # been applied"); only here: elsewhere an aside says what for ("(to fix the problem)").
    for act in lexicon.every("mitigation", without_asides(text)):
        if eased is None:
            eased = [m.span() for m in lexicon.every("recovery", text)]
        if any(start < act.start() < end for start, end in eased):
            continue
        before = text[max(0, act.start() - 40) : act.start()]
        if (
            _NOT_DONE.search(before)
            or _NOT.search(before)
            # "… unexpectedly triggers the pipeline, ungracefully reverts changes": done by
            # mistake, how it failed (a "buggy release reverted" is a fault's thing undone)
            or any(f.group(0).endswith("ly") for f in lexicon.every("fault", before))
            or (  # "on a restored copy of production", "a terminating pod"
                _AS_A_WORD_OF_A_THING.search(before) and _DONE_WORD.match(act.group(0))
            )
            or (_THE.search(before) and _PARTICIPLE.match(act.group(0)))
            # "during restarts checkout-api returned 5xx", "GroupExporter pod restarts": the
            # word as a plural noun, what the system went through. "OOM-killed",
            # "auto-restarted": done by the system, as the word it is joined to says.
            or (_PLURAL_WORD.fullmatch(act.group(0)) and _NOUN_BEFORE.search(before))
            or (before.endswith("-") and _DONE_WORD.match(act.group(0)))
            # "We are experiencing a small increase in exception rate": what the system went
            # through, a noun, as "in" after it says.
            or _CHANGE_UNDERGONE.match(act.group(0))
            # "no log-in possible during the LDAP restart": the time it took, not the step.
            or (_DURING.search(before) and _ONE_NOUN.fullmatch(act.group(0)))
            # "Root cause discovered by manually deleting the IngressRoute": how it was found
            or _found_by(before, lexicon)
            # "… decided that the AMI rollback had resolved the issue": what one did, told after
            or _had_worked(text[act.end() :], lexicon)
            or _UNDONE.match(text, act.end())  # "the automated rollback was not triggered"
            # "The automated failover to the redundant power path did not complete"
            or _UNDONE_AFTER_OBJECT.match(text, act.end())
            # "INFO replication says role:slave, so sentinel failed over": what a look showed
            or _shown(text[: act.start()], lexicon)
            or _NAMES_A_THING.match(text, act.end())  # "below the rollback threshold"
            # "The search API retried failed writes without backoff": how the system failed.
            or _UNCHECKED.match(text, act.end()) is not None
            or (
                _DOING.match(act.group(0))
                and _WAS_DOING.search(before)
                and _OVER_AND_OVER.match(text, act.end())
            )
        ):
            continue
        return act
    return None


_UNCHECKED = re.compile(
    r"(?:\s+[\w-]+){0,4}?\s+(?:without|with\s+no)\s+(?:any\s+)?(?:exponential\s+)?"
    r"(?:backoff|back-off|jitter|delay|limit|rate\s+limit|cap)\b",
    re.IGNORECASE,
)


def _shown(before: str, lexicon: Lexicon) -> bool:
    """Whether an action's words are what a look showed the system doing: after "shows" or
    "says" in the same sentence, with a thing just before them ("sentinel failed over"),
    not a responder or a step's joint ("…, then restarted", "so we restarted")."""
    shows = list(_SHOWS.finditer(before))
    if not shows or _SENTENCE_BREAK.search(before, shows[-1].end()):
        return False
    last = before[shows[-1].end() :].rstrip()
    word = last.rsplit(None, 1)[-1].lower() if last else ""
    return (
        bool(word)
        and word.isalnum()
        and not (word in _JOINTS or word.endswith("ly") or lexicon.cue("responders", word))
    )


_SHOWS = re.compile(
    r"\b(?:shows?|showed|shown|says|said|reports?|reported|reveals?|revealed|indicates?|"
    r"indicated)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.;!?](?:\s|$)")
_JOINTS = frozenset({"and", "then", "so", "to", "also", "but", "we", "i", "they", "who"})


def _found_by(before: str, lexicon: Lexicon) -> bool:
    """Whether the words before an action say it is how the cause was found ("… discovered
    by")."""
    found = [m.end() for m in lexicon.every("finding", before)]
    return bool(found) and _BY.match(before, found[-1]) is not None


def _had_worked(after: str, lexicon: Lexicon) -> bool:
    """Whether the words after an action tell that it had worked: the action named as a thing
    done before ("the rollback had resolved the issue")."""
    had = _HAD.match(after)
    eased = lexicon.cue("recovery", after[had.end() :]) if had else None
    return eased is not None and eased.start() == 0


_BY = re.compile(r"\s+by\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_HAD = re.compile(r"\s+(?:had|has|have)\s+(?:\w+ly\s+)?", re.IGNORECASE)
# A done word right after "a" or "an" describes a thing: "a restored copy of production".
_AS_A_WORD_OF_A_THING = re.compile(r"\b(?:a|an)\s+$", re.IGNORECASE)
_DONE_WORD = re.compile(r"\w+(?:ed|ing)\b")  # "a restored copy", "a terminating pod"
# "detected the increased error rate", "the reduced capacity": no verb follows "the".
_THE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_PARTICIPLE = re.compile(r"\w+ed\b")
_PLURAL_WORD = re.compile(r"[a-z]+s", re.IGNORECASE)
_DURING = re.compile(
    r"\b(?:during|throughout|amid)\s+(?:the|a|an|its|their|our|this|that)\s+(?:[\w'-]+\s+)?$",
    re.IGNORECASE,
)
_ONE_NOUN = re.compile(r"(?!\w+(?:ed|ing)$)\w+")
_CHANGE_UNDERGONE = re.compile(r"(?:increase|decrease|reduction|rise|drop|spike)s?\s+in\b", re.I)
_NOUN_BEFORE = re.compile(
    r"\b(?:during|between|after|amid|across|despite|with|without|of|no|many|frequent|repeated|"
    r"constant|several|multiple|pod|pods|container|containers|node|process|service)\s+$",
    re.IGNORECASE,
)
# An action's word naming a thing, not a step: "the rollback threshold", "a restart loop".
_NAMES_A_THING = re.compile(
    r"\s+(?:thresholds?|counts?|rates?|loops?|polic(?:y|ies)|mechanisms?|logic|budgets?|"
    r"storms?)\b",
    re.IGNORECASE,
)
# An action named, then that it did not happen: "the rollback was not triggered".
_UNDONE = re.compile(
    r"\s+(?:(?:was|were|is|are|has|have|had|did)\s+(?:not|never)|wasn't|weren't|isn't|aren't|"
    r"hasn't|haven't|hadn't|didn't|never|failed)\b",
    re.IGNORECASE,
)
# The same, after the action's object, in the same clause ("that did not start" is the
# object's, not the action's).
_UNDONE_AFTER_OBJECT = re.compile(
    r"(?:\s+(?!(?:that|which|who|whose|where|when)\b)[\w-]+){1,6}?\s+(?:(?:was|were|did)\s+"
    r"(?:not|never)|wasn't|weren't|didn't|never|failed\s+to)\s+(?:complete|finish|succeed|start|"
    r"run|trigger|take\s+effect|work|happen)",
    re.IGNORECASE,
)


def helped(text: str, lexicon: Lexicon) -> bool:
    """Whether the actions a text names eased the impact: not an attempt that did not help
    ("restarting the pods did not help"), unless another action follows the attempt
    ("… did not help; failing over did")."""
    failed = lexicon.cue("ineffective", text)
    return failed is None or action(text[failed.end() :], lexicon) is not None


def looked_first(sentence: str, look: re.Match[str], lexicon: Lexicon) -> bool:
    """Whether a sentence tells the look before the cause it saw ("the logs showed …")."""
    why = lexicon.cue("fault", sentence) or lexicon.cue("cause", sentence)
    return why is None or look.start() < why.start()


def cause(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence states why it failed (not what followed, not that it was found)."""
    found = lexicon.cue("finding", sentence)
    if found is not None:
        return found_told(sentence, found, lexicon)
    if lexicon.cue("intent", sentence) or lexicon.cue("apology", sentence):
        return False  # a plan, or an apology ("sorry for the disruption this caused")
    if lexicon.cue("fault", sentence) or lexicon.cue("conclusion", sentence):
        return True
    if _BACKSTORY.match(sentence) and not lexicon.cue("responders", sentence[:NEAR]):
        return True
    return bool(lexicon.cue("cause", sentence)) and not CONSEQUENCE.match(sentence)


# What had happened before, told as the story's background: "A producer had started sending
# orders with huge line-item arrays", "A deploy at 09:10 had raised the batch size".
_BACKSTORY = re.compile(
    r"^\W*(?:the|a|an|one|our|its|their)\s+(?:[\w.:-]+\s+){0,5}?had\s+(?:been\s+)?[a-z]+ed\b",
    re.IGNORECASE,
)


def tells_how(text: str, lexicon: Lexicon) -> bool:
    """Whether a statement of how it ended tells more than that it did. A status page's last
    word is often only that ("JIRA is back.", "Outage is finished: back to normal"), which
    gives the next responder nothing to do; a sentence that tells anything else counts."""
    return any(not _only_over(sentence, lexicon) for _, sentence in sentences(text))


def _only_over(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence says only that the incident or the service is over or back: with
    the words that say so taken out, a name or two is left ("JIRA", "The outage seems")."""
    if action(sentence, lexicon) is not None or cause(sentence, lexicon):
        return False
    left, over = _URL.sub(" ", sentence), False
    for kind in ("recovery", "resolved", "milestone"):
        for said in list(lexicon.every(kind, left)):
            left, over = blanked(left, said), True
    for said in list(_BACK.finditer(left)):
        left, over = blanked(left, said), True
    rest = [w for w in re.findall(r"[a-z]{3,}", left.lower()) if w not in _SMALL_WORDS]
    return over and len(rest) <= _NAME_WORDS


# Whatever it was, working again: "VPN is back", "The controller is up again".
_BACK = re.compile(
    r"\b(?:is|are|was|were)\s+(?:now\s+)?(?:back|up again|online again|up and running|over|"
    r"finished)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"<?https?://\S+")
_SMALL_WORDS = frozenset({"the", "and", "has", "have", "been", "our", "all", "its", "now", "with"})
_NAME_WORDS = 2


def names_cause(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence names the cause as such, concludes it, or tells a fault: what says
    why even in a part that tells the fix ("which solved the issues that led to …" does not)."""
    return bool(
        lexicon.cue("named_cause", sentence)
        or lexicon.cue("conclusion", sentence)
        or lexicon.cue("fault", sentence)
    )


# What may stand around a cause said unknown and tell nothing more: "The exact … at this time".
_NOTHING_MORE = frozenset(
    {
        "the",
        "a",
        "an",
        "exact",
        "precise",
        "actual",
        "underlying",
        "real",
        "at",
        "this",
        "that",
        "time",
        "point",
        "moment",
        "yet",
        "still",
        "currently",
        "as",
        "of",
        "now",
        "so",
        "far",
    }
)


def unknown(text: str, lexicon: Lexicon) -> bool:
    """Whether a statement says only that the cause is not known ("TBD", "The source of the
    fraudulent charge is still unknown at this time"); one that goes on to what is suspected
    says more."""
    said = lexicon.cue("unknown", text)
    if said is None:
        return False
    rest = f"{text[: said.start()]} {text[said.end() :]}".lower()
    return all(word in _NOTHING_MORE for word in re.findall(r"[a-z]+", rest))


def found_told(sentence: str, found: re.Match[str], lexicon: Lexicon) -> bool:
    """Whether a sentence that tells the cause was found also tells what it was."""
    if told := _TOLD.match(sentence, found.end()):
        # "We were able to confirm a root cause: the new capacity had caused …": what follows
        # the colon is the cause.
        return cause(sentence[told.end() :], lexicon)
    if shown := _SHOWN.match(sentence, found.end()):
        # "Root cause analysis showed that one capability created …": what it showed is.
        rest = sentence[shown.end() :]
        return len(rest.split()) >= 3 and not lexicon.cue("intent", rest)
    return False


# What follows a finding to tell it: "… confirm a root cause: the new capacity had …".
_TOLD = re.compile(r"[^.:;]{0,40}?:\s+(?=\S)")
_SHOWN = re.compile(
    r"\s+(?:showed|shows|revealed|reveals|found|determined|established|concluded|indicated)"
    r"\s+that\s+(?=\S)",
    re.IGNORECASE,
)
# What may open a sentence before its subject: "Then we …", "At 09:12 UTC, engineers …".
BEFORE_SUBJECT = re.compile(
    r"^\W*(?:(?:then|next|first|finally|later|subsequently|afterwards|after that|"
    r"at [\w:.]+(?: (?:utc|[ap]m))?)\W*)?$",
    re.IGNORECASE,
)
# A verb of the past: what the subject did ("fenced", "ran", "took").
_DID = re.compile(
    r"\s+(?:\w+ly\s+|then\s+|also\s+)?(?:\w{2,}ed|ran|took|made|put|set|shut|cut|built|rebuilt|"
    r"sent|brought|began|undid|kept|split|spun|rewrote|wrote|drove)\b"
)


def responders_did(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a sentence opens with the responders doing something ("Engineering fenced the
    old leader", "Then we moved the queue"): in a mitigation section, an action."""
    who = lexicon.cue("responders", sentence)
    return (
        who is not None
        and BEFORE_SUBJECT.match(sentence[: who.start()]) is not None
        and _DID.match(sentence.lower().replace("`", " "), who.end()) is not None
    )
