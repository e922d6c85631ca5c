"""Fitting text to a 16x2 HD44780: transliteration to its ROM and predictable name shortening.

The LCD's character ROM (HD44780 A00, the common one) holds printable ASCII except that 0x5C is a
yen sign and 0x7E/0x7F are arrows, plus Katakana. Everything the kiosk shows is therefore reduced to
ASCII 0x20-0x7D without the backslash: accents are dropped (é -> e, ü -> u), typographic
punctuation becomes its ASCII form (“ ” -> ", – -> -, … -> ...), and anything else becomes "?".
"""

from __future__ import annotations

import unicodedata

COLS = 16
"""Characters per LCD line."""
ROWS = 2
"""Lines on the LCD."""

# Characters without a useful NFKD decomposition, mapped to what a reader expects.
_SPECIAL = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‹": "'",
    "›": "'",
    "′": "'",
    "`": "'",
    "´": "'",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "―": "-",
    "−": "-",
    "…": "...",
    "•": "*",
    "·": ".",
    "×": "x",
    "÷": "/",
    "\\": "/",
    "~": "-",
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Œ": "OE",
    "œ": "oe",
    "Ø": "O",
    "ø": "o",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ð": "D",
    "ð": "d",
    "Þ": "Th",
    "þ": "th",
    "ı": "i",
    "°": "o",
    "⁄": "/",
    "\u00a0": " ",
    "\t": " ",
}


def _printable(char: str) -> bool:
    return " " <= char <= "}" and char != "\\"


def transliterate(text: str) -> str:
    """``text`` with every character the A00 ROM cannot show replaced sensibly.

    >>> transliterate("José “Jojo” Müller – café…")
    'Jose "Jojo" Muller - cafe...'
    """
    out: list[str] = []
    for char in text:
        if _printable(char):
            out.append(char)
        elif char in _SPECIAL:
            out.append(_SPECIAL[char])
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(_SPECIAL.get(c, c) for c in decomposed if not unicodedata.combining(c))
            if base and all(_printable(c) for c in base):
                out.append(base)
            elif unicodedata.category(char).startswith("Z"):
                out.append(" ")
            elif unicodedata.category(char).startswith("C"):
                continue  # control characters would move the LCD cursor
            else:
                out.append("?")
    return "".join(out)


def clean(text: str) -> str:
    """Transliterated, with runs of whitespace collapsed and the ends stripped."""
    return " ".join(transliterate(text).split())


def cut(text: str, width: int = COLS) -> str:
    """``text`` cleaned and, if longer than ``width``, cut to ``width - 1`` characters plus "."."""
    text = clean(text)
    if len(text) <= width:
        return text
    return text[: width - 1].rstrip() + "."


def _is_abbreviation(word: str) -> bool:
    return word.endswith(".")


def _initial(word: str) -> str:
    letters = [char for char in word if char.isalnum()]
    return (letters[0] if letters else word[0]).upper() + "."


def name_candidates(name: str) -> list[str]:
    """Every form of ``name`` the shortening rule tries, longest first.

    The rule, applied one step at a time until the name fits:

    1. the full name;
    2. without the academic degrees after the first comma ("Siti Aminah, S.Kom., M.T.");
    3. without leading titles (words ending in "." before the first name: "Dr.", "Ir.", "H.");
    4. given names reduced to initials one at a time from the left, the last name kept whole
       ("Muhammad Rizky Pratama" -> "M. Rizky Pratama" -> "M. R. Pratama");
    5. the first initial and the last name only ("M. Pratama");
    6. that form cut to the width with a final "." (see ``cut``).
    """
    full = clean(name)
    forms = [full]
    base = clean(full.split(",", 1)[0]) if "," in full else full
    forms.append(base)
    words = base.split(" ")
    while len(words) > 1 and _is_abbreviation(words[0]):
        words = words[1:]
    forms.append(" ".join(words))
    for index in range(len(words) - 1):
        if not _is_abbreviation(words[index]):
            words = [*words[:index], _initial(words[index]), *words[index + 1 :]]
            forms.append(" ".join(words))
    if len(words) > 2:
        forms.append(f"{words[0]} {words[-1]}")
    unique: list[str] = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique


def shorten_name(name: str, width: int = COLS) -> str:
    """``name`` fitted to ``width`` by the rule in ``name_candidates``; never longer than ``width``.

    >>> shorten_name("Muhammad Rizky Pratama")
    'M. Rizky Pratama'
    >>> shorten_name("Muhammad Rizky Pratama", 14)
    'M. R. Pratama'
    """
    candidates = name_candidates(name)
    if not candidates:
        return ""
    for form in candidates:
        if len(form) <= width:
            return form
    return cut(candidates[-1], width)


def first_fitting(templates: tuple[str, ...], width: int = COLS, **values: object) -> str:
    """The first of ``templates`` that, formatted with ``values`` and cleaned, fits ``width``.

    The catalog lists the best wording first and shorter fallbacks after it; if none fits, the
    last one is cut (see ``cut``).
    """
    text = ""
    for template in templates:
        text = clean(template.format(**values))
        if len(text) <= width:
            return text
    return cut(text, width)


def pad(text: str, width: int = COLS, align: str = "left") -> str:
    """``text`` cut to ``width`` and padded with spaces to exactly ``width`` characters."""
    text = cut(text, width)
    if align == "center":
        return text.center(width)
    if align == "right":
        return text.rjust(width)
    return text.ljust(width)
