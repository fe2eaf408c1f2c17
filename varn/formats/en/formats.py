"""English date formats for Värn's tables: "16 May 2025"."""
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
