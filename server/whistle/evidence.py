"""Evidence files: identified by their first bytes, re-encoded without metadata.

Accepted: JPEG, PNG and PDF up to ``max_bytes``. The file name and the browser's content type are
ignored. Images are decoded and written anew from their pixels (after applying the EXIF orientation),
so EXIF (camera, GPS position, time), XMP, ICC profiles, comments and PNG text chunks are gone.
PDFs are rebuilt page by page: the document information (author, creator, dates), XMP metadata,
page metadata, annotations (which carry their authors' names), embedded files and scripts are left
behind, and metadata segments inside embedded JPEG images are cut out. Encrypted PDFs are refused.

Example::

    cleaned = clean(upload_bytes, max_bytes=3 * 1024 * 1024)
    cleaned.kind, cleaned.media_type, len(cleaned.data)
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject

from server.whistle.errors import EvidenceRejected

logger = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000
MAX_PDF_PAGES = 50
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "pdf": "pdf"}
# Page entries that can name a person or carry hidden content.
_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/Annots", "/LastModified", "/AA", "/Thumb")


@dataclass(frozen=True)
class Evidence:
    """A cleaned evidence file."""

    kind: str
    data: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


class _NoMetadataDebug(logging.Filter):
    """Drops Pillow's DEBUG records: they print EXIF values (camera, GPS, software) as it parses."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_PIL_LOGGERS = ("PIL.Image", "PIL.TiffImagePlugin", "PIL.JpegImagePlugin", "PIL.PngImagePlugin")


def _quiet_pillow() -> None:
    for name in _PIL_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, _NoMetadataDebug) for f in log.filters):
            log.addFilter(_NoMetadataDebug())


def sniff(data: bytes) -> str | None:
    """``"jpeg"``, ``"png"`` or ``"pdf"`` by the magic bytes at the start, else ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def clean(data: bytes, *, max_bytes: int) -> Evidence:
    """``data`` checked and stripped of metadata.

    Raises:
        EvidenceRejected: too large (``whistle.error.evidence_size``), not JPEG/PNG/PDF
            (``whistle.error.evidence_type``) or unreadable/encrypted (``whistle.error.evidence_unreadable``).
    """
    if len(data) > max_bytes:
        raise EvidenceRejected("whistle.error.evidence_size", megabytes=max_bytes // (1024 * 1024))
    kind = sniff(data)
    if kind is None:
        raise EvidenceRejected("whistle.error.evidence_type")
    _quiet_pillow()
    try:
        with warnings.catch_warnings():
            # Damaged metadata makes Pillow and pypdf warn; it is thrown away here anyway.
            warnings.simplefilter("ignore")
            cleaned = _clean_pdf(data) if kind == "pdf" else _clean_image(data, kind)
    except EvidenceRejected:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        KeyError,
        IndexError,
        TypeError,
        PyPdfError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
    ) as exc:
        logger.info("evidence refused: unreadable %s (%s)", kind, type(exc).__name__)
        raise EvidenceRejected("whistle.error.evidence_unreadable") from exc
    if len(cleaned) > max_bytes * 2:
        raise EvidenceRejected("whistle.error.evidence_size", megabytes=max_bytes // (1024 * 1024))
    return Evidence(kind, cleaned)


def _clean_image(data: bytes, kind: str) -> bytes:
    with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise EvidenceRejected("whistle.error.evidence_unreadable")
        image.load()
        upright = ImageOps.exif_transpose(image) or image
        if kind == "jpeg":
            pixels = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright.copy()
        else:
            pixels = upright.convert("RGBA") if upright.mode not in ("RGB", "RGBA", "L") else upright.copy()
    pixels.info = {}  # nothing from the original header travels with the pixels
    out = io.BytesIO()
    if kind == "jpeg":
        pixels.save(out, format="JPEG", quality=90, optimize=True)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def strip_jpeg_segments(data: bytes) -> bytes:
    """A JPEG stream without its APP1–APP13, APP15 and COM segments (EXIF, XMP, IPTC, comments).

    APP0 (JFIF) and APP14 (Adobe colour transform) stay: decoders need them. A stream that does not
    parse as JPEG is returned unchanged.
    """
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return data
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out)
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment = data[pos : pos + 2 + length]
        if (0xE1 <= marker <= 0xED) or marker in (0xEF, 0xFE):
            pass
        else:
            out += segment
        pos += 2 + length
    return data


def _clean_pdf(data: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise EvidenceRejected("whistle.error.evidence_unreadable")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise EvidenceRejected("whistle.error.evidence_pages", pages=MAX_PDF_PAGES)
    writer = PdfWriter()
    for page in reader.pages:
        # Cleaned before copying: the writer copies every object a page refers to.
        for key in _PAGE_KEYS_DROPPED:
            if key in page:
                del page[NameObject(key)]
        _strip_page_images(page)
        writer.add_page(page)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _strip_page_images(page: object) -> None:
    resources = page.get("/Resources") if hasattr(page, "get") else None
    if resources is None:
        return
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        stream = ref.get_object()
        if stream.get("/Subtype") != "/Image":
            continue
        stream.pop(NameObject("/Metadata"), None)
        filters = stream.get("/Filter")
        if filters == "/DCTDecode" or (isinstance(filters, list) and filters == ["/DCTDecode"]):
            stream._data = strip_jpeg_segments(stream._data)  # noqa: SLF001 (pypdf has no setter for raw data)
