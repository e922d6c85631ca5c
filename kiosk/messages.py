"""Texts of the `hadir-kiosk` command line in Bahasa Indonesia (default) and English.

Each key maps to ``{"id": ..., "en": ...}`` with the same ``str.format`` fields in both. The
language comes from ``--lang``, else ``HADIR_LANG``, else Indonesian (:func:`resolve_lang`). The
LCD has its own catalog (:mod:`kiosk.display.catalog`); this one is for people at a terminal.
"""

from __future__ import annotations

import os
from typing import Any

LANGS: tuple[str, ...] = ("id", "en")
DEFAULT_LANG = "id"
ENV_VAR = "HADIR_LANG"

MESSAGES: dict[str, dict[str, str]] = {
    # cli
    "cli.error": {"id": "{prog}: kesalahan: {message}", "en": "{prog}: error: {message}"},
    "cli.yes": {"id": "ya", "en": "yes"},
    "cli.no": {"id": "tidak", "en": "no"},
    "cli.clock_unsynced": {"id": "(jam belum sinkron)", "en": "(clock unsynced)"},
    # report labels (status / outbox)
    "label.kiosk": {"id": "kios", "en": "kiosk"},
    "label.version": {"id": "versi", "en": "version"},
    "label.state": {"id": "keadaan", "en": "state"},
    "label.sensor_online": {"id": "sensor aktif", "en": "sensor online"},
    "label.clock_synced": {"id": "jam sinkron", "en": "clock synced"},
    "label.server_link": {"id": "tautan server", "en": "server link"},
    "label.command_link": {"id": "tautan perintah", "en": "command link"},
    "label.unsynced": {"id": "belum terkirim", "en": "unsynced"},
    "label.oldest_unsynced_at": {"id": "tertua belum terkirim", "en": "oldest unsynced at"},
    "label.last_seq": {"id": "seq terakhir", "en": "last seq"},
    "label.quarantined": {"id": "dikarantina", "en": "quarantined"},
    "label.roster_version": {"id": "versi daftar pegawai", "en": "roster version"},
    "label.employees": {"id": "pegawai", "en": "employees"},
    "label.enrolled_here": {"id": "terdaftar di sini", "en": "enrolled here"},
    "label.pending_template_uploads": {"id": "templat menunggu unggah", "en": "pending template uploads"},
    "label.pending": {"id": "tertunda", "en": "pending"},
    "label.oldest_pending_at": {"id": "tertunda tertua", "en": "oldest pending at"},
    "label.acked_kept": {"id": "sudah di-ack (disimpan)", "en": "acked kept"},
    "label.segments": {"id": "segmen", "en": "segments"},
    "label.bytes_on_disk": {"id": "bita di disk", "en": "bytes on disk"},
    # status / outbox / enroll / run
    "status.not_running": {
        "id": "{reason}; jalankan dengan: sudo systemctl start hadir-kiosk",
        "en": "{reason}; start it with: sudo systemctl start hadir-kiosk",
    },
    "outbox.negative_pending": {
        "id": "--pending tidak boleh negatif",
        "en": "--pending must not be negative",
    },
    "outbox.quarantined": {
        "id": "berkas rusak disisihkan di {path}/quarantine: simpan untuk admin server",
        "en": "damaged files were set aside in {path}/quarantine: keep them for the server admin",
    },
    "enroll.start": {
        "id": "Mendaftarkan {employee}: ikuti LCD (letakkan jari, angkat, letakkan lagi).",
        "en": "Enrolling {employee}: follow the LCD (place the finger, lift, place it again).",
    },
    "enroll.done": {
        "id": "{employee} terdaftar di halaman {page}; templat dikirim ke server terenkripsi.",
        "en": "Enrolled {employee} in page {page}; the template goes to the server encrypted.",
    },
    "enroll.failed": {"id": "Tidak terdaftar: {reason}", "en": "Not enrolled: {reason}"},
    "enroll.not_running": {
        "id": "{reason}; pendaftaran berjalan lewat kios yang aktif: sudo systemctl start hadir-kiosk",
        "en": "{reason}; enrollment goes through the running kiosk: sudo systemctl start hadir-kiosk",
    },
    "run.needs_simulator": {
        "id": "--simulate memerlukan paket simulator dari kode sumber Hadir ({reason})",
        "en": "--simulate needs the simulator package from the Hadir source tree ({reason})",
    },
    # doctor: report
    "doctor.pass": {"id": "LULUS", "en": "PASS"},
    "doctor.fail": {"id": "GAGAL", "en": "FAIL"},
    "doctor.skip": {"id": "LEWAT", "en": "SKIP"},
    "doctor.fix": {"id": "perbaikan: {fix}", "en": "fix: {fix}"},
    "doctor.all_passed": {"id": "semua pemeriksaan lulus", "en": "all checks passed"},
    "doctor.failed": {"id": "{count} pemeriksaan gagal", "en": "{count} check(s) failed"},
    # doctor: check names
    "check.settings": {"id": "pengaturan", "en": "settings"},
    "check.serial_port": {"id": "port serial", "en": "serial port"},
    "check.uart_config": {"id": "konfig UART", "en": "uart config"},
    "check.sensor": {"id": "sensor", "en": "sensor"},
    "check.lcd": {"id": "lcd", "en": "lcd"},
    "check.gpio_pins": {"id": "pin GPIO", "en": "gpio pins"},
    "check.broker": {"id": "broker", "en": "broker"},
    "check.clock": {"id": "jam", "en": "clock"},
    "check.disk": {"id": "disk", "en": "disk"},
    "check.outbox": {"id": "outbox", "en": "outbox"},
    # doctor: details and fixes
    "settings.ok": {"id": "{source} (kios {kiosk})", "en": "{source} (kiosk {kiosk})"},
    "settings.fix": {
        "id": "perbaiki kunci yang disebut di atas (deploy/kiosk.toml.example)",
        "en": "fix the key named above (deploy/kiosk.toml.example)",
    },
    "serial.busy": {
        "id": "{port} dipakai kios yang sedang berjalan",
        "en": "{port} is in use by the running kiosk",
    },
    "serial.cannot_open": {"id": "tidak bisa membuka {port}: {error}", "en": "cannot open {port}: {error}"},
    "serial.fix": {
        "id": "aktifkan UART (sudo raspi-config nonint do_serial_hw 0), reboot, dan periksa [sensor] port; "
        "pengguna perlu grup dialout",
        "en": "enable the UART (sudo raspi-config nonint do_serial_hw 0), reboot, and check [sensor] port; "
        "the user needs the dialout group",
    },
    "serial.ok": {"id": "{port} terbuka pada {baudrate} baud", "en": "{port} opens at {baudrate} baud"},
    "uart.not_pi": {"id": "tidak ada {path}: bukan Raspberry Pi", "en": "no {path}: not a Raspberry Pi"},
    "uart.disabled": {"id": "enable_uart=1 tidak ada di {path}", "en": "enable_uart=1 missing from {path}"},
    "uart.disabled_fix": {
        "id": "sudo raspi-config nonint do_serial_hw 0 (atau tambahkan enable_uart=1), lalu reboot",
        "en": "sudo raspi-config nonint do_serial_hw 0 (or add enable_uart=1), then reboot",
    },
    "uart.console": {
        "id": "konsol login berjalan di UART sensor ({console} di {path})",
        "en": "a login console runs on the sensor's UART ({console} in {path})",
    },
    "uart.console_fix": {
        "id": "sudo raspi-config nonint do_serial_cons 1, lalu reboot",
        "en": "sudo raspi-config nonint do_serial_cons 1, then reboot",
    },
    "uart.ok": {"id": "enable_uart=1, tanpa konsol serial", "en": "enable_uart=1, no serial console"},
    "sensor.running_ok": {
        "id": "aktif di kios yang berjalan, {count} jari",
        "en": "online in the running kiosk, {count} fingers",
    },
    "sensor.running_offline": {
        "id": "kios yang berjalan melaporkan sensor mati",
        "en": "the running kiosk reports the sensor offline",
    },
    "sensor.no_answer": {"id": "tidak ada jawaban di {port}", "en": "no answer on {port}"},
    "sensor.wrong_password": {"id": "sensor menolak kata sandi", "en": "the sensor refused the password"},
    "sensor.wrong_password_fix": {
        "id": "isi [sensor] password di kiosk.toml dengan kata sandi modul (0 kecuali pernah diubah)",
        "en": "set [sensor] password in kiosk.toml to the module's password (0 unless it was changed)",
    },
    "sensor.error": {"id": "{error}", "en": "{error}"},
    "sensor.fix": {
        "id": "periksa kabel: Pi TX (pin 8) -> RX sensor (kabel 4), Pi RX (pin 10) -> TX sensor (kabel 3), "
        "5 V (pin 2) dan GND (pin 6); periksa [sensor] port dan baudrate",
        "en": "check the wiring: Pi TX (pin 8) -> sensor RX (wire 4), Pi RX (pin 10) -> sensor TX (wire 3), "
        "5 V (pin 2) and GND (pin 6); check [sensor] port and baudrate",
    },
    "sensor.ok": {
        "id": "jabat tangan ok, {count} dari {capacity} templat tersimpan",
        "en": "handshake ok, {count} of {capacity} templates stored",
    },
    "lcd.disabled": {"id": "dimatikan di [display]", "en": "disabled in [display]"},
    "lcd.no_bus": {"id": "tidak ada bus I2C {bus} ({error})", "en": "no I2C bus {bus} ({error})"},
    "lcd.no_bus_fix": {
        "id": "aktifkan I2C (sudo raspi-config nonint do_i2c 0), reboot; pengguna perlu grup i2c",
        "en": "enable I2C (sudo raspi-config nonint do_i2c 0), reboot; the user needs the i2c group",
    },
    "lcd.no_answer": {
        "id": "tidak ada yang menjawab di {address} pada bus I2C {bus}",
        "en": "nothing answers at {address} on I2C bus {bus}",
    },
    "lcd.no_answer_fix": {
        "id": "periksa SDA (pin 3), SCL (pin 5), 5 V dan GND; `i2cdetect -y 1` menampilkan alamatnya "
        "(0x27, atau 0x3F pada backpack PCF8574A): isi [display] lcd_address",
        "en": "check SDA (pin 3), SCL (pin 5), 5 V and GND; `i2cdetect -y 1` shows the address "
        "(0x27, or 0x3F on PCF8574A backpacks): set [display] lcd_address",
    },
    "lcd.ok": {
        "id": "ditemukan di {address} pada bus I2C {bus}",
        "en": "found at {address} on I2C bus {bus}",
    },
    "pins.busy": {"id": "dipakai kios yang sedang berjalan", "en": "in use by the running kiosk"},
    "pins.green_led": {"id": "LED hijau", "en": "green LED"},
    "pins.red_led": {"id": "LED merah", "en": "red LED"},
    "pins.buzzer": {"id": "buzzer", "en": "buzzer"},
    "pins.error": {"id": "{device} di GPIO{pin}: {error}", "en": "{device} on GPIO{pin}: {error}"},
    "pins.touch_error": {
        "id": "kabel sentuh di GPIO{pin}: {error}",
        "en": "touch wire on GPIO{pin}: {error}",
    },
    "pins.touch_low": {
        "id": ", sentuh GPIO{pin} LOW (ada jari di kaca?)",
        "en": ", touch GPIO{pin} LOW (finger on the glass?)",
    },
    "pins.touch_high": {"id": ", sentuh GPIO{pin} high", "en": ", touch GPIO{pin} high"},
    "pins.none": {"id": "tidak ada LED atau buzzer yang diatur", "en": "no LEDs or buzzer configured"},
    "pins.fix": {
        "id": "pin dipegang program lain, atau bukan GPIO: periksa nomor pin [display]/[sensor] (BCM)",
        "en": "another program holds the pin, or it is not a GPIO: "
        "check [display]/[sensor] pin numbers (BCM)",
    },
    "broker.unreachable": {
        "id": "tidak bisa menjangkau {where} ({error})",
        "en": "cannot reach {where} ({error})",
    },
    "broker.unreachable_fix": {
        "id": "periksa jaringan dan [mqtt] host/port; apakah hadir-server (atau Mosquitto) berjalan?",
        "en": "check the network and [mqtt] host/port; is hadir-server (or Mosquitto) running?",
    },
    "broker.connect_failed": {
        "id": "koneksi MQTT ke {where} gagal: {error}",
        "en": "MQTT connection to {where} failed: {error}",
    },
    "broker.connect_failed_fix": {
        "id": "periksa [mqtt] tls dan ca_file",
        "en": "check [mqtt] tls and ca_file",
    },
    "broker.silent": {
        "id": "{where} menerima TCP tetapi tidak menjawab MQTT",
        "en": "{where} accepts TCP but does not answer MQTT",
    },
    "broker.silent_fix": {"id": "periksa [mqtt] port dan tls", "en": "check [mqtt] port and tls"},
    "broker.refused": {
        "id": "{where} menolak kredensial ({reason})",
        "en": "{where} refused the credentials ({reason})",
    },
    "broker.refused_fix": {
        "id": "salin lagi [mqtt] username, password dan key dari berkas `hadir-server kiosk add`",
        "en": "copy [mqtt] username, password and key from the `hadir-server kiosk add` file again",
    },
    "broker.anonymous": {"id": "anonim", "en": "anonymous"},
    "broker.ok": {"id": "{where} menerima {user}", "en": "{where} accepted {user}"},
    "clock.ok": {
        "id": "tersinkron sejak boot ini (systemd-timesyncd)",
        "en": "synchronised this boot (systemd-timesyncd)",
    },
    "clock.unsynced": {
        "id": "belum tersinkron sejak boot; presensi tetap disimpan tetapi ditandai",
        "en": "not synchronised since boot; punches are kept but flagged",
    },
    "clock.fix": {
        "id": "systemctl status systemd-timesyncd; isi NTP= di /etc/systemd/timesyncd.conf dengan server "
        "yang terjangkau",
        "en": "systemctl status systemd-timesyncd; "
        "set NTP= in /etc/systemd/timesyncd.conf to a reachable server",
    },
    "disk.low": {"id": "hanya {free_mb} MB kosong di {path}", "en": "only {free_mb} MB free on {path}"},
    "disk.fix": {
        "id": "kosongkan ruang: sudo journalctl --vacuum-size=50M; sudo apt-get clean; hapus berkas lama",
        "en": "free space: sudo journalctl --vacuum-size=50M; sudo apt-get clean; remove old files",
    },
    "disk.ok": {"id": "{free_mb} MB kosong di {path}", "en": "{free_mb} MB free on {path}"},
    "outbox.cannot_open": {"id": "tidak bisa membuka {path}: {error}", "en": "cannot open {path}: {error}"},
    "outbox.cannot_open_fix": {"id": "periksa [kiosk] data_dir", "en": "check [kiosk] data_dir"},
    "outbox.damaged": {
        "id": "{quarantined} berkas rusak disisihkan, {pending} belum terkirim",
        "en": "{quarantined} damaged file(s) set aside, {pending} unsynced",
    },
    "outbox.damaged_fix": {
        "id": "simpan {path}/quarantine untuk admin server; presensi di sana perlu ditinjau",
        "en": "keep {path}/quarantine for the server admin; punches there need review",
    },
    "outbox.stale": {
        "id": "{pending} belum terkirim, yang tertua sejak {oldest}",
        "en": "{pending} unsynced, the oldest since {oldest}",
    },
    "outbox.stale_fix": {
        "id": "kios tidak bisa mengirim: lihat pemeriksaan broker di atas dan `hadir-kiosk status`",
        "en": "the kiosk cannot deliver: check the broker check above and `hadir-kiosk status`",
    },
    "outbox.ok": {
        "id": "{pending} belum terkirim, seq terakhir {last_seq}",
        "en": "{pending} unsynced, last seq {last_seq}",
    },
    "check.crashed": {
        "id": "pemeriksaan macet: {error}",
        "en": "check crashed: {error}",
    },
    "check.crashed_fix": {
        "id": "jalankan dengan --debug dan laporkan",
        "en": "run with --debug and report it",
    },
    # hadir-sim (the simulator reuses this catalog)
    "sim.days": {"id": "--days minimal 1", "en": "--days must be at least 1"},
    "sim.demo_header": {
        "id": "[bold]Demo Hadir[/]: {employees} pegawai, {kiosks} kios di {offices}; "
        "{start} .. {end}, seed {seed}",
        "en": "[bold]Hadir demo[/]: {employees} employees, {kiosks} kiosks in {offices}; "
        "{start} .. {end}, seed {seed}",
    },
    "sim.admin_ui": {
        "id": "UI admin: [bold link={url}]{url}[/]  masuk sebagai [bold]{user}[/] / [bold]{password}[/]",
        "en": "Admin UI: [bold link={url}]{url}[/]  sign in as [bold]{user}[/] / [bold]{password}[/]",
    },
    "sim.resuming": {
        "id": "Melanjutkan pada {at} UTC (pakai --fresh untuk mulai ulang)",
        "en": "Resuming at {at} UTC (use --fresh to start over)",
    },
    "sim.nothing": {
        "id": "Tidak ada yang disimulasikan: periode tanpa hari kerja (coba --days lebih banyak).",
        "en": "Nothing to simulate: the period has no working day (try more --days).",
    },
    "sim.browse": {
        "id": "Lihat datanya di {url} (Ctrl-C untuk berhenti).",
        "en": "Browse the data at {url} (Ctrl-C to stop).",
    },
    "sim.stopped": {
        "id": "Berhenti; keadaan disimpan di {var} "
        "(jalankan lagi untuk melanjutkan, --fresh untuk mulai ulang).",
        "en": "Stopped; state kept in {var} (run again to resume, --fresh to start over).",
    },
    "sim.no_kiosk": {
        "id": "tidak ada kios {kiosk!r}; kios: {kiosks}",
        "en": "no kiosk {kiosk!r}; kiosks: {kiosks}",
    },
    "sim.stopping": {
        "id": "Berhenti: presensi yang sedang diproses diselesaikan, semuanya ditutup berurutan.",
        "en": "Stopping: the punches in progress are finished, everything closes in order.",
    },
    "sim.screens_stale": {
        "id": "{path} sudah usang: python -m simulator.screens --markdown {path}",
        "en": "{path} is out of date: python -m simulator.screens --markdown {path}",
    },
    "sim.wrote": {"id": "{path} ditulis", "en": "wrote {path}"},
}


def resolve_lang(option: str | None = None, environ: dict[str, str] | None = None) -> str:
    """``--lang`` if given, else ``HADIR_LANG`` if it names a known language, else Indonesian."""
    if option in LANGS:
        return option
    env = (os.environ if environ is None else environ).get(ENV_VAR, "").strip().lower()
    return env if env in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text for ``key`` in ``lang`` (Indonesian for an unknown language), formatted with ``params``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry[DEFAULT_LANG]).format(**params)


def add_lang_option(parser: Any) -> None:
    """The global ``--lang id|en`` option (default: ``$HADIR_LANG``, else ``id``)."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help=f"language of the output (default: ${ENV_VAR}, else {DEFAULT_LANG})",
    )
