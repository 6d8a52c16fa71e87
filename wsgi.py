"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Also what the ``flask`` command finds by default. Loads ``.env`` first, if present.
"""

from dotenv import load_dotenv

from app import create_app

load_dotenv()
app = create_app()
