"""The printable discipline award certificate (piagam penghargaan), as a one-page A4 PDF (fpdf2)."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from server.web.i18n import Translator


@dataclass(frozen=True)
class Award:
    """What the certificate states."""

    certificate_no: str
    org_name: str
    employee_name: str
    employee_id: str
    unit: str
    year: int
    confirmed_by: str
    confirmed_on: str  # already formatted


def _latin1(text: str) -> str:
    # The built-in PDF fonts cover Latin-1; anything else becomes "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(award: Award, t: Translator) -> bytes:
    """The certificate in the translator's language."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(t("certificate.title")))
    pdf.set_author(_latin1(award.org_name))
    pdf.set_creator("Hadir")
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)
    pdf.set_y(30)
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(0, 14, _latin1(t("certificate.title").upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(
        0,
        8,
        _latin1(t("certificate.number", number=award.certificate_no)),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(10)
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 8, _latin1(t("certificate.given_to")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 12, _latin1(award.employee_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(
        0, 8, _latin1(f"NIP {award.employee_id} - {award.unit}"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 14)
    pdf.set_x(35)
    pdf.multi_cell(227, 8, _latin1(t("certificate.for", year=award.year)), align="C")
    pdf.ln(14)
    pdf.set_font("Helvetica", "", 12)
    pdf.set_x(170)
    pdf.multi_cell(
        100,
        7,
        _latin1(
            f"{award.org_name}, {award.confirmed_on}\n{t('certificate.signed')}\n\n\n\n{award.confirmed_by}"
        ),
        align="C",
    )
    return bytes(pdf.output())
