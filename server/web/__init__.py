"""The admin web UI: server-rendered pages (FastAPI + Jinja2) and a JSON API over the same data.

Start with :func:`server.web.app.create_app`.
"""
