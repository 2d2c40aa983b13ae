"""Resolver group and ticket type: the category's default, refined by what the sender says.

Each refinement is a named rule so the decision can say why a ticket left its default route,
e.g. a gas rejection for a point missing from UK Link goes to Xoserve, not the Registration
Service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from knowledge.rules.base import RuleHit, TicketText, first_match
from knowledge.rules.wordpattern import WordPattern
from knowledge.taxonomy import CATEGORIES


@dataclass(frozen=True)
class RouteFacts:
    """Findings from earlier rules that routing needs."""

    fuel: str | None
    mpxn_count: int
    role: str | None
    igt: bool
    bulk: bool


def _p(pattern: str) -> WordPattern:
    return WordPattern(pattern)


_DISPUTE = _p(r"refused|rejected|window (?:had |has )?closed|window_closed|timestamp|in time")
_ANNUL_REFUSED = _p(r"not permitted|refused|rejected|c(?:ame|omes|oming) back|declined|bounced")
# CSS failing to process a request, as opposed to refusing it under the rules
_SYSTEM_FAULT = _p(r"technical error|system error|internal (?:server )?error|unable to process|"
                   r"could not be processed|(?:http|error|status) ?5\d\d\b|timed? ?out|"
                   r"no (?:ack|acknowledgement)|something (?:is |has )?(?:broken|gone wrong)|"
                   r"broken at your end|technical failure|generic (?:failure|error)|"
                   r"(?:not|isn'?t|aren'?t) (?:being |been )?processed|"
                   r"fail(?:s|ed|ing)? to process")
# a customer cancelling in cooling-off or changing their mind: the gaining supplier withdraws,
# it is not an annulment case (KB-06 step 3), whatever CSS answered
_NOT_ANNULMENT_CASE = _p(r"cooling[- ]off|chang(?:ed|es|ing) (?:her|his|their|its|my) mind|"
                         r"change of mind")
_CFSB_GUIDANCE = _p(r"(?:correct|right|proper|usual) (?:route|process|way)|what(?:'s| is) the "
                    r"(?:route|process)|compensation|how (?:do|should) we (?:return|get|put|"
                    r"handle|proceed)")
_SHIPPER_NOTICE = _p(r"intends? to (?:cease|withdraw)|intention to (?:cease|withdraw)|"
                     r"(?:give|giving|serve|serving) notice|this request|request (?:has been|is) "
                     r"logged|please (?:log|process|action|arrange)")
_ESCALATION = _p(r"escalat|code manager|dispute|force a response|won'?t engage|no response")
_SHIPPER_PROCESS = _p(r"\bas shipper\b|we as shipper|supply points?|uk link")
_NOT_FOUND = _p(r"not found|missing|doesn'?t exist|isn'?t found")
_RULE_QUESTION = _p(r"what'?s the rule|whats the rule|how far (?:ahead|in advance)|what is the "
                    r"rule|d\+28|allowed range|(?:not|isn'?t) (?:allowed|permitted)\?|"
                    r"\b(?:is|are) [^.?\n]{0,30}\b(?:allowed|permitted)\?|(?:earliest|latest) "
                    r"(?:date|sed|start|we can)|how (?:soon|early|late) can")
# gas sites that never go through CSS (switching.md §3.4): explain and close
_NOT_CSS_SITE = _p(r"\blpg\b|liquefied petroleum|propane|\bnts\b|national transmission|"
                   r"shared supply|supplier[- ]exempt|exempt(?:ed)? (?:site|supply|supplier)|"
                   r"site operator'?s (?:own )?(?:pipework|network)|private (?:gas )?network")
_CSS_COPY_STALE = _p(r"css copy|not reflected in css")
# "CSS still holds _A" is stale only when the data owner's copy is said to be right
_CSS_STILL = _p(r"\bcss\b[^.\n]{0,25}\b(?:still )?(?:holds|has|shows|showing|show|displays)\b|"
                r"\bstill (?:held|showing|shown) (?:in|on|by) css")
_SOURCE_FIXED = _p(r"(?:corrected|updated|fixed|amended)[^.\n]{0,40}\b(?:mpas|erds|registration "
                   r"system)|\b(?:mpas|erds)\b[^.\n]{0,30}\b(?:shows?|has|holds) the "
                   r"(?:right|correct)|\b(?:ecoes|ees) now shows|\b(?:mpas|erds) (?:was |were |has "
                   r"been |have been )?(?:corrected|updated|fixed|amended)")
_CERT_BROKEN = _p(r"fail|expired\b|expiry date was today|revoked|compromis|exposure|"
                  r"(?:messages?|requests?) (?:are |is )?(?:being )?rejected|"
                  r"(?:cannot|can'?t|unable to) (?:send|submit|sign|connect)")
_REQUEST = _p(r"renew|replacement|process for|how (?:do|can|much)|what do we need|request|\bcsr\b|"
              r"signing request|key size")
_SETUP = _p(r"pre-?production|test environment|new entrant|get connectivity|set up|ahead of|"
            r"in advance|planned|please (?:allow-?list|whitelist|add)|new egress|moving data cent")
_BREAKAGE = _p(r"fail|reset|refused|\b40[13]\b|\b5\d\d\b|error|rejected")
_PARTICIPANT_WIDE = _p(r"\bany\b|\ball\b|\bzero\b|since \d|for our mpid|\bmpid\b")
_SOLR_PROBLEM = _p(r"quarantined|failing|rejected|stuck")
# quarantined smart Change of Supplier updates are released by the DCC (KB-24)
_SMART_QUARANTINE = _p(r"\bcos updates?|smart (?:meter )?(?:cos )?updates?|credentials|\bdcc\b|"
                       r"\bsmets")


class Route(NamedTuple):
    resolver: str
    kind: str
    why: str
    routine: bool = False  # explained or handed on with no customer or service impact


_Route = Route | tuple[str, str, str] | None  # None keeps the category's default
Refinement = Callable[[TicketText, RouteFacts, str, str], _Route]


def _objection(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    hit = first_match(_DISPUTE, t.own)
    if hit and f.mpxn_count:
        return "registration_service", "incident", f"disputed objection: {hit}"
    if f.role == "shipper":
        return "xoserve_uk_link", kind, "objection question from a gas shipper"
    return Route(resolver, kind, "objection rules question, answered from the calendar", True)


def _annulment(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    escalation = first_match(_ESCALATION, t.own)
    if escalation:
        return "service_desk", kind, f"policy dispute or escalation route: {escalation}"
    not_annulment = first_match(_NOT_ANNULMENT_CASE, t.own)
    if not_annulment:
        why = f"not an annulment case, the gaining supplier withdraws: {not_annulment}"
        return Route("service_desk", kind, why, True)
    fault = first_match(_SYSTEM_FAULT, t.own)
    if fault:
        return "registration_service", "incident", f"CSS failing to process annulment: {fault}"
    refused = first_match(_ANNUL_REFUSED, t.own)
    if refused:
        return "registration_service", kind, f"annulment refused by CSS: {refused}"
    return "service_desk", kind, "annulment policy question"


def _erroneous(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    hit = first_match(_ESCALATION, t.own) or first_match(_CFSB_GUIDANCE, t.own)
    return ("service_desk", "query", f"CFSB process guidance: {hit}") if hit else None


def _withdrawal(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    if f.role == "shipper" or (f.fuel == "gas" and first_match(_SHIPPER_PROCESS, t.own)):
        notice = first_match(_SHIPPER_NOTICE, t.own)
        if notice:
            return Route("xoserve_uk_link", "service_request",
                         f"shipper withdrawal request, a UK Link process: {notice}", True)
        return Route("xoserve_uk_link", "query", "shipper withdrawal is a UK Link process", True)
    if f.bulk:
        return "registration_service", "service_request", "bulk withdrawal"
    return None


def _notification(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    if f.mpxn_count and not first_match(_PARTICIPANT_WIDE, t.own):
        return "registration_service", kind, "status of named switches, not delivery"
    return None


def _rejected(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    rule = first_match(_RULE_QUESTION, t.own)
    if rule:
        return Route("service_desk", "query", f"self-service validation rule: {rule}", True)
    site = first_match(_NOT_CSS_SITE, t.own)
    if site and f.fuel != "electricity":
        return Route("service_desk", "query", f"gas site type not served by CSS: {site}", True)
    if f.fuel == "gas" and (f.igt or first_match(_NOT_FOUND, t.own)):
        return "xoserve_uk_link", kind, "gas meter point missing from central data"
    return None


def _electricity_data(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    hit = first_match(_CSS_COPY_STALE, t.own)
    if not hit and first_match(_SOURCE_FIXED, t.own):
        hit = first_match(_CSS_STILL, t.own)
    return ("registration_service", kind, f"ERDS right, CSS copy stale: {hit}") if hit else None


def _certificate(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    if not first_match(_CERT_BROKEN, t.own) and first_match(_REQUEST, t.own):
        return resolver, "service_request", "planned certificate request"
    return None


def _connectivity(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    if first_match(_SETUP, t.own) and not first_match(_BREAKAGE, t.own):
        return resolver, "service_request", "connectivity set-up request"
    return None


def _solr(t: TicketText, f: RouteFacts, resolver: str, kind: str) -> _Route:
    hit = first_match(_SOLR_PROBLEM, t.own)
    if hit and "quarantin" in hit and first_match(_SMART_QUARANTINE, t.own):
        return "dcc_dsp", "incident", f"smart CoS updates quarantined by the DCC: {hit}"
    return (resolver, "incident", f"bulk event already failing: {hit}") if hit else None


REFINEMENTS: dict[str, Refinement] = {
    "objection_query": _objection, "annulment": _annulment, "erroneous_switch": _erroneous,
    "withdrawal": _withdrawal, "missing_notification": _notification,
    "switch_request_rejected": _rejected, "electricity_data_incorrect": _electricity_data,
    "certificate_issue": _certificate, "connectivity": _connectivity,
    "bulk_switch_solr": _solr,
}


def route(category: str, ticket: TicketText, facts: RouteFacts) -> tuple[Route, RuleHit]:
    """The route (resolver, type, why, routine) and the rule hit that explains it."""
    resolver, kind = CATEGORIES[category]
    refine = REFINEMENTS.get(category)
    refined = refine(ticket, facts, resolver, kind) if refine else None
    decided = Route(*refined) if refined else Route(
        resolver, kind, f"default route for {category}")
    return decided, RuleHit("routing", (decided.why,), decided.resolver)
