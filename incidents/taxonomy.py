"""The taxonomies every installation starts with. Codes are stable; labels may be
edited in the admin afterwards (ensure_terms then does not overwrite them)."""

FORMS = [
    ("hot", "Hot", "Threat",
     "Någon säger, skriver eller antyder att du, din familj eller din egendom ska skadas.",
     "Someone says, writes or implies that you, your family or your property will be harmed.",
     "”Jag vet var du bor.” ”Du ska få se vad som händer om beslutet står fast.” Ett sms om dina barn. Ett hot som sägs ”på skämt”.",
     "“I know where you live.” “You’ll see what happens if the decision stands.” A text about your children. A threat said “as a joke”.", 10),
    ("vald", "Våld", "Violence",
     "Någon tar fysiskt i dig mot din vilja: slår, sparkar, knuffar, spottar, kastar saker eller håller fast.",
     "Someone physically touches you against your will: hits, kicks, pushes, spits, throws things or holds you.",
     "En klient knuffar dig i korridoren. En anhörig kastar en kaffekopp mot dig på ett hembesök. Någon håller fast dig i dörren.",
     "A client pushes you in the corridor. A relative throws a cup at you on a home visit. Someone holds you back at the door.", 20),
    ("trakasserier", "Trakasserier", "Harassment",
     "Upprepad, oönskad kontakt eller bevakning för att pressa dig: förföljelse, filmning, uthängning på nätet eller falska anmälningar.",
     "Repeated unwanted contact or watching to put pressure on you: stalking, filming, exposure online or false complaints.",
     "Någon ringer dagligen till din privata telefon. Du filmas utanför kontoret och läggs ut på sociala medier. Upprepade anmälningar mot dig som påtryckning.",
     "Someone calls your private phone every day. You are filmed outside the office and posted on social media. Repeated complaints against you as pressure.", 30),
    ("skadegorelse", "Skadegörelse", "Damage to property",
     "Någon förstör eller skadar din eller arbetsplatsens egendom.",
     "Someone destroys or damages your property or the workplace’s.",
     "Din bil repas på parkeringen. Fönster krossas på kontoret. Någon förstör datorn i besöksrummet.",
     "Your car is scratched in the car park. Office windows are smashed. Someone breaks the computer in the visitors’ room.", 40),
    ("korruption", "Korruption", "Corruption",
     "Någon erbjuder pengar, gåvor, tjänster eller en relation för att köpa ett beslut, eller du pressas att gynna någon.",
     "Someone offers money, gifts, favours or a relationship to buy a decision, or you are pressed to favour someone.",
     "En utförare erbjuder presentkort. En klient föreslår att ni ”kan hjälpa varandra”. Någon med inflytande vill att ett ärende ska gå snabbare.",
     "A provider offers gift cards. A client suggests you “could help each other”. Someone influential wants a case to go faster.", 50),
]
SOURCES = [
    ("brukare", "Brukare/klient", "Client", False),
    ("anhorig", "Anhörig eller närstående", "Relative or close person", False),
    ("ombud", "Ombud eller juridiskt biträde", "Legal representative or agent", False),
    ("natverk", "Kriminellt nätverk", "Criminal network", False),
    ("intern", "Chef eller kollega", "Manager or colleague", True),
    ("fortroendevald", "Förtroendevald", "Elected official", True),
    ("utforare", "Näringsidkare eller utförare", "Contractor or provider", False),
    ("okand", "Okänd", "Unknown", False),
    ("annan", "Annan", "Other", False),
]
AREAS = [
    ("ekonomiskt_bistand", "Ekonomiskt bistånd", "Financial assistance"),
    ("barn_unga", "Barn och unga", "Children and young people"),
    ("socialpsykiatri", "Socialpsykiatri", "Social psychiatry"),
    ("missbruk", "Missbruk och beroende", "Substance abuse and addiction"),
    ("funktionsnedsattning", "Stöd till personer med funktionsnedsättning", "Support for persons with disabilities"),
    ("aldreomsorg", "Äldreomsorg", "Elderly care"),
    ("ovrigt", "Annan kommunal verksamhet", "Other municipal operations"),
]
CHANNELS = [
    ("mote", "Möte på kontoret", "Meeting at the office"),
    ("hembesok", "Hembesök", "Home visit"),
    ("telefon", "Telefon", "Phone"),
    ("brev_epost", "Brev eller e-post", "Letter or e-mail"),
    ("sociala_medier", "Sociala medier", "Social media"),
    ("utanfor_arbetet", "Utanför arbetet (hemma, offentligt)", "Outside work (at home, in public)"),
    ("tredje_part", "Via tredje person", "Through a third party"),
]


def current_model(name: str):
    """The real model class of a taxonomy, wherever its app is."""
    from django.apps import apps

    return apps.get_model("organisation" if name == "OperationArea" else "incidents", name)


def ensure_terms(get_model=current_model):
    """Create the standard terms that are missing. `get_model(name)` returns the model
    class (a migration's historical model or, by default, the real one)."""
    InfluenceForm = get_model("InfluenceForm")
    Source = get_model("Source")
    OperationArea = get_model("OperationArea")
    Channel = get_model("Channel")
    for code, label, label_en, desc, desc_en, ex, ex_en, order in FORMS:
        InfluenceForm.objects.get_or_create(code=code, defaults=dict(
            label=label, label_en=label_en, description=desc, description_en=desc_en,
            examples=ex, examples_en=ex_en, sort_order=order))
    for i, (code, label, label_en, bypass) in enumerate(SOURCES):
        Source.objects.get_or_create(code=code, defaults=dict(
            label=label, label_en=label_en, bypasses_management=bypass, sort_order=(i + 1) * 10))
    for model, rows in ((OperationArea, AREAS), (Channel, CHANNELS)):
        for i, (code, label, label_en) in enumerate(rows):
            model.objects.get_or_create(code=code, defaults=dict(
                label=label, label_en=label_en, sort_order=(i + 1) * 10))
