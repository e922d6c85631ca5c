"""The employees' side: personal sign-in, their own record, correction requests, the rules explained,
their data as a file, and training attendance.

- :mod:`server.selfservice.accounts` — passwords and one-time sign-in links;
- :mod:`server.selfservice.record` — an employee's month and year from the engine's stored verdicts;
- :mod:`server.selfservice.corrections` — request, decide, apply (excuse or manual punch), re-evaluate;
- :mod:`server.selfservice.export` — the employee's own data as JSON or a ZIP of CSV files;
- :mod:`server.selfservice.rulebook` — the active rule pack explained in Bahasa Indonesia and English;
- :mod:`server.selfservice.training` — sessions, attendance from kiosk punches, missed-session flags;
- :mod:`server.selfservice.summary` — the short monthly summary a kiosk shows after a punch.
"""
