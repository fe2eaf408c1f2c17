"""Forms of police cooperation. Every bad input becomes a Swedish message
next to its field, never an error page."""
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD = 2 * 1024 * 1024


class MappingImportForm(forms.Form):
    fil = forms.FileField(
        label=_("CSV-fil"),
        help_text=_("Kolumnerna enhet, lokalpolisomrade och polisregion, avgränsade med semikolon eller komma, "
                    "sparad som UTF-8. En rad per enhet."),
        error_messages={"required": _("Välj en CSV-fil att läsa in."),
                        "empty": _("Filen är tom. Första raden ska vara rubrikraden."),
                        "invalid": _("Det gick inte att läsa filen. Välj en CSV-fil.")})

    def clean_fil(self):
        upload = self.cleaned_data["fil"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Filen är större än 2 MB. En fil med kopplingar är mycket mindre än så; "
                                          "kontrollera att det är rätt fil."))
        return upload.read()
