"""Bytes to text when labels lie: declared charset, then UTF-8, then Windows-1252.

Real mail mislabels constantly (UTF-8 sent as ISO-8859-1, cp1252 bytes labelled Latin-1, CJK
charsets under legacy names). The rule here never raises and never turns valid UTF-8 into
mojibake: non-ASCII bytes that are valid UTF-8 are read as UTF-8 whatever the label says.
"""

from __future__ import annotations

import codecs
from functools import lru_cache

# Labels whose real-world meaning differs from Python's codec of the same name (WHATWG practice).
_ALIASES = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "windows-1252": "cp1252",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "tis-620": "cp874",
    "iso-2022-jp": "iso2022_jp_ext",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}
# Encodings that are pure 7-bit on the wire: ASCII-only bytes still need the real codec.
_SEVEN_BIT = {"utf-7", "iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_kr", "hz"}
# Labels under which UTF-8 damaged in transit (a truncated character) is still read as UTF-8.
_LATIN = {"utf-8", "cp1252", "iso8859-15", "ascii"}
_WIDE = ("utf-16", "utf-32", "utf_16", "utf_32")


@lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """Return a usable Python codec name for a MIME charset label, or None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, UnicodeError):
        return None
    # Refuse codecs that are not text encodings (base64_codec, rot13 and friends).
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` as text with graceful fallback; never raises."""
    codec = codec_for(charset)
    if codec in _SEVEN_BIT or (codec and codec.startswith(_WIDE)):
        try:
            return data.decode(codec)
        except (UnicodeError, LookupError):
            pass
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec in _LATIN or codec is None:
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly
    if codec and codec != "utf-8":
        try:
            return data.decode(codec)
        except (UnicodeError, LookupError):
            if codec not in ("cp1252", "iso8859-1"):
                try:
                    return data.decode(codec, "replace")
                except (UnicodeError, LookupError):
                    pass
    return data.decode("cp1252", "replace")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken sequences (e.g. cut mid-character) rather than cp1252 mojibake.

    Accepted only when well-formed multi-byte characters clearly outnumber the broken ones,
    which Latin-1/cp1252 text practically never produces.
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return text if good >= 4 and good >= 4 * bad else None
