"""Use cases: what the API, the CLI and jobs do, with explicit inputs.

A service takes the session (the unit of work its caller owns) and the settings
it needs, and each method takes the acting user where a rule depends on who
acts. Services never read Flask's request globals or the app's config: the
caller passes them in (see ``app.api.current`` and ``app.cli``).
"""
