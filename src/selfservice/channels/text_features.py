"""Words and cue phrases of free-text tickets, shared by the classifier's models.

A negation marks the next word ("не работает" -> ``¬работать``), so "works" and "does not
work" are different features. The cue phrases are generic English and Russian ways of
reporting a fault or asking for something; they are part of the engine, not learnt.
"""

import re

from selfservice.text.words import query_word_key, split_words

__all__ = [
    "INCIDENT", "REQUEST", "cues", "features", "pair_features", "tokens", "without_disclaimer",
]

_NEGATIONS = frozenset({"не", "нет", "ни", "not", "no", "never", "cannot", "without", "без"})
_CONTRACTION = re.compile(r"(\w)n[’']t\b", re.IGNORECASE)
_CANNOT = re.compile(r"\bcannot\b", re.IGNORECASE)


# An e-mail's legal footer ("this message is confidential ... if you received it in
# error, please notify the sender") says "error" and "prohibited" about nothing that broke.
_DISCLAIMER_START = re.compile(
    r"\bconfidential|\bintended\s+(?:solely\s+|only\s+)?(?:for\s+the\s+)?(?:recipient|addressee)"
    r"|конфиденциальн|\bпредназначен\w*\s+(?:исключительно\s+|только\s+)?для",
    re.IGNORECASE,
)
# what such a footer goes on to say; a real ticket that mentions confidential files
# rarely says two of these right after
_DISCLAIMER_BODY = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:in\s+)?error\b|\bmistake\b|по ошибке",
    r"\bnotify\b|уведомите|сообщите отправителю",
    r"\bprohibited\b|\bunauthori[sz]ed\b|запрещ",
    r"\bdelete\b|\bdestroy\b|удалите|уничтожьте",
    r"\b(?:recipient|addressee)\b|адресат",
))
_DISCLAIMER_SPAN = 600


def without_disclaimer(text: str) -> str:
    """``text`` up to an e-mail disclaimer: a mention of confidentiality or of the
    intended recipient followed within a paragraph by two of "received in error",
    "notify", "prohibited", "delete", "recipient" (in English or Russian). A text that is
    all disclaimer is kept whole."""
    for start in _DISCLAIMER_START.finditer(text):
        if start.start() == 0:
            continue
        end = start.end() + _DISCLAIMER_SPAN
        if sum(1 for p in _DISCLAIMER_BODY if p.search(text, start.end(), end)) >= 2:
            return text[: start.start()]
    return text


def features(text: str) -> list[str]:
    """Service-model features: word keys without numbers, plus pairs of adjacent keys
    ("vpn account" -> ``vpn+account``) so that catalog keyword phrases weigh more."""
    return pair_features(tokens(text))


def pair_features(words: list[str]) -> list[str]:
    """:func:`features` of already computed :func:`tokens`."""
    keys = [k for k in words if not k.startswith("¬") and not k.isdigit()]
    return keys + [f"{a}+{b}" for a, b in zip(keys, keys[1:], strict=False)]


def tokens(text: str) -> list[str]:
    """Word keys of ``text``, each negated word also as ``¬key``."""
    text = _CANNOT.sub("can not", _CONTRACTION.sub(r"\1 not", text))
    out: list[str] = []
    negate = False
    for norm, _start, _end in split_words(text, query=True):
        if norm in _NEGATIONS:
            negate = True
            continue
        key = query_word_key(norm)
        if key is None:
            continue
        out.append(key)
        if negate:
            out.append(f"¬{key}")
            negate = False
    return out


# --- cue phrases for the type ------------------------------------------------------------------

# (pattern, weight). Matched on lowercased text with ё folded to е; each pattern counts once.
_INCIDENT_CUES: tuple[tuple[str, float], ...] = (
    (r"\b(?:not|n't|never)\s+(?:work|respond|load|boot|start|open|connect|resolv|deliver"
     r"|receiv|accept|reachable|available|valid|secure|private|com(?:e|ing)\s+up)", 2.0),
    (r"\bstopped\s+\w+ing\b|\bstopped working\b", 2.0),
    (r"\b(?:cannot|can't|can not|could not|couldn't|unable to|fails? to|failed to)\b", 1.5),
    (r"\b(?:is|are|went|goes|been)\s+down\b|\boutage\b|\bunreachable\b|\binaccessible\b", 2.0),
    (r"\berrors?\b|\bfail(?:ed|ing|ure|s)?\b|\bcrash(?:ed|es|ing)?\b|\bpanic\b", 1.5),
    (r"\b(?:hangs?|hung|frozen|freez\w*|stuck|broken|slow|lag\w*)\b", 1.0),
    (r"\btime[sd]?\s*-?\s*out\b|\btimeouts?\b|\bpacket loss\b|\brefused\b|\bdenied\b", 1.5),
    (r"\bbounc\w+|\bmismatch\b|\bread-only\b|\bservfail\b", 1.5),
    (r"\bno\s+(?:internet|connection|access|backups?|mail|e-mail|space)\b|\bnobody\b", 1.5),
    (r"\bkeeps\s+\w+ing\b|\bdoes not\b|\bdon't\b|\bdoesn't\b", 1.0),
    (r"\b(?:5\d\d|40[34])\b|\bbad gateway\b|\bi/o\b|\bblue screen\b|\bis full\b", 1.0),
    # "issue" and "problem" as nouns; "issue" the verb ("please issue a certificate") is
    # not followed by "with" nor preceded by an article or "have"
    (r"\b(?:an|the|this|same|some|having|have|has|had|with|any|still|another|following)"
     r"\s+(?:\w+\s+)?(?:issues?|problems?)\b|\b(?:issues?|problems?)\s+with\b", 1.5),
    (r"\btroubles?\b|\bbugs?\b|\bbuggy\b|\bno longer\b|\bany\s*more\b", 1.5),
    (r"\bwhy\b", 1.0),
    (r"\btrying\b|\btried\b|\bwhen\s+(?:i\s+)?try\b|\battempt(?:ing|ed)?\s+to\b", 1.0),
    (r"\bне\s+(?:работ|отвеча|пинг|загруж|открыва|подключ|подходит|приход|доход|проход"
     r"|поднима|выполн|созда|запуска|грузит|видит|доступ|резолв|получа)", 2.0),
    (r"\bперестал|\bперестало|\bперестали", 2.0),
    (r"\bне\s+(?:могу|можем|может|могут|удает|удается|получает)|\bневозможно\b", 1.5),
    (r"недоступ|\bошибк|\bсбой|\bавари|\bупал|\bпада[ею]т|\bзавис", 2.0),
    (r"\bтормоз|\bмедленн|\bпотер[ияь]\s+пакет|\bтаймаут|\bнет\s+(?:интернета|связи|доступа)", 1.5),
    (r"\bвозвращаю?тся\b|\bв спам\b|\bчерн\w+ спис|\bистек\b|\bпросрочен|\bнебезопасн", 1.5),
    (r"\bзаблокирован[аоы]?\b|\bзакончил\w* мест|\bкончил\w* мест|\bпропал|\bне доверя", 1.5),
    (r"\bпроблем|\bсиний экран|\bне\s+\w+ся\b|\bлицензировани\w* ошиб|\bошибк\w* лиценз", 1.0),
    (r"\bбаг\w*\b|\bглюк|\bглюч|\bбольше не\b|\bуже не\b", 1.5),
    (r"\bпочему\b", 1.0),
    (r"\bпыта(?:юсь|емся|лся|лась|лись)\b|\bпробовал|\bпри попытке\b", 1.0),
)  # fmt: skip
_REQUEST_CUES: tuple[tuple[str, float], ...] = (
    (r"\bplease\s+(?:add|create|open|increase|extend|issue|renew|restore|set\s*up|configure"
     r"|enable|change|install|grant|give|provide|send|delete|remove|disable|block|allocate"
     r"|order|upgrade|deploy|make|update|roll\s*back|whitelist|delegate|reboot|restart"
     r"|schedule|register|invite|activate|prepare|transfer|move)\b", 2.5),
    (r",\s*please[.!]?\s*$|\bplease[.!]?\s*$", 1.0),
    (r"\bwe\s+(?:need|want|require)\s+(?:a|an|to|more|new|\d+)\b|\bneed\s+(?:a|an)\s+new\b", 2.0),
    (r"\b(?:we|i)\s*(?:would|'d)\s+like\b|\b(?:could|can|would)\s+you\s+(?:please\s+)?(?:add"
     r"|create|open|increase|extend|issue|renew|restore|roll|set|change|send|give|provide"
     r"|enable|disable|install|delegate|whitelist)\b", 2.0),
    (r"\bconsultation\b|\badvice\b|\brecommend\w*\b|\bhow\s+(?:do|can|to|should)\b"
     r"|\bwhat\s+do\s+we\s+need\b|\bquote\b", 1.5),
    (r"\b(?:add|create|renew|extend|increase|restore|delegate|whitelist|disable"
     r"|revoke)\b", 0.5),
    (r"\b(?:new|more|additional|extra)\s+(?:user|mailbox|vm|server|account|licen[cs]es?"
     r"|certificate|cores?|ram|memory|disk|storage|staff|employee)", 1.0),
    (r"\bпрошу\b|\bпросим\b", 2.5),
    (r"\b(?:нужно|нужен|нужна|нужны|необходимо|требуется|надо)\s+(?:добав|созда|увелич"
     r"|расшир|продл|выпуст|восстанов|настро|выда|откры|перенес|подключ|докуп|заблок"
     r"|удал|измен|предостав|установ|перезагруз|выслат|отправ)", 2.5),
    (r"\bхотим\b|\bхотели бы\b|\bхотелось бы\b|\bподскажите\b|\bконсультац|\bсовет", 2.0),
    (r"\b(?:добавьте|создайте|выдайте|откройте|увеличьте|расширьте|продлите|выпустите"
     r"|восстановите|настройте|предоставьте|перенесите|подключите|заблокируйте|удалите"
     r"|вышлите|пришлите|отправьте|измените|установите)\b", 2.5),
    (r"\b(?:добавить|создать|выдать|открыть|увеличить|расширить|продлить|выпустить"
     r"|настроить|предоставить|перенести|докупить|выслать|изменить|установить)\b", 0.5),
    (r"\bнов(?:ый|ого|ому|ая|ую|ые|ых)\s+(?:пользовател|сотрудник|ящик|сервер|виртуальн"
     r"|учетн|лиценз|сертификат)", 1.0),
    (r"\bплановы[ея]\b|\bуволил", 1.0),
)  # fmt: skip


def _compile(cues: tuple[tuple[str, float], ...]) -> tuple[tuple[re.Pattern[str], float], ...]:
    return tuple((re.compile(p, re.IGNORECASE | re.MULTILINE), w) for p, w in cues)


INCIDENT = _compile(_INCIDENT_CUES)
REQUEST = _compile(_REQUEST_CUES)


def cues(text: str, cues: tuple[tuple[re.Pattern[str], float], ...]) -> tuple[float, list[str]]:
    score = 0.0
    found: list[str] = []
    for pattern, weight in cues:
        m = pattern.search(text)
        if m:
            score += weight
            found.append(m.group(0).strip(" ,."))
    return score, found
