"""Wording that points at each ticket category (switching.md §5.8), with weights.

Data, not code, so a desk lead can tune it: each entry is (regex, weight). Patterns use the
industry's own vocabulary (from the KB symptoms and switching.md) rather than any one e-mail.
"""

from __future__ import annotations

CATEGORY_PATTERNS: dict[str, tuple[tuple[str, float], ...]] = {
    "switch_request_rejected": (
        (r"\breject(?:ed|ion|ions|s|ing)\b", 1.0),
        (r"rmp not (?:found|eligible)|not eligible for this request", 3.0),
        (r"(?:switch effective date|\bsed\b)[^.\n]{0,20}invalid|invalid (?:sed|switch eff)", 3.0),
        (r"(?:switch|request|registration)[^.\n]{0,40}(?:bounced|rejected|came back)", 1.5),
        (r"(?:meter point|supply point|rmp)[^.\n]{0,20}not found|not found", 1.0),
        (r"\bexport mpan|import and export", 1.0),
    ),
    "switch_stuck_pending": (
        (r"\bpending\b", 2.0),
        (r"not secur(?:ed|ing)|hasn'?t secured|never secured|nothing has moved to secured", 2.0),
        (r"\bstuck\b|\bsat in\b", 1.5),
        (r"(?:not|never|hasn'?t|haven'?t|isn'?t|aren'?t) (?:been )?"
         r"(?:moved|moving|progress\w*|gone) (?:to|into|on to) secured|"
         r"still (?:showing |sitting |sat |says |shows |shown as |at )?(?:in |as )?pending", 2.0),
        (r"(?:\bsed\b|effective date|start date)[^.\n]{0,25}(?:been and gone|(?:has |have |had )"
         r"(?:now |already )?(?:passed|gone))|(?:switch|transfer)\w* (?:has |was |is )?"
         r"(?:not|never|n'?t) (?:completed|gone through|happened|taken effect)", 1.5),
        (r"objection windows? (?:have |has |had )?(?:long |all )?closed", 1.5),
        (r"secured[^.\n]{0,60}(?:cancelled|flipped|reverted)|cancelled with no reason", 2.5),
        (r"\bvalidated\b[^.\n]{0,60}\b(?:still|no objection)", 1.5),
    ),
    "objection_query": (
        (r"\bobject(?:ion|ions|ing)?\b", 2.0),
        (r"objection window|out of window|window (?:had |has )?closed|window_closed|objection "
         r"(?:period|deadline)|\bwindow (?:close|closes|ends?)\b", 2.0),
        (r"\b(?:raise|lodge|submit|send|remove|withdraw) (?:an |the |our |a )?objection|how long "
         r"[^.?\n]{0,40}\bobject", 1.5),
        (r"\bdebt objection|losing supplier[^.\n]{0,30}object", 1.0),
    ),
    "annulment": ((r"\bannul(?:ment|ments|led|ling|s)?\b", 3.5), (r"\br0287\b", 2.0)),
    "erroneous_switch": (
        (r"\berroneous(?:ly)?\b|(?:switch\w*|transfer\w*|registered|gained)[^.\n]{0,30}in error",
         3.0),
        (r"wrong (?:house|property|premises|site|meter point|address|flat|unit|apartment|plot|"
         r"floor|customer|meter|mpan|mprn|supply)\b", 2.0),
        (r"(?:return|give back|hand back|revert)[^.\n]{0,40}(?:previous|old|original|former) "
         r"supplier", 2.0),
        (r"never requested|no record of any switch|we never (?:sent|requested)", 3.0),
    ),
    "withdrawal": (
        (r"\bwithdraw(?:al|n|ing)?\b(?! from the market)", 2.5),
        (r"pull back|take back (?:a|the) switch|cancel (?:the|a|our) switch request", 2.5),
        (r"keyed the wrong|wrong start date|wrong sed", 1.5),
        # a gas shipper's withdrawal: ceasing to be the registered user (switching.md §5.3)
        (r"ceas(?:e|es|ing) (?:to be |being )?(?:the )?registered user|no longer (?:be )?(?:the )?"
         r"registered user", 3.0),
    ),
    "missing_notification": (
        (r"notifications?\b[^.\n]{0,40}(?:not|never|n't) (?:been )?(?:received|arriv)", 3.0),
        (r"(?:not|never|n't) (?:received|arrived|got)[^.\n]{0,40}notifications?", 3.0),
        (r"\bno (?:css |secured |confirmed |validated )?notifications?", 2.5),
        (r"\b(?:received|had|got|heard) nothing\b|\bnothing (?:has )?(?:arrived|come through|"
         r"been (?:received|delivered))|\bno (?:validated|confirmed|secured)\b[^.\n]{0,20}\bno "
         r"(?:validated|confirmed|secured)\b", 2.5),
        (r"\breplay|re-?deliver|undelivered|(?:tried|attempted|failed|unable) to deliver|"
         r"exhausted (?:its |their |the )?retries|retries (?:were |are |have been )?exhausted|"
         r"delivery (?:logs?|failures?|attempts?)", 3.0),
        (r"(?:not|never|n't) (?:been )?(?:received|had|got) any (?:[a-z]+ ){0,3}?(?:notifications?"
         r"|messages)|no (?:secured|confirmed|validated) (?:notifications?|messages)", 2.5),
        (r"notification never arrived|never arrived", 2.0),
        (r"\bnotifications?\b", 0.5),
    ),
    "certificate_issue": (
        (r"certificate|\bcerts?\b", 2.0),
        (r"signature validation|signing|private key|\bcsr\b|revoked|revocation", 2.0),
    ),
    "connectivity": (
        (r"\btls\b|handshake|connection reset|allow-?list|whitelist|egress|firewall", 2.5),
        (r"\bhttp 40[13]\b|\b40[13]\b|\b429\b|rate limit|\bforbidden\b|\bunauthori[sz]ed\b", 3.0),
        (r"rejected at (?:your|the) gateway|(?:updates|messages|calls) to (?:the )?css[^.\n]{0,20}"
         r"(?:failing|rejected|refused)", 2.0),
        (r"pre-?production|test environment|connectivity|gateway", 1.5),
        (r"transport layer|network layer", 3.0),
        (r"(?:interface|feed|connection)\b[^.\n]{0,30}\b(?:has been |is |keeps )?(?:failing|"
         r"down|broken)|(?:nothing|none of (?:it|them)) (?:has )?(?:reached|got through to|arrived "
         r"at) (?:the )?css", 2.0),
    ),
    "css_outage": (
        (r"\b5\d\d(?:s|\b)|\b5xx\b|\bdown\b|unavailable|outage", 2.5),
        (r"major incident|service status|every call|very slow|\bslow\b", 2.0),
        (r"other (?:suppliers|participants)|not just us|industry (?:call|chat)", 1.5),
    ),
    "planned_maintenance": ((r"maintenance", 3.5), (r"notice period|days'? notice", 1.5)),
    "address_mismatch": (
        (r"address (?:search|data)|can'?t find[^.\n]{0,30}(?:address|flat|premises)", 2.5),
        (r"\brel\b|address in css|address held|\bflat [a-z0-9]\b|premises", 1.5),
        (r"not in (?:the )?(?:css )?address|added/linked|missing premises", 2.0),
    ),
    "address_update": (
        (r"\buprns?\b", 2.0),
        (r"renamed the (?:road|street)|street renamed|road renamed|\bmerged?\b|duplicate "
         r"(?:address|premises|records?)|split into (?:flats|units)", 2.0),
        (r"(?:update|correct)[^.\n]{0,25}address|address[^.\n]{0,20}(?:update|correction)", 1.5),
        (r"welsh|english versions|council", 1.0),
    ),
    "electricity_data_incorrect": (
        (r"energis|de-?energised|gsp group", 2.5),
        (r"\bmtc\b|\bllfc\b", 1.5),
        (r"registration data|half[- ]hourly|\bhh\b|\bdno\b|\bmpas\b|\berds\b", 1.0),
    ),
    "new_connection_missing": (
        (r"new connections?|new[- ]build|newly issued|dno issued|issued mpan", 2.5),
        (r"new (?:property|properties|home|development|estate|premises)|(?:dno|idno|distributor) "
         r"(?:gave|issued|provided|created)|not yet (?:on|in) css|(?:on|in) css yet", 2.0),
        (r"\bplot\b|moves in|isn'?t found|not found", 1.0),
    ),
    "gas_data_incorrect": (
        (r"uk link|extinct|\bdead\b|registered user|held as domestic", 2.5),
        (r"market sector", 1.0),
        (r"(?:old|previous|wrong) shipper|\bgrds\b|xoserve", 2.0),
        (r"duplicate mprns?|two mprns|mprns? for the same|shows? as (?:dead|extinct)", 3.0),
        (r"market sector[^.\n]{0,40}(?:wrong|correct|incorrect)|(?:wrong|incorrect)[^.\n]{0,20}"
         r"market sector|held as (?:domestic|non-domestic)", 2.0),
    ),
    "shipper_relationship": (
        (r"shipper/supplier relationship|supplier/shipper|shipper[^.\n]{0,20}relationship", 4.0),
        (r"relationship (?:not valid|invalid)|changed shipper|new shipper", 2.0),
    ),
    "ecoes_access": (
        (r"\becoes\b|\bees\b", 1.5),
        (r"(?:ecoes|ees)[^.\n]{0,40}(?:account|login|log in|locked|user|access|set up)", 2.5),
        (r"(?:account|login|access)[^.\n]{0,40}(?:ecoes|ees)\b", 2.5),
    ),
    "ecoes_data": (
        (r"\becoes\b[^.\n]{0,30}(?:still )?show(?:s|ing)?[^.\n]{0,30}(?:old|previous|wrong|"
         r"blank)", 4.0),
        (r"\becoes\b[^.\n]{0,40}refresh", 2.0),
    ),
    "smart_cos_update": (
        (r"smart meter|\bsmets\d?\b|cos update|\bdcc\b", 2.5),
        (r"credentials|top[- ]?ups?\b|prepay|pay-?as-?you-?go|\bpayg\b", 1.5),
    ),
    "invalid_mpxn": (
        (r"invalid (?:format|mpan|mprn)|(?:mpan|mprn)[^.\n]{0,5} invalid|as invalid", 3.0),
        (r"check digit|(?:mpan|mprn) is valid|check if an? (?:mpan|mprn)|is valid before", 2.5),
        (r"over the phone|copied from|printed on|against the customer'?s bill", 1.0),
    ),
    "portal_access": (
        (r"\bportal\b", 2.0),
        (r"locked out|password|\bmfa\b|log ?in|account (?:is )?disabled|re-?enabled", 2.0),
        (r"new (?:team members|users)|create[^.\n]{0,30}accounts", 1.5),
    ),
    "bulk_switch_solr": (
        (r"\bsolr\b|supplier of last resort|trade sale", 4.0),
        (r"anomaly detection|thresholds?|quarantin|bulk registration", 2.0),
    ),
    "sla_working_days": (
        (r"bank holiday|easter monday|st andrew|count as a working day|2(?:nd)? january|"
         r"boxing day|christmas|new year", 2.5),
        (r"(?:is|does|count as|counts as) [^.\n]{0,40}working day|scottish|scotland", 1.5),
        (r"working days?", 1.0),
        (r"does [^.\n]{0,40}count|calendar days", 1.5),
    ),
    "process_query": (
        (r"difference between|which (?:one|address|field) should (?:we|our)|what does [^.\n]{0,30}"
         r"mean|is it (?:correct|true) that", 3.0),
        (r"is (?:it|that|this) (?:possible|something)|how does|does css|can an? [a-z ]{0,25}"
         r"(?:connect|receive)|still between|handled through", 1.5),
        (r"happy for (?:this|it) to be closed|can be closed|please close|ok to close", 5.0),
        (r"\b(?:13|21)[- ]digits?\b|bottom line|top line|full mpan", 3.0),
        (r"\b(?:can|could) (?:someone|somebody|you|anyone) explain|\bexplain (?:what|how|why)",
         2.0),
        (r"\bwhat (?:the |this |that |a |an )?[a-z -]{0,40}(?:flag|indicator|field|code|status) "
         r"(?:actually )?(?:does|means|is for)", 2.0),
        (r"not (?:about|for|related to) (?:a|any|one) (?:particular|specific|individual)|general "
         r"question|(?:writing|write|updating|documenting) (?:up )?(?:our |the )?(?:[a-z]+ )?"
         r"(?:procedures?|process(?:es)?|runbooks?|playbooks?)|procedure doc", 3.0),
        (r"which (?:parties|participants|party)|who (?:gets|receives|is sent|is notified|hears)",
         1.5),
    ),
    "misdirected": (
        (r"i did not agree|i didn'?t agree|never agreed|who gave them my details", 3.5),
        (r"\bmy (?:electricity|gas|bill|supply|energy|meter)\b|i want it stopped", 2.0),
        (r"\bmy switch|my (?:new |old |current )?supplier|my account|i'?m fed up", 2.0),
        (r"\bbroker\b|\btpi\b|third[- ]party intermediar|acting (?:for|on behalf of) (?:a |my "
         r"|our )?client", 3.0),
    ),
    "report_request": (
        (r"(?:monthly|weekly|quarterly|annual) (?:report|mi\b|breakdown|figures|statistics|"
         r"extract)|report of|report on|broken down by|report pack|mi pack|mi report", 3.5),
        (r"\breport\b|\bmi\b|\bcsv\b", 1.0),
        (r"statistics|figures (?:on|for)|data extract|(?:each|per) month|breakdown", 2.5),
    ),
    "participant_change": (
        (r"change of (?:company )?name|company name|will be renamed|update your records", 3.5),
        (r"escalation contacts|contacts you hold|primary (?:operational )?contact", 2.0),
        (r"registered (?:office|address)|our (?:contact|company) details|update (?:the |our )?"
         r"contacts|our mpids (?:are|remain)", 2.5),
    ),
}
