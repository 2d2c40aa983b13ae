"""Distributor IDs (first two digits of an MPAN core) and who operates them.

Kept as data, not logic: the IDNO list grows over time and should one day come from MDD.
"""

from __future__ import annotations

from typing import NamedTuple


class Distributor(NamedTuple):
    id: str
    mpid: str
    name: str
    kind: str  # "DNO" or "IDNO"


_DNO = {
    "10": ("EELC", "UK Power Networks (Eastern)"),
    "11": ("EMEB", "NGED (East Midlands)"),
    "12": ("LOND", "UK Power Networks (London)"),
    "13": ("MANW", "SP Energy Networks (Manweb)"),
    "14": ("MIDE", "NGED (West Midlands)"),
    "15": ("NEEB", "Northern Powergrid (North East)"),
    "16": ("NORW", "Electricity North West"),
    "17": ("HYDE", "SSEN (North Scotland)"),
    "18": ("SPOW", "SP Energy Networks (South Scotland)"),
    "19": ("SEEB", "UK Power Networks (South East)"),
    "20": ("SOUT", "SSEN (Southern)"),
    "21": ("SWAE", "NGED (South Wales)"),
    "22": ("SWEB", "NGED (South West)"),
    "23": ("YELG", "Northern Powergrid (Yorkshire)"),
}
_IDNO = {
    "24": ("IPNL", "Independent Power Networks"),
    "25": ("LENG", "ESP Electricity"),
    "26": ("GUCL", "Last Mile Electricity"),
    "27": ("ETCL", "The Electricity Network Company"),
    "28": ("EDFI", "UK Power Networks (IDNO)"),
    "29": ("HARL", "Harlaxton Energy Networks"),
    "30": ("PENL", "Leep Electricity Networks"),
    "31": ("UKPD", "UK Power Distribution"),
    "32": ("UDNL", "Energy Assets Networks"),
    "33": ("GGEN", "Eclipse Power Networks"),
    "34": ("MPDL", "Murphy Power"),
    "35": ("FEAL", "Fulcrum Electricity Assets"),
    "36": ("VATT", "Vattenfall Networks"),
    "37": ("FORB", "Optimal Power Networks"),
    "38": ("INDI", "Indigo Power"),
}

DISTRIBUTORS: dict[str, Distributor] = {
    **{k: Distributor(k, m, n, "DNO") for k, (m, n) in _DNO.items()},
    **{k: Distributor(k, m, n, "IDNO") for k, (m, n) in _IDNO.items()},
}


def distributor_for(core: str) -> Distributor | None:
    """The distributor named by an MPAN core's first two digits, or None if unknown."""
    return DISTRIBUTORS.get(core[:2])
