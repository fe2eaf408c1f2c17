"""The shape of the demo: Stockholm's social services (13 district
administrations and Socialförvaltningen), their units, the demo personas and
the Swedish names used for people.

Pure data, no database access; demo.builder turns it into rows.
"""

DEMO_PASSWORD = "varn-demo-2026"
CITY_CODE = "STHLM"
CITY_NAME = "Stockholms stad"

# (code, name, incident-rate factor). The factor reflects that exposure differs
# between districts; the unit-level variation below is much larger.
DISTRICTS = [
    ("RINKEBY-KISTA", "Rinkeby-Kista stadsdelsförvaltning", 1.3),
    ("SPANGA-TENSTA", "Spånga-Tensta stadsdelsförvaltning", 1.25),
    ("HASSELBY-VALLINGBY", "Hässelby-Vällingby stadsdelsförvaltning", 1.05),
    ("BROMMA", "Bromma stadsdelsförvaltning", 0.8),
    ("KUNGSHOLMEN", "Kungsholmens stadsdelsförvaltning", 0.85),
    ("NORRMALM", "Norrmalms stadsdelsförvaltning", 0.95),
    ("OSTERMALM", "Östermalms stadsdelsförvaltning", 0.75),
    ("SODERMALM", "Södermalms stadsdelsförvaltning", 0.95),
    ("ENSKEDE-ARSTA-VANTOR", "Enskede-Årsta-Vantörs stadsdelsförvaltning", 1.05),
    ("SKARPNACK", "Skarpnäcks stadsdelsförvaltning", 1.0),
    ("FARSTA", "Farsta stadsdelsförvaltning", 1.05),
    ("HAGERSTEN-ALVSJO", "Hägersten-Älvsjö stadsdelsförvaltning", 0.95),
    ("SKARHOLMEN", "Skärholmens stadsdelsförvaltning", 1.25),
]
DEMO_DISTRICT = "SKARHOLMEN"

DEPARTMENTS = {
    "IFO": "Avdelningen för individ- och familjeomsorg",
    "AOF": "Avdelningen för äldreomsorg och funktionsnedsättning",
    "KANSLI": "Kansliavdelningen",
}
# Skärholmen's own document speaks of its "Avdelningen för socialtjänst".
DEPARTMENT_NAME_OVERRIDES = {("SKARHOLMEN", "IFO"): "Avdelningen för socialtjänst"}

# Unit catalogue: suffix -> (department, name, operation area, employees
# (min, max), incidents per 100 employees and year before variation).
UNITS = {
    "BU-MOT": ("IFO", "Mottagningsenheten barn och unga", "barn_unga", (10, 18), 55),
    "BU-UTR": ("IFO", "Utredningsenheten barn och unga", "barn_unga", (16, 30), 50),
    "BU-FAM": ("IFO", "Familjebehandlingsenheten", "barn_unga", (8, 16), 28),
    "FALT": ("IFO", "Fältassistenterna", "barn_unga", (5, 9), 40),
    "EB": ("IFO", "Försörjningsstöd", "ekonomiskt_bistand", (18, 40), 60),
    "VUX": ("IFO", "Vuxenenheten", "missbruk", (10, 20), 42),
    "AO-BIS": ("AOF", "Biståndsenheten äldre", "aldreomsorg", (12, 24), 22),
    "AO-HT": ("AOF", "Hemtjänsten", "aldreomsorg", (35, 70), 12),
    "FN-BIS": ("AOF", "Biståndsenheten funktionsnedsättning", "funktionsnedsattning", (8, 16), 28),
    "FN-BOE": ("AOF", "Gruppbostäder LSS", "funktionsnedsattning", (25, 45), 20),
    "SP": ("AOF", "Enheten för socialpsykiatri", "socialpsykiatri", (8, 16), 36),
    "SP-BOS": ("AOF", "Boendestödet", "socialpsykiatri", (10, 18), 24),
    "MBK": ("KANSLI", "Medborgarkontoret", "ovrigt", (5, 10), 22),
}
# Every district has these; each adds a few of the rest.
CORE_UNITS = ["EB", "BU-MOT", "BU-UTR", "VUX", "AO-BIS", "FN-BIS"]
OPTIONAL_UNITS = ["SP", "AO-HT", "BU-FAM", "FALT", "FN-BOE", "SP-BOS", "MBK"]
# The demo story centres on Skärholmen, so it has a fixed, full set.
DEMO_DISTRICT_UNITS = ["EB", "BU-MOT", "BU-UTR", "BU-FAM", "VUX", "AO-BIS", "FN-BIS", "SP", "MBK"]

# The central Socialförvaltningen: city-wide services.
SOCIAL_ADMIN = ("SOF", "Socialförvaltningen")
SOCIAL_DEPARTMENTS = [
    ("SOF-STADS", "Avdelningen för stadsövergripande sociala frågor", [
        ("SOF-JOUR", "Socialjouren", "ovrigt", (25, 35), 45),
        ("SOF-HEMLOSA", "Enheten för hemlösa", "missbruk", (30, 45), 50),
        ("SOF-UPPSOK", "Uppsökarenheten", "missbruk", (10, 16), 38),
        ("SOF-STODCENTRUM", "Stödcentrum för unga brottsutsatta", "barn_unga", (8, 14), 25),
    ]),
    ("SOF-FORSORJ", "Avdelningen för ekonomiskt bistånd och arbetsmarknad", [
        ("SOF-EB-HEMLOSA", "Försörjningsstöd för hemlösa", "ekonomiskt_bistand", (12, 20), 58),
        ("SOF-SKULD", "Budget- och skuldrådgivningen", "ekonomiskt_bistand", (6, 10), 20),
    ]),
]

# One persona per role with a fixed, memorable username, mostly in
# Skärholmen. (username, first, last, gender, role, node code, what it shows)
PERSONAS = [
    ("medarbetare", "Sara", "Lindqvist", "woman", "employee", "SKARHOLMEN-EB",
     "Socialsekreterare, försörjningsstöd"),
    ("chef", "Johan", "Ekström", "man", "manager", "SKARHOLMEN-EB", "Enhetschef, försörjningsstöd"),
    ("sakerhet", "Leyla", "Hassan", "woman", "security", "SKARHOLMEN", "Säkerhetssamordnare"),
    ("hr", "Maria", "Karlsson", "woman", "hr", "SKARHOLMEN", "HR-specialist"),
    ("skyddsombud", "Anders", "Nilsson", "man", "safety_rep", "SKARHOLMEN-IFO",
     "Skyddsombud, socialtjänsten"),
    ("analytiker", "Emma", "Sjöberg", "woman", "analyst", "STHLM", "Analytiker, stadsledningskontoret"),
    ("namnd", "Per", "Holmgren", "man", "committee", "SKARHOLMEN", "Ledamot, Skärholmens stadsdelsnämnd"),
    ("revisor", "Karin", "Wallin", "woman", "auditor", "STHLM", "Revisor, stadsrevisionen"),
    ("admin", "Ahmed", "Yusuf", "man", "admin", "STHLM", "Systemförvaltare"),
    ("arkivarie", "Lena", "Berglund", "woman", "archivist", "STHLM", "Arkivarie, stadsarkivet"),
]

# The other login users: (role, node code, gender). Names are drawn
# from the name lists with the seeded random generator.
LOGIN_STAFF = [
    # Employees in several units.
    ("employee", "SKARHOLMEN-EB", "woman"),
    ("employee", "SKARHOLMEN-BU-MOT", "woman"),
    ("employee", "SKARHOLMEN-BU-UTR", "man"),
    ("employee", "SKARHOLMEN-AO-BIS", "woman"),
    ("employee", "RINKEBY-KISTA-EB", "woman"),
    ("employee", "RINKEBY-KISTA-BU-UTR", "woman"),
    ("employee", "RINKEBY-KISTA-VUX", "man"),
    ("employee", "SODERMALM-EB", "woman"),
    ("employee", "SODERMALM-FN-BIS", "woman"),
    ("employee", "SODERMALM-VUX", "man"),
    ("employee", "FARSTA-BU-MOT", "woman"),
    ("employee", "FARSTA-EB", "woman"),
    ("employee", "BROMMA-AO-BIS", "woman"),
    ("employee", "BROMMA-BU-UTR", "man"),
    ("employee", "SOF-JOUR", "woman"),
    ("employee", "SOF-HEMLOSA", "man"),
    # Managers of units.
    ("manager", "SKARHOLMEN-BU-MOT", "woman"),
    ("manager", "SKARHOLMEN-BU-UTR", "woman"),
    ("manager", "SKARHOLMEN-VUX", "man"),
    ("manager", "SKARHOLMEN-AO-BIS", "woman"),
    ("manager", "RINKEBY-KISTA-EB", "woman"),
    ("manager", "RINKEBY-KISTA-BU-MOT", "man"),
    ("manager", "SODERMALM-EB", "woman"),
    ("manager", "FARSTA-BU-UTR", "woman"),
    ("manager", "HAGERSTEN-ALVSJO-EB", "man"),
    ("manager", "BROMMA-AO-BIS", "woman"),
    ("manager", "SOF-JOUR", "woman"),
    ("manager", "SOF-HEMLOSA", "man"),
    # Heads of departments and districts.
    ("manager", "SKARHOLMEN-IFO", "woman"),
    ("manager", "SKARHOLMEN-AOF", "man"),
    ("manager", "RINKEBY-KISTA-IFO", "woman"),
    ("manager", "SODERMALM-IFO", "man"),
    ("manager", "FARSTA-AOF", "woman"),
    ("manager", "SKARHOLMEN", "woman"),
    ("manager", "RINKEBY-KISTA", "man"),
    ("manager", "SODERMALM", "woman"),
    # Security coordinators: several districts and one city-wide.
    ("security", "RINKEBY-KISTA", "man"),
    ("security", "SODERMALM", "woman"),
    ("security", "FARSTA", "woman"),
    ("security", "HAGERSTEN-ALVSJO", "man"),
    ("security", "SOF", "woman"),
    ("security", "STHLM", "man"),
    # HR: several districts and one city-wide.
    ("hr", "RINKEBY-KISTA", "woman"),
    ("hr", "SODERMALM", "woman"),
    ("hr", "FARSTA", "man"),
    ("hr", "STHLM", "woman"),
    # Safety representatives.
    ("safety_rep", "RINKEBY-KISTA", "woman"),
    ("safety_rep", "SODERMALM-EB", "man"),
    ("safety_rep", "FARSTA", "woman"),
    # Aggregate roles, audit and administration.
    ("analyst", "STHLM", "man"),
    ("committee", "STHLM", "woman"),
    ("admin", "STHLM", "woman"),
]
# A unit manager who also leads a second unit, as happens in practice.
SECOND_ASSIGNMENTS = [("SKARHOLMEN-BU-MOT", "manager", "SKARHOLMEN-BU-FAM")]

WOMEN = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Emma", "Ingrid", "Malin",
    "Sofia", "Linda", "Elin", "Hanna", "Johanna", "Ida", "Jenny", "Camilla", "Helena", "Annika",
    "Therese", "Frida", "Louise", "Amanda", "Julia", "Matilda", "Caroline", "Susanne", "Petra",
    "Åsa", "Ulrika", "Cecilia", "Jessica", "Lisa", "Anneli", "Marie", "Ebba", "Klara", "Nora",
    "Fatima", "Amina", "Leila", "Yasmin", "Nour", "Hodan", "Sanna", "Zeynep", "Mariam", "Rana",
    "Aisha", "Dilan", "Natalia", "Elif", "Sabina", "Tiina", "Mirjam", "Ayan", "Ramona", "Hiba",
]
MEN = [
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Mikael", "Magnus", "Jonas", "Fredrik",
    "Daniel", "Mattias", "Henrik", "Martin", "Niklas", "Stefan", "Thomas", "Andreas", "Patrik",
    "Oskar", "Viktor", "David", "Simon", "Emil", "Gustav", "Axel", "Jakob", "Sebastian", "Robert",
    "Mohamed", "Ali", "Omar", "Hassan", "Ahmed", "Yusuf", "Mehmet", "Samir", "Dragan", "Kristian",
    "Tobias", "Marcus", "Christoffer", "Hugo", "Ibrahim", "Abdi", "Goran", "Kenan", "Juan",
]
SURNAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist",
    "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist",
    "Claesson", "Nordström", "Mårtensson", "Lundström", "Ali", "Mohamed", "Ahmed", "Hassan",
    "Yilmaz", "Hussein", "Abdullahi", "Khalil", "Haddad", "Kaya", "Petrović", "Jovanović",
    "Nguyen", "Rodríguez", "Korhonen", "Virtanen", "Kowalski", "Novak", "Demir", "Said",
]

# The share of women among staff in social services (the headcount split).
WOMEN_SHARE = (0.75, 0.85)
