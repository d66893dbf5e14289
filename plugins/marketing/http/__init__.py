"""Public HTTP routes of the marketing plugin, which need no login: the links in campaign messages
(``messages``), web forms and the web-activity endpoint (``forms``).
"""
