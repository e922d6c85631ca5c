"""Texts of the `hadir-server` command line in Bahasa Indonesia (default) and English.

Each key maps to ``{"id": ..., "en": ...}`` with the same ``str.format`` fields in both. The
language comes from the global ``--lang``, else ``HADIR_LANG``, else Indonesian
(:func:`resolve_lang`). The web UI has its own catalog (server/web/messages.toml).
"""

from __future__ import annotations

import os
from typing import Any

LANGS: tuple[str, ...] = ("id", "en")
DEFAULT_LANG = "id"
ENV_VAR = "HADIR_LANG"

MESSAGES: dict[str, dict[str, str]] = {
    "cli.error": {"id": "{prog}: kesalahan: {message}", "en": "{prog}: error: {message}"},
    "cli.yes": {"id": "ya", "en": "yes"},
    "cli.no": {"id": "tidak", "en": "no"},
    # migrate
    "migrate.done": {
        "id": "basis data {db} pada revisi {revision}",
        "en": "database {db} is at revision {revision}",
    },
    # kiosk add / list
    "kiosk.added": {
        "id": "Kios {kiosk} ditambahkan di kantor {office}",
        "en": "kiosk {kiosk} provisioned in office {office}",
    },
    "kiosk.written": {
        "id": "pengaturan kios (beserta rahasianya) ditulis ke {path}",
        "en": "kiosk settings (with its secrets) written to {path}",
    },
    "kiosk.copy": {
        "id": "salin berkas itu ke /etc/hadir/kiosk.toml di kios",
        "en": "copy that file to /etc/hadir/kiosk.toml on the kiosk",
    },
    "kiosk.mosquitto": {
        "id": "jika broker-nya Mosquitto, jalankan `hadir-server broker-config` lalu muat ulang Mosquitto",
        "en": "with Mosquitto as the broker, run `hadir-server broker-config` and reload Mosquitto",
    },
    "kiosk.col_kiosk": {"id": "kios", "en": "kiosk"},
    "kiosk.col_office": {"id": "kantor", "en": "office"},
    "kiosk.col_online": {"id": "daring", "en": "online"},
    "kiosk.col_seen": {"id": "terakhir (UTC)", "en": "last seen (UTC)"},
    "kiosk.col_seq": {"id": "seq utuh s.d.", "en": "seq ok up to"},
    "kiosk.col_backlog": {"id": "antrean", "en": "backlog"},
    # broker-config
    "broker.tls_needed": {
        "id": "TLS memerlukan --certfile dan --keyfile (atau pakai --no-tls di jaringan tepercaya)",
        "en": "TLS needs --certfile and --keyfile (or give --no-tls on a trusted network)",
    },
    "broker.wrote": {
        "id": "{dir}/passwd ({users} pengguna), {dir}/acl dan {dir}/hadir.conf ditulis",
        "en": "wrote {dir}/passwd ({users} users), {dir}/acl and {dir}/hadir.conf",
    },
    "broker.reload": {
        "id": "Mosquitto membacanya saat mulai; muat ulang setelah menambah kios "
        "(systemctl reload mosquitto)",
        "en": "Mosquitto reads them on start; reload it after adding kiosks (systemctl reload mosquitto)",
    },
    # templates
    "templates.not_connected": {"id": "tidak terhubung ke broker", "en": "not connected to the broker"},
    "templates.unreachable": {
        "id": "tidak bisa menjangkau broker di {url}: {error}; apakah `hadir-server run` berjalan?",
        "en": "cannot reach the broker at {url}: {error}; is `hadir-server run` up?",
    },
    "templates.refused": {
        "id": "broker di {url} menolak server ({reason})",
        "en": "the broker at {url} refused the server ({reason})",
    },
    "templates.no_answer": {"id": "tanpa jawaban", "en": "no answer"},
    "templates.col_employee": {"id": "pegawai", "en": "employee"},
    "templates.col_office": {"id": "kantor", "en": "office"},
    "templates.col_page": {"id": "hlm", "en": "page"},
    "templates.col_source": {"id": "didaftarkan di", "en": "enrolled at"},
    "templates.enroll_asked": {
        "id": "kios {kiosk} diminta mendaftarkan {employee}: pegawai mengikuti LCD-nya",
        "en": "asked kiosk {kiosk} to enroll {employee}: the employee follows its LCD",
    },
    "templates.swept": {
        "id": "templat dihapus untuk {count} pegawai yang keluar{names}",
        "en": "templates deleted for {count} employee(s) who left{names}",
    },
    # users
    "cli_users.password_prompt": {"id": "Kata sandi: ", "en": "Password: "},
    "cli_users.repeat_prompt": {"id": "Ulangi: ", "en": "Repeat: "},
    "cli_users.passwords_differ": {"id": "kedua kata sandi berbeda", "en": "the two passwords differ"},
    "cli_users.unknown": {
        "id": "tidak ada pengguna bernama {username!r} (lihat: hadir-server users list)",
        "en": "no user named {username!r} (see: hadir-server users list)",
    },
    "cli_users.created": {"id": "{role} {username} dibuat", "en": "created {role} {username}"},
    "cli_users.active": {"id": "aktif", "en": "active"},
    "cli_users.inactive": {"id": "nonaktif", "en": "inactive"},
    "cli_users.password_changed": {
        "id": "kata sandi {username} diganti",
        "en": "password of {username} changed",
    },
    "cli_users.deactivated": {"id": "{username} dinonaktifkan", "en": "{username} deactivated"},
    # import / evaluate
    "import.result": {
        "id": "{kind}: {rows} baris dibaca, {added} baru",
        "en": "{kind}: {rows} rows read, {added} new",
    },
    "evaluate.unknown_employees": {
        "id": "hadir-server: pegawai tidak dikenal: {ids}",
        "en": "hadir-server: unknown employee(s): {ids}",
    },
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


def lang_of(args: Any) -> str:
    """The output language of a parsed command line (``args.lang`` resolved)."""
    return resolve_lang(getattr(args, "lang", None))


def add_lang_option(parser: Any) -> None:
    """The global ``--lang id|en`` option (default: ``$HADIR_LANG``, else ``id``)."""
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=None,
        help=f"language of the output (default: ${ENV_VAR}, else {DEFAULT_LANG})",
    )
