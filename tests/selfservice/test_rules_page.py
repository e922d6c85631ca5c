"""The rules page is generated from the active rule pack: change the pack, the page changes."""

from __future__ import annotations

from server.rules import DEFAULT_PACK, loads_pack
from server.selfservice.rulebook import rulebook


def test_the_default_pack_explained_in_both_languages(anon) -> None:
    page = anon.get("/rules")
    assert page.status_code == 200  # public: the rules are not personal data
    text = page.text
    for expected in (
        "asn-default",
        "Senin</td><td>07:30</td><td>16:00",
        "Jumat</td><td>07:30</td><td>16:30",
        "Tidak ada toleransi",
        "TL1</td><td>1–30",
        "TL4</td><td>91 ke atas",
        "setiap 450 menit (7:30 jam) = 1 hari",
        "Teguran tertulis",
        "PP 94/2021 Pasal 9 ayat (2) huruf b angka 2",
        "10 hari kerja berturut-turut",
        "Batas waktu: 7 hari",
        "Paling banyak 3 pengajuan per bulan",
        "Lupa absen pulang",
        "Tidak mengikuti 3 pelatihan wajib",
    ):
        assert expected in text, expected
    anon.post("/lang", {"lang": "en", "next": "/rules"})
    english = anon.get("/rules").text
    for expected in (
        "Attendance rules",
        "Monday</td><td>07:30",
        "No grace period",
        "every 450 minutes",
        "Forgot to punch out",
    ):
        assert expected in english, expected


def test_the_page_follows_a_changed_pack(app, anon) -> None:
    text = DEFAULT_PACK.read_text(encoding="utf-8")
    changed = (
        text.replace('name = "asn-default"', 'name = "pemkot-palembang"')
        .replace("grace_minutes = 0 ", "grace_minutes = 15 ")
        .replace('friday = ["07:30", "16:30"]\n\n# Ramadan', 'friday = ["07:30", "16:00"]\n\n# Ramadan', 1)
        .replace("minutes_per_day = 450", "minutes_per_day = 420")
        .replace(
            '{ name = "TL2", from = 31, cut_percent = 1.0 }', '{ name = "TL2", from = 16, cut_percent = 1.0 }'
        )
        .replace("deadline_days = 7", "deadline_days = 3")
        .replace("monthly_limit = 3", "monthly_limit = 0")
        .replace("missed_mandatory_flag = 3", "missed_mandatory_flag = 0")
    )
    app.state.pack = loads_pack(changed, "test pack")
    page = anon.get("/rules").text
    for expected in (
        "pemkot-palembang",
        "Masuk sampai 15 menit setelah jam masuk",
        "Jumat</td><td>07:30</td><td>16:00",
        "TL1</td><td>1–15",
        "TL2</td><td>16–60",
        "setiap 420 menit (7:00 jam)",
        "Batas waktu: 3 hari",
    ):
        assert expected in page, expected
    for gone in (
        "asn-default",
        "Paling banyak 3 pengajuan",
        "pelatihan wajib dalam setahun",
        "Jumat</td><td>07:30</td><td>16:30",
    ):
        assert gone not in page, gone


def test_the_contract_ladder_of_the_pack_is_shown_too() -> None:
    book = rulebook(loads_pack(DEFAULT_PACK.read_text(encoding="utf-8")))
    assert [ladder.name for ladder in book.ladders] == ["asn", "contract"]
    asn = book.ladders[0]
    assert [(r.low, r.high) for r in asn.rungs][:3] == [(3, 3), (4, 6), (7, 10)]
    assert asn.rungs[-1].high is None and asn.consecutive_days == 10
