"""The attendance certificate of a training session (surat keterangan kehadiran), one A4 page (fpdf2)."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from server.web.i18n import Translator


@dataclass(frozen=True)
class Attendance:
    """What the certificate states (dates and times already formatted)."""

    number: str
    org_name: str
    title: str
    place: str
    when: str
    employee_name: str
    employee_id: str
    unit: str
    attended_at: str


def _latin1(text: str) -> str:
    # The built-in PDF fonts cover Latin-1; anything else becomes "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(item: Attendance, t: Translator) -> bytes:
    """The certificate in the translator's language."""
    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_title(_latin1(t("training.cert_title")))
    pdf.set_author(_latin1(item.org_name))
    pdf.set_creator("Hadir")
    pdf.add_page()
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, 190, 277)
    pdf.set_y(35)
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 12, _latin1(t("training.cert_title").upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(
        0, 7, _latin1(t("training.cert_number", number=item.number)), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(14)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 8, _latin1(t("training.cert_states")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 11, _latin1(item.employee_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 8, _latin1(f"NIP {item.employee_id} - {item.unit}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 8, _latin1(t("training.cert_attended")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_x(25)
    pdf.multi_cell(160, 9, _latin1(item.title), align="C")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 12)
    pdf.set_x(25)
    pdf.multi_cell(
        160,
        7,
        _latin1(t("training.cert_details", when=item.when, place=item.place or "-", at=item.attended_at)),
        align="C",
    )
    pdf.ln(30)
    pdf.set_x(110)
    pdf.multi_cell(80, 7, _latin1(f"{item.org_name}\n\n\n\n{t('training.cert_sign')}"), align="C")
    return bytes(pdf.output())
