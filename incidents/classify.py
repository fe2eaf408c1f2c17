"""Suggest forms of influence from an incident description as it is typed.

suggest(text) -> [Suggestion(code, reason, matched_phrase)]

Every suggestion says which words it rests on ("Det låter som hot – du skrev
”vet var du bor”"), so the reporter can judge it, and the reporter always
makes the choice (nothing is selected for them). Two parts:

- rules and a lexicon (below), precise but written by hand, so they miss
  wordings nobody thought of;
- a small naive Bayes model over word stems, trained when
  first used on the labelled examples in incidents/data/form_examples.tsv.
  It speaks only when the evidence is strong (log-odds above
  MODEL_THRESHOLD) and names the word that weighed most; a word that is
  negated ("inga hot") is never named, and then the model stays silent.

Tolerance for how people actually write:
- text and patterns are folded the same way: lower case, å/ä→a, ö→o, and runs
  of the same letter collapsed ("hottade", "knuffa", "puttade" → "hotade",
  "knufa", "putade"), so missing Swedish letters and doubled consonants match;
- inflections through word stems in the patterns (knuff\\w*, spott\\w*);
- slang and dialect forms in the lexicon (puffra, nerlagd, para, insta, nån);
- single typos in the key verbs by edit distance (spottde, trakaserade);
- negation in the same clause ("inga hot", "ingen slog") cancels a match, and
  a harm verb in future or conditional form ("ska slå", "skulle döda") is a
  threat, not violence.
Scored by bench/classify.py, honestly on bench/data/classify_independent.tsv,
which neither part has seen.
"""
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

FORM_ORDER = ["hot", "vald", "trakasserier", "skadegorelse", "korruption"]


def _form_names():
    return {"hot": _("hot"), "vald": _("våld"), "trakasserier": _("trakasserier"),
            "skadegorelse": _("skadegörelse"), "korruption": _("korruption")}


@dataclass(frozen=True)
class Suggestion:
    code: str
    reason: str
    matched_phrase: str


# --- folding ----------------------------------------------------------------

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "è": "e", "ü": "u", "æ": "a",
                       "ø": "o", "’": "", "‘": "", "”": "", "“": "", "»": "", "«": "",
                       '"': "", "'": "", "–": "-", "—": "-"})


def fold(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, its index in the original."""
    out, index = [], []
    prev = ""
    for i, ch in enumerate(text):
        for c in ch.lower().translate(_FOLD):
            if c.isalpha() and c == prev:
                continue
            out.append(c)
            index.append(i)
            prev = c
    return "".join(out), index


def _fold_pattern(pattern: str) -> str:
    """Fold a regex written in ordinary Swedish the same way as the text,
    leaving escape sequences (\\b, \\w, \\s) alone."""
    out, prev, i = [], "", 0
    pattern = pattern.lower().translate(_FOLD)
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            prev, i = "", i + 2
            continue
        if c.isalpha() and c == prev:
            i += 1
            continue
        out.append(c)
        prev, i = c, i + 1
    return "".join(out)


def _rx(pattern: str):
    return re.compile(_fold_pattern(pattern))


# --- context checks -----------------------------------------------------------

NEGATION = _rx(r"\b(?:inte|ej|ingen|inget|inga|aldrig|utan|inte nagon|varken)\b")
MODAL = _rx(r"\b(?:ska|skall|kommer|skulle|tänker|tanker|hotade|hotar|hotat|hota|vill|ville|lovade|lovar|annars|nästa gång)\b")
CLAUSE_BREAK = re.compile(r"[.!?;:,\n]|\bmen\b|\boch sen\b|\bsedan\b")
SENTENCE_BREAK = re.compile(r"[.!?\n]")


def _clause_before(folded: str, start: int) -> str:
    head = folded[max(0, start - 60):start]
    parts = CLAUSE_BREAK.split(head)
    return parts[-1] if parts else head


def _clause_after(folded: str, end: int) -> str:
    tail = folded[end:end + 30]
    return CLAUSE_BREAK.split(tail)[0]


def _sentence(folded: str, start: int, end: int) -> str:
    left = max((m.end() for m in SENTENCE_BREAK.finditer(folded, 0, start)), default=0)
    right = SENTENCE_BREAK.search(folded, end)
    return folded[left:right.start() if right else len(folded)]


def _negated(folded: str, start: int, end: int) -> bool:
    before = _clause_before(folded, start).split()[-4:]
    after = _clause_after(folded, end).split()[:2]
    return bool(NEGATION.search(" ".join(before)) or (after and NEGATION.fullmatch(after[0])))


def _future(folded: str, start: int) -> bool:
    # "skulle döda mig och knuffade mig": the modal does not reach past "och".
    clause = re.split(r"\boch\b", _clause_before(folded, start))[-1]
    before = " ".join(clause.split()[-4:])
    return bool(MODAL.search(before))


# --- rules -------------------------------------------------------------------

@dataclass
class Rule:
    form: str
    pattern: re.Pattern
    negatable: bool = True
    not_future: bool = False        # a harm verb in future/conditional form is a threat instead
    requires: re.Pattern | None = None   # must also occur in the same sentence
    requires_text: re.Pattern | None = None  # must also occur anywhere in the text
    unless_after: re.Pattern | None = None  # cancels when it follows the match in the clause
    unless_before: re.Pattern | None = None  # cancels when it precedes the match in the clause


def R(form, pattern, **kw):
    for key in ("requires", "requires_text", "unless_after", "unless_before"):
        if isinstance(kw.get(key), str):
            kw[key] = _rx(kw[key])
    return Rule(form, _rx(pattern), **kw)


PERSON = (r"(?:mig|dig|henne|honom|oss|er|dem|min kollega|kollegan|kollegor|personalen|handläggaren|socialsekreteraren|soc|soctanten|"
          r"receptionist\w*|vakten|väktaren|kontaktperson\w*|undersköterska\w*|assistent\w*|boendestödjare\w*)")
SAID = r"\b(?:sa|sade|säger|sager|skrev|skriver|sms|mejl|mail|hotade|menade|ropade|skrek|lovade)\w*"
PLATFORM = (r"(?:insta\w*|ig|facebook\w*|fb|face|messenger|familjeliv|tiktok|snap\w*|youtube|yt|twitter|flashback|nätet|internet|"
            r"forum\w*|telegram\w*|whatsapp|discord|reddit|google|sociala medier|kommentarsfält\w*|blogg\w*|"
            r"x\.com|grupp\w*chatt|chatt\w*)")
HARM_VERB = (r"(?:döda|död|mörda|slå ihjäl|slår ihjäl|ha ihjäl|skjuta|skjuter|kniva|knivhugga|hugga|skada|spöa|"
             r"misshandla|slå|slår|ge dig|ta dig|fixa dig|bränna|bränner|spränga|spränger|sätta eld|tända eld|"
             r"skära|skär|krossa|hämnas|vänta på|lägga ner|hälsa på|halsar pa|ta livet av (?:dig|er|henne|honom))")

RULES = [
    # ---- hot: harm said, written, shown or implied ----
    R("hot", r"\bhot(?:te|a|ar|ade|at|ad|ande|else|elser|elsen|full|fullt|fulla|fullhet|et|en|brev|sms|mejl|mail|meddelande)?\b",
      unless_after=r"^\s*(?:mig |oss |henne |honom )?(?:med |om )?(?:att )?(?:\w+ ){0,2}?(?:anmäl|polisanmäl|media|tidning|överklag|advokat|jurist|ivo\b|jo\b|klaga|stämma|gå till|kontakta|ringa|byta|sluta|ta livet av sig|skada sig)",
      unless_before=r"(?:utbildning|kurs|rutin|policy|handlingsplan|riskbedömning)\w* (?:\w+ )?(?:om|mot|kring) $"),
    R("hot", r"\bvet (?:var|vart|vilken|vilket|vilka|hur) (?:\w+ ){0,3}?(?:du|ni|dina|din|ditt|er|era) (?:\w+ )?(?:bor|jobbar|arbetar|parkerar|kör|går|hämtar|ser ut|barn|familj)"),
    R("hot", r"\b(?:vet|veta|ta reda på|få reda på|fa reda pa|hitta|hittat) (?:var|vart|vilken|vilket|hur) (?:\w+ ){0,3}?(?:bor|jobbar|arbetar|parkerar|tränar|handlar|dagis|förskola|skola|bil|ser ut)",
      requires=SAID, unless_before=r"(?:obehagligt|konstigt|vet inte hur|undrar) (?:\w+ ){0,3}$"),
    R("hot", r"\bvet (?:vem|vilka) (?:du|ni) är\b|\bvet inte (?:vem|vilka) (?:du|ni|jag) (?:bråkar med|har att göra med|känner|är)"),
    R("hot", r"\b(?:hitta|hittar|leta upp|letar upp|få tag på|fa tag pa) (?:dig|er|mig|henne|honom|soc)\b", requires=SAID),
    R("hot", r"\b(?:ska|skall|kommer(?: att)?|skulle|tänker|ska jag|ska vi|ska han|ska hon|kan)\s(?:\w+ ){0,3}?" + HARM_VERB),
    R("hot", r"\b(?:dödar|mördar|skjuter|knivar|spöar|slår ihjäl|sticker ner|hugger) (?:jag|vi|han|hon|dom|de) (?:dig|er|henne|honom)\b"),
    R("hot", r"\b(?:inte|aldrig) (?:komma|kommer) (?:ut )?(?:härifrån|levande|hem levande)\b", negatable=False),
    R("hot", r"\b(?:ska|skall|kommer(?: att)?) (?:\w+ )?(?:hitta|leta upp|få tag på|söka upp|spåra) (?:dig|er|henne|honom)\b"),
    R("hot", r"\bnästa (?:sten |kula |gång )?(?:träffar|tar|blir|är) (?:dig|du|ditt|din)\b"),
    R("hot", r"\b(?:tänka|tänk) på (?:dina|din|ditt|mina|min|mitt|hennes|hans) (?:egna )?(?:barn|familj|fru|man|ungar|dotter|son)\b", requires=SAID),
    R("hot", r"\bfixa till (?:din|min|hennes|hans|er) (?:bil|dörr|lägenhet|hus)\w*"),
    R("hot", r"\b(?:du|ni|hon|han) (?:är|blir) (?:död|dödens|färdig|borta)\b|\bnerlagd\b|\blagd ner\b|\blägga ner (?:dig|er)\b"),
    R("hot", r"\b(?:ska|kommer(?: att)?|skulle) (?:\w+ )?få betala\b"),
    R("hot", r"\b(?:ska|kommer(?: att)?) få se\b|\b(?:kan inte|inte kan) lova vad som\b|\bvad som (?:händer|kan hända|kommer(?: att)? hända) (?:om|med dig|med er|dig|er)\b"),
    R("hot", r"\b(?:om|att|så) (?:det )?(?:något|nåt|nånting|någonting) (?:händer|hände|skulle hända|kommer(?: att)? hända)|\bkommer (?:det )?(?:att )?hända (?:\w+ ){0,3}?(?:något|nåt|dig|er|dina|din)\b|\bhänder (?:något|nåt) (?:med )?(?:dig|dina|din|ditt|mig|mina)\b"),
    R("hot", r"\b(?:akta|passa|se upp|se dig för|tänk på|tänka på) (?:dig|er|mig)\b(?! (?:själv|för trafiken))|\b(?:borde|bör|ska|får) (?:\w+ )?vara försiktig"),
    R("hot", r"\b(?:kommer|ska|skall)(?: att)? (?:\w+ ){0,2}?ångra\b|\bångra (?:dig|er) (?:bittert|resten)"),
    R("hot", r"\b(?:har|känner) (?:\w+ ){0,2}?(?:(?:folk|kompisar|grabbar|killar|polare|bröder|vänner|gäng\w*) (?:som|i|på|från)|kontakter som)\b", requires=SAID),
    R("hot", r"\bmina (?:grabbar|killar|polare|bröder|kompisar|vänner) (?:fixar|tar|löser|vet|hittar|kommer|kan)\b"),
    R("hot", r"\b(?:fixar|fixa|löser|lösa|tar hand om|ta hand om|tar|ordnar|sätter dit) (?:dig|er|henne|honom|socialsekreteraren|handläggaren|soctanten|sånna som du|sådana som du|såna som du)\b(?! (?:med|tid|till|om))"),
    R("hot", r"\blös\w* (?:det|detta|saken) (?:på mitt sätt|på annat sätt|på ett annat sätt|själv)|\bpå annat sätt\b", requires_text=r"\b(?:sa|sade|säger|annars|om (?:jag|du|ni|beslutet))\b"),
    R("hot", r"\b(?:kniv\w*|pistol\w*|vapen\w*|puffra\w*|gun|gevär\w*|basebollträ\w*|batong\w*|yxa|machete|slagträ\w*|järnrör)\b",
      unless_after=r"^\w* (?:hugg|högg|stack|skar)"),
    R("hot", r"\b(?:fingret|handen|tummen) (?:\w+ )?(?:över|mot|längs) (?:\w+ )?(?:halsen|strupen)"),
    R("hot", r"\bannars (?:\w+ ){0,3}?(?:brinner|smäller|händer|dör|kommer|får du|blir det)"),
    R("hot", r"\bnästa gång (?:är det|blir det|så är det|tar jag|kommer jag) ?(?:ditt|mitt|din|min|dig|mig|er)?"),
    R("hot", r"\bvi ses (?:snart|utanför|efter jobbet|ute|på stan|igen)\b|\bvänta på (?:dig|henne|honom|mig|er) (?:efter|utanför)"),
    R("hot", r"\b(?:kommer|ska|åker|går|kan)(?: \w+){0,2} hem till (?:dig|er|mig|henne|honom)\b"),
    R("hot", r"\b(?:kommer|ska|skall)(?: \w+){0,3} (?:och )?hälsa\w* på\b(?! (?:sin|sina|sitt|hans|hennes|mamma|pappa|mormor|farmor))"),
    R("hot", r"\b(?:vad|det) (?:du|hon|han|ni) förtjänar\b|\b(?:göra|gör) (?:ditt|ert|hennes|hans) liv (?:till )?(?:ett )?helvete|\btar med mig dig\b"),
    R("hot", r"\b(?:inte kommer(?: att)?|kommer du inte(?: att)?|inte ska) (?:gilla|tycka om)\b"),
    R("hot", r"\b(?:kommer(?: att)?|ska) gå illa\b|\bskulle vara synd om\b|\bvore synd om\b"),
    R("hot", r"\b(?:brinner|brinna) det\b|\bbränna ner\b"),
    R("hot", r"\bsnart kommer (?:jag|vi)\b"),

    # ---- våld: physical contact against the will ----
    R("vald", r"\bspott(?!styver)\w*|\bspotade\b|\bspotar\b|\bspota\b|\bspote\b", not_future=True,
      unless_after=r"^\w* (?:på marken|på golvet|i papperskorgen)"),
    R("vald", r"\bknytnäve\w*", not_future=True,
      requires=r"\b(?:mig|henne|honom|kollegan|ansiktet|magen|huvudet|bröstet|käken|näsan)\b"),
    R("vald", r"\b(?:örfil\w*|skallade|skallat|skalla|struptag|stryptag|strypgrepp|ströp|strypt|nackgrepp|armgrepp)\b", not_future=True),
    R("vald", r"\bmisshandla(?:de|t|d)\b|\bmisshandel\b|\bknivhögg\b|\böverföll\b|\bblev (?:slagen|knuffad|sparkad på|biten|nypt|attackerad|misshandlad)\b", not_future=True),
    R("vald", r"\b(?:attackerade|angrep|bet|nöp|nypte|klöste|klöser|kliade|rev)\s(?:\w+ ){0,1}?" + PERSON, not_future=True,
      unless_after=r"^\s*(?:om|att|gå|sluta|vänta|ringa|komma|lämna|ta|höra)\b"),
    R("vald", r"\b(?:bet|nöp|nypte|klöste|rev) (?:\w+ )?(?:mig|henne|honom) i\b|\bnöp\b|\bnypte\b|\bklöste\b", not_future=True),
    R("vald", r"\b(?:slog|slagit|slår|sparkade|sparkat|sparkar|sparka|knuffade|knuffat|knuffar|knuffa|knuff|puttade|puttat|puttar|putta|drämde|smällde|klappade|dängde|boxade|tryckte|tryckt|trycker|vräkte|föste|knuffades|puttades)\s(?:han |hon |de |dom )?(?:till |in |ut |ner |upp |omkull |undan )?(?:\w+ ){0,1}?" + PERSON + r"\b",
      not_future=True, unless_after=r"^\s*(?:i )?(?:\w+ )?(?:ett sms|ett mejl|mejl|sms)"),
    R("vald", r"\b(?:knuffade|puttade|slog|sparkade|tryckte|föste|drog|slängde) (?:\w+ ){0,2}?(?:in|ut|ner|omkull|undan|till) (?:mig|henne|honom|kollegan)\b", not_future=True),
    R("vald", r"\b(?:slog|sparkade|knuffade|puttade) (?:\w+ ){0,2}?(?:i ansiktet|i magen|i huvudet|över ryggen|på smalbenet|i bröstet|i ryggen|över näsan)\b", not_future=True),
    R("vald", r"\b(?:fick|gav (?:mig|henne|honom|kollegan)) (?:ett|en) (?:slag|smäll|käftsmäll|smocka|spark|knuff|knytnäve|örfil|skalle)\b|\bsmocka\w*|\bkäftsmäll\w*|\bnedslagen\b|\bslogs ner\b", not_future=True),
    R("vald", r"\b(?:höll|håller|hölls) (?:\w+ )?fast\b|\bhöll (?:mig|henne|honom) (?:där|kvar)\b|\b(?:tog|grep|greppade|tar) (?:\w+ ){0,1}?tag (?:i|om) (?:mig|min|henne|hennes|honom|hans|armen|halsen)|\bgreppade (?:mig|henne|honom|min|armen)\b", not_future=True),
    R("vald", r"\bdrog (?:\w+ ){0,2}?(?:i håret|i armen|i tröjan|i jackan)\b|\bvred (?:om )?(?:min |hennes |hans )?arm", not_future=True),
    R("vald", r"\b(?:kastade|slängde|vräkte|kasta|slänga|drämde|hällde|hivade|knuffa) (?:\w+ ){0,5}?(?:mot|på|efter|i ansiktet på|i huvudet på|över) " + PERSON + r"\b", not_future=True),
    R("vald", r"\bsom (?:träffade|träffa) (?:mig|henne|honom|min kollega|kollegan|mitt|min|hennes|hans)\b"),
    R("vald", r"\bvägrade släppa ut\b|\bstängde in (?:mig|henne|honom)\b|\bbrände mig\b"),
    R("vald", r"\bvåld(?:sam|samt|samma|et)?\b", unless_before=r"(?:hot|hota\w*) (?:om|med) $|(?:utbildning|kurs|rutin)\w* (?:\w+ )?(?:om|mot) (?:hot och )?$"),

    # ---- trakasserier: repeated contact, following, filming, exposure ----
    R("trakasserier", r"\btrakas+er\w*|\bstalk\w*|\bförföl\w*|\bhatbrev\w*"),
    R("trakasserier", r"\b(?:filmade|filmar|filmat|filmas|filmades|filma|fotade|fotar|fotat|fotas|fotograferade|fotograferar|tog bilder på|tar bilder på|tog kort på|spelade in|spelar in|spelat in)\b",
      unless_before=r"(?:bad om att få|frågade om han fick|fick inte) $"),
    R("trakasserier", r"\b(?:lade|la|lagt|lägger|postade|postar|postat|publicerade|publicerat|publicerar|delade|delar|delat|skrev|skriver|skrivit|hängde|hänger|hängt|ligger)\s(?:\w+ ){0,7}?(?:på|i|via|ut på) (?:\w+ ){0,2}?" + PLATFORM + r"\b"),
    R("trakasserier", r"\b(?:hängde|hänger|hängt) ut\b|\buthäng\w*|\bfalsk\w* (?:konto|profil)\w*|\bkonto i mitt namn\b|\bsprider (?:\w+ )?rykten\b|\bryktesspridning\b|\bsmutskast\w*|\bhat(?:mejl|mail|meddelande|brev|kommentar|sms)\w*|\b(?:la|lade|lagt|lägger) ut (?:mitt|min|mina|hennes|hans|vårt|våra) (?:namn|bild|bilder|adress|nummer|telefonnummer)\b|\bhatkampanj\w*|\bdrev\b|\brecensioner om mig\b"),
    R("trakasserier", r"\b" + PLATFORM + r"\b", requires=r"\b(?:mitt namn|min adress|mitt efternamn|bild\w* (?:på|av|från) (?:mig|oss|henne)|om mig|taggade|var (?:jag|vi|hon) bor|handläggare|soctant\w*|mitt konto|privat\w*|vänförfråg\w*)"),
    R("trakasserier", r"\b(?:följde|följer|följt|följa|följs) (?:efter|(?:mig|henne|honom|oss) (?:hem|till))\b|\bförföl\w*|\bstalk\w*|\bbevakar mig\b"),
    R("trakasserier", r"\b(?:står|stod|sitter|satt|väntar|väntade|hänger|stått|dyker|dök|dykt|dyka|kommer|såg|sett|ser) (?:[^ ]+ ){0,6}?(?:utanför|vid|upp (?:vid|på|i|hemma)|upp hos) (?:\w+ ){0,2}?(?:mitt|min|kontoret|jobbet|huset|hus|bostad|porten|busshållplats\w*|hem\w*|förskola\w*|gym\w*|mataffär\w*|löparklubb\w*|träning\w*)",
      requires_text=r"\b(?:varje|flera|hela tiden|dagligen|i rad|kvällar|morgnar|gånger|igen|ofta|nu har|även|också|tio|tre|två)\b"),
    R("trakasserier", r"\b(?:dyker|dök|dykt) upp (?:\w+ ){0,3}?(?:på|i|vid) (?:varje|mitt|min)\b"),
    R("trakasserier", r"\b(?:privat\w*|hem)\s?(?:mobil\w*|nummer|numret|telefon\w*|adress\w*|mejl\w*|mail\w*|e-post\w*|konto\w*|instagram\w*)",
      requires=r"\b(?:ring|sms|mejl|mail|skick|skriv|kontakt|meddelande|brev|hittat|hittade|postar|numret)\w*"),
    R("trakasserier", r"\b(?:ring\w*|samtal\w*|sms\w*|mejl\w*|mail\w*|meddelande\w*|skickar|skickat|skickade|kontakta\w*|hör av sig|brev|andas i luren)\b",
      requires=r"\b(?:varje (?:dag|vecka|natt|morgon|kväll|timme)|hela tiden|dagligen|nästan dagligen|flera gånger (?:om dagen|i timmen|i veckan|per dag)|upprepade\w*|gång på gång|om och om|\d+ ?(?:-\d+ )?(?:gånger|ggr|gg|samtal|sms|mejl|meddelanden)|hundra\w*|massor|i timmen|om dagen|var och varannan (?:dag|vecka)|fortsätter (?:att )?(?:ring|skick|skriv|mejl|sms|höra)\w*|slutar inte|nya nummer|nya konton|olika nummer|dolt nummer|gånger nu|sent på kvällen|varje natt)"),
    R("trakasserier", r"\b(?:\d+|två|tre|fyra|fem|sex|sju|åtta|nio|tio|flera|många|upprepade|nya) (?:\w+ )?(?:anmälningar|klagomål|polisanmälningar|anmälningar)\b|\b(?:falsk|påhittad)\w* (?:anmäl|anklagels|sak)\w*|\b(?:anmält|anmäler|polisanmält|polisanmäler) mig (?:\w+ ){0,3}?(?:igen|gånger|för påhittade|hela tiden|varje)"),
    R("trakasserier", r"\b(?:tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|tionde|\d+:e) (?:\w+ )?(?:anmälan|klagomål\w*|polisanmälan|jo-anmälan|ivo-anmälan)\b"),
    R("trakasserier", r"\b(?:ring\w*|kontakta\w*|sökt\w*|sökte|åkt\w*|åkte|gått|gick) (?:\w+ ){0,2}?(?:till|upp) (?:min|mina|mitt) (?:mamma|pappa|föräldrar|familj|släkt\w*|barn|man|fru|sambo|partner)\b|\bgoogla\w* fram\b|\bkartla\w* (?:mig|min|mitt|mina)\b"),
    R("trakasserier", r"\bringt (?:\w+ ){0,6}?om mig (?:varje|hela)|\bom mig varje (?:dag|vecka)\b"),
    R("trakasserier", r"\bskapar nya konton\b|\bblock\w* (?:honom|henne|numret)\b"),

    # ---- skadegörelse: damage to property ----
    R("skadegorelse", r"\b(?:repad\w*|repade|repat|repor|rispad\w*|rispade|ristade|ristat|klotter|klottra\w*|sprayade|sprayat|sprejade|sprejat|sprayfärg|vandaliser\w*|skadegörelse|punktera\w*|uppskur\w*|sönderskur\w*|krossad\w*|krossade|krossat|krossats|krossades|sönderslag\w*|sönderbrut\w*|uppbrut\w*|förstörde|förstört|förstörd\w*|ramponer\w*|saboter\w*|sabotage|buckl\w*|äggade|slasha\w*)\b", not_future=True),
    R("skadegorelse", r"\b(?:slog|slagit|sparkade|sparkat|slet|slitit|rev|rivit|skar|skurit|bröt|brutit|trampade|hade|haft|krossade|slängde|kastade|vräkte) (?:\w+ ){0,3}?sönder\b|\bsönder (?:\w+ ){0,1}?(?:däck|ruta|rutan|dörr|dator|fönster|bil)", not_future=True),
    R("skadegorelse", r"\b(?:avbrut\w*|bröt av|bröt loss|knäckt\w*|knäckte)\b",
      requires=r"\b(?:\w*spegel\w*|antenn\w*|torkar\w*|skylt\w*|handtag\w*|brevlåd\w*|nyckel\w*|bil\w*|dörr\w*)\b"),
    R("skadegorelse", r"\b(?:gick|sprack|spräcktes|gått) (?:\w+ )?(?:sönder|i bitar|i kras)\b|\bsprack\b", requires=r"\b(?:kastade|slängde|vräkte|välte|slog|sparkade|drog ner|trampade|tappade med flit)\b"),
    R("skadegorelse", r"\b(?:tände|tänt|satte|anlade) (?:\w+ )?(?:eld|brand)\b|\beldade\b", not_future=True),
    R("skadegorelse", r"\b(?:hällde|hällt|kastade|kastat|slängde) (?:\w+ ){0,3}?(?:i (?:tangentbordet|låset|tanken|datorn)|lim|ägg|färg|på (?:min|mitt|mina|hans|hennes|vår|vårt|våra) (?:bil|fönster|ruta|rutor|dörr|hus|kontor)\w*|på bilen|genom (?:fönstret|rutan))"),
    R("skadegorelse", r"\b(?:sparkade|sparkat) in\b|\b(?:slet|drog|rev) (?:ner|loss) (?:\w+ ){0,2}?(?:tavl\w*|anslagstavl\w*|sladd\w*|skylt\w*|gardin\w*|lamp\w*)"),

    # ---- korruption: offers and pressure to favour someone ----
    R("korruption", r"\b(?:muta|mutor|mutan|mutade|mutat|mutförsök|mutbrott|bestick\w*|kickback\w*|provision|smörjning|svart betalning|under bordet|presentkort\w*|gåvokort\w*|tusenlapp\w*|femhundring\w*|kuvert med (?:\w+ )?(?:pengar|sedlar))\b"),
    R("korruption", r"\b(?:present|gåva|gåvor|gåvan)\b", unless_before=r"(?:julklapp|födelsedag)\w* (?:\w+ )?$"),
    R("korruption", r"\b(?:erbjöd|erbjuder|erbjudit|erbjudande\w*|erbjöds|lovade|lovar|föreslog|ville ge|gav mig|ge mig|bjöd|bjuder|bjudit|bjuda|skänka|betala|betalar|betalat|kunde få|skulle få|stoppade)\s(?:\w+ ){0,8}?(?:pengar|kronor|kr\b|\d+ ?kr\b|\d+ ?kronor|tusen\w*|slant\w*|para|cash|stålar|gratis|resa|semesterresa|middag|lunch|biljett\w*|helg|spa|whisky|vin|flaska|jobb|extrajobb|lägenhet|bo gratis|sommarstuga|golv|tjänst|rabatt|billig\w*|summa|lön|semester\w*|kontant\w*|jackficka|bil|bilen|inköpspris|bra pris)\b",
      unless_after=r"^\s*ut\b"),
    R("korruption", r"\bhjälpa varandra\b|\btjänst mot tjänst\b|\ben tjänst för en tjänst\b|\bdu hjälper mig så\b|\bgöra (?:dig|er) en tjänst\b|\bfixa (?:\w+ ){0,2}?(?:åt dig|till dig|åt er)\b|\bför besväret\b|\butan kö\b|\bföre kön\b|\bförtur\b|\bspottstyver\b"),
    R("korruption", r"\b(?:chef\w*|enhetschef\w*|avdelningschef\w*|politiker\w*|nämnd\w*|ordförande\w*|kommunalråd\w*|förtroendevald\w*|upphandlare\w*|ledamot\w*)\b",
      requires_text=r"\b(?:gynna\w*|prioritera\w*|förtur|före kön|före andra|(?:inte|int) (?:göra|gör|skriva|lämna) (?:\w+ )?(?:orosanmälan|anmälan)|snabba på|gå fortare|g[aå]\w* igenom|bevilja\w*|godkänn\w*|godkände|ändra (?:\w+ )?(?:bedömning|beslut)\w*|välja (?:hans|hennes)|se mellan fingrarna)\b.*\b(?:bekant\w*|släkt\w*|vän|vänner|väns|dotter|son|svåger\w*|kusin\w*|väljare\w*|grann\w*|polare|kompis\w*|viss|just den|sökanden|sin|sina)\b|\b(?:bekant\w*|släkt\w*|vän|vänner|dotter|svåger\w*|väljare\w*|grann\w*|polare|kompis\w*)\b.*\b(?:gynna\w*|prioritera\w*|förtur|före kön|g[aå]\w* igenom|bevilja\w*|godkänn\w*|ändra (?:\w+ )?(?:bedömning|beslut)\w*)\b"),
    R("korruption", r"\b(?:om jag|om du|om vi|mot att|i utbyte mot|bara jag|om ni) (?:\w+ ){0,6}?(?:beviljade|beviljar|bevilja|godkände|godkänner|skrev|skriver|gjorde|ordnade|ordnar|fixade|såg till|ser till|ändrade|gav|ger|rekommenderade|prioriterade|förlänger|förlängde|hjälpte|hjälper)\b",
      requires_text=r"\b(?:erbjöd|erbjuder|erbjudit|lovade|lovar|betala\w*|fixa|gratis|slant|pengar|jobb|extrajobb|provision|skänka|bo gratis|kunde få|skulle få|kan få|(?:kan|kunde) hjälpa (?:\w+ ){0,3}?med)\b",
      unless_before=r"(?:hot\w*|annars|skada|döda|slå) (?:\w+ ){0,4}$"),
    R("korruption", r"\b(?:fick|fått|tagit emot|tog emot) (?:\w+ ){0,4}?(?:flaska|flaskor|whisky|konjak|champagne|sprit|cigg\w*|cigaretter|klocka|smycke\w*|guldkedja|biljett\w*|resa|pengar|kontanter|kuvert)\b",
      unless_before=r"(?:inte|ingen|inga) $"),
    R("korruption", r"\b(?:dejt|sex|ligga med|gå ut och äta|gå på middag|ses privat|träffas privat)\b",
      requires_text=r"\b(?:om (?:jag|du)|mot att|bevilja\w*|ärende\w*)\b|beslut"),
]

# Key words with an unambiguous form, matched with one typo allowed.
FUZZY = {
    "hot": ["hotade", "hotelse", "hotfull"],
    "vald": ["knuffade", "sparkade", "spottade", "puttade", "misshandlade", "örfil", "struptag"],
    "trakasserier": ["trakasserier", "trakasserade", "förföljer", "förföljde", "filmade", "uthängd"],
    "skadegorelse": ["skadegörelse", "vandaliserade", "klottrade", "punkterade", "krossade"],
    "korruption": ["mutor", "mutförsök", "presentkort", "bestickning"],
}
_FUZZY = {form: [fold(w)[0] for w in words] for form, words in FUZZY.items()}
_TOKEN = re.compile(r"[a-z0-9]+")


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            if i + 1 < len(a) and a[i] == b[j + 1] and a[i + 1] == b[j]:  # swapped letters
                i += 2
                j += 2
                continue
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def _typo_of(token: str, keys: list[str]) -> bool:
    """A misspelt key word: one edit away, same first two letters (typos
    rarely hit the start of a word, and other words often differ right
    there: "lutade"/"putade"). Exact spellings are left to the rules, which
    also check the context."""
    if len(token) < 6:
        return False
    for key in keys:
        if token.startswith(key) or token[:2] != key[:2]:
            continue
        if _within_one_edit(token, key) or (len(token) > len(key) + 1
                                            and _within_one_edit(token[:len(key)], key)):
            return True
    return False


# --- the learnt part -------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent / "data" / "form_examples.tsv"
# Log-odds a form needs before the model suggests it. Chosen by five-fold
# cross-validation on the examples as the lowest value that keeps the
# precision of rules and model together at 0.95 or more.
MODEL_THRESHOLD = 7.0
_SMOOTHING = 0.5
_STOP = frozenset(fold(w)[0] for w in (
    "och i att det som en på är av för med till den har de inte om ett han hon jag mig min mitt "
    "du dig var sa så men när från vid efter eller hade hans hennes dom vi oss ni er sin sitt").split())
_WORD = re.compile(r"[a-z]{3,}")


def _features(folded: str) -> list[tuple[str, int, int]]:
    """Word stems (the first five letters), each with its span in the folded
    text. (Pairs of stems were tried: they count the same evidence twice and
    made ordinary calls about one's case look like harassment.)"""
    return [(m.group()[:5], m.start(), m.end()) for m in _WORD.finditer(folded) if m.group() not in _STOP]


def load_examples(path=EXAMPLES) -> list[tuple[set[str], str]]:
    """The labelled examples: (set of form codes, description) per row."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("labels\t"):
            continue
        labels, text = line.split("\t", 1)
        rows.append(({c for c in labels.split(",") if c}, text))
    return rows


def train(rows) -> dict[str, tuple[float, dict[str, float]]]:
    """Per form: the prior log-odds and each feature's log-likelihood ratio."""
    docs = [(gold, {f for f, _, _ in _features(fold(text)[0])}) for gold, text in rows]
    model = {}
    for form in FORM_ORDER:
        pos, neg = Counter(), Counter()
        n_pos = n_neg = 0
        for gold, feats in docs:
            if form in gold:
                pos.update(feats)
                n_pos += 1
            else:
                neg.update(feats)
                n_neg += 1
        a = _SMOOTHING
        weights = {f: math.log((pos[f] + a) / (n_pos + 2 * a)) - math.log((neg[f] + a) / (n_neg + 2 * a))
                   for f in set(pos) | set(neg)}
        model[form] = (math.log((n_pos + a) / (n_neg + a)), weights)
    return model


@cache
def _model():
    return train(load_examples())


def _learnt(folded: str, seen: dict[str, tuple[int, int]], prior: float,
            weights: dict[str, float]) -> tuple[int, int] | None:
    """If the model is sure enough, the span to quote as the reason: the two
    strongest non-negated words, with what stands between them when they are
    close ("vet vad som händer annars"), or else the strongest alone.
    `seen` is each feature of the text with its first span."""
    score = prior + sum(weights.get(feature, 0.0) for feature in seen)
    if score <= MODEL_THRESHOLD:
        return None
    strongest = [span for feature, span in sorted(seen.items(), key=lambda kv: -weights.get(kv[0], 0.0))
                 if weights.get(feature, 0.0) > 0 and not _negated(folded, *span)][:2]
    if not strongest:
        return None
    if len(strongest) == 2 and abs(strongest[0][0] - strongest[1][0]) <= 40:
        return min(strongest[0][0], strongest[1][0]), max(strongest[0][1], strongest[1][1])
    return strongest[0]


def _original_phrase(text: str, index: list[int], start: int, end: int) -> str:
    if not index:
        return ""
    a = index[min(start, len(index) - 1)]
    b = index[min(max(end - 1, start), len(index) - 1)] + 1
    # Widen to whole words.
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "-:"):
        a -= 1
    while b < len(text) and text[b].isalnum():
        b += 1
    phrase = " ".join(text[a:b].split()).strip(" ,.;:!?\"'”“»«")
    return phrase if len(phrase) <= 60 else phrase[:57].rsplit(" ", 1)[0] + " …"


def _rule_matches(rule: Rule, folded: str):
    if rule.requires_text is not None and not rule.requires_text.search(folded):
        return None
    for m in rule.pattern.finditer(folded):
        start, end = m.span()
        if end == start:
            continue
        if rule.negatable and _negated(folded, start, end):
            continue
        if rule.not_future and _future(folded, start):
            continue
        if rule.requires is not None and not rule.requires.search(_sentence(folded, start, end)):
            continue
        if rule.unless_after is not None and rule.unless_after.search(folded[end:end + 60]):
            continue
        if rule.unless_before is not None and rule.unless_before.search(_clause_before(folded, start)):
            continue
        return m
    return None


def suggest(text: str, model=None) -> list[Suggestion]:
    """Forms of influence that the description points to, each with its reason.
    Empty when nothing in the text is a clear sign (the reporter decides).
    `model` replaces the trained model (for cross-validation)."""
    text = (text or "")[:5000]
    if len(text.strip()) < 4:
        return []
    folded, index = fold(text)
    found: dict[str, tuple[int, int]] = {}
    for rule in RULES:
        if rule.form in found:
            continue
        m = _rule_matches(rule, folded)
        if m is not None:
            found[rule.form] = m.span()
    for form, keys in _FUZZY.items():
        if form in found:
            continue
        for m in _TOKEN.finditer(folded):
            token = m.group()
            if _typo_of(token, keys):
                if not _negated(folded, m.start(), m.end()):
                    found[form] = m.span()
                    break
    missing = [form for form in FORM_ORDER if form not in found]
    if missing:
        seen: dict[str, tuple[int, int]] = {}
        for feature, start, end in _features(folded):
            seen.setdefault(feature, (start, end))
        trained = model or _model()
        for form in missing:
            span = _learnt(folded, seen, *trained[form])
            if span is not None:
                found[form] = span
    names = _form_names()
    out = []
    for form in FORM_ORDER:
        if form in found:
            phrase = _original_phrase(text, index, *found[form])
            reason = _("Det låter som %(form)s – du skrev ”%(phrase)s”.") % {
                "form": names[form], "phrase": phrase}
            out.append(Suggestion(form, reason, phrase))
    return out


# --- who it was: a hint for the routing question ------------------------------------
#
# The report form asks who exerted the influence, because a report about a
# manager, a colleague or an elected official must not reach the unit's
# managers. When the description names such a person while the reporter
# picked someone else, the form asks before sending (reporting.forms). A
# question costs one click; a missed one sends the report to the manager,
# so the words are matched generously and only clear cases are left out:
# the person is the one spoken to or about ("jag berättade för min chef",
# "brukaren hotade kollegan"), or the sentence denies it ("inte min chef").

@dataclass(frozen=True)
class SourceHint:
    code: str            # the Source code the words point to: "intern" or "fortroendevald"
    matched_phrase: str  # the reporter's own words, for "du skrev ”min chef pressade”"


SOURCE_PATTERNS = [
    ("intern", _rx(r"\b(?:\w+chef|chef)(?:en|er|erna|ens|ernas)?\b(?!s)|\bbiträdande chef\w*|\barbetsledar\w*|"
                   r"\böverordna\w*|\bkolleg(?:a|an|or|orna|ans|ornas)\b|\barbetskamrat\w*|\bledningen\b")),
    ("fortroendevald", _rx(r"\bpolitiker\w*|\b\w*ledamot\w*|\bledamöter\w*|\bförtroendevald\w*|"
                           r"\b(?:kommunalråd|borgarråd|oppositionsråd|regionråd)\w*|\bnämndordförande\w*|"
                           r"\b\w*nämndens ordförande\b|\bordförande\w* (?:i|för) (?:\w+ )?\w*nämnd\w*|"
                           r"\bfullmäktige\w*")),
]
# Words just before the person that make them the one spoken to, told or
# hurt rather than the one who pushed ("för min chef", "hotade kollegan").
# Not "åt": folded it is "att", which leads into what the person did.
_OBJECT_BEFORE = frozenset(fold(w)[0] for w in (
    "till mot hos med för om på av från hotade hotar hotat slog slår knuffade sparkade spottade filmade "
    "attackerade skrek kontaktade ringde ringer mejlade mailade meddelade informerade berättade frågade bad "
    "larmade sökte träffade kallade hämtade väckte tillkallade").split())
# Words that may stand between such a word and the person ("för min närmaste chef").
_DETERMINERS = frozenset(fold(w)[0] for w in (
    "min mitt mina vår vårt våra din ditt dina en ett den det de hans hennes deras närmaste nya gamla "
    "egen egna andra annan").split())
_PRONOUN_OBJECTS = frozenset(fold(w)[0] for w in "mig dig oss henne honom er dem".split())


def _is_object(folded: str, start: int) -> bool:
    words = _clause_before(folded, start).split()
    while words and words[-1] in _DETERMINERS:
        words.pop()
    if not words:
        return False
    if words[-1] in _OBJECT_BEFORE:
        # "pressad av min chef" is the chef acting; "av" alone is ambiguous
        # only after a passive participle, which ends in -d or -t.
        if words[-1] == "av":
            return not (len(words) > 1 and words[-2].endswith(("d", "t", "ad", "at")))
        return True
    # "hotade mig och min kollega": one of those hurt, not the one who acted.
    return len(words) >= 2 and words[-1] == "och" and words[-2] in _PRONOUN_OBJECTS


def source_hint(text: str) -> SourceHint | None:
    """The kind of source the description points to when it names a manager,
    a colleague or an elected official as the one acting, with the words it
    rests on; None otherwise. The reporter decides: this only asks."""
    text = (text or "")[:5000]
    if len(text.strip()) < 4:
        return None
    folded, index = fold(text)
    best = None
    for code, pattern in SOURCE_PATTERNS:
        for m in pattern.finditer(folded):
            start, end = m.span()
            if _negated(folded, start, end) or _is_object(folded, start):
                continue
            if best is None or start < best[1]:
                best = (code, start, end)
            break
    if best is None:
        return None
    code, start, end = best
    # Name the words around it, so the reporter recognises their sentence.
    a, b = start, end
    words_before = _clause_before(folded, start).split()[-1:]
    if words_before:
        a = max(0, start - len(words_before[0]) - 1)
    after = _clause_after(folded, end).split()[:1]
    if after:
        b = min(len(folded), end + 1 + len(after[0]))
    return SourceHint(code, _original_phrase(text, index, a, b))
