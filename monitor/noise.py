"""What on a news page is not the article: boilerplate lines and volatile bits.

One list, shared by extraction (which drops boilerplate from the analysed text) and
comparison (which does not count it as change). Every pattern here is a judgement about
page furniture; keep them anchored and conservative so article prose never matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_PROMO = (
    r"you may also like\b",
    r"(you might|we think you.ll) (also )?(like|enjoy)( these| this)?\W*$",
    r"close this search box",
    r"leave a (comment|reply)\b",
    r"uploaded files\b",
    r"(advertisement|advertising|sponsored( content)?|ad|ads|promoted)$",
    r"scroll (down )?to continue",
    r"(skip|jump) to (main )?content",
    r"(we|this (site|website)) uses? cookies",
    r"(accept|reject|manage) (all )?cookies",
    r"cookie (policy|settings|preferences)",
    r"(subscribe|sign up)( now| today)?( to| for)?( our| the)?( free)?( daily| weekly)? "
    r"(newsletter|updates|alerts)",
    r"subscribe( now| today| here)?[.!]?$",
    r"(share|tweet|email|print) (this( article| story| page| post)?|on \w+)\W*$",
    r"share( this)?( article| story| post)?:?$",
    r"follow us on\b",
    r"click here (to|for)\b",
    r"(all rights reserved|copyright ©|© ?\d{4})",
    r"you must be logged in\b",
    r"(tags|filed under|posted in|categories):",
    r"(view|show|load) (more )?comments\b",
    r"(\d+ )?comments?( \(\d+\))?$",
    r"read (more|also|next)(:.*|\W*)$",
    r"see also:",
)
# A course or event advert: a call to act now and something on sale, in one short line.
_SALES_CALL = re.compile(
    r"\b(enrol+|register|sign up|apply|book|join|buy)( now| today| here| online)\b", re.IGNORECASE
)
_ON_SALE = re.compile(
    r"\b(course|class|mba|masterclass|webinar|bootcamp|programme?|training|certificat\w*|"
    r"registrations?|early.bird|discounts?|seats?|tickets?|subscription)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(r"^[\s\-•*·>|]*(?:" + "|".join(_PROMO) + ")", re.IGNORECASE)
_RAIL_HEADING = re.compile(
    r"^[\s\-•*·]*(you may also like|you might also like|related( articles| stories| posts| "
    r"news| coverage| reading)?|recommended( for you| stories)?|"
    r"more (from|stories|news)\b[^.!?]{0,40}|"
    r"trending( now| stories)?|most (read|popular|viewed)|read (more|next|also)|"
    r"see also)\s*:?\s*$",
    re.IGNORECASE,
)
_RAIL_ITEM_MAX_WORDS = 16
_RAIL_MAX_ITEMS = 12
_SHORT_LINE_WORDS = 25

_MONTH = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)\.?"
)
_DATE = (
    rf"(\d{{4}}-\d{{2}}-\d{{2}}(t[\d:.]+z?)?|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|"
    rf"\d{{1,2}}(st|nd|rd|th)? {_MONTH},? \d{{4}}|{_MONTH} \d{{1,2}}(st|nd|rd|th)?,? \d{{4}})"
)
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?( ?[ap]\.?m\.?)?( ?(gmt|utc|[ecmp][sd]?t|bst|cet|cest))?"
_WEEKDAY = r"(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?\.?,?"
_VOLATILE = re.compile(
    "|".join(
        (
            # "updated 5 minutes ago", "3 hrs ago", "just now"
            r"\b((last )?(updated|posted|published|edited|modified)[: ]+)?"
            r"(\d+|an?|one) (sec(ond)?|min(ute)?|h(ou)?r|day|week|month|year)s? ago\b",
            r"\b(updated|posted|published|edited|modified) just now\b",
            # a labelled date or time: "Updated: 4 Oct 2024, 10:32 GMT"
            rf"\b(last )?(updated|posted|published|edited|modified)( on| at)?:? "
            rf"({_WEEKDAY} )?({_DATE}|{_CLOCK})(,? (at )?{_CLOCK})?",
            # clock times anywhere: bylines carry them, prose almost never does
            rf"\b{_CLOCK}\b",
            # counters: "1,234 views", "12 comments", "3.4k shares"
            r"\b\d[\d,.]*[km]? (views?|comments?|shares?|reads?|likes?|reactions?|replies)\b",
            r"\b(views?|comments?|shares?|reads?|likes?):? \d[\d,.]*[km]?\b",
            r"\b\d+ min(ute)?s? read\b",
        )
    ),
    re.IGNORECASE,
)
# Every volatile pattern contains one of these; plain `in` tests are ~50x cheaper than
# running the patterns over every sentence.
_VOLATILE_HINTS = (
    *("ago", "just now", "updated", "posted", "published", "edited", "modified"),
    *(":", "view", "comment", "share", "read", "like", "reaction", "repl"),
)
_LONGEST_DATE = 40
_ONLY_DATE = re.compile(rf"^[\s,.|·•-]*({_WEEKDAY} )?{_DATE}[\s,.|·•-]*$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 14)
def is_boilerplate(line: str) -> bool:
    """A line that is page furniture (promos, cookie and subscribe prompts, share bars)."""
    stripped = line.strip()
    if not stripped:
        return False
    if _BOILERPLATE.match(stripped) or is_rail_heading(stripped):
        return True
    return (
        len(stripped.split()) <= _SHORT_LINE_WORDS
        and bool(_SALES_CALL.search(stripped))
        and bool(_ON_SALE.search(stripped))
    )


def is_rail_heading(line: str) -> bool:
    """A heading that opens a list of links to other stories ("Related", "Most read")."""
    return bool(_RAIL_HEADING.match(line))


def boilerplate_mask(lines: Sequence[str]) -> list[bool]:
    """Which lines are furniture, including the headline lists under a rail heading.

    Rail items are short lines without a closing full stop that follow a rail heading;
    the rail ends at the first blank line, long line or ordinary sentence.
    """
    mask = [is_boilerplate(line) for line in lines]
    in_rail = 0
    for index, line in enumerate(lines):
        if is_rail_heading(line):
            mask[index] = True
            in_rail = _RAIL_MAX_ITEMS
        elif in_rail and _looks_like_rail_item(line):
            mask[index] = True
            in_rail -= 1
        else:
            in_rail = 0
    return mask


def _looks_like_rail_item(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and len(stripped.split()) <= _RAIL_ITEM_MAX_WORDS
        and not stripped.endswith((".", ":", ";", ","))
    )


def strip_volatile(sentence: str) -> str:
    """The sentence without what changes on every load: clock times, "5 minutes ago",
    labelled dates ("Updated: 4 Oct 2024"), view/comment counters. A sentence that is
    only a date becomes "". Dates inside prose stay: changing one can be a correction.
    """
    if len(sentence) <= _LONGEST_DATE and _ONLY_DATE.match(sentence):
        return ""
    lowered = sentence.lower()
    if not any(hint in lowered for hint in _VOLATILE_HINTS):
        return sentence
    return _SPACES.sub(" ", _VOLATILE.sub(" ", sentence)).strip()
