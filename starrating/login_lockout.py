"""django-axes with a limit of its own for each lockout parameter.

Axes locks when the failures of its worst lockout parameter reach one limit,
AXES_FAILURE_LIMIT. We want two: AXES_FAILURE_LIMIT failures lock an account on one address,
and LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, spread over any number of
accounts, lock the address (password spraying). The handler scales each parameter's count
to AXES_FAILURE_LIMIT, so that it reaches that limit exactly when it reaches its own.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def parameter_limit(parameter, account_limit):
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT if parameter == "ip_address" else account_limit


class LoginAttemptHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            # floor(count × limit / own) ≥ limit exactly when count ≥ own.
            scaled.append(count * limit // parameter_limit(parameter, limit))
        return max(scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """On a successful log-in, forgive that account's failures from this address only:
        resetting the whole address would let anyone with one valid account clear the
        address's count between rounds of guessing at the others."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
