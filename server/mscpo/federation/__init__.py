"""Federation: outbound SERVICE through a policy (off by default) and the service-description feature.

Integration (the endpoint calls these; nothing else is needed):

* ``Settings.federation_settings`` (``mscpo.config``): the settings, read once at start-up with all others
  (``FederationSettings.from_env(env)`` reads only the ``MSCPO_FEDERATION*`` variables of ``env``).
* ``resolve_service_clauses(text, settings, local)``: before the guard, returns the query with every SERVICE
  clause evaluated through the policy and replaced by VALUES; raises a ``FederationError`` subclass whose
  ``status`` is the HTTP code to answer and whose message names the refusing rule.
* ``federation_features(settings)``: the ``sd:feature`` IRIs to add to the service description.
"""

from mscpo.federation.policy import (
    DEFAULT_ALLOWED,
    FederationError,
    FederationSettings,
    MalformedService,
    ServiceFailed,
    ServiceRefused,
)
from mscpo.federation.service import federation_features, has_service, resolve_service_clauses

__all__ = [
    "DEFAULT_ALLOWED",
    "FederationError",
    "FederationSettings",
    "MalformedService",
    "ServiceFailed",
    "ServiceRefused",
    "federation_features",
    "has_service",
    "resolve_service_clauses",
]
