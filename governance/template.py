"""The city's template action plan that a new plan starts from. It is content
in Swedish (like the knowledge bank's seed articles), not interface text.

Grounded in the seeds: the districts' action plans support managers and staff
in how to act before, during and after an event of threats and violence; HR
owns the plan and reviews it every year; training through visits to the
units' workplace meetings (APT) and "lärstudio" sessions several times a
year; all threats and violence are reported to the police and in the city's
incident system; risk grows with staff turnover and workload (exit
interviews, the anonymous exit survey). The after-event measures that carry a
checklist code become the follow-up steps of new cases.

Each measure: (section, owner role, text, knowledge-bank slug or "",
checklist code or "").
"""
TITLE = ("Handlingsplan mot otillåten påverkan")
INTRODUCTION = (
    "Handlingsplanen ger chefer och medarbetare stöd i hur de ska agera före, under och efter en "
    "händelse av hot, våld, trakasserier, skadegörelse eller korruption. Den kompletterar "
    "förvaltningens krisledningsplan, kontinuitetsplanering och stadens övergripande styrdokument. "
    "HR-chefen förvaltar planen och ser varje år över om den behöver revideras.")

MEASURES = [
    ("before", "manager", ("Gör en riskbedömning för hot, våld och otillåten påverkan på enheten tillsammans "
                            "med medarbetare och skyddsombud, och gör om den när verksamheten ändras."),
     "riskbedomning", ""),
    ("before", "manager", ("Se till att det finns rutiner för möten, hembesök, telefon och reception och att "
                            "alla känner till dem, också nyanställda och vikarier."),
     "fore-en-handelse", ""),
    ("before", "employee", ("Planera hembesök: berätta för en kollega vart du åker och när du är tillbaka, och "
                             "åk två om riskbedömningen säger det."),
     "fore-en-handelse", ""),
    ("before", "hr", ("Besök enheternas arbetsplatsträffar (APT) med information om otillåten påverkan minst "
                       "en gång per år och ordna lärstudioträffar flera gånger om året."),
     "handlingsplan", ""),
    ("before", "hr", ("Håll avslutssamtal och erbjud den anonyma avslutsenkäten till alla som slutar, så att "
                       "personalomsättning och arbetsbelastning kan följas som risker."),
     "", ""),
    ("during", "employee", ("Din säkerhet går först: lämna eller avbryt mötet, larma eller ring 112. "
                             "Förhandla inte om beslutet under hot."),
     "under-en-handelse", ""),
    ("during", "employee", ("Skriv ner ordagrant vad som sades och hände direkt efteråt och berätta för din "
                             "chef eller en kollega."),
     "under-en-handelse", ""),
    ("after", "employee", ("Rapportera händelsen i Värn. Alla former av hot och våld rapporteras."),
     "rapportera", ""),
    ("after", "manager", ("Håll ett stödsamtal med medarbetaren samma dag eller nästa arbetsdag."),
     "stodsamtal", "support_talk"),
    ("after", "manager", ("Erbjud företagshälsovård eller krisstöd."),
     "foretagshalsovard-och-krisstod", "health_support"),
    ("after", "manager", ("Gå igenom riskbedömningen av arbetssituationen och besluta om åtgärder."),
     "riskbedomning", "risk_assessment"),
    ("after", "manager", ("Informera skyddsombudet."),
     "skyddsombudet", "safety_rep"),
    ("after", "manager", ("Polisanmäl alla hot och allt våld mot anställda; notera K-numret i ärendet."),
     "polisanmalan", "police"),
    ("after", "manager", ("Anmäl allvarligt tillbud till Arbetsmiljöverket samma dag, senast inom ett dygn."),
     "allvarligt-tillbud", "work_env_authority"),
    ("after", "manager", ("Anmäl arbetsskada till Försäkringskassan när någon skadats."),
     "arbetsskadeanmalan", "work_injury"),
]
