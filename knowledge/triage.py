"""The triage chain: run the diagnostics, match articles, and make one decision.

Rules supply evidence, wording and article matches vote on the category, the category and
refinements give resolver and type, signals give impact and urgency, and the desk matrix plus
bumping rules give the priority. Nothing here does I/O.
"""

from __future__ import annotations

from knowledge.articles import KnowledgeBase
from knowledge.decision import TriageDecision, TriageRequest
from knowledge.identifiers import FoundIdentifiers
from knowledge.matcher import ArticleMatch
from knowledge.rules import dates, fuel, mpids, mpxn, roles, scale, urgency
from knowledge.rules.base import RuleHit, TicketText, split_quoted
from knowledge.rules.category import CategoryScore, categories, category_hit
from knowledge.rules.multi_issue import issue_categories, multiple_issues_hit
from knowledge.rules.priority import PrioritySignals, assess
from knowledge.rules.routing import RouteFacts, route
from knowledge.taxonomy import FALLBACK_CATEGORY

__all__ = ["ArticleMatch", "Triage", "TriageDecision", "TriageRequest"]

SIGNAL_RULES = (
    ("affected", scale.affected_count), ("whole_class", scale.whole_class),
    ("market_wide", scale.market_wide), ("outage", scale.outage), ("security", scale.security),
    ("workaround", scale.workaround), ("book_transfer", scale.book_transfer),
    ("deadline", urgency.deadline),
    ("vulnerable", urgency.vulnerable), ("mpid", mpids.mpids),
)
MAX_TEXT = 20_000  # characters of new text considered; long pastes add nothing but time
ARTICLE_VOTE = 2.0
MIN_CATEGORY_SCORE = 1.5
FIRST_ISSUE_SHARE = 0.6
NOT_CSS_USERS = frozenset({"meter_operator", "meter_asset_provider", "data_collector",
                           "data_aggregator", "data_retriever"})
ARTICLES_SHOWN = 5


class Triage:
    def __init__(self, kb: KnowledgeBase, first_line_threshold: float = 80.0) -> None:
        self.kb = kb
        self.first_line_threshold = first_line_threshold
        self._by_category: dict[str, list[int]] = {}
        for n, article in enumerate(kb.articles):
            for category in article.categories:
                self._by_category.setdefault(category, []).append(n)

    def _ticket(self, req: TriageRequest) -> TicketText:
        new, inline_quoted = split_quoted(req.body or "")
        quoted = "\n".join(q for q in (inline_quoted, req.quoted or "") if q)
        return TicketText(
            subject=(req.subject or "")[:1000], new=new[:MAX_TEXT], quoted=quoted[:MAX_TEXT],
            sender_roles=tuple(req.sender_roles), sender_kind=req.sender_kind,
        )

    def decide(self, req: TriageRequest) -> TriageDecision:
        ticket = self._ticket(req)
        found = mpxn.identifiers(req.subject or "", req.body or "", req.quoted or "")
        hits: list[RuleHit] = mpxn.identifier_hits(found)
        fuel_hit = fuel.fuel(ticket, found)
        role_hit = roles.sender_role(ticket)
        signals = {name: rule(ticket) for name, rule in SIGNAL_RULES}
        wording = categories(ticket)
        issues = issue_categories(ticket, frozenset(s.category for s in wording))
        signals["multi"] = multiple_issues_hit(issues)
        sed_hit = dates.switch_date(ticket, req.today)
        hits += [h for h in (fuel_hit, role_hit, sed_hit, *signals.values()) if h]

        query = self.kb.index.query_weights(ticket.subject, ticket.new, ticket.quoted)
        ranked = self.kb.index.rank(ticket.subject, ticket.new, ticket.quoted, query)
        category, category_rule = self._category(wording, ranked, found, role_hit, issues)
        hits.append(category_rule)
        facts = RouteFacts(
            fuel=fuel_hit.value if fuel_hit else None, mpxn_count=len(found.valid),
            role=role_hit.value if role_hit else None, igt=any(i.igt for i in found.valid),
            bulk=bool(signals["affected"] and signals["affected"].value >= 100),
        )
        decided, route_hit = route(category, ticket, facts)
        resolver, ticket_type = decided.resolver, decided.kind
        hits.append(route_hit)
        outage_hit = signals["outage"]
        result = assess(PrioritySignals(
            category=category, ticket_type=ticket_type, mpxn_count=len(found.valid),
            affected=signals["affected"].value if signals["affected"] else 0,
            whole_class=bool(signals["whole_class"]), market_wide=bool(signals["market_wide"]),
            outage=outage_hit.value if outage_hit else None,
            security=bool(signals["security"]), workaround=bool(signals["workaround"]),
            book_transfer=bool(signals["book_transfer"]),
            deadline=bool(signals["deadline"]), vulnerable=bool(signals["vulnerable"]),
            sed_within_1_wd=bool(sed_hit and sed_hit.value == "within_1_wd"),
            routine=decided.routine,
        ))
        articles = self._articles(query, category, ranked)
        answer, blocker = self._first_line(articles, result.priority, ticket_type, resolver,
                                           signals["multi"], ticket)
        if blocker:
            hits.append(RuleHit("first_line_blocked", (blocker,)))
        return TriageDecision(
            type=ticket_type, category=category, impact=result.impact,
            urgency=result.urgency, priority=result.priority,
            priority_reasons=result.reasons, resolver=resolver,
            mpxns=tuple(i.value for i in found.valid), identifiers=tuple(found.valid),
            invalid_identifiers=tuple(found.invalid), articles=tuple(articles),
            rules=tuple(hits), first_line_answer=answer,
        )

    def _category(self, wording: list[CategoryScore], ranked: list[tuple[int, float]],
                  found: FoundIdentifiers, role_hit: RuleHit | None, issues: list[str]
                  ) -> tuple[str, RuleHit]:
        """Wording scores plus votes from the best articles and the identifier checks.

        With several issues in one e-mail the ticket follows the first one raised, as long as
        the message as a whole supports it (people lead with what matters to them); the others
        are recorded as evidence.
        """
        scores = {s.category: s for s in wording}
        totals = {c: s.score for c, s in scores.items()}
        for n, score in ranked[:3]:
            primary = self.kb.articles[n].categories[0]
            if primary in totals or score >= 60:
                totals[primary] = totals.get(primary, 0.0) + ARTICLE_VOTE * score / 100
        if found.invalid and not found.valid:
            totals["invalid_mpxn"] = totals.get("invalid_mpxn", 0.0) + 2.0
        if role_hit and role_hit.value == "consumer":
            totals["misdirected"] = totals.get("misdirected", 0.0) + 3.0
        if role_hit and role_hit.value in NOT_CSS_USERS:
            # agents that CSS does not talk to ask how things work, they do not report faults
            totals["process_query"] = totals.get("process_query", 0.0) + 2.0
        if not totals or max(totals.values()) < MIN_CATEGORY_SCORE:
            return FALLBACK_CATEGORY, RuleHit("category_fallback", ("no category wording",),
                                              FALLBACK_CATEGORY)
        best = max(totals, key=lambda c: (totals[c], c == "invalid_mpxn"))
        first = issues[0] if len(issues) > 1 else best
        if first != best and totals.get(first, 0.0) >= FIRST_ISSUE_SHARE * totals[best]:
            return first, RuleHit("category_first_issue", tuple(issues), first)
        if best in scores:
            return best, category_hit(scores[best])
        return best, RuleHit("category_from_article", ("best matching article",), best)

    def _articles(self, query: dict[str, float], category: str,
                  ranked: list[tuple[int, float]]) -> list[ArticleMatch]:
        """Search results re-weighted towards articles that cover the decided category."""
        pool = dict(ranked)
        for n in self._by_category.get(category, [])[:3]:
            if n not in pool:
                pool[n] = self.kb.index.score(n, query, "")
        combined = []  # (score, article): ArticleMatch is made only for the few shown
        for n, score in pool.items():
            article = self.kb.articles[n]
            if article.categories[0] == category:
                affinity = 40.0
            elif category in article.categories:
                affinity = 30.0
            else:
                affinity = 0.0
            combined.append((round(min(100.0, 0.6 * score + affinity), 1), article))
        combined.sort(key=lambda item: (-item[0], item[1].id))
        return [ArticleMatch(article.id, article.title, final, article.first_line)
                for final, article in combined[:ARTICLES_SHOWN]]

    def _first_line(self, articles: list[ArticleMatch], priority: str, ticket_type: str,
                    resolver: str, multi: RuleHit | None, ticket: TicketText
                    ) -> tuple[str | None, str | None]:
        """(answer, None) when the best article may answer the sender now, else (None, why)."""
        if not articles or not articles[0].first_line:
            return None, None
        best = articles[0]
        if best.score < self.first_line_threshold:
            return None, f"best article score {best.score} below {self.first_line_threshold}"
        if priority in ("P1", "P2"):
            return None, f"{priority} needs a person"
        if ticket_type == "incident":
            return None, "incidents are worked, not answered from the knowledge base"
        if multi:
            return None, "more than one issue in the message"
        if ticket.sender_kind in ("resolver", "desk"):
            return None, f"sender is {ticket.sender_kind}"
        article = self.kb.by_id[best.id]
        if resolver not in ("service_desk", article.owner):
            return None, f"routed to {resolver}, article owned by {article.owner}"
        return article.answer, None
