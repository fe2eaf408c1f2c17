"""Swedish date formats for Värn's tables: "16 maj 2025" (Swedish writes month
names in lower case; Django's "M" would give "Maj"). Everything else comes
from Django's Swedish locale."""
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y H:i"
