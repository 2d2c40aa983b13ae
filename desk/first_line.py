"""First-line resolution from triage: answer from the knowledge base, or ask the participant
to confirm an MPAN/MPRN that fails its check. Both go out through the outbox."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desk import lifecycle
from desk.actor import Actor
from desk.ticket_records import TicketRecords
from desk.triage_service import TriageService
from knowledge import TriageDecision
from store.models import Ticket

FIRST_LINE = Actor("first-line triage", "system")
CHECKS = {
    "format": "it is not in the 13-digit MPAN core format",
    "distributor_id": "its first two digits are not a known distributor ID (10-38)",
    "check_digit": "its last digit does not match the MPAN check digit",
    "mprn_check_digits": "its last two digits do not match the MPRN check digits",
}


class FirstLine:
    def __init__(self, records: TicketRecords, triage: TriageService | None) -> None:
        self.records, self.triage = records, triage

    def answer(self, session: Session, ticket: Ticket, decision: TriageDecision,
               thread: list[str]) -> bool:  # fmt: skip
        """Send the best article's answer and resolve, awaiting the participant's confirmation.

        The ticket keeps the article's owner as its resolver, so a reply saying it did not
        help reopens it there.
        """
        if not decision.first_line_answer or not decision.articles or self.triage is None:
            return False
        best = decision.articles[0]
        article = self.triage.article(best.id)
        version = self.triage.versions(session).get(best.id)
        owner = article.owner if article is not None else "service_desk"
        self.records.audit(
            session,
            ticket,
            FIRST_LINE,
            "assign",
            ticket.resolver_key,
            owner,
            "owner of the first-line article",
        )
        ticket.resolver_key = owner
        self.records.mail(session, ticket, "first_line", {
            "body": decision.first_line_answer, "article_title": best.title,
        }, thread=thread, record=decision.first_line_answer)  # fmt: skip
        self.records.move(session, ticket, lifecycle.RESOLVED, FIRST_LINE,
                          f'answered at first line: {best.id} v{version} "{best.title}" '
                          f"({best.score:.0f}%); awaiting confirmation")  # fmt: skip
        return True

    def confirm_identifiers(self, session: Session, ticket: Ticket, decision: TriageDecision,
                            thread: list[str]) -> bool:  # fmt: skip
        """Ask the participant to confirm numbers that fail their check; suggestions are hints."""
        if not decision.invalid_identifiers:
            return False
        items = [
            {"kind": i.kind, "value": i.value,
             "failed_check": CHECKS.get(i.failed_check, i.failed_check),
             "suggestions": list(i.suggestions[:5]), "advisory": i.severity == "warning"}
            for i in decision.invalid_identifiers
        ]  # fmt: skip
        listed = ", ".join(
            f"{i.kind} {i.value} ({i.failed_check})" for i in decision.invalid_identifiers
        )
        self.records.mail(
            session,
            ticket,
            "confirm_mpxn",
            {"body": "", "identifiers": items},
            thread=thread,
            record=f"Asked to confirm: {listed}",
        )
        if not decision.identifiers:
            self.records.move(
                session,
                ticket,
                lifecycle.PENDING_PARTICIPANT,
                FIRST_LINE,
                f"waiting for the participant to confirm {listed}",
            )
        return True
