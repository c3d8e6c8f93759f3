"""The web face: a FastAPI JSON API and one interactive page (``callbluff serve``).

``callbluff.web.app.create_app`` builds the application; see docs/report-and-web.md.
"""
