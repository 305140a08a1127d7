"""White space, as the ``regex`` module knows it, for patterns compiled with ``re``.

``re`` runs a plain character class in about three fifths of the time ``regex`` takes, and the
stages cut every text at spaces several times. But the two disagree on what ``\\s`` is:
``regex`` follows Unicode's White_Space, ``re`` follows ``str.isspace``, which also calls the
four information separators (U+001C to U+001F) space. A pattern moved to ``re`` names the
characters instead, so it finds what it found before (a test checks every code point).

>>> import re
>>> re.findall(f"[^{WHITE_SPACE}]+", "a\\x1cb c\\u3000d")
['a\\x1cb', 'c', 'd']
"""

from __future__ import annotations

WHITE_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Unicode's White_Space characters, as the body of a character class: ``regex``'s ``\\s``."""
