"""The template's code: how this project is served on {{ cookiecutter.__platform_name }}.

It holds what sits between the platform and Django (the servers' glue, request
limits, the visitor's address, the health probes), the reading of the environment
(env_values.py) and the checks that a process has what it needs, mail and its
transport, security headers, log filters, error tracking and the `runserver`
override, each with its tests in serving/tests/.

The template maintains it: `cruft update` brings in its fixes (README.md, "Updating
from the template"), so edit it only to fix it. Your own code lives in your apps
(the project's package and the ones you add); settings, URLs and entry points in
config/.
"""
