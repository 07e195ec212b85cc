"""The audit's check of event ids agrees with how the domain makes them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audit.findings import is_id_of
from domain.envelope import event_id_for

stream_ids = st.text(min_size=1, max_size=80)
versions = st.integers(min_value=1, max_value=2**31 - 1)


@given(stream_ids, versions)
def test_the_id_of_a_place_is_recognised_there(stream_id: str, version: int) -> None:
    assert is_id_of(event_id_for(stream_id, version), stream_id, version)


@given(stream_ids, versions, stream_ids, versions)
def test_the_id_of_another_place_is_not(
    stream_id: str, version: int, other_stream: str, other_version: int
) -> None:
    if (stream_id, version) != (other_stream, other_version):
        assert not is_id_of(event_id_for(other_stream, other_version), stream_id, version)
