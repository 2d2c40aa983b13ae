"""Whether a participant's reply to a resolved ticket confirms the resolution.

A short "thanks, that sorted it" closes the ticket; anything else — a doubt, a new question,
a long message — reopens it, because reopening wrongly costs a look while closing wrongly
loses a problem.
"""

from __future__ import annotations

import re

_THANKS = re.compile(
    r"\b(thanks?|thank you|cheers|many thanks|much appreciated|"
    r"(that|this|it)('s| has| is)? (worked|works|fixed|sorted|resolved|done the trick)|"
    r"(all|now) (sorted|working|fine|good|resolved)|"
    r"(issue|problem|it) (is |has been |now )?(resolved|fixed|sorted)|"
    r"(happy|ok|okay|fine) (for you )?to close|please close|can be closed|close (it|the ticket))\b",
    re.IGNORECASE,
)
_DOUBT = re.compile(
    r"\b(not|no|n't|still|yet|again|but|however|unfortunately|didnt|doesnt|isnt|hasnt|"
    r"wont|cant|problem persists|same error|any update)\b|\?",
    re.IGNORECASE,
)
MAX_LENGTH = 300  # longer replies say more than "thanks": a person should read them


def confirms_resolution(text: str) -> bool:
    text = " ".join(text.split())
    return 0 < len(text) <= MAX_LENGTH and bool(_THANKS.search(text)) and not _DOUBT.search(text)
