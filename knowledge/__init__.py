"""Knowledge base, scripted diagnostics and triage for the Switching Service Desk."""

from knowledge.articles import Article, KnowledgeBase, KnowledgeError
from knowledge.evaluate import EvalReport, score_decisions
from knowledge.identifiers import find_identifiers, mpan_valid, mprn_valid
from knowledge.triage import ArticleMatch, Triage, TriageDecision, TriageRequest

__all__ = [
    "Article", "ArticleMatch", "EvalReport", "KnowledgeBase", "KnowledgeError", "Triage",
    "TriageDecision", "TriageRequest", "find_identifiers", "mpan_valid", "mprn_valid",
    "score_decisions",
]
