"""Search attributes Baton workflows upsert so initiatives can be listed and filtered.

The workflow sandbox re-imports this module, so it must import nothing but temporalio and
do nothing at import time beyond building the keys. The embedded server registers exactly
`BATON_SEARCH_ATTRIBUTES`; a key upserted without being registered fails the workflow task.
"""

from typing import Any

from temporalio.common import SearchAttributeKey

PHASE = SearchAttributeKey.for_keyword("BatonPhase")
OWNER = SearchAttributeKey.for_keyword("BatonOwner")
OVERDUE = SearchAttributeKey.for_bool("BatonOverdue")

BATON_SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (PHASE, OWNER, OVERDUE)
