"""Suggest forms of influence for descriptions on standard input, one per line.

    python manage.py suggest_forms < descriptions.txt

Prints, for each input line, the suggested form codes comma-separated (an
empty line when unsure), so the suggester can be scored on any labelled set.
"""
import sys

from django.core.management.base import BaseCommand

from incidents.classify import suggest


class Command(BaseCommand):
    help = "Läser en beskrivning per rad och skriver föreslagna former (koder) per rad."
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        for line in stdin:
            codes = [s.code for s in suggest(line.rstrip("\n"))]
            self.stdout.write(",".join(codes))
