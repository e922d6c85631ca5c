"""Anonymous reporting of discipline violations: the logic behind the public report pages.

Nothing in this package knows who a reporter is, and nothing here may learn it:

* :mod:`server.whistle.receipts` — high-entropy receipt codes, stored only as an HMAC digest;
* :mod:`server.whistle.pow` — hashcash-style proof-of-work challenges that double as signed,
  single-use form tokens (no session cookie needed);
* :mod:`server.whistle.limits` — sliding-window rate limits per receipt and overall (no per-IP state);
* :mod:`server.whistle.evidence` — evidence files checked by their bytes and re-encoded without
  metadata (EXIF, PNG text chunks, PDF document info and XMP);
* :mod:`server.whistle.privacy` — the ASGI guard and logging filter that keep addresses, user
  agents and cookies of these requests out of the application and its logs.
"""
