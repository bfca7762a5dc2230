"""Raw text -> word tokens, close to the benchmarks' own tokenisation.

The language server has the authoritative implementation (server/src/text/wordTokenizer.ts);
this Python twin is used to tokenise the unlabelled corpus for word vectors, so that the
vectors are trained on the same word forms the server will look up. Both are checked
against spec/fixtures/word-tokenizer.json.
"""
import re

# Abbreviations that keep their final period (news and clinical text).
ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof Sen Rep Gov Gen Col Lt Sgt Capt Maj Cmdr Adm Rev St Jr Sr Inc Corp Co Ltd "
    "Bros Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Fri Sat Sun "
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb "
    "Nev Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo Mt Ft Ave Blvd Dept Univ No vs etc al approx "
    "mg ml kg mcg Fig Figs Eq Eqs cf"
).split()

_WORD = r"[^\W_]"  # a letter or digit (Unicode-aware)
TOKEN_RE = re.compile(
    "|".join([
        r"https?://[^\s<>\"]+",                       # URLs stay whole
        r"(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![\w]))?",    # U.S. e.g. i.e. N.Y.
        # Dr. Calif. Feb. (at the very end of the text the period ends the sentence: a token of its own)
        r"(?:%s)\.(?!\w)(?!\s*\Z)" % "|".join(ABBREVIATIONS),
        r"[A-Z]\.(?=\s+[A-Z])",                        # initials: John F. Kennedy
        r"\d+(?:[.,:/]\d+)+",                          # 2.5 1,000 10:30 1/2
        r"n't(?!\w)|'(?:s|t|re|ve|ll|d|m)(?!\w)",     # clitics split PTB-style
        r"%s+(?=n't(?!\w))" % _WORD,                  # do|n't
        # words and O'Neil (an apostrophe joins unless a clitic follows); a hyphen is always its own
        # token, as in ADE, DDI and spaCy ("methotrexate-induced" -> methotrexate - induced)
        r"%s+(?:['’](?!(?:s|t|re|ve|ll|d|m)(?!\w))%s+)*" % (_WORD, _WORD),
        r"--+|\.\.\.+|``|''",                          # dashes, ellipses, TeX quotes
        r"\S",                                        # anything else: one character
    ]),
    re.UNICODE,
)


def tokenize(text):
    """Return [(token, start, end)] with character offsets into `text` (code points)."""
    return [(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def words(text):
    return [m.group(0) for m in TOKEN_RE.finditer(text)]
