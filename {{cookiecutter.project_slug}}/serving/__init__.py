"""How this project is served on {{ cookiecutter.__platform_name }}: the code between the web
server and Django (request limits, the visitor's address, the web process's query
timeout{% if cookiecutter.interface == "asgi" %}, the ASGI application's parts{% endif %}), the reading of the environment and the
parsing of EMAIL_URL.

This package is the template's, not the project's: `cruft update` brings in its fixes
(README.md, "Updating from the template"), so edit it only to fix it. The project's own
code lives in its apps; its settings, URLs and entry points in config/.
"""
