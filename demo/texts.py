"""Swedish building blocks for demo incident descriptions, places, actions and
police decisions. Templates are tagged with the form of influence, the channel
they describe and the sources that fit them, so that a generated text agrees
with the incident's classification.

Placeholders: {actor}/{Actor} (who, by source and area), {decision} (a decision
in the unit's operation area) and {service} (what a provider sells there).
"""

# Source groups used by the templates.
EXT = ("brukare", "anhorig", "natverk", "annan")
EXT_OMBUD = EXT + ("ombud",)
PROVIDER = ("utforare",)
INTERNAL = ("intern",)
POLITICIAN = ("fortroendevald",)
UNKNOWN = ("okand",)

# (form, channel, sources, text)
TEMPLATES = [
    # --- hot ---------------------------------------------------------------
    ("hot", "mote", EXT,
     "{Actor} blev mycket upprörd på besöket efter {decision} och sa: ”Jag vet var du bor. Tänk på dina barn.”"),
    ("hot", "mote", EXT,
     "I receptionen skrek {actor} att jag ”ska få se vad som händer” om {decision} står fast. Väktare tillkallades."),
    ("hot", "mote", EXT_OMBUD,
     "Under mötet om {decision} lutade sig {actor} fram och sa lågt att ”sådana som du brukar råka illa ut”."),
    ("hot", "hembesok", EXT,
     "Vid hembesöket hotade {actor} mig och min kollega: ”Kommer ni hit igen så går det illa.” Vi avbröt besöket."),
    ("hot", "hembesok", EXT,
     "{Actor} ställde sig i dörren under hembesöket och sa att hen visste vilken bil jag kör och var jag parkerar."),
    ("hot", "telefon", EXT_OMBUD,
     "{Actor} ringde flera gånger och sa att jag ska ”passa mig” om {decision} inte ändras."),
    ("hot", "telefon", EXT,
     "{Actor} ringde växeln, frågade efter mitt privata nummer och sa att ”det finns folk som kan hitta dig ändå”."),
    ("hot", "brev_epost", EXT,
     "Fick ett mejl från {actor} med texten ”Du förstör min familj, nu ska jag förstöra din”. Mejlet gällde {decision}."),
    ("hot", "sociala_medier", EXT,
     "{Actor} skrev i ett öppet inlägg att någon borde ”ta hand om” socialsekreteraren bakom {decision}. Mitt namn stod med."),
    ("hot", "utanfor_arbetet", EXT,
     "{Actor} kom fram till mig i mataffären nära min bostad och sa: ”Jag vet var du bor. Ändra beslutet.”"),
    ("hot", "utanfor_arbetet", EXT,
     "På väg hem från jobbet följde {actor} efter mig till tunnelbanan och sa att jag ”inte är säker någonstans”."),
    ("hot", "tredje_part", EXT,
     "En annan klient berättade att {actor} har sagt att det finns personer som ”vill prata med” mig efter {decision}."),
    ("hot", "telefon", UNKNOWN,
     "En okänd person ringde från dolt nummer och sa: ”Vi vet var du bor.” Samtalet kom dagen efter {decision} i ett ärende."),
    ("hot", "brev_epost", UNKNOWN,
     "Ett anonymt brev kom till kontoret med hot mot mig och min familj. Brevet nämner {decision}."),
    ("hot", "mote", INTERNAL,
     "{Actor} sa att min provanställning ”kan bli svår att förlänga” om jag inte ändrar min bedömning om {decision}."),
    ("hot", "telefon", POLITICIAN,
     "{Actor} ringde mig direkt och sa att det ”kommer att få konsekvenser” för enheten om {decision} inte ändras."),
    # --- våld --------------------------------------------------------------
    ("vald", "mote", EXT,
     "{Actor} knuffade mig i receptionen efter beskedet om {decision}. Jag föll mot disken och fick ont i axeln."),
    ("vald", "mote", EXT,
     "{Actor} kastade en stol mot väggen och sedan en kaffekopp mot mig under mötet. Väktare kom efter några minuter."),
    ("vald", "hembesok", EXT,
     "Under hembesöket tog {actor} hårt tag i min arm och höll fast mig i hallen när jag skulle gå."),
    ("vald", "hembesok", EXT,
     "{Actor} spottade på mig när vi lämnade bostaden efter samtalet om {decision}."),
    ("vald", "utanfor_arbetet", EXT,
     "{Actor} väntade utanför kontoret efter arbetstid och knuffade mig mot en vägg."),
    ("vald", "mote", EXT,
     "{Actor} slog näven i bordet och gav sedan min kollega en örfil när vi förklarade {decision}."),
    ("vald", "hembesok", ("brukare",),
     "{Actor} blev orolig under besöket, sparkade mig på benet och kastade en tallrik efter mig."),
    # --- trakasserier ------------------------------------------------------
    ("trakasserier", "sociala_medier", EXT,
     "{Actor} har lagt ut bilder på mig tagna utanför kontoret i en Facebookgrupp, med mitt namn och påståenden om att jag ”tar barn”."),
    ("trakasserier", "sociala_medier", EXT,
     "Jag har hängts ut på TikTok av {actor} med namn och bild. Klippet har delats flera hundra gånger."),
    ("trakasserier", "telefon", EXT_OMBUD,
     "{Actor} ringer flera gånger om dagen till enheten och frågar efter mig, trots att en annan handläggare har tagit över."),
    ("trakasserier", "utanfor_arbetet", EXT,
     "{Actor} har stått utanför min bostad vid två tillfällen den senaste veckan och filmat när jag kommer hem."),
    ("trakasserier", "brev_epost", EXT_OMBUD,
     "{Actor} har skickat ett tjugotal mejl till mig och till förvaltningsledningen med anklagelser om att jag ljuger, för att få {decision} ändrat."),
    ("trakasserier", "brev_epost", EXT_OMBUD,
     "{Actor} har gjort upprepade anmälningar mot mig till IVO och JO om samma sak och säger att det slutar först när beslutet ändras."),
    ("trakasserier", "mote", EXT,
     "{Actor} filmade mig med mobilen under hela mötet och sa att filmen ”ska ut på nätet” om {decision} står fast."),
    ("trakasserier", "tredje_part", EXT,
     "{Actor} har via andra brukare spridit uppgifter om var jag bor och vilken skola mina barn går i."),
    ("trakasserier", "sociala_medier", UNKNOWN,
     "Ett anonymt konto på Instagram har publicerat mitt namn, min arbetsplats och bilder på mitt hus."),
    ("trakasserier", "mote", INTERNAL,
     "{Actor} har vid flera tillfällen pressat mig att ändra min bedömning om {decision} och kommenterar mitt arbete inför kollegor."),
    ("trakasserier", "brev_epost", INTERNAL,
     "{Actor} skickar mejl sent på kvällarna och kräver att jag ska bevilja en ansökan från en person hen känner."),
    ("trakasserier", "sociala_medier", POLITICIAN,
     "{Actor} har i sociala medier pekat ut mig med namn i samband med {decision}."),
    ("trakasserier", "telefon", POLITICIAN,
     "{Actor} har kontaktat mig direkt flera gånger och krävt att {decision} ska ändras, med hänvisning till att hen ”känner familjen”."),
    # --- skadegörelse ------------------------------------------------------
    ("skadegorelse", "utanfor_arbetet", ("brukare", "anhorig"),
     "Min bil blev repad på parkeringen utanför kontoret samma dag som jag meddelade {actor} {decision}."),
    ("skadegorelse", "mote", EXT,
     "{Actor} slog sönder datorn och en stol i besöksrummet efter beskedet om {decision}."),
    ("skadegorelse", "mote", EXT,
     "{Actor} krossade glasrutan i receptionen när hen inte fick komma in utan bokad tid."),
    ("skadegorelse", "utanfor_arbetet", EXT,
     "Däcken på min privata bil var sönderskurna när jag kom ut från jobbet. {Actor} hade tidigare sagt att ”det kommer att kosta”."),
    ("skadegorelse", "hembesok", EXT,
     "Under hembesöket tog {actor} min tjänstetelefon och kastade den i golvet så att den gick sönder."),
    ("skadegorelse", "tredje_part", EXT,
     "Någon har klottrat mitt namn och ordet ”förrädare” vid entrén till kontoret; det ska ha gjorts på uppdrag av {actor}."),
    ("skadegorelse", "utanfor_arbetet", UNKNOWN,
     "Min bil blev repad och fick ett krossat sidofönster på personalparkeringen. Vi vet inte vem som gjorde det."),
    # --- korruption --------------------------------------------------------
    ("korruption", "mote", EXT,
     "{Actor} erbjöd mig presentkort för 2 000 kronor om jag ”tittade lite extra” på ansökan."),
    ("korruption", "mote", EXT,
     "{Actor} föreslog att vi ”kunde hjälpa varandra” och lade ett kuvert med kontanter på bordet. Jag tackade nej och avslutade mötet."),
    ("korruption", "telefon", EXT_OMBUD,
     "{Actor} ringde och sa att det skulle löna sig för mig om ärendet gick snabbare och fick rätt utgång."),
    ("korruption", "brev_epost", PROVIDER,
     "Fick ett mejl från {actor} med erbjudande om en betald ”konsultuppgift”, samtidigt som vi ska besluta om förlängning av {service}."),
    ("korruption", "mote", PROVIDER,
     "{Actor} kom med presentkort till hela enheten och sa att de ”räknar med fortsatt gott samarbete” om {service}."),
    ("korruption", "utanfor_arbetet", PROVIDER,
     "{Actor} bjöd in mig till middag och en helgresa i samband med att vi ser över avtalet om {service}."),
    ("korruption", "telefon", PROVIDER,
     "{Actor} antydde att det finns ett jobb för mig hos dem om vi fortsätter att köpa {service} därifrån."),
    ("korruption", "mote", INTERNAL,
     "{Actor} bad mig prioritera och bevilja en ansökan från en bekant till hen, och sa att det ”skulle uppskattas”."),
    ("korruption", "telefon", POLITICIAN,
     "{Actor} lovade att ”se till att enheten får resurser” om jag beviljade en ansökan från en person i hens umgänge."),
    ("korruption", "brev_epost", EXT,
     "{Actor} skickade ett mejl med erbjudande om en resa om jag skriver ett positivt utlåtande."),
]

# Sentences added when an incident has a second form.
SECOND_FORM_SENTENCES = {
    "hot": ["Hen sa också att hen ska ”ta reda på var jag bor”.",
            "Innan hen gick sa hen: ”Det här är inte över.”"],
    "vald": ["Hen knuffade till mig när hen gick.", "Hen slog till min arm när jag försökte avsluta samtalet."],
    "trakasserier": ["Hen har sedan dess ringt flera gånger om dagen.",
                     "Hen har också filmat mig utanför kontoret."],
    "skadegorelse": ["Hen sparkade sönder en stol på vägen ut.", "Hen slog sönder en tavla i väntrummet."],
    "korruption": ["Hen antydde också att det kunde ”finnas något för mig” om beslutet ändrades."],
}

FOLLOW_UPS = [
    "En kollega var med och kan bekräfta händelsen.",
    "Jag har pratat med min chef.",
    "Det är inte första gången samma person hör av sig på det här sättet.",
    "Jag känner mig otrygg när jag går till och från jobbet.",
    "Jag har svårt att sova sedan det hände.",
    "Jag vill inte ha ärendet kvar.",
    "Kollegorna på enheten är oroliga.",
]

ACTORS = {
    "brukare": {
        "ekonomiskt_bistand": ["en sökande", "klienten", "en man som söker försörjningsstöd",
                               "en kvinna som fått avslag på sin ansökan"],
        "barn_unga": ["en förälder i ett pågående ärende", "pappan i en familj vi utreder",
                      "en 17-årig pojke som är aktuell hos oss"],
        "socialpsykiatri": ["brukaren", "en man som har boendestöd", "en kvinna som är aktuell hos enheten"],
        "missbruk": ["klienten", "en man som är aktuell för LVM-utredning", "en klient med pågående missbruk"],
        "funktionsnedsattning": ["brukaren", "en boende på gruppbostaden", "en ung man med assistans"],
        "aldreomsorg": ["brukaren", "en äldre man med hemtjänst", "en kvinna som ansökt om särskilt boende"],
        "": ["en besökare", "en person som var missnöjd med sitt ärende"],
    },
    "anhorig": {
        "barn_unga": ["mamman till ett placerat barn", "pappan till barnen i utredningen",
                      "en morbror till ungdomen"],
        "aldreomsorg": ["sonen till en brukare", "dottern till en äldre kvinna med hemtjänst"],
        "funktionsnedsattning": ["en förälder till en brukare", "brodern till en boende"],
        "": ["en anhörig till klienten", "klientens bror", "klientens sambo"],
    },
    "ombud": {"": ["klientens ombud", "ett juridiskt ombud för familjen", "en advokat som företräder klienten"]},
    "natverk": {"": ["en man som sa att han kom på klientens uppdrag",
                     "en man med koppling till ett kriminellt nätverk",
                     "en person som sa att hen ”representerar” familjen"]},
    "okand": {"": ["en okänd person", "någon som inte ville uppge sitt namn"]},
    "annan": {"": ["en granne till klienten", "en person i väntrummet", "en bekant till klienten"]},
    "utforare": {"": ["en representant för {provider}", "verksamhetschefen på {provider}",
                      "ägaren till {provider}"]},
    "intern": {"": ["min närmaste chef", "en kollega på en annan enhet", "en chef på avdelningen"]},
    "fortroendevald": {"": ["en förtroendevald i stadsdelsnämnden", "en ledamot i nämnden",
                            "en lokalpolitiker"]},
}

PROVIDERS = {
    "barn_unga": ["ett HVB-hem", "ett konsulentstött familjehem"],
    "aldreomsorg": ["ett hemtjänstföretag", "ett privat äldreboende"],
    "funktionsnedsattning": ["ett assistansbolag", "ett privat LSS-boende"],
    "missbruk": ["ett behandlingshem"],
    "socialpsykiatri": ["ett stödboende"],
    "ekonomiskt_bistand": ["ett bemanningsföretag", "en hyresvärd"],
    "": ["ett städföretag"],
}

DECISIONS = {
    "ekonomiskt_bistand": ["avslaget på försörjningsstöd", "beslutet att sätta ned försörjningsstödet",
                           "avslaget på ansökan om hyresskuld", "kravet på att söka arbete"],
    "barn_unga": ["placeringen av barnen", "beslutet att inleda en utredning",
                  "ansökan om vård enligt LVU", "begränsningen av umgänget"],
    "socialpsykiatri": ["avslaget på stödboende", "beslutet om minskat boendestöd"],
    "missbruk": ["anmälan om LVM", "avslaget på behandlingshem", "beslutet om provtagning"],
    "funktionsnedsattning": ["avslaget på personlig assistans", "beslutet om minskad ledsagning",
                             "avslaget på korttidsvistelse"],
    "aldreomsorg": ["avslaget på särskilt boende", "beslutet om färre hemtjänsttimmar",
                    "avslaget på ansökan om avlösning"],
    "": ["beslutet i ärendet", "handläggningen av ärendet"],
}

SERVICES = {
    "barn_unga": "placeringar", "aldreomsorg": "hemtjänstinsatser", "funktionsnedsattning": "assistans",
    "missbruk": "behandlingsplatser", "socialpsykiatri": "stödboendeplatser",
    "ekonomiskt_bistand": "tillfälliga bostäder", "": "tjänsterna",
}

LOCATIONS = {
    "mote": ["Receptionen", "Besöksrum 2", "Mottagningen", "Väntrummet", "Samtalsrummet"],
    "hembesok": ["Klientens bostad", "Trapphuset", "Brukarens lägenhet"],
    "utanfor_arbetet": ["Parkeringen utanför kontoret", "Tunnelbanestationen", "Mataffären nära bostaden",
                        "Utanför min bostad", "Centrumgången"],
    "tredje_part": ["Entrén till kontoret"],
}

# Action titles by form; GENERAL fits any case.
ACTIONS_GENERAL = [
    "Stödsamtal med medarbetaren",
    "Återkoppling till medarbetaren",
    "Genomgång av händelsen på APT",
    "Uppdatera riskbedömningen för enheten",
    "Samtal med företagshälsovården",
]
ACTIONS_BY_FORM = {
    "hot": ["Byte av handläggare i ärendet", "Hembesök endast två och två i ärendet",
            "Spärrmarkering av medarbetarens adress hos Skatteverket",
            "Brev till klienten om hur kontakten med enheten ska ske"],
    "vald": ["Kontroll av larmknappar i besöksrummen", "Möten endast i rum med två utgångar",
             "Väktare i receptionen vid nästa besök"],
    "trakasserier": ["Begäran om borttagning av inlägg hos plattformen",
                     "All kontakt med klienten via en funktionsbrevlåda",
                     "Kontakt med lokalpolisområdet"],
    "skadegorelse": ["Försäkringsärende för skadad egendom", "Bättre belysning på personalparkeringen",
                     "Kameraövervakning vid entrén utreds"],
    "korruption": ["Genomgång av gåvopolicy och jäv på APT", "Avtalsuppföljning av utföraren",
                   "Rapport till stadens visselblåsarfunktion"],
}
ACTION_HURT = ["Anmälan till Arbetsmiljöverket (allvarligt tillbud)", "Arbetsskadeanmälan till Försäkringskassan"]
ACTION_POLICE = "Polisanmälan görs av arbetsgivaren"

POLICE_DECLINED_REASONS = [
    "Medarbetaren vill inte polisanmäla.",
    "Efter samråd med säkerhetssamordnaren bedöms händelsen inte som brott.",
    "Personen har en kognitiv funktionsnedsättning; hanteras genom ändrade rutiner.",
    "Gärningspersonen är okänd och det finns inget underlag.",
]

CLOSING_SUMMARIES = [
    "Stödsamtal genomfört. Ärendet har fått ny handläggare och hembesök sker två och två.",
    "Polisanmälan gjord. Medarbetaren har fått stöd och riskbedömningen är uppdaterad.",
    "Händelsen gicks igenom på APT. Rutinen för besök i receptionen är skärpt.",
    "Klienten har fått ett brev om hur kontakten med enheten ska ske. Inga nya händelser.",
    "Medarbetaren har spärrmarkering hos Skatteverket. Uppföljning visar att situationen är lugn.",
    "Utföraren har kontaktats och avtalsuppföljning är gjord. Gåvopolicyn har gåtts igenom.",
]
