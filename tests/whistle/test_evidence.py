"""Evidence files: checked by their bytes, metadata removed, damaged or disguised files refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from server.whistle.errors import EvidenceRejected
from server.whistle.evidence import clean, sniff, strip_jpeg_segments

MAX = 3 * 1024 * 1024
GPS_IFD = 0x8825


def photo_with_exif(orientation: int = 1) -> bytes:
    image = Image.new("RGB", (40, 20), (10, 200, 10))
    image.putpixel((0, 0), (255, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "KameraMerkRahasia"  # Make
    exif[0x0110] = "ModelPonselBudi"  # Model
    exif[0x0112] = orientation
    exif[0x9286] = "KomentarPengguna"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (2.0, 59.0, 30.0), 3: "E", 4: (104.0, 45.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"COMMENTBUDI")
    return out.getvalue()


def test_sniffing_uses_the_bytes_not_the_name() -> None:
    assert sniff(photo_with_exif()) == "jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"%PDF-1.7\n") == "pdf"
    for disguised in (b"GIF89a....", b"<html><script>alert(1)</script>", b"MZ\x90\x00", b"PK\x03\x04"):
        assert sniff(disguised) is None
        with pytest.raises(EvidenceRejected) as info:
            clean(disguised, max_bytes=MAX)
        assert info.value.message_key == "whistle.error.evidence_type"


def test_jpeg_loses_exif_gps_and_comments_and_keeps_its_pixels() -> None:
    original = photo_with_exif()
    assert b"KameraMerkRahasia" in original and b"COMMENTBUDI" in original
    cleaned = clean(original, max_bytes=MAX)
    assert cleaned.kind == "jpeg" and cleaned.media_type == "image/jpeg"
    for secret in (b"KameraMerkRahasia", b"ModelPonselBudi", b"KomentarPengguna", b"COMMENTBUDI", b"Exif"):
        assert secret not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.size == (40, 20)
        assert not image.getexif()
        assert "comment" not in image.info
        red, green, _ = image.getpixel((30, 10))  # type: ignore[misc]
        assert green > 150 and red < 80


def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    cleaned = clean(photo_with_exif(orientation=6), max_bytes=MAX)  # rotate 90° clockwise
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.size == (20, 40)


def test_png_loses_text_chunks() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Budi Santoso")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>lokasi-rahasia</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("P", (10, 10), 3).save(out, format="PNG", pnginfo=info)
    assert b"Budi Santoso" in out.getvalue()
    cleaned = clean(out.getvalue(), max_bytes=MAX)
    assert cleaned.kind == "png"
    assert b"Budi Santoso" not in cleaned.data and b"lokasi-rahasia" not in cleaned.data
    assert b"tEXt" not in cleaned.data and b"iTXt" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.size == (10, 10)


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Budi Santoso", "/Creator": "LaptopBudi", "/Producer": "Word (Budi)"})
    # XMP metadata in the catalog and on a page, as many producers write it.
    for holder in (writer._root_object, writer.pages[0]):  # noqa: SLF001
        xmp = DecodedStreamObject()
        xmp.set_data(b"<x:xmpmeta><dc:creator>XmpPenulisBudi</dc:creator></x:xmpmeta>")
        xmp[NameObject("/Type")] = NameObject("/Metadata")
        xmp[NameObject("/Subtype")] = NameObject("/XML")
        holder[NameObject("/Metadata")] = writer._add_object(xmp)  # noqa: SLF001
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_loses_document_information_and_keeps_its_pages() -> None:
    original = pdf_with_metadata()
    assert b"Budi Santoso" in original and b"XmpPenulisBudi" in original
    cleaned = clean(original, max_bytes=MAX)
    assert cleaned.kind == "pdf" and cleaned.data.startswith(b"%PDF-")
    for secret in (b"Budi Santoso", b"LaptopBudi", b"/Author", b"/Creator", b"XmpPenulisBudi", b"/Metadata"):
        assert secret not in cleaned.data
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert len(reader.pages) == 2
    assert not reader.metadata


def test_jpeg_segments_inside_pdfs_are_cut() -> None:
    stripped = strip_jpeg_segments(photo_with_exif())
    assert b"KameraMerkRahasia" not in stripped and b"COMMENTBUDI" not in stripped
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.size == (40, 20)
    assert strip_jpeg_segments(b"not a jpeg") == b"not a jpeg"


def test_encrypted_and_damaged_files_are_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    for data in (
        out.getvalue(),
        b"%PDF-1.4\ngarbage",
        photo_with_exif()[:200],
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
    ):
        with pytest.raises(EvidenceRejected) as info:
            clean(data, max_bytes=MAX)
        assert info.value.message_key == "whistle.error.evidence_unreadable", data[:20]


def test_size_limit() -> None:
    with pytest.raises(EvidenceRejected) as info:
        clean(b"\xff\xd8\xff" + b"\x00" * 2000, max_bytes=1000)
    assert info.value.message_key == "whistle.error.evidence_size"


def test_upload_of_a_disguised_file_is_refused_with_a_clear_message(reporter, db) -> None:
    response = reporter.file(
        files={"evidence": ("foto.jpg", b"<html><script>alert(1)</script>", "image/jpeg")}
    )
    assert response.status_code == 400 and "Bukti harus berupa JPEG, PNG atau PDF." in response.text
    ok = reporter.file(files={"evidence": ("x.pdf", pdf_with_metadata(), "application/pdf")})
    assert ok.status_code == 200
